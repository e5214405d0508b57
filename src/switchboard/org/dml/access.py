"""Object permissions and field-level security on the one write path.

Checked per record, before anything else looks at the records, so a refused record
costs no lookups and the rest of a batch goes on (Salesforce reports such errors per
record too). A write without a principal (``WriteContext.principal`` None) is the org's
own and is not checked; neither is the system principal. Record sharing is checked
apart (``record_access``): these checks ask only what the user's permission sets say.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..schema.model import FieldDef, ObjectDef
from ..security.errors import InsufficientAccess
from ..security.fls import can_edit
from ..security.principal import Principal
from .context import WriteContext
from .prepare import Prepared, _read_only

OPERATIONS = ("create", "edit", "delete")


def checked(ctx: WriteContext) -> Principal | None:
    """The principal whose access applies to this write, or None when nothing does."""
    p = ctx.principal
    return None if p is None or p.system or p.modify_all_data else p


def object_refusal(
    ctx: WriteContext, obj: ObjectDef, operation: str, record_id: str | None = None
) -> InsufficientAccess | None:
    """The error for a write the user's object permissions do not allow, else None."""
    p = checked(ctx)
    if p is None:
        return None
    access = p.object(obj.name)
    if getattr(access, operation):
        return None
    suffix = f": {record_id}" if record_id else ""
    return InsufficientAccess(f"insufficient access rights on object id{suffix}", fields=[])


def refuse_fields(ctx: WriteContext, obj: ObjectDef, prepared: Iterable[Prepared]) -> None:
    """Add INVALID_FIELD_FOR_INSERT_UPDATE to each record that sets a field the user may
    not edit (the message Salesforce gives names the field and its security settings)."""
    p = checked(ctx)
    if p is None:
        return
    verdict: dict[str, bool] = {}  # records of a batch mostly set the same fields
    for rec in prepared:
        if rec.errors:
            continue
        for f in rec.given:
            ok = verdict.get(f.name)
            if ok is None:
                ok = verdict[f.name] = _editable(p, obj, f)
            if not ok:
                rec.errors.append(_read_only(f))
                break


def _editable(p: Principal, obj: ObjectDef, f: FieldDef) -> bool:
    """Editable as far as field-level security goes: a permissionable field by its grant,
    any other by the object permission (already checked for the operation)."""
    return can_edit(p, obj, f)


__all__ = ["OPERATIONS", "checked", "object_refusal", "refuse_fields"]
