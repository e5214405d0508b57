"""``@{refId.path}`` references between composite subrequests.

A reference names an earlier subrequest's ``referenceId`` and a path into its response
body: ``@{NewAccount.id}``, ``@{Query.records[0].Id}``. A string that is exactly one
reference takes the referenced value as it is; a reference inside a longer string
(a URL) is replaced by its text.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidReference

_REF = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
REFERENCE_ID = re.compile(r"^[A-Za-z0-9_]+$")


def _lookup(results: dict[str, Any], ref: str, path: str) -> Any:
    if ref not in results:
        raise InvalidReference(
            f"Invalid reference specified. No value for {ref}{path} found in {ref}. "
            f"Provided referenceId ({ref}) must refer to a previous subrequest."
        )
    value = results[ref]
    for name, index in _STEP.findall(path):
        if name:
            if not isinstance(value, dict):
                value = None
                break
            # Field names are case-insensitive, as everywhere in the API.
            key = next((k for k in value if k.lower() == name.lower()), None)
            value = value.get(key) if key is not None else None
        else:
            i = int(index)
            value = value[i] if isinstance(value, list) and i < len(value) else None
        if value is None:
            break
    if value is None:
        raise InvalidReference(
            f"Invalid reference specified. No value for {ref}{path} found in {ref}."
        )
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve_text(text: str, results: dict[str, Any]) -> Any:
    whole = _REF.fullmatch(text)
    if whole:
        return _lookup(results, whole.group(1), whole.group(2))
    return _REF.sub(lambda m: _text(_lookup(results, m.group(1), m.group(2))), text)


def resolve(value: Any, results: dict[str, Any]) -> Any:
    """``value`` with every reference replaced, recursively through lists and objects."""
    if isinstance(value, str):
        return resolve_text(value, results) if "@{" in value else value
    if isinstance(value, list):
        return [resolve(v, results) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, results) for k, v in value.items()}
    return value


__all__ = ["REFERENCE_ID", "resolve", "resolve_text"]
