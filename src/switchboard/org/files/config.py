"""Where the org keeps file bytes: the ``files`` configuration the org runs with.

Two sources build it. The ``SWITCHBOARD_FILES_*`` settings (:meth:`FilesConfig.from_settings`)
give the fallback: a default store, named stores, stores by object. The project file's
``files:`` section (``patterns.files``) is the source of truth when present: its stores
are added to the settings' (same name: the project's wins), its routes come before the
settings' per-object choices, its default replaces theirs. What the org runs with is one
:class:`FilesConfig`, swapped whole on a project reload (``Files.configure``)::

    store: file:///var/lib/switchboard/files      # the default store (name or URL)
    stores: {archive: {url: "s3://acme/org", options: {endpoint_url: "..."}}}
    routes:                                        # first match wins
      - {linked: [Contract], store: archive}       # files first linked to a Contract
      - {extension: [png, jpg], store: images}
    objects: {attachment: archive}                 # the settings' Contract=archive pairs

A store is named by its name or its URL; records of where bytes are use the URL, so an
option value may also be ``{"secret": NAME}``: the connector opening the store reads it
from the org's secret store (the org never holds the value).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field

from ...core.settings import Settings
from . import names


class StoreConfig(BaseModel):
    url: str
    options: dict[str, Any] = Field(default_factory=dict)


class Route(BaseModel):
    """Which new files go to ``store``: every condition given must hold (an empty list
    holds always). Names are compared case-insensitively."""

    store: str
    objects: tuple[str, ...] = ()  # ContentVersion, Attachment
    linked: tuple[str, ...] = ()  # the type of FirstPublishLocationId / ParentId
    extensions: tuple[str, ...] = ()  # "pdf", without the dot
    file_types: tuple[str, ...] = ()  # Salesforce's FileType: PDF, PNG, ...

    def matches(self, object_name: str, linked_type: str | None, path: str | None) -> bool:
        ext = names.extension(path) or ""
        checks = (
            (self.objects, object_name),
            (self.linked, linked_type or ""),
            (self.extensions, ext),
            (self.file_types, names.file_type(path) if path else ""),
        )
        return all(not wanted or value.lower() in {w.lower() for w in wanted}
                   for wanted, value in checks)  # fmt: skip


class FilesConfig(BaseModel):
    store: str = Field(description="Name or URL of the store new files go to by default.")
    stores: dict[str, StoreConfig] = Field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    objects: dict[str, str] = Field(
        default_factory=dict,
        description="Store (name or URL) by object (ContentVersion, Attachment) or by the "
        "type of the record a file is first linked to (Account, Contract, ...).",
    )
    retired: tuple[StoreConfig, ...] = Field(
        default=(),
        description="Stores an earlier configuration named and this one no longer does: "
        "records of old bytes still name them by URL, so they stay readable.",
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
        for spec in (*self.stores.values(), *self.retired):
            if spec.url.rstrip("/") == name_or_url.rstrip("/"):
                return spec
        return StoreConfig(url=name_or_url)

    def succeeding(self, old: FilesConfig) -> FilesConfig:
        """This config, keeping readable the stores ``old`` named and this one does not."""
        urls = {s.url.rstrip("/") for s in self.stores.values()}
        kept = [s for s in (*old.stores.values(), *old.retired) if s.url.rstrip("/") not in urls]
        unique = {s.url.rstrip("/"): s for s in (*self.retired, *kept)}
        return self.model_copy(update={"retired": tuple(unique.values())})

    def store_for(
        self, object_name: str, linked_type: str | None = None, path: str | None = None
    ) -> str:
        """URL of the store new bytes of ``object_name`` go to: the first route that
        matches, else the settings' choice by linked type then object, else the default."""
        for route in self.routes:
            if route.matches(object_name, linked_type, path):
                return self.resolve(route.store).url
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


__all__ = ["FilesConfig", "Route", "StoreConfig"]
