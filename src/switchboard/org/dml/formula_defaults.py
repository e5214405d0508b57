"""Default values that are formulas (``TODAY() + 30``, ``$User.Email``), on create.

Salesforce evaluates a default before the record exists, so the formula sees no field
of the record, only the running user, the organization and the clock. The value goes
through the field's coercion like any input, so it is stored as a typed value would be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ...core.errors import SwitchboardError
from ..formulas.compute import user_row
from ..formulas.values import Env
from ..records import wire_value
from ..schema.model import ObjectDef
from .coerce import coerce
from .context import WriteContext

if TYPE_CHECKING:
    from ..schema.registry import Schema
    from .prepare import Prepared


def apply_formula_defaults(
    conn: Connection, schema: Schema, obj: ObjectDef, ctx: WriteContext, good: list[Prepared]
) -> None:
    """Fill each record's unset fields whose default is a formula."""
    defaults = schema.formulas(obj).defaults
    if not defaults or not good:
        return
    needs_user = any(ref.root == "user" for _, fm in defaults for ref in fm.references)
    env = Env({}, None, True, user_row(conn, schema, ctx.user_id) if needs_user else {}, {}, ctx.at)
    computed: list[tuple[str, Any]] = []
    for f, formula in defaults:
        try:
            computed.append((f.column, coerce(f, wire_value(f, formula.evaluate(env)))))
        except SwitchboardError:
            continue  # a default that does not fit its field is left out, as literals are
    for p in good:
        for column, value in computed:
            if column not in p.values and value is not None:
                p.values[column] = value


__all__ = ["apply_formula_defaults"]
