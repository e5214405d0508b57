"""Default values: the literal forms of a field's ``defaultValue`` formula."""

from __future__ import annotations

import re
from typing import Any

from ..model import NUMBER_TYPES, FieldType

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


class NotALiteral(ValueError):
    """The default is a real formula (TODAY(), $User.Id, ...) this reader does not evaluate."""


def default_literal(raw: str, ftype: FieldType) -> Any:
    """``true``/``false``, a quoted string or a number; anything else raises NotALiteral."""
    s = raw.strip()
    low = s.lower()
    if low in ("", "null"):
        return None
    if low in ("true", "false"):
        return low == "true"
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        body = s[1:-1]
        if re.search(r"(?<!\\)" + re.escape(s[0]), body):
            # Two strings joined by an operator: "a" & "b".
            raise NotALiteral(raw)
        return re.sub(r"\\(.)", r"\1", body)
    if _NUMBER.match(s):
        if ftype == FieldType.INT or (ftype not in NUMBER_TYPES and "." not in s):
            return int(float(s))
        return float(s)
    raise NotALiteral(raw)


__all__ = ["NotALiteral", "default_literal"]
