"""Where the org keeps file bytes: the ``files`` configuration.

A pydantic model so that the project file (``switchboard.yaml``) can carry it as its
``files:`` section; until the project loader includes it, :meth:`FilesConfig.from_settings`
builds it from the ``SWITCHBOARD_FILES_*`` settings::

    files:
      store: file:///var/lib/switchboard/files     # the default store
      stores:                                     # named stores with their options
        archive: {url: "s3://acme-files/org", options: {endpoint_url: "..."}}
      objects:                                    # per object or linked record type
        Contract: archive                         # files first linked to a Contract
        Attachment: archive

A store is named by its name or its URL; records of where bytes are use the URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field

from ...core.settings import Settings


class StoreConfig(BaseModel):
    url: str
    options: dict[str, Any] = Field(default_factory=dict)


class FilesConfig(BaseModel):
    store: str = Field(description="Name or URL of the store new files go to by default.")
    stores: dict[str, StoreConfig] = Field(default_factory=dict)
    objects: dict[str, str] = Field(
        default_factory=dict,
        description="Store (name or URL) by object (ContentVersion, Attachment) or by the "
        "type of the record a file is first linked to (Account, Contract, ...).",
    )
    max_version_mb: float = 2048.0
    max_base64_mb: float = 37.5

    @classmethod
    def from_settings(cls, settings: Settings) -> FilesConfig:
        default = settings.files_store or (Path(settings.data_dir) / "files").resolve().as_uri()
        stores = {
            name: StoreConfig.model_validate(spec if isinstance(spec, dict) else {"url": spec})
            for name, spec in _json(settings.files_stores, "files_stores").items()
        }
        objects: dict[str, str] = {}
        for pair in settings.files_object_stores.split(","):
            name, sep, store = pair.partition("=")
            if sep and name.strip() and store.strip():
                objects[name.strip().lower()] = store.strip()
        return cls(
            store=default,
            stores=stores,
            objects=objects,
            max_version_mb=settings.files_max_version_mb,
            max_base64_mb=settings.files_max_base64_mb,
        )

    def resolve(self, name_or_url: str) -> StoreConfig:
        """The store a name or URL stands for (a bare URL gets no options unless a
        named store has the same URL)."""
        if name_or_url in self.stores:
            return self.stores[name_or_url]
        for spec in self.stores.values():
            if spec.url.rstrip("/") == name_or_url.rstrip("/"):
                return spec
        return StoreConfig(url=name_or_url)

    def store_for(self, object_name: str, linked_type: str | None = None) -> str:
        """URL of the store new bytes of ``object_name`` go to (linked type first)."""
        for key in (linked_type, object_name):
            if key and key.lower() in self.objects:
                return self.resolve(self.objects[key.lower()]).url
        return self.resolve(self.store).url

    @property
    def default_url(self) -> str:
        """URL of the org's own store (what FileStorageMB counts)."""
        return self.resolve(self.store).url

    @property
    def max_version_bytes(self) -> int:
        return int(self.max_version_mb * 1024 * 1024)

    @property
    def max_base64_bytes(self) -> int:
        return int(self.max_base64_mb * 1024 * 1024)


def _json(text: str, name: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    data = orjson.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"setting {name} must be a JSON object")
    return data


__all__ = ["FilesConfig", "StoreConfig"]
