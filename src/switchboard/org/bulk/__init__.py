"""Bulk jobs: the job model and its table, CSV in and out, chunked processing, the worker.

``jobs`` (state machine and storage) → ``files`` (upload and result files) → ``csvio``
(reading uploads with byte offsets, writing results) → ``ingest`` (one chunk through the
DML path) → ``worker`` (claims jobs, runs chunks, resumes after a crash).
"""
