"""Normalising values before they are matched, per matching method.

Company names lose case, punctuation and legal suffixes (``ACME, Incorporated`` and
``Acme Inc.`` are both ``acme``); phones keep their digits (a leading US country code
dropped); emails, cities and names are compared case- and space-insensitively; streets
use the usual abbreviations.
"""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")
_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company llc ltd limited plc lp llp gmbh ag sa "
    "sarl sas bv nv pty oy ab the".split()
)
_STREET = {
    "street": "st", "avenue": "ave", "road": "rd", "boulevard": "blvd", "drive": "dr",
    "lane": "ln", "court": "ct", "place": "pl", "suite": "ste", "north": "n", "south": "s",
    "east": "e", "west": "w",
}  # fmt: skip


def text(value: str) -> str:
    folded = (
        value
        if value.isascii()
        else unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    )
    return _SPACE.sub(" ", _PUNCT.sub(" ", folded.lower())).strip()


def company(value: str) -> str:
    words = text(value.replace("&", " and ")).split()
    kept = [w for w in words if w not in _SUFFIXES]
    return " ".join(kept or words)


def phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def email(value: str) -> str:
    return value.strip().lower()


def street(value: str) -> str:
    return " ".join(_STREET.get(w, w) for w in text(value).split())


def zip_code(value: str) -> str:
    return re.sub(r"\s", "", value).lower()[:5]


__all__ = ["company", "email", "phone", "street", "text", "zip_code"]
