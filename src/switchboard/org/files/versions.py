"""Salesforce's rules for ContentVersion, as hooks on the one DML path (``dml/hooks.py``).

- Without ContentDocumentId a version makes a new ContentDocument (version 1), linked
  to its owner (ShareType I) and to FirstPublishLocationId (ShareType V).
- With one, it adds a version: VersionNumber is one more than the document's last,
  IsLatest moves to it, and the document takes its title, size and type.
- Its bytes (VersionData, base64 or an upload already stored) become a blob: the row
  keeps ContentSize and Checksum (MD5 hex); the bytes are never updated (the fields
  are read-only), so a new version is the only way to change a file.
- ContentLocation E: an external file, read from a configured store on demand.

The documents, links and flags written here go through ``Dml.system_insert`` and
``system_update``, so they carry audit fields and publish change events like any row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core.errors import SwitchboardError
from ..dml.context import WriteContext
from ..dml.prepare import Prepared
from ..dml.writer import Dml
from ..errors import RequiredFieldMissing
from ..schema.model import ObjectDef
from . import names
from .blob_rules import BlobHooks, missing
from .errors import InvalidPath
from .storage import PathReader


class ContentVersionRules(BlobHooks):
    blob_column = "versiondata"
    blob_field = "VersionData"
    name_column = "pathonclient"

    def check(self, p: Prepared, *, require_data: bool = True) -> None:
        v = p.values
        if v.get("contentlocation") == "E":
            self._check_external(p)
            return
        if not v.get("pathonclient") and not self.external(p):
            p.errors.append(missing("PathOnClient"))
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
                    # Versions of one document are numbered one writer at a time: the
                    # document's row is locked (PostgreSQL; SQLite writers are serial).
                    doc_table = dml.schema.table(docs)
                    conn.execute(
                        sa.select(doc_table.c.id).where(doc_table.c.id == doc_id).with_for_update()
                    )
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


__all__ = ["ContentVersionRules"]
