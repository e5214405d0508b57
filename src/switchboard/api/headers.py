"""Reply header names in the case Salesforce sends them (``Content-Type``,
``Sforce-Locator``, ``Sforce-NumberOfRecords``, ``Sforce-Limit-Info``...).

HTTP/1.1 names are case-insensitive, but some clients look them up case-sensitively
(airbyte-source-salesforce's Bulk path reads ``Content-Type`` from a plain dict).
Starlette lower-cases every name it sets and uvicorn's httptools writes names as given,
so this middleware re-cases them on ``http.response.start``: one dict lookup per header,
cached per distinct name.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class CanonicalHeaders:
    """ASGI middleware: every HTTP reply's header names in canonical case."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cache: dict[bytes, bytes] = {}

    def _name(self, name: bytes) -> bytes:
        found = self._cache.get(name)
        if found is None:
            found = canonical(name)
            if len(self._cache) < _MAX_CACHED:
                self._cache[name] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def recased(message: Message) -> None:
            if message["type"] == "http.response.start":
                name = self._name
                message["headers"] = [(name(k), v) for k, v in message.get("headers", ())]
            await send(message)

        await self.app(scope, receive, recased)


__all__ = ["CanonicalHeaders", "canonical"]
