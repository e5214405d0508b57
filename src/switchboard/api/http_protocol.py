"""uvicorn's httptools protocol, with Salesforce-shaped answers to unparseable requests.

uvicorn answers a request httptools cannot parse with a plain-text 400 ("Invalid HTTP
request received.") written straight to the socket, before the app sees anything. The
common case from outside is a URL over 64 KB: uvicorn parses the URL with httptools'
``parse_url``, whose offsets are 16-bit, so it fails on any longer URL (shorter ones
over 16,384 bytes reach :mod:`api.limits` and get its 414). This protocol gives the
same answers in the same JSON error shape as every other refusal: 414 URI_TOO_LONG
for a URL over the limit, 400 otherwise.
"""

from __future__ import annotations

import orjson

from .headers import CanonicalHttpToolsProtocol
from .limits import MAX_URI

_REASONS = {400: b"Bad Request", 414: b"URI Too Long"}


class ShapedHttpToolsProtocol(CanonicalHttpToolsProtocol):
    """The server's one HTTP protocol: header names in Salesforce's case
    (:mod:`api.headers`) and these answers; pass as
    ``uvicorn.Config(http=ShapedHttpToolsProtocol)``."""

    def send_400_response(self, msg: str) -> None:
        if len(getattr(self, "url", b"")) > MAX_URI:
            status, code = 414, "URI_TOO_LONG"
            message = f"The request URI is longer than {MAX_URI} bytes"
        else:
            status, code, message = 400, "MALFORMED_REQUEST", "The HTTP request is malformed"
        body = orjson.dumps([{"message": message, "errorCode": code, "fields": []}])
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"Content-Type: application/json;charset=UTF-8\r\n",
                b"Content-Length: %d\r\n" % len(body),
                b"Connection: close\r\n\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(head))
        self.transport.close()


__all__ = ["ShapedHttpToolsProtocol"]
