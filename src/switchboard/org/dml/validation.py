"""Validation rules, enforced in the one DML path for every writer.

Each record is checked as it would be stored: on create its values with the org's
stamps (owner, created by), on update the stored row with the changes applied, the
row before the change as PRIORVALUE/ISCHANGED see it. Formula fields are computed on
that merged record first, so a rule may read them, and parents are read once per
batch. A rule whose condition is true adds FIELD_CUSTOM_VALIDATION_EXCEPTION with its
message and errorDisplayField to the record's errors; a record with errors is not
written, and the caller's all-or-none rules decide the rest of its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ..errors import FieldCustomValidationException
from ..formulas.compute import attach_parents, organization_row, user_row
from ..formulas.values import Env
from ..schema.model import ObjectDef
from .context import WriteContext

if TYPE_CHECKING:
    from ..schema.registry import Schema
    from .prepare import Prepared


def validate(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    ctx: WriteContext,
    items: Sequence[tuple[Prepared, dict[str, Any] | None]],
) -> None:
    """Check every active rule of ``obj`` on each (prepared record, stored row or None)."""
    formulas = schema.formulas(obj)
    rules = formulas.rules
    if not rules or not items:
        return
    merged: list[dict[str, Any]] = []
    priors: list[dict[str, Any] | None] = []
    for p, before in items:
        if before is None:
            row = {"ownerid": ctx.user_id, **p.values, "createdbyid": ctx.user_id,
                   "createddate": ctx.at, "lastmodifiedbyid": ctx.user_id}  # fmt: skip
            priors.append(None)
        else:
            row = {**before, **p.values}
            priors.append(dict(before))
        merged.append(row)
    paths = formulas.relationship_paths(rules=True)
    if paths:
        attach_parents(conn, schema, obj, merged, paths)
        known = [r for r in priors if r is not None]
        if known:
            attach_parents(conn, schema, obj, known, paths)
    user = user_row(conn, schema, ctx.user_id) if formulas.needs("user", rules=True) else {}
    org = organization_row(conn, schema) if formulas.needs("organization", rules=True) else {}
    # Only the formula fields the rules read are computed, and the prior record's only
    # when a rule asks for a prior value (PRIORVALUE, ISCHANGED).
    needed, with_prior = formulas.rule_formulas()
    for (p, before), row, prior in zip(items, merged, priors, strict=True):
        env = Env(row, prior, before is None, user, org, ctx.at)
        for f, formula in needed:
            row[f.column] = formula.evaluate(env)
        if with_prior and prior is not None:
            old = Env(prior, None, False, user, org, ctx.at)
            for f, formula in needed:
                prior[f.column] = formula.evaluate(old)
        for rule, formula in rules:
            if formula.evaluate(env):
                shown = obj.field(rule.display_field) if rule.display_field else None
                p.errors.append(
                    FieldCustomValidationException(
                        rule.message, fields=[shown.name] if shown is not None else []
                    )
                )


__all__ = ["validate"]
