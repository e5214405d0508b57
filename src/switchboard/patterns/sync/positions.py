"""A sync's position, ``(cursor value, key value)``, as stored text and back.

The values are compared with the source's own columns on the next read, so they must
come back as the type the driver gave (a ``datetime`` compared as a string would order
differently on some backends). Each is kept as tagged JSON: ``{"t": "datetime", "v":
"2026-01-02T03:04:05.000006"}``.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import orjson

_ENCODE: list[tuple[type, str, Any]] = [
    # bool before int: it is one.
    (bool, "bool", lambda v: v),
    (int, "int", lambda v: v),
    (float, "float", lambda v: v),
    (Decimal, "decimal", str),
    (datetime, "datetime", lambda v: v.isoformat()),
    (date, "date", lambda v: v.isoformat()),
    (time, "time", lambda v: v.isoformat()),
    (bytes, "bytes", lambda v: base64.b64encode(v).decode()),
    (str, "str", lambda v: v),
]
_DECODE: dict[str, Any] = {
    "bool": bool,
    "int": int,
    "float": float,
    "decimal": Decimal,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "bytes": base64.b64decode,
    "str": str,
}


def encode(value: Any) -> str:
    for kind, tag, convert in _ENCODE:
        if isinstance(value, kind):
            return orjson.dumps({"t": tag, "v": convert(value)}).decode()
    # Another driver type (a UUID, an interval): kept as its text, compared as text.
    return orjson.dumps({"t": "str", "v": str(value)}).decode()


def decode(text: str) -> Any:
    data = orjson.loads(text)
    return _DECODE[data["t"]](data["v"])


__all__ = ["decode", "encode"]
