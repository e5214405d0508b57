"""Rules an object adds to the one DML path, at fixed points of every insert.

Some standard objects do more than store a row: a ContentVersion makes its document,
moves IsLatest and links the file (``org.files``). Their rules hook in here rather than
in a writer of their own, so REST, composite, bulk and sync all apply them, and the rows
they add go through the same DML (audit fields, change events) as any other.

The points, per batch of one object:

- ``stage``: after the records are resolved and coerced, before the write transaction
  where the caller allows (it may do slow work, such as storing bytes); errors go on
  the record.
- ``before_insert``: in the write transaction, before integrity checks; may set values
  and errors. The transaction may be retried, so it starts from fresh copies each time.
- ``after_insert``: in the same transaction, with the new ids in the values; it writes
  the rows the records imply.
- ``before_delete``: in the delete's transaction, with the ids that passed every check,
  while their rows can still be read; it writes what the removal implies.

Hooks are held by the :class:`~.writer.Dml` of one org (no module-level registry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from ..schema.model import ObjectDef
from .context import WriteContext
from .prepare import Prepared

if TYPE_CHECKING:
    from .writer import Dml


class ObjectHooks:
    """Base class: every point does nothing until a subclass says otherwise."""

    def stage(self, obj: ObjectDef, prepared: list[Prepared]) -> None:
        return None

    def before_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        return None

    def after_insert(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
    ) -> None:
        return None

    def before_delete(
        self,
        dml: Dml,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        record_ids: list[str],
    ) -> None:
        return None


__all__ = ["ObjectHooks"]
