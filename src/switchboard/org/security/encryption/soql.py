"""What SOQL can do with an encrypted field, as Shield allows it.

A deterministic field filters by ``=``, ``!=`` and ``IN`` / ``NOT IN``: the literal is
sealed under every key version the org holds (a rotation in progress leaves values under
the old one) and the raw column is compared with those forms, so the filter stays in SQL
(and an index serves the case-sensitive kind). Nothing else compares ciphertext
meaningfully: LIKE, ranges, ORDER BY, GROUP BY and MIN/MAX are refused with
Salesforce's errors, and a probabilistic field cannot be filtered at all. Selected
values are opened as rows are made into records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ...errors import InvalidField
from .column import FieldCipher


def not_filterable(name: str) -> InvalidField:
    return InvalidField(f"field '{name}' can not be filtered in a query call", fields=[name])


def not_sortable(name: str) -> InvalidField:
    return InvalidField(f"field '{name}' can not be sorted in a query call", fields=[name])


def not_grouped(name: str) -> InvalidField:
    return InvalidField(f"field '{name}' can not be grouped in a query call", fields=[name])


def not_aggregated(name: str, fn: str) -> InvalidField:
    return InvalidField(f"field {name} does not support aggregate operator {fn}", fields=[name])


def equality(
    cipher: FieldCipher, column: Any, name: str, op: str, texts: list[str | None], *,
    negated: bool = False,
) -> Any:  # fmt: skip
    """``column = / != / IN / NOT IN`` the literals, over the stored envelopes."""
    if op not in ("=", "!=", "IN"):
        raise not_filterable(name)
    if cipher.scheme == "ProbabilisticEncryption":
        raise not_filterable(name)
    plain = [t for t in texts if t is not None]
    preds = [cipher.matches(column, plain)] if plain else []
    if any(t is None for t in texts):
        preds.append(column.is_(None))
    hit = sa.or_(*preds) if len(preds) > 1 else preds[0] if preds else sa.false()
    if op == "!=" or negated:
        # As for clear text: a null field is "not equal" to any value.
        return sa.or_(column.is_(None), sa.not_(hit)) if plain else sa.not_(hit)
    return hit


def literal_texts(name: str, values: list[Any]) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        raw = getattr(v, "value", v)
        if raw is not None and not isinstance(raw, str):
            raise InvalidField(
                f"value of filter criterion for field '{name}' must be of type string and "
                "should be enclosed in quotes",
                fields=[name],
            )
        out.append(raw)
    return out


def opening(cipher: FieldCipher, then: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """A record maker's converter: open the envelope, then convert as the type does."""
    if then is None:
        return cipher.open
    return lambda v: then(cipher.open(v))


__all__ = [
    "equality",
    "literal_texts",
    "not_aggregated",
    "not_filterable",
    "not_grouped",
    "not_sortable",
    "opening",
]
