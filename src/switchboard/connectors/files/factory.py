"""The file stores' entry in the connector registry (entry point
``switchboard.connectors:files``): an fsspec store per URL, the ``BlobStore`` the org's
files layer writes and reads bytes through.

fsspec (and s3fs, adlfs, gcsfs behind it) is imported only when a store is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...org.files.config import StoreConfig
from ...org.files.storage import BlobStore
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


class FilesConnectorFactory:
    """Opens a store by its :class:`~org.files.config.StoreConfig` (URL and fsspec
    storage options); ``name`` is the store's name or URL, for messages."""

    kind = "files"
    configuration = StoreConfig

    def create(self, name: str, config: StoreConfig, *, secrets: Any = None,
               base_dir: Path | None = None, breaker: Any = None) -> BlobStore:  # fmt: skip
        options = {k: _reveal(name, k, v, secrets) for k, v in config.options.items()}
        return open_store(FsspecStoreConfiguration(config.url.rstrip("/"), options))


def _reveal(store: str, key: str, value: Any, secrets: Any) -> Any:
    """An option's value, read from the secret store when it is ``{secret: NAME}``
    (S3 keys, Azure account keys): the project file holds only the name. Nested
    options (``client_kwargs``) are revealed too."""
    if isinstance(value, dict) and set(value) == {"secret"}:
        ref = str(value["secret"])
        if secrets is None:
            raise StoreConfigError(f"Cannot open the file store {store}: option {key} needs "
                                   f"secret {ref}, and no secret store is at hand")  # fmt: skip
        try:
            return secrets.get(ref)
        except Exception as exc:
            if getattr(exc, "transient", False):
                raise
            raise StoreConfigError(f"Cannot open the file store {store}: secret {ref} is not "
                                   f"set; run `switchboard secret set {ref}`") from None  # fmt: skip
    if isinstance(value, dict):
        return {k: _reveal(store, f"{key}.{k}", v, secrets) for k, v in value.items()}
    return value


factory = FilesConnectorFactory()

__all__ = ["FilesConnectorFactory", "factory", "open_store"]
