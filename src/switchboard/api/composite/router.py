"""Finding the REST handler of a subrequest URL without going through HTTP.

The application declares its REST routes once as ``(path, handlers)`` pairs; Starlette
serves them, and this router matches the same table for composite subrequests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.routing import compile_path

from ...core.errors import MethodNotAllowed, NotFound
from ..call import Handler


@dataclass(frozen=True, slots=True)
class _Entry:
    regex: re.Pattern[str]
    handlers: dict[str, Handler]


class Router:
    def __init__(self, table: list[tuple[str, dict[str, Handler]]]) -> None:
        self._entries = [_Entry(compile_path(path)[0], handlers) for path, handlers in table]

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and path parameters for ``method path``; NOT_FOUND otherwise."""
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        for entry in self._entries:
            m = entry.regex.match(path)
            if m is None:
                continue
            handler = entry.handlers.get("GET" if method == "HEAD" else method)
            if handler is None:
                allowed = ",".join(sorted(entry.handlers))
                raise MethodNotAllowed(f"HTTP Method '{method}' not allowed. Allowed are {allowed}")
            return handler, {k: unquote(v) for k, v in m.groupdict().items()}
        raise NotFound(f"The requested resource does not exist: {path}")


__all__ = ["Router"]
