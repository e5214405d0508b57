"""Opening fsspec stores for the org: the opener ``Files.attach`` takes.

fsspec (and s3fs, adlfs, gcsfs behind it) is imported only when a store is opened.
"""

from __future__ import annotations

from ...org.files.config import FilesConfig
from ...org.files.storage import BlobStore, StoreOpener
from .configuration import FsspecStoreConfiguration
from .errors import StoreConfigError


def open_store(config: FsspecStoreConfiguration) -> BlobStore:
    import fsspec

    from .client import FsspecBlobStore

    try:
        # skip_instance_cache: each store owns its filesystem (and its listing cache).
        fs, root = fsspec.core.url_to_fs(config.url, skip_instance_cache=True, **config.options)
    except (ImportError, ValueError, TypeError) as exc:
        raise StoreConfigError(f"Cannot open the file store {config.url}: {exc}") from exc
    store = FsspecBlobStore(config, fs, root)
    store.makedirs(store.root)
    return store


def opener(files: FilesConfig) -> StoreOpener:
    """Opens the store a URL or name stands for, with the options configured for it."""

    def open_url(url: str) -> BlobStore:
        return open_store(FsspecStoreConfiguration.of(files.resolve(url)))

    return open_url


__all__ = ["open_store", "opener"]
