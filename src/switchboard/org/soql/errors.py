"""Errors raised while parsing, compiling and running SOQL.

Every failure renders as one Salesforce error entry; the parser only ever raises
:class:`MalformedQuery`, the later stages raise the others::

    SwitchboardError                      core.errors
    └── OrgError                          org.errors
        ├── InvalidField                  INVALID_FIELD (org.errors: no such field or
        │                                 relationship; the one class schema and DML raise)
        ├── InvalidType                   INVALID_TYPE  (org.errors: no such object)
        └── SoqlError                     400, query failures of SOQL's own
            ├── MalformedQuery            MALFORMED_QUERY  (syntax; carries row/column/token)
            ├── InvalidQueryFilterOperator  INVALID_QUERY_FILTER_OPERATOR
            └── InvalidQueryLocator       INVALID_QUERY_LOCATOR (expired/unknown cursor)

All terminal: the same query fails the same way. A caller that wants "any reason this
query cannot run" catches :class:`~org.errors.OrgError` (an unknown object or field is
the org's error, whoever finds it).
"""

from __future__ import annotations

from ..errors import InvalidField, InvalidType, OrgError

# Longer query lines are echoed as a window around the error so that a megabyte-long
# query does not produce a megabyte-long error message.
_ECHO_WINDOW = 80


class SoqlError(OrgError):
    """Base class of every SOQL failure."""

    error_code = "MALFORMED_QUERY"
    status = 400


class MalformedQuery(SoqlError):
    """The query text is not valid SOQL.

    ``row`` and ``column`` are 1-based; ``token`` is the offending text as written
    (``"<EOF>"`` when the query ended too early).  When built with the query text the
    message reads like Salesforce's: the query line, a caret, the position, the reason.
    """

    error_code = "MALFORMED_QUERY"

    def __init__(
        self,
        reason: str,
        *,
        query: str | None = None,
        row: int | None = None,
        column: int | None = None,
        token: str | None = None,
    ) -> None:
        self.reason = reason
        self.row = row
        self.column = column
        self.token = token
        message = reason
        if query is not None and row is not None and column is not None:
            message = render_error(query, row, column, reason)
        super().__init__(message)


def render_error(query: str, row: int, column: int, reason: str) -> str:
    """Salesforce's layout: the query line, a caret under the column, position, reason."""
    lines = query.split("\n")
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    line = line.rstrip("\r")
    index = column - 1
    start = 0
    if len(line) > 2 * _ECHO_WINDOW:
        start = max(0, index - _ECHO_WINDOW)
        line = line[start : index + _ECHO_WINDOW]
    # Keep tabs in the caret's indent so the caret lines up under tab-indented text.
    indent = "".join("\t" if ch == "\t" else " " for ch in line[: index - start])
    return f"\n{line}\n{indent}^\nERROR at Row:{row}:Column:{column}\n{reason}"


class InvalidQueryFilterOperator(SoqlError):
    error_code = "INVALID_QUERY_FILTER_OPERATOR"


class InvalidQueryLocator(SoqlError):
    error_code = "INVALID_QUERY_LOCATOR"


__all__ = [
    "InvalidField",
    "InvalidQueryFilterOperator",
    "InvalidQueryLocator",
    "InvalidType",
    "MalformedQuery",
    "SoqlError",
    "render_error",
]
