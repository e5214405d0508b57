"""Object permissions and field-level security while a query compiles.

An API query always runs as its user (there is no system mode over the API): an object
the user cannot read does not exist for them (INVALID_TYPE, as for a misspelt name), nor
does a field they cannot read (INVALID_FIELD, ``No such column``), wherever the query
names it (SELECT, WHERE, ORDER BY, a relationship path). ``FIELDS()`` expands to what
the user can read. ``WITH SECURITY_ENFORCED`` refuses the query naming the inaccessible
field instead; ``WITH USER_MODE`` applies field-level security the same way the API
already does (sharing is the record-access layer's); ``WITH SYSTEM_MODE`` cannot widen
an API caller's access.

Checks happen at compile time, so a plan is built once per access fingerprint (the plan
cache's key) and running it costs nothing more.
"""

from __future__ import annotations

from ..schema.model import ObjectDef
from ..security.errors import InsufficientAccess
from ..security.fls import can_read, can_read_object, enforced
from ..security.principal import Principal
from .errors import InvalidField
from .resolve import no_such_column, unsupported_type


def check_object(principal: Principal | None, obj: ObjectDef, written: str) -> None:
    if not can_read_object(principal, obj):
        raise unsupported_type(written)


def refuse_field(
    mode: str | None, written: str, obj: ObjectDef
) -> InvalidField | InsufficientAccess:
    """The error for a field the user cannot read, as the query's WITH mode has it."""
    if mode == "SECURITY_ENFORCED":
        return InsufficientAccess(
            "Insufficient permissions: secure query included inaccessible field: "
            f"{obj.name}.{written.split('.')[-1]}",
            fields=[written],
        )
    return no_such_column(written, obj)


__all__ = ["can_read", "can_read_object", "check_object", "enforced", "refuse_field"]
