"""Reply header names in the case Salesforce sends them (``Content-Type``,
``Sforce-Locator``, ``Sforce-NumberOfRecords``, ``Sforce-Limit-Info``...).

HTTP/1.1 names are case-insensitive, but some clients look them up case-sensitively
(airbyte-source-salesforce's Bulk path reads ``Content-Type`` from a plain dict).
Starlette lower-cases every name it sets and uvicorn's httptools protocol lower-cases
them again as it writes the head, so the head is recased as it leaves: one dict lookup
per header line, cached per distinct name, the body untouched.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Names whose canonical form is not plain Title-Case of their dash-separated words.
_SPECIAL = {
    b"sforce-numberofrecords": b"Sforce-NumberOfRecords",
    b"etag": b"ETag",
    b"www-authenticate": b"WWW-Authenticate",
    b"content-md5": b"Content-MD5",
    b"x-sfdc-request-id": b"X-SFDC-Request-Id",
}
_MAX_CACHED = 512  # clients cannot choose reply names, but bound the cache anyway


def canonical(name: bytes) -> bytes:
    """``content-type`` → ``Content-Type``; known exceptions as Salesforce spells them."""
    special = _SPECIAL.get(name.lower())
    if special is not None:
        return special
    return b"-".join(part[:1].upper() + part[1:].lower() for part in name.split(b"-"))


class _Cache:
    def __init__(self) -> None:
        self.names: dict[bytes, bytes] = {}

    def __call__(self, name: bytes) -> bytes:
        found = self.names.get(name)
        if found is None:
            found = canonical(name)
            if len(self.names) < _MAX_CACHED:
                self.names[name] = found
        return found


_NAMES = _Cache()  # a pure function's memo, not a live object


def recase_head(head: bytes) -> bytes:
    """A status line and header block with each header name in canonical case."""
    lines = head.split(b"\r\n")
    for i in range(1, len(lines)):
        name, sep, rest = lines[i].partition(b":")
        if sep:
            lines[i] = _NAMES(name) + sep + rest
    return b"\r\n".join(lines)


class _HeadRecasingTransport:
    """The transport of one request/response cycle: its first write is always the head
    (a 100 Continue interim head may come first), recased; the body passes untouched."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self._head_done = False

    def write(self, data: bytes) -> None:
        if not self._head_done and data.startswith(b"HTTP/1.1 "):
            self._head_done = not data.startswith(b"HTTP/1.1 100 ")
            data = recase_head(data)
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CanonicalHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing header names in canonical case.

    uvicorn lower-cases every reply header name as it writes the head (its own ``date``
    and ``server`` too), so an ASGI middleware cannot restore the case; the head is
    recased on its way to the socket instead."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = _HeadRecasingTransport(self.transport)  # type: ignore[assignment]


__all__ = ["CanonicalHttpToolsProtocol", "canonical", "recase_head"]
