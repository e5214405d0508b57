"""Bulk API 2.0 query jobs: run the SOQL engine page by page into a CSV result file.

Columns follow the SELECT order; parent fields flatten to ``Account.Name``. The file is
written to a temporary name and renamed when complete, so a crash mid-query leaves no
half file and the job (still InProgress) is simply run again once its lease expires.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from ...core.fieldtypes import FieldType
from ...core.numbers import java_double
from ..schema.model import ObjectDef
from ..schema.registry import Schema
from ..soql.columns import column_paths
from ..soql.executor import run_page
from .csvio import encode_rows
from .files import JobFiles
from .jobs import Job

_PAGE = 2000


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "records" not in value:
            out.update(_flatten(value, name + "."))
        elif not isinstance(value, dict):  # child subqueries are refused at job creation
            out[name] = value
    return out


def _field_type(schema: Schema, obj: ObjectDef, path: str) -> FieldType | None:
    """The type of the field a column path ends at (a polymorphic step follows its
    first target), or None when the path does not lead to one."""
    *steps, last = path.split(".")
    here: ObjectDef | None = obj
    for step in steps:
        lookup = here.by_relationship(step) if here is not None else None
        here = schema.get(lookup.reference_to[0]) if lookup and lookup.reference_to else None
    f = schema.field(here, last) if here is not None else None
    return f.type if f is not None else None


def _text(value: Any, ftype: Any = None) -> str:
    """A cell as Bulk API 2.0 writes it: doubles in Java's form (``975000.0``,
    ``1.2345678E7``), datetimes end in ``Z``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if ftype == FieldType.DATETIME and isinstance(value, str) and value.endswith("+0000"):
        return value[:-5] + "Z"
    return str(value)


def run_query(worker: Any, job: Job) -> None:
    """The query runner of :class:`BulkWorker`: results to ``query.csv``, then complete."""
    org = worker.org
    assert job.query is not None
    # The job runs as its creator: what they may read now decides the rows and columns.
    principal = org.permissions.principal_for(job.created_by)
    plan = worker.soql.plan(job.query, job.operation == "queryAll", principal)
    files = JobFiles(org.settings.data_dir, job.id).ensure()
    part = files.query.with_suffix(".part")
    newline = "\r\n" if job.line_ending == "CRLF" else "\n"
    today = dt.datetime.now(dt.UTC).date()
    columns: list[tuple[str, Any]] | None = None
    count, position = 0, 0
    with open(part, "wb") as f, org.store.read() as conn:
        # The sharing predicate's values (the caller, their role, the owners visible to
        # them) are bound as for a REST query; without them no owned record matches.
        all_rows = job.operation == "queryAll"
        plan, access, _ = worker.soql.bind(conn, plan, job.query, all_rows, principal)
        while True:
            page = run_page(
                plan,
                conn,
                org.schema,
                position=position,
                batch=_PAGE,
                version=job.api_version,
                today=today,
                access=access,
            )
            flat = [_flatten(r) for r in page.records]
            if columns is None and flat:
                # From the query, not from the first record: a record whose parent is
                # null has no ``Account.Name`` key, and must not decide the file's columns.
                columns = [
                    (path, _field_type(org.schema, plan.compiled.obj, path))
                    for path in column_paths(plan.compiled)
                ]
                f.write(encode_rows([[c for c, _ in columns]], job.delimiter, newline))
            if flat:
                assert columns is not None
                rows = [[_text(r.get(c), t) for c, t in columns] for r in flat]
                f.write(encode_rows(rows, job.delimiter, newline))
            count += len(flat)
            position = page.next_position
            if not flat or position >= page.total:
                break
        f.flush()
        os.fsync(f.fileno())
    part.rename(files.query)
    worker.finish(job, processed=count)


__all__ = ["run_query"]
