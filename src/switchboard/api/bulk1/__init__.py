"""Bulk API 1.0 over HTTP: ``/services/async/{version}/job`` and its batches.

``wire`` (XML and JSON shapes of jobInfo, batchInfo and results) → ``batches`` (turning a
batch body into the CSV the bulk worker reads, and its results back into the job's
format) → ``jobs`` (the handlers) → ``routes``. Each batch is processed as a job of the
Bulk API 2.0 machinery in ``org/bulk`` (api ``v1b``), so it goes through the same worker,
leases and DML path.
"""
