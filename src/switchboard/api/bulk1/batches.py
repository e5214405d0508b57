"""A batch's body in, its results out.

A DML batch arrives as CSV, JSON or XML and is stored as the CSV upload the bulk worker
reads (relationship dicts become ``Account.Ext_Id__c`` columns, nulls ``#N/A``). Its
results are read back from the worker's success and failed files and put in request
order, as Bulk API 1.0 reports one result per record in the order sent. Query results
are the worker's CSV, typed again from the schema for JSON and XML (datetimes and dates
as epoch milliseconds in JSON, as Salesforce returns them).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...core.fieldtypes import FieldType
from ...org.bulk.csvio import encode_rows, iter_rows, read_header
from ...org.bulk.files import JobFiles
from ...org.bulk.ingest import NULL
from ...org.schema.model import FieldDef, ObjectDef
from ...org.schema.registry import Schema

_NUMBERS = {FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT}


def _cell(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records_to_csv(records: list[dict[str, Any]]) -> bytes:
    """JSON or XML records as one CSV: the union of their fields, in first-seen order."""
    flat: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for rec in records:
        row: dict[str, str] = {}
        for key, value in rec.items():
            if key == "attributes":
                continue
            if isinstance(value, dict):
                for sub, v in value.items():
                    if sub not in ("attributes", "type"):
                        row[f"{key}.{sub}"] = _cell(v)
            else:
                row[key] = _cell(value)
        columns.update(dict.fromkeys(row))
        flat.append(row)
    header = list(columns)
    return encode_rows([header] + [[r.get(c, "") for c in header] for r in flat], ",")


def _parse_error(text: str) -> dict[str, Any]:
    """``CODE:message:field,field --`` back into Salesforce's error object."""
    text = text.removesuffix("--").rstrip()
    code, _, rest = text.partition(":")
    message, _, fields = rest.rpartition(":")
    if not message:
        message, fields = rest, ""
    return {
        "statusCode": code,
        "message": message,
        "fields": [f for f in fields.split(",") if f.strip()],
    }


def _rows(path: Path, delimiter: str) -> list[list[str]]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    _, start = read_header(path, delimiter)
    return list(iter_rows(path, delimiter, start))


def dml_results(files: JobFiles, delimiter: str = ",") -> list[dict[str, Any]]:
    """One result per uploaded row, in upload order.

    Each row went to exactly one of the two files, each file in upload order, so the
    files merge back by matching the original columns; of two identical rows the earlier
    one is taken to have succeeded, as a later duplicate is the one rules reject.
    """
    upload = _rows(files.upload, delimiter)
    ok, bad = _rows(files.success, delimiter), _rows(files.failed, delimiter)
    si = fi = 0
    out: list[dict[str, Any]] = []
    for row in upload:
        if si < len(ok) and ok[si][2:] == row:
            rid, created = ok[si][0], ok[si][1] == "true"
            out.append({"id": rid, "success": True, "created": created, "errors": []})
            si += 1
        elif fi < len(bad) and bad[fi][2:] == row:
            err = _parse_error(bad[fi][0])
            out.append(
                {"id": bad[fi][1] or None, "success": False, "created": False, "errors": [err]}
            )
            fi += 1
        else:
            err = {"statusCode": "UNKNOWN_EXCEPTION", "message": "Not processed", "fields": []}
            out.append({"id": None, "success": False, "created": False, "errors": [err]})
    return out


def dml_results_csv(results: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["Id", "Success", "Created", "Error"])
    for r in results:
        err = r["errors"][0] if r["errors"] else None
        text = f"{err['statusCode']}:{err['message']}:{','.join(err['fields'])} --" if err else ""
        w.writerow(
            [
                r["id"] or "",
                "true" if r["success"] else "false",
                "true" if r["created"] else "false",
                text,
            ]
        )
    return buf.getvalue().encode("utf-8")


def _field_of(schema: Schema, obj: ObjectDef, column: str) -> tuple[FieldDef | None, ObjectDef]:
    *path, last = column.split(".")
    current: ObjectDef | None = obj
    for rel in path:
        lookup = current.by_relationship(rel) if current else None
        current = schema.get(lookup.reference_to[0]) if lookup and lookup.reference_to else None
    if current is None:
        return None, obj
    return schema.field(current, last), current


def _typed(f: FieldDef | None, text: str, epoch: bool) -> Any:
    if text == "":
        return None
    if f is None:
        return text
    try:
        if f.type == FieldType.BOOLEAN:
            return text.lower() == "true"
        if f.type == FieldType.INT:
            return int(text)
        if f.type in _NUMBERS:
            return float(text)
        if epoch and f.type == FieldType.DATETIME:
            stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
            return int(stamp.timestamp() * 1000)
        if epoch and f.type == FieldType.DATE:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return int(day.timestamp() * 1000)
    except ValueError:
        return text
    return text


def query_records(
    schema: Schema, object_name: str, path: Path, version: str, *, epoch: bool
) -> list[dict[str, Any]]:
    """The query result file as records, parent fields nested as in the REST API."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    obj = schema.object(object_name)
    header, start = read_header(path, ",")
    fields = [_field_of(schema, obj, c) for c in header]
    out = []
    for row in iter_rows(path, ",", start):
        rec: dict[str, Any] = {"attributes": {"type": obj.name}}
        for column, (f, owner), text in zip(header, fields, row, strict=False):
            *rels, last = column.split(".")
            target = rec
            for rel in rels:
                nested = target.get(rel)
                if not isinstance(nested, dict):
                    nested = target[rel] = {"attributes": {"type": owner.name}}
                target = nested
            target[last] = _typed(f, text, epoch)
        rid = rec.get("Id")
        if isinstance(rid, str):
            rec["attributes"]["url"] = f"/services/data/v{version}/sobjects/{obj.name}/{rid}"
        out.append(rec)
    return out


__all__ = ["dml_results", "dml_results_csv", "query_records", "records_to_csv"]
