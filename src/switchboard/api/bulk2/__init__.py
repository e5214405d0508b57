"""Bulk API 2.0 over HTTP: ``/services/data/vXX.X/jobs/ingest`` and ``jobs/query``."""
