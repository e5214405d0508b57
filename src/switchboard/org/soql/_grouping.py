"""Long AND/OR chains as balanced trees, so no backend meets its expression-depth limit.

SQLite parses ``a OR b OR c ...`` into a chain as deep as it is long and refuses one
deeper than 1,000 ("Expression tree is too large"): a WHERE of 1,001 OR-terms failed.
Salesforce takes such queries (up to its 100,000-character statement limit), so long
chains are split into parenthesized halves, as deep as log2 of their length.
SQLAlchemy flattens nested ``or_``/``and_`` (even through ``Grouping``), hence the small
element below that always renders its own parentheses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

# Chains up to this long stay flat (the common case, and the SQL reads as written).
FLAT = 32


class _Parenthesized(ColumnElement[bool]):
    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [("inner", InternalTraversal.dp_clauseelement)]

    def __init__(self, inner: Any) -> None:
        self.inner = inner


@compiles(_Parenthesized)
def _render(element: _Parenthesized, compiler: Any, **kw: Any) -> str:
    return "(" + str(compiler.process(element.inner, **kw)) + ")"


def balanced(join: Callable[..., Any], parts: list[Any]) -> Any:
    """``join(*parts)`` (``sa.and_`` or ``sa.or_``) nested at most log2(len) deep."""
    if len(parts) <= FLAT:
        return join(*parts)
    half = len(parts) // 2
    return join(
        _Parenthesized(balanced(join, parts[:half])),
        _Parenthesized(balanced(join, parts[half:])),
    )


__all__ = ["FLAT", "balanced"]
