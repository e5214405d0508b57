"""Streaming a multipart/form-data upload of a file record into the org's file store.

Salesforce's shape: a JSON part (``entity_content`` for ContentVersion,
``entity_attachment`` for Attachment) with the record's fields, then a binary part
(``VersionData`` / ``Body``) with the bytes. The body is parsed as it arrives
(``multipart_stream``, over the ASGI stream); the record is checked as
soon as its part is complete, before any byte is stored; the bytes go to a staging
object in 4 MB batches of views while SHA-256 and MD5 are computed, and are committed under
their hash only when the closing boundary arrived. Whatever goes wrong before that
(a truncated body, a missing part, the size limit) drops the staged bytes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from ...core.errors import JsonParserError
from ...org.dml.context import WriteContext
from ...org.errors import RequiredFieldMissing
from ...org.files.errors import InvalidUpload
from ...org.files.stores import Ingest
from ...org.runtime import Org
from ...org.schema.model import ObjectDef
from .multipart_stream import StreamingMultipart

_ENTITY_LIMIT = 1 << 20
# Bytes handed to the store's thread at once, as views of the request's chunks (never
# joined: a join was a copy of every byte on the event loop's thread). 4 MB a hop keeps
# the hops to 256 a GB; two batches (this one, the one being written) are what the
# upload holds.
_FLUSH = 4 << 20


class MultipartUpload:
    """One request's parts, fed by :meth:`feed` and applied by :meth:`drain`."""

    def __init__(self, org: Org, obj: ObjectDef, boundary: bytes, limit: int) -> None:
        self.org = org
        self.obj = obj
        self.blob_field = "VersionData" if obj.name == "ContentVersion" else "Body"
        self.limit = limit
        self.entity: dict[str, Any] | None = None
        self.ingest: Ingest | None = None
        self.ended = False
        self.saw_data = False
        self._queue: list[tuple[str, Any]] = []
        self._part: str | None = None  # "entity", "data" or "other"
        self._entity_bytes = bytearray()
        self._pending: list[bytes | memoryview] = []
        self._pending_size = 0
        self._writing: asyncio.Future[None] | None = None
        self.parser = StreamingMultipart(
            boundary, self._headers_done, self._data, self._part_end, self._end
        )

    # -- parser callbacks (synchronous, inside parser.write) ---------------------------
    def _headers_done(self, headers: dict[bytes, bytes]) -> None:
        _, opts = parse_options_header(headers.get(b"content-disposition", b""))
        name = opts.get(b"name", b"").decode("utf-8", "replace")
        if name.lower().startswith("entity_"):
            self._part = "entity"
        elif name.lower() == self.blob_field.lower():
            self._part = "data"
            self.saw_data = True
        else:
            self._part = "other"

    def _data(self, chunk: bytes | memoryview) -> None:
        if self._part == "entity":
            self._entity_bytes += chunk
            if len(self._entity_bytes) > _ENTITY_LIMIT:
                raise InvalidUpload("The entity part of the request is larger than 1 MB")
        elif self._part == "data":
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            if self._pending_size >= _FLUSH:
                self._flush()

    def _part_end(self) -> None:
        if self._part == "entity":
            self._queue.append(("entity", bytes(self._entity_bytes)))
        elif self._part == "data":
            self._flush()
        self._part = None

    def _end(self) -> None:
        self.ended = True

    def _flush(self) -> None:
        if self._pending:
            self._queue.append(("data", self._pending))
            self._pending, self._pending_size = [], 0

    # -- driving ----------------------------------------------------------------------
    def feed(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    async def drain(self) -> None:
        """Apply what the parser found: check the record, store the bytes. One write is
        in flight while the next megabyte is parsed; the next waits for it (order)."""
        queue, self._queue = self._queue, []
        for kind, payload in queue:
            if kind == "entity":
                await self._settle()
                await run_in_threadpool(self._entity, payload)
            else:
                if self.ingest is None:
                    self.ingest = await run_in_threadpool(self._open_ingest)
                await self._settle()
                self._writing = asyncio.ensure_future(
                    run_in_threadpool(self.ingest.write_many, payload)
                )

    async def _settle(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing

    def _entity(self, payload: bytes) -> None:
        if self.entity is not None:
            raise InvalidUpload("The request has more than one entity part")
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise JsonParserError(f"Unexpected character in JSON body: {str(exc)[:200]}") from None
        if not isinstance(data, dict):
            raise JsonParserError("Cannot deserialize instance of sObject from VALUE value")
        if any(k.lower() == self.blob_field.lower() for k in data if isinstance(k, str)):
            raise InvalidUpload(f"{self.blob_field} belongs in its own part, not in the entity")
        checked = _prepare(self.org, self.obj, data)
        self.org.files.check_upload(self.obj.name, checked)
        self.entity = data
        self._store = self.org.files.store_for_upload(self.obj.name, checked)

    def _open_ingest(self) -> Ingest:
        files = self.org.files
        url = getattr(self, "_store", None) or files.config.store_for(self.obj.name)
        return files.storage.ingest(url, limit=self.limit, what=self.blob_field)

    def abort(self) -> None:
        ingest = self.ingest
        if ingest is None:
            return
        writing = self._writing
        if writing is not None and not writing.done():
            # The write in flight ends in its thread; the staged copy is dropped after it.
            def later(f: asyncio.Future[None]) -> None:
                if not f.cancelled():
                    f.exception()  # retrieved: the request has failed already
                ingest.abort()

            writing.add_done_callback(later)
        else:
            ingest.abort()

    async def finish(self, ctx: WriteContext) -> str:
        """After the body ended: commit the bytes, then create the record."""
        await self._settle()
        if not self.ended:
            raise InvalidUpload("The multipart request body ended before its closing boundary")
        if self.entity is None:
            raise InvalidUpload(
                "The request has no entity part (entity_content) with the record's fields"
            )
        if not self.saw_data:
            raise RequiredFieldMissing(
                f"Required fields are missing: [{self.blob_field}]", fields=[self.blob_field]
            )
        if self.ingest is None:  # an empty file
            self.ingest = await run_in_threadpool(self._open_ingest)
        blob = await run_in_threadpool(self.ingest.finish)
        record = {**self.entity, self.blob_field: blob}
        return await run_in_threadpool(self.org.create, ctx, self.obj.name, record)


def _prepare(org: Org, obj: ObjectDef, data: dict[str, Any]) -> Any:
    """The record resolved and coerced without its bytes, for the checks that come
    before any byte is stored (prepare_many, not prepare_insert: no hooks yet)."""
    from ...org.dml.prepare import prepare_many

    p = prepare_many(org.schema, obj, [data], creating=True)[0]
    if p.errors:
        raise p.errors[0]
    return p


def boundary_of(content_type: str) -> bytes | None:
    kind, opts = parse_options_header(content_type)
    if kind.lower() != b"multipart/form-data":
        return None
    boundary = opts.get(b"boundary")
    if not boundary:
        raise InvalidUpload("The multipart/form-data Content-Type has no boundary")
    return bytes(boundary)


__all__ = ["MultipartUpload", "boundary_of"]
