"""Turning literal tokens into Python values, and the tables of SOQL names.

Every converter raises ``ValueError`` with the reason on bad input; the parser turns
that into a MalformedQuery at the token.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from switchboard.core import untrusted

# name -> (fewest, most) arguments
FUNCTIONS: dict[str, tuple[int, int]] = {
    "COUNT": (0, 1),
    "COUNT_DISTINCT": (1, 1),
    "SUM": (1, 1),
    "AVG": (1, 1),
    "MIN": (1, 1),
    "MAX": (1, 1),
    "CALENDAR_YEAR": (1, 1),
    "CALENDAR_QUARTER": (1, 1),
    "CALENDAR_MONTH": (1, 1),
    "DAY_IN_MONTH": (1, 1),
    "DAY_IN_WEEK": (1, 1),
    "DAY_IN_YEAR": (1, 1),
    "DAY_ONLY": (1, 1),
    "HOUR_IN_DAY": (1, 1),
    "WEEK_IN_MONTH": (1, 1),
    "WEEK_IN_YEAR": (1, 1),
    "FISCAL_MONTH": (1, 1),
    "FISCAL_QUARTER": (1, 1),
    "FISCAL_YEAR": (1, 1),
    "CONVERTTIMEZONE": (1, 1),
    "TOLABEL": (1, 1),
    "FORMAT": (1, 1),
    "CONVERTCURRENCY": (1, 1),
    "GROUPING": (1, 1),
    "DISTANCE": (3, 3),
    "GEOLOCATION": (2, 2),
}

DATE_LITERALS = frozenset(
    """
    YESTERDAY TODAY TOMORROW LAST_WEEK THIS_WEEK NEXT_WEEK LAST_MONTH THIS_MONTH NEXT_MONTH
    LAST_90_DAYS NEXT_90_DAYS THIS_QUARTER LAST_QUARTER NEXT_QUARTER THIS_YEAR LAST_YEAR
    NEXT_YEAR THIS_FISCAL_QUARTER LAST_FISCAL_QUARTER NEXT_FISCAL_QUARTER THIS_FISCAL_YEAR
    LAST_FISCAL_YEAR NEXT_FISCAL_YEAR
    """.split()
)

# The ``:n`` forms: LAST_N_<UNIT>, NEXT_N_<UNIT>, N_<UNIT>_AGO for every unit.
DATE_LITERALS_N = frozenset(
    name
    for unit in ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS", "FISCAL_QUARTERS", "FISCAL_YEARS")
    for name in (f"LAST_N_{unit}", f"NEXT_N_{unit}", f"N_{unit}_AGO")
)

_CURRENCY_IDENT = re.compile(r"([A-Za-z]{3})([0-9]+)", re.ASCII)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "'": "'",
    '"': '"',
    "\\": "\\",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
}
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:(Z)|([+-])([0-9]{2}):?([0-9]{2}))",
    re.ASCII,
)


def unescape(token_text: str, *, like: bool = False) -> str:
    """The value of a quoted string token (quotes included in ``token_text``).

    In a LIKE pattern ``\\%``, ``\\_`` and ``\\\\`` stay escaped; elsewhere ``\\%`` and
    ``\\_`` mean the bare characters.
    """
    body = token_text[1:-1]
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        seq = match.group(1)
        if len(seq) == 5:
            return chr(int(seq[1:], 16))
        if seq in "%_":
            return "\\" + seq if like else seq
        if like and seq == "\\":
            return "\\\\"
        try:
            return _SIMPLE_ESCAPES[seq]
        except KeyError:
            raise ValueError(
                f"Invalid string literal {token_text}. "
                f"Illegal character sequence '\\{seq}' in string literal."
            ) from None

    return _ESCAPE.sub(replace, body)


def number(text: str) -> int | Decimal:
    """``Decimal`` when the text has a fraction, ``int`` otherwise."""
    if "." in text:
        return Decimal(text)
    if len(text) > 300:  # int() refuses very long digit strings; no SOQL number is this long
        raise ValueError(f"number too long: '{text[:20]}...'")
    return int(text)


# Salesforce refuses a string longer than this anywhere in a WHERE clause.
MAX_STRING = 4000
# Integer arguments (LIMIT, OFFSET, LAST_N_DAYS:n) are 32-bit in Salesforce.
MAX_INT_ARGUMENT = 2**31 - 1


def unstorable(value: object) -> str | None:
    """Why a literal's value cannot be compared in the store, or None when it can: text
    with a NUL or longer than Salesforce allows, an integer beyond 64 bits, a decimal
    beyond PostgreSQL's numeric (see :mod:`core.untrusted`)."""
    if isinstance(value, str):
        if untrusted.has_nul(value):
            return "invalid character in string literal: NUL (\\u0000) is not allowed"
        if len(value) > MAX_STRING:
            return f"String literals in a WHERE clause cannot exceed {MAX_STRING} characters"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if not untrusted.fits_int64(value):
            return f"number out of range: {str(value)[:40]}"
    elif isinstance(value, Decimal) and not untrusted.fits_numeric(value):
        return f"number out of range: {str(value)[:40]}"
    return None


def date(text: str) -> dt.date:
    try:
        return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        raise ValueError(f"invalid date literal: '{text}'") from None


def datetime(text: str) -> dt.datetime:
    match = _DATETIME.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day, hour, minute, second, fraction, zulu, sign, tzh, tzm = match.groups()
        tz = dt.UTC
        if not zulu:
            offset = dt.timedelta(hours=int(tzh), minutes=int(tzm))
            tz = dt.timezone(-offset if sign == "-" else offset)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
    except ValueError:
        raise ValueError(f"invalid datetime literal: '{text}'") from None


def currency_ident(text: str) -> tuple[str, Decimal] | None:
    """``USD5000`` scans as a word; split it when it has the currency shape."""
    match = _CURRENCY_IDENT.fullmatch(text)
    if match is None:
        return None
    return match.group(1).upper(), Decimal(match.group(2))


def currency(text: str) -> tuple[str, Decimal]:
    """A fractional currency token such as ``EUR12.50``."""
    return text[:3].upper(), Decimal(text[3:])
