"""Salesforce's rules for files, as hooks on the one DML path (see ``dml/hooks.py``).

ContentVersion:
- without ContentDocumentId it makes a new ContentDocument (version 1), linked to its
  owner (ShareType I) and to FirstPublishLocationId (ShareType V);
- with one, it adds a version: VersionNumber is one more than the document's last,
  IsLatest moves to it, the document takes its title, size and type;
- its bytes (VersionData, base64 or an upload already stored) become a blob: the row
  keeps ContentSize and Checksum (MD5 hex); the bytes are never updated (the fields
  are read-only), so a new version is the only way to change a file.
Attachment: its Body becomes a blob and BodyLength its size.

The documents, links and flags these rules write go through ``Dml.system_insert`` and
``system_update``, so they carry audit fields and publish change events like any row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ...core.clock import now
from ...core.errors import SwitchboardError
from ..dml.context import WriteContext
from ..dml.hooks import ObjectHooks
from ..dml.prepare import Prepared
from ..dml.writer import Dml
from ..errors import RequiredFieldMissing
from ..schema.model import ObjectDef
from ..schema.registry import Schema
from . import names, tables
from .names import InvalidPath
from .storage import PathReader, StoredBlob
from .stores import FileStorage, chunks_of, too_large


def _missing(name: str) -> RequiredFieldMissing:
    return RequiredFieldMissing(f"Required fields are missing: [{name}]", fields=[name])


class _BlobHooks(ObjectHooks):
    """Shared: a blob field's bytes into the store before the write, rows after it."""

    blob_column = ""
    blob_field = ""
    name_column = ""

    def __init__(self, storage: FileStorage, schema: Schema) -> None:
        self.storage = storage
        self.schema = schema

    def type_of(self, record_id: object) -> str | None:
        found = self.schema.by_id(str(record_id)) if record_id else None
        return found.name if found else None

    def linked_type(self, p: Prepared) -> str | None:
        return None

    def check(self, p: Prepared, *, require_data: bool = True) -> None:
        """Errors the record's own values show, before any byte is stored."""
        try:
            names.check_path(p.values.get(self.name_column), _field_name(self.name_column))
        except SwitchboardError as exc:
            p.errors.append(exc)
            return
        if require_data and p.values.get(self.blob_column) is None and not self.external(p):
            p.errors.append(_missing(self.blob_field))

    def external(self, p: Prepared) -> bool:
        return False

    def stage(self, obj: ObjectDef, prepared: list[Prepared]) -> None:
        limit = self.storage.config.max_base64_bytes
        for p in prepared:
            if p.errors:
                continue
            self.check(p)
            data = p.values.get(self.blob_column)
            if p.errors or not isinstance(data, bytes):
                continue
            if len(data) > limit:
                p.errors.append(too_large(self.blob_field, limit))
                continue
            url = self.storage.config.store_for(obj.name, self.linked_type(p))
            try:
                p.values[self.blob_column] = self.storage.upload(url, chunks_of(data))
            except SwitchboardError as exc:
                p.errors.append(exc)

    def blob_of(self, p: Prepared) -> StoredBlob | None:
        value = p.values.get(self.blob_column)
        if value is None or isinstance(value, StoredBlob):
            return value
        # bytes here means stage() did not run (a caller that skipped prepare_insert)
        raise SwitchboardError(f"{self.blob_field}: the file was not stored")

    def record_blobs(self, conn: Connection, obj: ObjectDef, prepared: list[Prepared]) -> None:
        for p in prepared:
            blob = self.blob_of(p)
            if blob is None:
                if p.values.get("contentlocation") == "E":
                    conn.execute(
                        tables.content.insert().values(
                            record_id=p.values["id"],
                            object_name=obj.name,
                            external_store=self.storage.config.resolve(
                                str(p.values["externaldocumentinfo1"])
                            ).url,
                            external_path=p.values["externaldocumentinfo2"],
                        )
                    )
                continue
            remember_blob(conn, blob)
            conn.execute(
                tables.content.insert().values(
                    record_id=p.values["id"], object_name=obj.name, sha256=blob.info.sha256
                )
            )


def remember_blob(conn: Connection, blob: StoredBlob) -> None:
    """The blob's row, unless a row for the same bytes exists (identical bytes are
    stored once; concurrent uploads of them both land here)."""
    b = tables.blob
    if conn.execute(sa.select(b.c.sha256).where(b.c.sha256 == blob.info.sha256)).first():
        return
    try:
        with conn.begin_nested():
            conn.execute(
                b.insert().values(
                    sha256=blob.info.sha256,
                    size=blob.info.size,
                    md5=blob.info.md5,
                    store=blob.store,
                    created_at=now(),
                )
            )
    except IntegrityError:
        pass  # another transaction recorded the same bytes first


class ContentVersionRules(_BlobHooks):
    blob_column = "versiondata"
    blob_field = "VersionData"
    name_column = "pathonclient"

    def check(self, p: Prepared, *, require_data: bool = True) -> None:
        v = p.values
        if v.get("contentlocation") == "E":
            self._check_external(p)
            return
        if not v.get("pathonclient") and not self.external(p):
            p.errors.append(_missing("PathOnClient"))
            return
        super().check(p, require_data=require_data)

    def external(self, p: Prepared) -> bool:
        return bool(p.values.get("contenturl")) or p.values.get("contentlocation") == "E"

    def _check_external(self, p: Prepared) -> None:
        """An external file: ExternalDocumentInfo1 names a configured store,
        ExternalDocumentInfo2 a path inside it; its bytes stay there and are read on
        demand. Only configured stores, so a record cannot point the org at any path."""
        v = p.values
        store, path = v.get("externaldocumentinfo1"), v.get("externaldocumentinfo2")
        missing = [
            n
            for n, x in (("ExternalDocumentInfo1", store), ("ExternalDocumentInfo2", path))
            if not x
        ]
        if missing:
            p.errors.append(
                RequiredFieldMissing(
                    f"Required fields are missing: [{', '.join(missing)}]", fields=missing
                )
            )
            return
        if v.get(self.blob_column) is not None:
            p.errors.append(
                InvalidPath(
                    "VersionData: an external file's bytes stay in its store",
                    fields=["VersionData"],
                )
            )
            return
        config = self.storage.config
        if store not in config.stores and store != config.store:
            p.errors.append(
                InvalidPath(
                    f"ExternalDocumentInfo1: no file store named {str(store)[:80]}",
                    fields=["ExternalDocumentInfo1"],
                )
            )
            return
        try:
            names.check_path(path, "ExternalDocumentInfo2")
        except SwitchboardError as exc:
            p.errors.append(exc)

    def stage(self, obj: ObjectDef, prepared: list[Prepared]) -> None:
        super().stage(obj, prepared)
        for p in prepared:
            if p.errors or p.values.get("contentlocation") != "E":
                continue
            v = p.values
            try:
                reader = self.storage.store(str(v["externaldocumentinfo1"]))
                size = (
                    reader.size_of(str(v["externaldocumentinfo2"]))
                    if isinstance(reader, PathReader)
                    else None
                )
            except (SwitchboardError, ValueError, OSError) as exc:
                p.errors.append(
                    InvalidPath(f"ExternalDocumentInfo2: {exc}", fields=["ExternalDocumentInfo2"])
                )
                continue
            if size is None:
                p.errors.append(
                    InvalidPath(
                        f"ExternalDocumentInfo2: no file at {str(v['externaldocumentinfo2'])[:200]}",
                        fields=["ExternalDocumentInfo2"],
                    )
                )
                continue
            v["contentsize"] = size
            v["pathonclient"] = v.get("pathonclient") or names.base_name(
                str(v["externaldocumentinfo2"])
            )

    def linked_type(self, p: Prepared) -> str | None:
        return self.type_of(p.values.get("firstpublishlocationid"))

    def before_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        docs = dml.schema.object("ContentDocument")
        versions = dml.schema.table(obj)
        numbers: dict[str, int] = {}
        for p in prepared:
            if p.errors:
                continue
            v = p.values
            blob = self.blob_of(p)
            path = v.get("pathonclient")
            if blob is not None:
                v["contentsize"] = blob.info.size
                v["checksum"] = blob.info.md5
            v["fileextension"] = names.extension(path)
            v["filetype"] = names.file_type(path) if path else "LINK"
            v["contentmodifieddate"] = v.get("contentmodifieddate") or ctx.at
            v["islatest"] = True
            v["publishstatus"] = "P"
            doc_id = v.get("contentdocumentid")
            if doc_id:
                if doc_id not in numbers:
                    last = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(versions)
                        .where(versions.c.contentdocumentid == doc_id)
                    ).scalar_one()
                    numbers[doc_id] = int(last)
                numbers[doc_id] += 1
                v["versionnumber"] = str(numbers[doc_id])
                continue
            (doc_id,) = dml.system_insert(
                conn,
                ctx,
                docs,
                [{"title": v.get("title"), "ownerid": v.get("ownerid") or ctx.user_id}],
            )
            numbers[doc_id] = 1
            v["contentdocumentid"] = doc_id
            v["versionnumber"] = "1"
            v["_new_document"] = True

    def after_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        self.record_blobs(conn, obj, prepared)
        versions = dml.schema.table(obj)
        docs = dml.schema.object("ContentDocument")
        links = dml.schema.object("ContentDocumentLink")
        latest: dict[str, dict[str, Any]] = {}
        new_links: list[dict[str, Any]] = []
        for p in prepared:
            v = p.values
            latest[v["contentdocumentid"]] = v  # the batch's last version of a document wins
            if v.get("_new_document"):
                owner = v.get("ownerid") or ctx.user_id
                new_links.append(_link(v["contentdocumentid"], owner, "I"))
                place = v.get("firstpublishlocationid")
                if place and place != owner:
                    new_links.append(_link(v["contentdocumentid"], place, "V"))
        stale = conn.execute(
            sa.select(versions.c.id).where(
                versions.c.contentdocumentid.in_(list(latest)),
                versions.c.islatest.is_(True),
                versions.c.id.not_in([v["id"] for v in latest.values()]),
            )
        ).scalars()
        dml.system_update(conn, ctx, obj, [(rid, {"islatest": False}) for rid in stale])
        dml.system_update(
            conn,
            ctx,
            docs,
            [
                (
                    doc_id,
                    {
                        "latestpublishedversionid": v["id"],
                        "title": v.get("title"),
                        "contentsize": v.get("contentsize"),
                        "filetype": v.get("filetype"),
                        "fileextension": v.get("fileextension"),
                        "contentmodifieddate": v.get("contentmodifieddate"),
                    },
                )
                for doc_id, v in latest.items()
            ],
        )
        if new_links:
            dml.system_insert(conn, ctx, links, new_links)


def _link(doc_id: str, entity: str, share: str) -> dict[str, Any]:
    return {
        "contentdocumentid": doc_id,
        "linkedentityid": entity,
        "sharetype": share,
        "visibility": "AllUsers",
    }


def _field_name(column: str) -> str:
    return {"pathonclient": "PathOnClient", "name": "Name"}.get(column, column)


class AttachmentRules(_BlobHooks):
    blob_column = "body"
    blob_field = "Body"
    name_column = "name"

    def linked_type(self, p: Prepared) -> str | None:
        return self.type_of(p.values.get("parentid"))

    def before_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        for p in prepared:
            blob = None if p.errors else self.blob_of(p)
            if blob is not None:
                p.values["bodylength"] = blob.info.size
                if not p.values.get("contenttype"):
                    p.values["contenttype"] = names.media_type(p.values.get("name"))

    def after_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        self.record_blobs(conn, obj, prepared)


__all__ = ["AttachmentRules", "ContentVersionRules", "remember_blob"]
