"""What the store can hold: the one check of untrusted text and numbers before any SQL.

Both backends take any Python ``str`` as a bound parameter, but not every value fits:

- PostgreSQL ``text`` cannot contain NUL (U+0000); the driver raises ``DataError`` at
  execution, which is too late to answer the request as Salesforce would. SQLite stores
  the NUL, so the two backends would disagree. Text that carries a NUL is refused on
  both, wherever it comes from (a record field, a SOQL literal, a path segment, a Bulk
  CSV header or cell, a query-string parameter).
- Integers bind as 64-bit on both (SQLite raises ``OverflowError`` beyond that,
  PostgreSQL ``bigint out of range``).
- PostgreSQL ``numeric`` holds at most 131,072 digits before the decimal point and
  16,383 after; a longer literal fails in the driver.

Callers decide which Salesforce error a refusal becomes (``MALFORMED_QUERY`` in SOQL,
``INVALID_FIELD`` in a record, ``NOT_FOUND`` for a path), so this module only answers
whether a value fits, and renders text that did not fit safely for a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

NUL = "\x00"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# PostgreSQL's numeric type: digits before and after the decimal point.
NUMERIC_INTEGER_DIGITS = 131_072
NUMERIC_FRACTION_DIGITS = 16_383
# Longest text any field holds (a long text area); longer input is refused before it is
# coerced, so a 100 MB string never gets copied around on its way to STRING_TOO_LONG.
MAX_TEXT = 131_072


def has_nul(text: str) -> bool:
    """Whether ``text`` holds a character neither backend can store alike (NUL)."""
    return NUL in text


def first_with_nul(texts: Iterable[str]) -> str | None:
    """The first of ``texts`` that holds a NUL, or ``None`` when all are storable."""
    for text in texts:
        if NUL in text:
            return text
    return None


def fits_int64(value: int) -> bool:
    """Whether ``value`` binds as a 64-bit integer on both backends."""
    return INT64_MIN <= value <= INT64_MAX


def fits_numeric(value: Decimal) -> bool:
    """Whether a finite ``value`` fits PostgreSQL's numeric type (and so both backends)."""
    if not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    integer_digits = len(digits) + exponent
    return integer_digits <= NUMERIC_INTEGER_DIGITS and -exponent <= NUMERIC_FRACTION_DIGITS


def shown(text: str, limit: int = 80) -> str:
    """``text`` safe to put in a message that is logged or stored: NUL and other control
    characters written as escapes, cut to ``limit`` characters."""
    cut = text[:limit]
    safe = "".join(ch if ch >= " " or ch in "\t" else f"\\u{ord(ch):04x}" for ch in cut)
    return safe + ("..." if len(text) > limit else "")


def sanitize(message: str, limit: int = 2000) -> str:
    """A message made storable: NUL escaped (PostgreSQL text refuses it), cut to ``limit``."""
    if NUL in message:
        message = message.replace(NUL, "\\u0000")
    return message[:limit]


__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_TEXT",
    "NUL",
    "first_with_nul",
    "fits_int64",
    "fits_numeric",
    "has_nul",
    "sanitize",
    "shown",
]
