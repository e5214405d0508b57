"""The REST API versions served: 50.0 and later, as DESIGN.md promises."""

from __future__ import annotations

import re

from .errors import UnsupportedVersion

OLDEST = 50
NEWEST = 64
VERSIONS = [f"{v}.0" for v in range(OLDEST, NEWEST + 1)]
_RE = re.compile(r"^v?(\d{2,3})\.(\d)$")


def parse(text: str) -> str:
    """``v59.0`` → ``59.0``; versions outside what we serve are NOT_FOUND, as in Salesforce."""
    m = _RE.match(text)
    if not m or not OLDEST <= int(m.group(1)) <= NEWEST or m.group(2) != "0":
        raise UnsupportedVersion()
    return f"{m.group(1)}.0"


__all__ = ["NEWEST", "VERSIONS", "parse"]
