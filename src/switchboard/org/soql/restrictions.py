"""Objects Salesforce will not query without a selective filter.

ContentDocumentLink must be filtered on Id, ContentDocumentId or LinkedEntityId with
``=`` or ``IN`` (a semi-join counts), at the top level of the WHERE (alone or ANDed);
an OR, a NOT or a negative test does not restrict it. The rule is a fact of the
object, so the table below is static metadata, not a registry of live objects.
"""

from __future__ import annotations

from . import ast
from .errors import MalformedQuery

_FILTER_REQUIRED = {
    "contentdocumentlink": (
        frozenset({"id", "contentdocumentid", "linkedentityid"}),
        "Implementation restriction: ContentDocumentLink requires a filter by a single Id "
        "on ContentDocumentId or LinkedEntityId using the equals operator or multiple "
        "Id's using the IN operator.",
    ),
}


def _names(q: ast.Query, fld: ast.Expr) -> str | None:
    if not isinstance(fld, ast.Field):
        return None
    path = [p.lower() for p in fld.path]
    if len(path) == 2 and path[0] in {q.from_.object.lower(), (q.from_.alias or "").lower()}:
        path = path[1:]
    return path[0] if len(path) == 1 else None


def _restricts(q: ast.Query, cond: ast.Condition | None, fields: frozenset[str]) -> bool:
    if isinstance(cond, ast.And):
        return any(_restricts(q, c, fields) for c in cond.operands)
    if isinstance(cond, ast.Comparison):
        return cond.op == "=" and _names(q, cond.left) in fields
    if isinstance(cond, ast.InList | ast.InSubquery):
        return not cond.negated and _names(q, cond.left) in fields
    return False


def check_restrictions(q: ast.Query) -> None:
    """Raise Salesforce's error for a query its object does not allow unfiltered."""
    rule = _FILTER_REQUIRED.get(q.from_.object.lower())
    if rule is not None and not _restricts(q, q.where, rule[0]):
        raise MalformedQuery(rule[1])


__all__ = ["check_restrictions"]
