"""What every file object's rules share: a blob field's bytes stored before the write
(base64 from JSON, checked against the size limit) and the rows recording which blob a
record holds; and the Attachment's own rules (Body, BodyLength, ContentType).
"""

from __future__ import annotations

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
from .storage import StoredBlob
from .stores import FileStorage, chunks_of, too_large


def missing(name: str) -> RequiredFieldMissing:
    return RequiredFieldMissing(f"Required fields are missing: [{name}]", fields=[name])


class BlobHooks(ObjectHooks):
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
            p.errors.append(missing(self.blob_field))

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
            path = p.values.get(self.name_column)
            url = self.storage.config.store_for(obj.name, self.linked_type(p), path)
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


def _field_name(column: str) -> str:
    return {"pathonclient": "PathOnClient", "name": "Name"}.get(column, column)


class AttachmentRules(BlobHooks):
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


__all__ = ["AttachmentRules", "BlobHooks", "missing", "remember_blob"]
