"""Object stores for the org's file bytes through fsspec: a local directory, S3 and
S3-compatible stores, Azure Blob, Google Cloud Storage, by URL."""

from .factory import opener

__all__ = ["opener"]
