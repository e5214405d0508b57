"""The ``files:`` section of ``switchboard.yaml``: named stores, and routes choosing one.

::

    files:
      default: local                    # where a file no route takes goes
      stores:
        local:     {url: "file:///var/lib/switchboard/files"}
        contracts:
          url: s3://acme-contracts/org
          options:                      # fsspec storage options (s3fs, adlfs, gcsfs)
            endpoint_url: https://minio.internal:9000
            key: {secret: contracts_key}         # never the value itself
            secret: {secret: contracts_secret}
        images:    {url: "gs://acme-images/org"}
      routes:                           # the first that matches takes the file
        - {linked: [Account, Contract], extension: pdf, store: contracts}
        - {file_type: [PNG, JPG, JPEG, GIF], store: images}
        - {object: Attachment, store: contracts}

A route's conditions all hold or it does not match: ``object`` the file is for
(ContentVersion, Attachment), ``linked`` the type of the record it is first published
to (FirstPublishLocationId, an Attachment's ParentId, told by its id's prefix),
``extension`` of its PathOnClient / Name, ``file_type`` (Salesforce's FileType). Each
takes one name or a list. Routes decide only where new bytes go: bytes already stored
stay where they are, and are read from there, until ``switchboard files offload``.

The shape is checked here (unknown keys, URL schemes); what needs the rest of the file
or the org (a route's store declared, objects existing, secrets set) is
:mod:`.check`'s. :func:`files_config` turns the section into the org's
:class:`~org.files.config.FilesConfig`, the settings' stores kept as the fallback.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ...org.files.config import FilesConfig, Route, StoreConfig

# What fsspec reaches with the filesystems Switchboard installs or documents:
# the data directory, S3 and S3-compatible stores, Azure Blob / ADLS, GCS.
SCHEMES = ("file", "s3", "s3a", "az", "abfs", "abfss", "gs", "gcs")
_BUCKETED = {"s3", "s3a", "az", "abfs", "abfss", "gs", "gcs"}
NAME = r"^[A-Za-z][A-Za-z0-9_]*$"


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Names = Annotated[tuple[str, ...], BeforeValidator(_listed)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileStore(_Model):
    url: str = Field(description="fsspec URL: file://, s3://bucket/prefix, az://, gs://.")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="fsspec storage options (endpoint_url, region, ...); keys and "
        "passwords as {secret: NAME}.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        # Messages name the scheme only: a URL may carry credentials, never echoed.
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            shown = f"'{scheme}'" if scheme.isalnum() and len(scheme) < 20 else "none"
            raise ValueError(f"unsupported URL scheme {shown}; use one of "
                             f"{', '.join(s + '://' for s in SCHEMES)}")  # fmt: skip
        if parts.password or parts.username:
            raise ValueError("a store URL carries no user or password: put them in "
                             "options as {secret: NAME}")  # fmt: skip
        if scheme in _BUCKETED and not parts.netloc:
            raise ValueError(f"a {scheme}:// URL names its bucket or container: "
                             f"{scheme}://BUCKET/prefix")  # fmt: skip
        if scheme == "file" and not parts.path.strip("/"):
            raise ValueError("a file:// URL names a folder: file:///path/to/files")
        return url


class FileRoute(_Model):
    store: str = Field(description="Name of a store under files.stores.")
    object: Names = Field(default=(), description="ContentVersion or Attachment.")
    linked: Names = Field(default=(), description="Type of the record first linked to.")
    extension: Names = Field(default=(), description="File name extensions (pdf, png).")
    file_type: Names = Field(default=(), description="Salesforce FileType (PDF, PNG).")

    @field_validator("extension")
    @classmethod
    def _extensions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.lower().lstrip(".") for v in value)


class FilesSection(_Model):
    default: str | None = Field(
        None, description="Store for files no route takes; else the data directory's."
    )
    stores: dict[Annotated[str, Field(pattern=NAME)], FileStore] = Field(default_factory=dict)
    routes: list[FileRoute] = Field(default_factory=list, description="First match wins.")


def files_config(base: FilesConfig, section: FilesSection | None) -> FilesConfig:
    """The org's files configuration: ``section`` over ``base`` (from the settings).
    The project's stores join the settings' (a name in both: the project's), its
    routes come before the settings' per-object stores, its default replaces theirs."""
    if section is None:
        return base
    stores = {**base.stores,
              **{n: StoreConfig(url=s.url, options=s.options) for n, s in section.stores.items()}}  # fmt: skip
    routes = tuple(
        Route(
            store=r.store,
            objects=r.object,
            linked=r.linked,
            extensions=r.extension,
            file_types=r.file_type,
        )
        for r in section.routes
    )
    return base.model_copy(
        update={"stores": stores, "routes": routes, "store": section.default or base.store}
    )


__all__ = ["SCHEMES", "FileRoute", "FileStore", "FilesSection", "files_config"]
