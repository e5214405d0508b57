"""The org's file stores as a service of the Runtime.

The org's files layer (``org.files``) takes and gives bytes only through an opener of
stores; it never imports a connector. This service gives it one while the Runtime
runs: each store is opened by the connector registry's ``files`` kind (fsspec, see
``connectors.files``) with the options configured for its name or URL, and dropped
when the Runtime stops, so no request after the stop reaches a store.
"""

from __future__ import annotations

from ..connectors.registry import ConnectorRegistry
from ..org.files import Files
from ..org.files.storage import BlobStore, StoreOpener

KIND = "files"


def store_opener(files: Files, connectors: ConnectorRegistry) -> StoreOpener:
    """Opens the store a URL or name stands for through the registry's ``files`` kind."""
    factory = connectors.factory(KIND)

    def open_url(url: str) -> BlobStore:
        spec = files.config.resolve(url)
        store: BlobStore = factory.create(url, spec, secrets=connectors.secrets)
        return store

    return open_url


def attach_file_stores(files: Files, connectors: ConnectorRegistry) -> Files:
    """Back ``files`` with the registry's stores now (commands that run no Runtime)."""
    files.attach(store_opener(files, connectors))
    return files


def detach_file_stores(files: Files) -> None:
    """Drop ``files``' stores and close those that hold resources (clients, pools)."""
    for store in files.detach():
        close = getattr(store, "close", None)
        if close is not None:
            close()


class FileStoresService:
    """Attaches the org's file stores on start, detaches them on stop."""

    name = "file-stores"

    def __init__(self, files: Files, connectors: ConnectorRegistry) -> None:
        self.files = files
        self.connectors = connectors

    async def start(self) -> None:
        attach_file_stores(self.files, self.connectors)

    async def stop(self) -> None:
        detach_file_stores(self.files)


__all__ = ["FileStoresService", "attach_file_stores", "detach_file_stores", "store_opener"]
