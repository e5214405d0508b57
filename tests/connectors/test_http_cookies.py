"""No cookie an endpoint sets is ever sent back: outbound calls are stateless.

A reply's ``Set-Cookie`` (a session cookie of one delivery's exchange) must not ride on
the next delivery of the same credential, nor on another credential's calls to the
same host. The endpoint is reached as ``localhost``: aiohttp's default jar ignores
cookies of IP-address hosts, which would hide the leak.
"""

from __future__ import annotations

from connectors.endpoint import Endpoint
from switchboard.connectors.http.client import HttpClient
from switchboard.connectors.http.configuration import CredentialConfig


async def test_a_cookie_set_by_the_endpoint_is_never_sent_back() -> None:
    async with Endpoint() as ep:
        ep.reply("POST", "/login", headers={"Set-Cookie": "sid=secret-of-a; Path=/"})
        ep.reply("POST", "/orders")
        url = f"http://localhost:{ep.port}"
        a = HttpClient("erp_a", CredentialConfig(url=url))
        b = HttpClient("erp_b", CredentialConfig(url=url))
        try:
            login = await a.send("POST", "/login", body=b"{}")
            assert "sid=secret-of-a" in login.headers.get("Set-Cookie", "")
            await a.send("POST", "/orders", body=b"{}")
            await b.send("POST", "/orders", body=b"{}")
        finally:
            await a.close()
            await b.close()
    orders = [s for s in ep.seen if s.path == "/orders"]
    assert len(orders) == 2
    for seen in orders:
        assert "Cookie" not in seen.headers and "cookie" not in seen.headers, seen.headers
