"""One chunk of an ingest job through the org's DML path.

The header is resolved once into a :class:`Plan`: each column is a field of the object,
or a relationship by external id (``Account.Ext_Id__c``) resolved per chunk with one
query per column. An empty value leaves a field alone; ``#N/A`` sets it to null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ...core.errors import SwitchboardError
from ..dml.context import WriteContext
from ..dml.keys import KeyMatcher
from ..dml.writer import Outcome
from ..schema.model import FieldDef, FieldType, ObjectDef
from ..schema.registry import Schema
from .csvio import CsvFormatError
from .jobs import Job

NULL = "#N/A"
_CHUNK = 500


@dataclass(slots=True)
class Column:
    name: str  # as in the header
    field: FieldDef  # the field set (the lookup, for a relationship column)
    target: ObjectDef | None = None  # relationship columns: the parent object
    target_key: FieldDef | None = None  # ... and its external id field


@dataclass(slots=True)
class Plan:
    obj: ObjectDef
    columns: list[Column]
    key: FieldDef | None = None  # upsert: the external id field
    id_index: int | None = None  # update/delete: the Id column

    @property
    def width(self) -> int:
        return len(self.columns)


def _not_found(name: str) -> CsvFormatError:
    return CsvFormatError(f"InvalidBatch : Field name not found : {name}")


def plan(schema: Schema, job: Job, header: list[str]) -> Plan:
    """Resolve the header against the job's object; a bad header fails the job."""
    assert job.object is not None
    obj = schema.object(job.object)
    columns: list[Column] = []
    for name in header:
        if not name:
            raise CsvFormatError("InvalidBatch : The CSV header has an empty column name")
        if "." in name:
            rel, _, key_name = name.partition(".")
            lookup = obj.by_relationship(rel.split(":")[0])
            if lookup is None or not lookup.reference_to:
                raise _not_found(name)
            target_name = rel.split(":")[1] if ":" in rel else lookup.reference_to[0]
            target = schema.get(target_name)
            key = schema.field(target, key_name) if target else None
            if (
                target is None
                or key is None
                or not (key.external_id or key.id_lookup or key.type == FieldType.ID)
            ):
                raise _not_found(name)
            columns.append(Column(name, lookup, target, key))
            continue
        f = schema.field(obj, name)
        if f is None:
            raise _not_found(name)
        columns.append(Column(name, f))
    seen: set[str] = set()
    for c in columns:  # a name twice, in any case, or AccountId beside Account.Ext_Id__c
        if c.field.name in seen:
            raise CsvFormatError(f"InvalidBatch : Duplicate field name in the header: {c.name}")
        seen.add(c.field.name)
    p = Plan(obj, columns)
    ids_at = [i for i, c in enumerate(columns) if c.field.name == "Id" and c.target is None]
    p.id_index = ids_at[0] if ids_at else None
    if job.operation in ("update", "delete", "hardDelete") and p.id_index is None:
        raise CsvFormatError("InvalidBatch : Field name not found : Id")
    if job.operation in ("delete", "hardDelete") and len(columns) != 1:
        raise CsvFormatError("InvalidBatch : A delete job takes exactly one column: Id")
    if job.operation == "upsert":
        p.key = schema.field(obj, job.external_id_field or "")
        if p.key is None or not any(c.field is p.key and c.target is None for c in columns):
            raise CsvFormatError(
                f"InvalidBatch : Field name not found : {job.external_id_field} "
                "(the external id field must be a column of the CSV)"
            )
    return p


def error_text(exc: SwitchboardError) -> str:
    """``CODE:message:field,field --`` as Salesforce writes sf__Error."""
    return f"{exc.error_code}:{exc.message}:{','.join(exc.fields)} --"


@dataclass(slots=True)
class ChunkResult:
    success: list[list[str]] = field(default_factory=list)
    failed: list[list[str]] = field(default_factory=list)


def _resolve_relationships(
    conn: Connection, schema: Schema, p: Plan, rows: list[list[str]], errors: list[str | None]
) -> dict[tuple[int, int], str]:
    """Parent ids of relationship cells, keyed (row, column); errors recorded per row."""
    found: dict[tuple[int, int], str] = {}
    for ci, col in enumerate(p.columns):
        if col.target is None or col.target_key is None:
            continue
        matcher = KeyMatcher(col.target_key)
        keyed: dict[int, Any] = {}
        for ri, (r, e) in enumerate(zip(rows, errors, strict=True)):
            if e is None and r[ci] not in ("", NULL):
                try:
                    keyed[ri] = matcher.wanted(r[ci])
                except SwitchboardError:  # not a number: no record has it
                    keyed[ri] = None
        matches = matcher.lookup(conn, schema.table(col.target), keyed.values())
        for ri, k in keyed.items():
            value = rows[ri][ci]
            hits = matches.get(k, []) if k is not None else []
            if len(hits) == 1:
                found[(ri, ci)] = hits[0]
            elif not hits:
                errors[ri] = (
                    f"INVALID_FIELD:Foreign key external ID: {value} not found for field "
                    f"{col.target_key.name} in entity {col.target.name}:{col.name} --"
                )
            else:
                errors[ri] = (
                    f"INVALID_FIELD:More than 1 record found for external ID field: "
                    f"{col.target_key.name} in entity {col.target.name}:{col.name} --"
                )
    return found


def apply_chunk(
    conn: Connection,
    schema: Schema,
    dml: Any,
    ctx: WriteContext,
    job: Job,
    p: Plan,
    rows: list[list[str]],
) -> ChunkResult:
    """Apply ``rows`` in ``conn``'s transaction; one success or failure line per row."""
    width = p.width
    errors: list[str | None] = [None] * len(rows)
    for i, r in enumerate(rows):
        if len(r) != width:
            errors[i] = f"INVALID_INPUT:Row has {len(r)} columns but the header has {width}:--"
    parents = _resolve_relationships(conn, schema, p, rows, errors)
    good = [i for i, e in enumerate(errors) if e is None]
    op = job.operation
    outcomes: list[Outcome]
    if op in ("delete", "hardDelete"):
        assert p.id_index is not None
        outcomes = dml.delete(
            conn, ctx, p.obj, [rows[i][p.id_index] for i in good], hard=op == "hardDelete"
        )
    else:
        # An empty cell leaves its field alone and #N/A nulls it; relationship cells are
        # replaced by the parent ids resolved above.
        names = [col.field.name for col in p.columns]
        related = [(ci, col.field.name) for ci, col in enumerate(p.columns) if col.target]
        records = []
        for i in good:
            r = rows[i]
            rec: dict[str, Any] = {
                name: None if value == NULL else value
                for name, value in zip(names, r, strict=True)
                if value != ""
            }
            for ci, name in related:
                if r[ci] not in ("", NULL):
                    rec[name] = parents[(i, ci)]
            records.append(rec)
        if op == "insert":
            outcomes = dml.insert(conn, ctx, p.obj, records)
        elif op == "update":
            changes = []
            for rec in records:
                rid = rec.pop("Id", None)
                changes.append((rid or "", rec))
            outcomes = dml.update(conn, ctx, p.obj, changes)
        else:
            assert p.key is not None
            outcomes = dml.upsert(conn, ctx, p.obj, p.key, records)
    by_row = dict(zip(good, outcomes, strict=True))
    out = ChunkResult()
    for i, r in enumerate(rows):
        o = by_row.get(i)
        if errors[i] is not None:
            out.failed.append([errors[i] or "", "", *r])
        elif o is None or o.errors:
            text = error_text(o.errors[0]) if o and o.errors else "UNKNOWN_EXCEPTION:--"
            out.failed.append([text, (o.id or "") if o else "", *r])
        else:
            out.success.append([o.id or "", "true" if o.created else "false", *r])
    return out


__all__ = ["ChunkResult", "NULL", "Plan", "apply_chunk", "error_text", "plan"]
