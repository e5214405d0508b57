"""Field history rows, written by the DML path in the writer's own transaction.

A create writes one ``created`` row; an update one row per tracked field whose value
changed, with the old and new values as text (the API shows them as it shows the
field). Only tracked fields are recorded, on every write path, since every path goes
through the writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ...core import ids
from ...store.batch_writes import insert_rows
from ..records import wire_value
from ..schema.history import history_name, parent_field_name, tracked_fields
from ..schema.model import FieldDef, FieldType, ObjectDef
from .context import WriteContext

if TYPE_CHECKING:
    from ..schema.registry import Schema

# Describe types → the DataType Salesforce puts on history rows.
_DATA_TYPES = {
    FieldType.STRING: "Text",
    FieldType.TEXTAREA: "TextArea",
    FieldType.EMAIL: "Email",
    FieldType.PHONE: "Phone",
    FieldType.URL: "Url",
    FieldType.PICKLIST: "Picklist",
    FieldType.MULTIPICKLIST: "MultiselectPicklist",
    FieldType.BOOLEAN: "Checkbox",
    FieldType.INT: "Number",
    FieldType.DOUBLE: "Number",
    FieldType.CURRENCY: "Currency",
    FieldType.PERCENT: "Percent",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "DateTime",
    FieldType.TIME: "Time",
    FieldType.REFERENCE: "EntityId",
}
_COLUMNS = ("id", "isdeleted", "parent", "field", "datatype", "oldvalue", "newvalue",
            "createdbyid", "createddate", "lastmodifiedbyid", "lastmodifieddate",
            "systemmodstamp")  # fmt: skip


def _text(f: FieldDef, value: Any) -> str | None:
    v = wire_value(f, value)
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class HistoryWriter:
    """The history rows of one batch on one object (nothing when it tracks no field)."""

    def __init__(self, schema: Schema, obj: ObjectDef, ctx: WriteContext) -> None:
        self.tracked = tracked_fields(obj)
        self.rows: list[tuple[Any, ...]] = []
        self.ctx = ctx
        self.history = schema.get(history_name(obj)) if self.tracked else None
        self.schema = schema
        self.parent = parent_field_name(obj).lower()

    def __bool__(self) -> bool:
        return self.history is not None

    def created(self, record_ids: Iterable[str]) -> None:
        for rid in record_ids:
            self.rows.append((rid, "created", None, None, None))

    def changed(self, rid: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        for f in self.tracked:
            if f.column in after and before.get(f.column) != after[f.column]:
                self.rows.append(
                    (rid, f.name, _DATA_TYPES.get(f.type, "Text"),
                     _text(f, before.get(f.column)), _text(f, after[f.column]))
                )  # fmt: skip

    def write(self, conn: Connection) -> None:
        if self.history is None or not self.rows:
            return
        table = self.schema.table(self.history)
        columns = [self.parent if c == "parent" else c for c in _COLUMNS]
        new = ids.new_ids(self.history.key_prefix, len(self.rows))
        at, who = self.ctx.at, self.ctx.user_id
        insert_rows(
            conn,
            table,
            columns,
            [(i, False, *r, who, at, who, at, at) for i, r in zip(new, self.rows, strict=True)],
        )
        self.rows = []


__all__ = ["HistoryWriter"]
