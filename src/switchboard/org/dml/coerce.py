"""Turning an input value (JSON from REST, text from CSV) into a stored value.

One function serves every writer, so ``"42"`` in a CSV and ``42`` in JSON land the same
way, and the same bad value fails the same way through REST, composite and bulk.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ...core import ids
from ...core.errors import JsonParserError, MalformedId
from ...core.untrusted import NUL, shown
from ..errors import (
    InvalidEmailAddress,
    InvalidField,
    InvalidRestrictedPicklist,
    InvalidTypeOnField,
    NumberOutsideValidRange,
    StringTooLong,
)
from ..schema.model import FieldDef, FieldType

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def _bad(f: FieldDef, value: Any) -> InvalidTypeOnField:
    return InvalidTypeOnField(
        f"{f.name}: value not of required type: {shown(str(value), 100)}", fields=[f.name]
    )


def _unstorable(f: FieldDef) -> InvalidField:
    # Neither backend stores NUL alike (PostgreSQL refuses it): refused before any SQL.
    return InvalidField(
        f"{f.label or f.name}: value contains a NUL character (\\u0000), which is not allowed",
        fields=[f.name],
    )


def _not_scalar(f: FieldDef, value: Any) -> JsonParserError:
    kind = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
    return JsonParserError(
        f"Cannot deserialize instance of {f.type.value} from {kind} value "
        f"or request may be missing a required field",
        fields=[f.name],
    )


def parse_datetime(text: str) -> datetime | None:
    """Every datetime form clients send; naive UTC out (the stored form)."""
    m = _DATETIME.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        value = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro)
    except ValueError:
        return None
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        from datetime import timedelta, timezone

        value = value.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
        value = value.replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _number(f: FieldDef, value: Any) -> float | int:
    if isinstance(value, bool):
        raise _bad(f, value)
    if isinstance(value, int | float):
        num = value
    elif isinstance(value, str):
        try:
            num = Decimal(value.strip().replace(",", "")) if value.strip() else None  # type: ignore[assignment]
        except InvalidOperation:
            raise _bad(f, value) from None
        if num is None:
            raise _bad(f, value)
        if not num.is_finite():  # type: ignore[union-attr]
            raise _bad(f, value)
    else:
        raise _not_scalar(f, value)
    if f.type == FieldType.INT:
        if num != int(num):
            raise _bad(f, value)
        result: float | int = int(num)
        if abs(result) >= 2**63:
            raise NumberOutsideValidRange(
                f"{f.name}: value outside of valid range on numeric field: {value}",
                fields=[f.name],
            )
        return result
    result = float(num)
    if result != result or result in (float("inf"), float("-inf")):
        raise _bad(f, value)
    if f.precision:
        integer_digits = f.precision - f.scale
        if abs(result) >= 10**integer_digits:
            raise NumberOutsideValidRange(
                f"{f.name}: value outside of valid range on numeric field: {value}",
                fields=[f.name],
            )
        # Salesforce rounds half up (2.5 -> 3); round() would round half to even.
        exact = Decimal(str(num)) if isinstance(num, float) else Decimal(num)
        result = float(exact.quantize(Decimal(1).scaleb(-f.scale), rounding=ROUND_HALF_UP))
    return result


def _text(f: FieldDef, value: Any) -> str:
    if isinstance(value, dict | list):
        raise _not_scalar(f, value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    limit = f.length or (131072 if f.type == FieldType.TEXTAREA else 255)
    if len(text) > limit:
        raise StringTooLong(
            f"{f.label or f.name}: data value too large: {shown(text[:40], 40)}... (max length={limit})",
            fields=[f.name],
        )
    return text


def coerce(f: FieldDef, value: Any) -> Any:
    """The stored value of ``value`` for field ``f``; ``None`` stays ``None``."""
    if value is None:
        return None
    if type(value) is str and NUL in value:
        raise _unstorable(f)
    t = f.type
    if t == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, dict | list):
            raise _not_scalar(f, value)
        raise _bad(f, value)
    if t in (FieldType.INT, FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return _number(f, value)
    if t == FieldType.DATE:
        if isinstance(value, dict | list):
            raise _not_scalar(f, value)
        if isinstance(value, str):
            text = value.strip()
            try:
                return date.fromisoformat(text[:10]) if len(text) >= 10 else _raise(f, value)
            except ValueError:
                raise _bad(f, value) from None
        raise _bad(f, value)
    if t == FieldType.DATETIME:
        if isinstance(value, dict | list):
            raise _not_scalar(f, value)
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is None and len(value.strip()) == 10:
                try:
                    parsed = datetime.combine(date.fromisoformat(value.strip()), time())
                except ValueError:
                    parsed = None
            if parsed is None:
                raise _bad(f, value)
            return parsed
        raise _bad(f, value)
    if t == FieldType.TIME:
        if not isinstance(value, str):
            raise _not_scalar(f, value) if isinstance(value, dict | list) else _bad(f, value)
        m = _TIME.match(value.strip())
        if not m:
            raise _bad(f, value)
        h, mi, s, frac = m.groups()
        try:
            return time(int(h), int(mi), int(s or 0), int((frac or "0")[:3].ljust(3, "0")) * 1000)
        except ValueError:
            raise _bad(f, value) from None
    if t == FieldType.BASE64:
        return _blob(f, value)
    if t in (FieldType.REFERENCE, FieldType.ID):
        if isinstance(value, dict | list):
            raise _not_scalar(f, value)
        if value == "":
            return None
        try:
            return ids.normalize(value, field=f.name)
        except MalformedId:
            raise MalformedId(
                f"{f.label or f.name}: id value of incorrect type: {shown(str(value), 40)}",
                fields=[f.name],
            ) from None
    text = _text(f, value)
    if t in (FieldType.PICKLIST, FieldType.MULTIPICKLIST) and f.restricted_picklist:
        allowed = {p.value.lower(): p.value for p in f.picklist if p.active}
        parts = text.split(";") if t == FieldType.MULTIPICKLIST else [text]
        canonical = []
        for part in parts:
            match = allowed.get(part.strip().lower())
            if match is None:
                raise InvalidRestrictedPicklist(
                    f"{f.label or f.name}: bad value for restricted picklist field: {part[:255]}",
                    fields=[f.name],
                )
            canonical.append(match)
        text = ";".join(canonical)
    if t == FieldType.EMAIL and text and not _EMAIL.match(text):
        raise InvalidEmailAddress(
            f"{f.label or f.name}: invalid email address: {text[:80]}", fields=[f.name]
        )
    if text == "" and t != FieldType.TEXTAREA:
        return None  # Salesforce stores empty text as null
    return text


def _blob(f: FieldDef, value: Any) -> Any:
    """Base64 text as bytes; an upload the API already stored (an object JSON cannot
    produce) passes through for the file hooks."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(f, value[:40]) from None
    if isinstance(value, dict | list):
        raise _not_scalar(f, value)
    if isinstance(value, bool | int | float):
        raise _bad(f, value)
    return value


def _raise(f: FieldDef, value: Any) -> Any:
    raise _bad(f, value)


# -- per-field converters ------------------------------------------------------------------
# A bulk job coerces the same few fields hundreds of thousands of times. ``converter``
# returns a function equal to ``coerce(f, value)`` for every input: it takes a shortcut
# for the common, already-valid text forms and hands everything else to :func:`coerce`,
# so errors and edge cases come from one place.
_INT_TEXT = re.compile(r"-?\d{1,18}")
_DECIMAL_TEXT = re.compile(r"-?\d{1,15}(?:\.(\d{1,12}))?")
_PLAIN_TEXT = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.PICKLIST,
        FieldType.MULTIPICKLIST,
        FieldType.COMBOBOX,
        FieldType.ENCRYPTEDSTRING,
    }
)
_NUMBERS = frozenset({FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT})


def converter(f: FieldDef) -> Callable[[Any], Any]:
    """A function equal to ``lambda value: coerce(f, value)``, faster on common input."""
    t = f.type
    if t in _PLAIN_TEXT and not (
        t in (FieldType.PICKLIST, FieldType.MULTIPICKLIST) and f.restricted_picklist
    ):
        limit = f.length or (131072 if t == FieldType.TEXTAREA else 255)
        keep_empty = t == FieldType.TEXTAREA

        def text(value: Any) -> Any:
            if type(value) is str and len(value) <= limit and NUL not in value:
                return value if value or keep_empty else None
            return coerce(f, value)

        return text
    if t == FieldType.INT:

        def integer(value: Any) -> Any:
            if type(value) is str and _INT_TEXT.fullmatch(value):
                return int(value)
            return coerce(f, value)

        return integer
    if t in _NUMBERS:
        scale = f.scale if f.precision else 12
        bound = 10 ** (f.precision - f.scale) if f.precision else None

        def number(value: Any) -> Any:
            # Digits within the scale need no rounding: float() of the text is the
            # correctly rounded double, as float() of its Decimal is.
            if type(value) is str:
                m = _DECIMAL_TEXT.fullmatch(value)
                if m and (m.group(1) is None or len(m.group(1)) <= scale):
                    result = float(value)
                    if bound is None or abs(result) < bound:
                        return result
            return coerce(f, value)

        return number
    if t == FieldType.BOOLEAN:

        def boolean(value: Any) -> Any:
            if type(value) is str:
                folded = value.lower()
                if folded in _TRUE:
                    return True
                if folded in _FALSE:
                    return False
            return coerce(f, value)

        return boolean
    return lambda value: coerce(f, value)


__all__ = ["coerce", "converter", "parse_datetime"]
