"""The org's files: ContentVersion / ContentDocument / ContentDocumentLink / Attachment
bytes in content-addressed stores, read back by range.

:class:`Files` is what the API and CLI hold (``org.files``): it registers the objects'
rules on the org's DML, checks an upload's record before its bytes stream, and finds
and streams a record's bytes from whichever store holds them now (an offload may move
them mid-read: a read that finds them gone looks again and carries on).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from ...core import ids
from ...core.errors import NotFound
from ...store.engine import Store
from ..dml.prepare import Prepared
from ..dml.writer import Dml
from ..schema.registry import Schema
from . import names, tables
from .blob_rules import AttachmentRules
from .config import FilesConfig, StoreConfig
from .errors import BlobMissing
from .storage import BlobInfo, BlobStore, PathReader, StoredBlob, StoreOpener
from .stores import FileStorage
from .versions import ContentVersionRules

_RETRIES = 5


@dataclass(frozen=True, slots=True)
class FileContent:
    """A record's bytes: where they are and how to serve them. An external file has no
    hash: it is read from ``external`` (store URL, path) as it is now."""

    record_id: str
    sha256: str | None
    size: int
    md5: str | None
    media_type: str
    file_name: str
    external: tuple[str, str] | None = None


class Files:
    def __init__(self, store: Store, schema: Schema, dml: Dml, config: FilesConfig) -> None:
        self.db = store
        self.schema = schema
        self.storage = FileStorage(config)
        self.versions = ContentVersionRules(self.storage, schema)
        self.attachments = AttachmentRules(self.storage, schema)
        dml.hooks["contentversion"] = self.versions
        dml.hooks["attachment"] = self.attachments

    @property
    def config(self) -> FilesConfig:
        return self.storage.config

    def configure(self, config: FilesConfig) -> list[BlobStore]:
        """Run with ``config`` from now on (a project's ``files:`` applied or reloaded);
        returns the opened stores whose options changed, for their owner to close."""
        return self.storage.configure(config)

    def attach(self, opener: StoreOpener) -> None:
        self.storage.attach(opener)

    def detach(self) -> list[BlobStore]:
        return self.storage.detach()

    def rules_for(self, object_name: str) -> ContentVersionRules | AttachmentRules:
        if object_name.lower() == "attachment":
            return self.attachments
        return self.versions

    def check_upload(self, obj_name: str, prepared: Prepared) -> None:
        """Errors of an upload's record found before its bytes arrive (raises the first)."""
        self.rules_for(obj_name).check(prepared, require_data=False)
        if prepared.errors:
            raise prepared.errors[0]

    def store_for_upload(self, obj_name: str, prepared: Prepared) -> str:
        rules = self.rules_for(obj_name)
        path = prepared.values.get(rules.name_column)
        return self.config.store_for(obj_name, rules.linked_type(prepared), path)

    # -- reading ------------------------------------------------------------------------
    def content(self, object_name: str, record_id: str) -> FileContent:
        """The bytes of a live ContentVersion or Attachment; NOT_FOUND otherwise."""
        obj = self.schema.object(object_name)
        try:
            rid = ids.normalize(record_id)
        except Exception:
            raise NotFound() from None
        if rid[:3] != obj.key_prefix:
            raise NotFound()
        table = self.schema.table(obj)
        name_col = table.c.pathonclient if "pathonclient" in table.c else table.c.name
        media = table.c.contenttype if "contenttype" in table.c else sa.null()
        c, b = tables.content, tables.blob
        size_col = table.c.contentsize if "contentsize" in table.c else table.c.bodylength
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(
                    table.c.isdeleted,
                    name_col,
                    media,
                    b.c.sha256,
                    b.c.size,
                    b.c.md5,
                    c.c.external_store,
                    c.c.external_path,
                    size_col,
                )
                .select_from(table.outerjoin(c, c.c.record_id == table.c.id))
                .outerjoin(b, b.c.sha256 == c.c.sha256)
                .where(table.c.id == rid)
            ).first()
        if row is None or row[0]:
            raise NotFound()
        file_name = names.base_name(row[1] or "")
        media_type = row[2] or names.media_type(file_name)
        if row[6] is not None and row[7] is not None:
            return FileContent(
                rid, None, int(row[8] or 0), None, media_type, file_name, (row[6], row[7])
            )
        if row[3] is None:
            raise BlobMissing("The file's content is not available")
        return FileContent(rid, row[3], int(row[4]), row[5], media_type, file_name)

    def read(self, content: FileContent, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start..end`` of a record's content, blob or external file."""
        if content.external is not None:
            store = self.storage.store(content.external[0])
            if not isinstance(store, PathReader):
                raise BlobMissing("The external file's store cannot read files by path")
            return store.open_path(content.external[1], start, end)
        assert content.sha256 is not None
        return self.stream(content.sha256, start, end)

    def where(self, sha256: str) -> str:
        with self.db.read() as conn:
            url = conn.execute(
                sa.select(tables.blob.c.store).where(tables.blob.c.sha256 == sha256)
            ).scalar()
        if url is None:
            raise BlobMissing("The file's content is not available")
        return str(url)

    def stream(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start..end`` of a blob, from the store that holds it now. An
        offload that moves the blob mid-read removes the old copy only after the row
        names the new store, so a read that finds its store empty looks again."""
        pos = start
        for _ in range(_RETRIES):
            url = self.where(sha256)
            try:
                for chunk in self.storage.read(url, sha256, pos, end):
                    pos += len(chunk)
                    yield chunk
                return
            except FileNotFoundError:
                continue
        raise BlobMissing("The file's content is not available in its store")


__all__ = [
    "BlobInfo",
    "BlobStore",
    "FileContent",
    "Files",
    "FilesConfig",
    "StoreConfig",
    "StoredBlob",
    "StoreOpener",
]
