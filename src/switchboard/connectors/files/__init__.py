"""Object stores for the org's file bytes through fsspec: a local directory, S3 and
S3-compatible stores, Azure Blob, Google Cloud Storage, by URL. Registered as the
``files`` kind of the connector registry (``factory.factory``)."""

from .factory import FilesConnectorFactory, factory, open_store

__all__ = ["FilesConnectorFactory", "factory", "open_store"]
