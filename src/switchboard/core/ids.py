"""Salesforce record ids: 15-character case-sensitive, 18-character case-safe.

An id is a 3-character key prefix naming the object and 12 base-62 characters. New ids
put the millisecond clock in the high digits, so they sort roughly by creation time
(index locality for inserts), and a per-process random start plus counter in the low
digits, so several processes sharing one database do not collide.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

from .errors import MalformedId

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")

_LOW_BITS = 30
_next_low = secrets.randbelow(1 << _LOW_BITS)  # the low digits of the next id; under _lock
_lock = threading.Lock()


# Two base-62 digits per step and a translate table for the case bits: ids are made
# and checked once per record, so on a bulk load these were a visible share of a row.
_PAIRS = [a + b for a in _BASE62 for b in _BASE62]
_UPPER = str.maketrans({c: "1" if c.isupper() else "0" for c in _BASE62})


def _base62(n: int, width: int) -> str:
    """``n`` in ``width`` base-62 digits (``width`` even), most significant first."""
    out = []
    for _ in range(width // 2):
        n, r = divmod(n, 3844)
        out.append(_PAIRS[r])
    return "".join(reversed(out))


def suffix(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character id: for each run of five
    characters, a bit per upper-case letter (first character lowest) picks a letter."""
    bits = id15[:15].translate(_UPPER)
    if len(bits) == 15 and not bits.strip("01"):  # base-62, as every caller's id is
        return (
            _SUFFIX[int(bits[4::-1], 2)]
            + _SUFFIX[int(bits[9:4:-1], 2)]
            + _SUFFIX[int(bits[14:9:-1], 2)]
        )
    chars = []
    for chunk in range(3):  # anything else: count upper-case letters one by one
        n = 0
        for i, c in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= c <= "Z":
                n |= 1 << i
        chars.append(_SUFFIX[n])
    return "".join(chars)


def to18(id15: str) -> str:
    return id15 + suffix(id15)


def new_id(prefix: str) -> str:
    """A fresh 18-character id with the given 3-character key prefix."""
    return new_ids(prefix, 1)[0]


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` fresh ids with ``prefix``, taking the counter once for the batch."""
    global _next_low
    with _lock:
        start, _next_low = _next_low, _next_low + count
    high = time.time_ns() // 1_000_000 << _LOW_BITS
    mask = (1 << _LOW_BITS) - 1
    out = []
    for i in range(count):
        body = prefix + _base62(high | ((start + i) & mask), 12)
        out.append(body + suffix(body))
    return out


def stable_id(prefix: str, number: int) -> str:
    """A deterministic 18-character id: ``prefix`` and ``number`` (modulo 62**12) in
    base 62, for ids that must come out the same every time they are made (an
    Outbound Message's notification Id across retries)."""
    body = prefix + _base62(number % 62**12, 12)
    return body + suffix(body)


def looks_like_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def normalize(value: object, *, field: str | None = None) -> str:
    """Return the 18-character form of a 15- or 18-character id, or raise MALFORMED_ID.

    An 18-character id whose suffix does not match its body is repaired from the
    body, as Salesforce accepts any casing of the suffix only when the body agrees.
    """
    if not isinstance(value, str) or not _ID_RE.match(value):
        what = f"{field}: id value of incorrect type" if field else "Invalid id"
        raise MalformedId(f"{what}: {value}", fields=[field] if field else [])
    body = value[:15]
    if len(value) == 18 and value[15:].upper() != suffix(body):
        raise MalformedId(f"Invalid id: {value}", fields=[field] if field else [])
    return to18(body)


def prefix_for_name(name: str) -> str:
    """A stable generated key prefix for a custom object: 'a' plus two base-62 digits.

    Salesforce gives custom objects prefixes from the a00–a0Z… range; deriving ours from
    the name keeps it stable across orgs and rebuilds.
    """
    import hashlib

    n = int.from_bytes(hashlib.sha256(name.lower().encode()).digest()[:4], "big")
    return "a" + _base62(n % (62 * 62), 2)


__all__ = ["looks_like_id", "new_id", "normalize", "prefix_for_name", "stable_id", "suffix", "to18"]
