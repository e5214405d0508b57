"""Durations as people write them in configuration: ``5s``, ``100ms``, ``2m``, ``2h``, ``1d``.

Shared by every layer that reads a duration from ``switchboard.yaml`` (credentials in
``connectors``, callouts in ``patterns``), so ``5s`` means the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: Any) -> float:
    """Seconds from ``"5s"``, ``"100ms"``, ``"2h"``, or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5s, 100ms or 2h")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("not a duration; write e.g. 5s, 100ms, 2m or 2h")
        seconds = float(match.group(1)) * _UNIT[match.group(2)]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


__all__ = ["parse_duration"]
