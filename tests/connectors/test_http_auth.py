"""Each auth type of an HTTP credential against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ssl
from pathlib import Path

import pytest
from aiohttp import web

from connectors.certs import LocalCA
from connectors.endpoint import Endpoint
from switchboard.connectors.http.client import HttpClient
from switchboard.connectors.http.configuration import CredentialConfig
from switchboard.connectors.http.errors import ConnectError, CredentialInvalid, HttpStatusError
from switchboard.org.secrets import SecretStore


def client(url: str, auth: dict, store: SecretStore, **more: object) -> HttpClient:
    return HttpClient("erp", CredentialConfig(url=url, auth=auth, **more), secrets=store)


async def test_none_sends_no_authorization(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/ping")
        c = client(ep.url, {"type": "none"}, secret_store)
        resp = await c.send("GET", "/ping")
        await c.close()
    assert resp.status == 200 and resp.json() == {"ok": True}
    assert "Authorization" not in ep.seen[0].headers


async def test_basic(secret_store: SecretStore) -> None:
    secret_store.set("erp_password", "pä:ss word")
    async with Endpoint() as ep:
        ep.reply("GET", "/ping")
        c = client(ep.url, {"type": "basic", "username": "svc",
                            "password": {"secret": "erp_password"}}, secret_store)  # fmt: skip
        await c.send("GET", "/ping")
        await c.close()
    scheme, _, value = ep.seen[0].headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode() == "svc:pä:ss word"


async def test_bearer_and_idempotency_key(secret_store: SecretStore) -> None:
    secret_store.set("erp_token", "tok-123")
    async with Endpoint() as ep:
        ep.reply("POST", "/customers", status=201, body={"erp_id": "E1"})
        c = client(ep.url, {"type": "bearer", "token": {"secret": "erp_token"}}, secret_store)
        resp = await c.send("POST", "/customers", body=b'{"a": 1}', idempotency_key="key-1",
                            headers={"Content-Type": "application/json"})  # fmt: skip
        await c.close()
    assert resp.status == 201 and resp.json() == {"erp_id": "E1"}
    seen = ep.seen[0]
    assert seen.headers["Authorization"] == "Bearer tok-123"
    assert seen.headers["Idempotency-Key"] == "key-1"
    assert seen.body == b'{"a": 1}'


async def test_api_key_header_with_prefix(secret_store: SecretStore) -> None:
    secret_store.set("erp_key", "k-999")
    async with Endpoint() as ep:
        ep.reply("GET", "/ping")
        c = client(ep.url, {"type": "api_key", "header": "Api-Key", "prefix": "Key ",
                            "value": {"secret": "erp_key"}}, secret_store)  # fmt: skip
        await c.send("GET", "/ping")
        await c.close()
    assert ep.seen[0].headers["Api-Key"] == "Key k-999"
    assert "Authorization" not in ep.seen[0].headers


async def test_hmac_signature_verifies_over_raw_bytes(secret_store: SecretStore) -> None:
    secret_store.set("erp_hmac", "shh-key")
    async with Endpoint() as ep:
        ep.reply("POST", "/api/customers")
        c = client(ep.url + "/api", {"type": "hmac", "secret": {"secret": "erp_hmac"},
                                     "key_id": "k1"}, secret_store)  # fmt: skip
        body = b'{"name": "Acme \xc3\xa9"}'
        await c.send("POST", "/customers?x=1", body=body)
        await c.close()
    seen = ep.seen[0]
    stamp = seen.headers["X-Signature-Timestamp"]
    # The receiver's side, written from the documented definition (not the client's code).
    message = b"POST\n/api/customers?x=1\n" + stamp.encode() + b"\n" + body
    expected = hmac.new(b"shh-key", message, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(seen.headers["X-Signature"], expected)
    assert seen.headers["X-Signature-Key-Id"] == "k1"
    assert seen.body == body


class TokenServer:
    """A client-credentials token endpoint and an API that accepts only its current token."""

    def __init__(self, ep: Endpoint, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.issued = 0
        self.valid: str | None = None
        ep.route("POST", "/oauth/token", self.token)
        ep.route("GET", "/data", self.data)

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        auth = request.headers.get("Authorization", "")
        creds = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth else ""
        if form.get("grant_type") != "client_credentials" or creds != "app-1:app-secret":
            return web.json_response({"error": "invalid_client"}, status=401)
        self.issued += 1
        self.valid = f"access-{self.issued}"
        return web.json_response({"access_token": self.valid, "token_type": "Bearer",
                                  "expires_in": self.expires_in, "scope": form.get("scope")})  # fmt: skip

    async def data(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.valid}":
            return web.json_response([{"errorCode": "INVALID_SESSION_ID"}], status=401)
        return web.json_response({"token": self.valid})

    def revoke(self) -> None:
        self.valid = "revoked-" + str(self.issued)


def oauth(secret_store: SecretStore, url: str, **more: object) -> HttpClient:
    secret_store.set("erp_client_secret", "app-secret")
    return client(url, {"type": "oauth2", "token_url": "/oauth/token", "client_id": "app-1",
                        "client_secret": {"secret": "erp_client_secret"}, "scope": "api",
                        **more}, secret_store)  # fmt: skip


async def test_oauth_token_cached_across_calls(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        tokens = TokenServer(ep)
        c = oauth(secret_store, ep.url)
        replies = await asyncio.gather(*(c.send("GET", "/data") for _ in range(5)))
        await c.close()
    assert {r.json()["token"] for r in replies} == {"access-1"}
    assert tokens.issued == 1 and ep.hits["/oauth/token"] == 1


async def test_oauth_token_refreshed_before_expiry(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        tokens = TokenServer(ep, expires_in=2)  # refreshed 1 s early (at most half its life)
        c = oauth(secret_store, ep.url)
        first = await c.send("GET", "/data")
        await asyncio.sleep(1.2)
        second = await c.send("GET", "/data")
        await c.close()
    assert first.json()["token"] == "access-1" and second.json()["token"] == "access-2"
    assert ep.hits["/data"] == 2 and tokens.issued == 2  # refreshed ahead: no 401 round trip


async def test_oauth_refetches_once_on_401(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        tokens = TokenServer(ep)
        c = oauth(secret_store, ep.url)
        await c.send("GET", "/data")
        tokens.revoke()  # the server drops the token early
        resp = await c.send("GET", "/data")
        await c.close()
    assert resp.json()["token"] == "access-2"
    assert tokens.issued == 2 and ep.hits["/data"] == 3


async def test_oauth_bad_client_is_terminal_and_names_no_secret(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        TokenServer(ep)
        c = oauth(secret_store, ep.url)
        secret_store.set("erp_client_secret", "wrong-secret-value")
        with pytest.raises(Exception) as info:
            await c.send("GET", "/data")
        await c.close()
    assert type(info.value).__name__ == "AuthFailed" and not info.value.transient
    assert "wrong-secret-value" not in str(info.value) and "401" in str(info.value)
    assert ep.hits["/data"] == 0


async def test_missing_secret_is_terminal_and_endpoint_not_called(secret_store: SecretStore) -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/ping")
        c = client(ep.url, {"type": "bearer", "token": {"secret": "never_set"}}, secret_store)
        with pytest.raises(CredentialInvalid) as info:
            await c.send("GET", "/ping")
        await c.close()
    assert "never_set" in str(info.value) and "switchboard secret set" in str(info.value)
    assert not info.value.transient and ep.hits["/ping"] == 0


async def test_status_error_never_carries_the_token(secret_store: SecretStore) -> None:
    secret_store.set("erp_token", "tok-very-secret")
    async with Endpoint() as ep:
        ep.reply("GET", "/nope", status=403, body={"error": "forbidden"})
        c = client(ep.url, {"type": "bearer", "token": {"secret": "erp_token"}}, secret_store)
        with pytest.raises(HttpStatusError) as info:
            await c.send("GET", "/nope")
        await c.close()
    assert info.value.remote_status == 403 and not info.value.transient
    assert "tok-very-secret" not in repr(info.value) + str(info.value)


def _server_tls(tmp: Path, ca: LocalCA) -> ssl.SSLContext:
    issued = ca.issue("127.0.0.1", server=True)
    (tmp / "server.pem").write_bytes(issued.cert)
    (tmp / "server.key").write_bytes(issued.key)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp / "server.pem", tmp / "server.key")
    ctx.load_verify_locations(cadata=ca.pem.decode())
    ctx.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no handshake
    return ctx


async def test_mtls_client_certificate_from_file_and_secret(
    secret_store: SecretStore, tmp_path: Path
) -> None:
    ca = LocalCA()
    me = ca.issue("switchboard-client", server=False)
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    (tmp_path / "me.pem").write_bytes(me.cert)
    secret_store.set("me_key", me.key.decode())  # the private key only as a secret
    async with Endpoint(ssl_context=_server_tls(tmp_path, ca)) as ep:
        ep.reply("GET", "/ping")
        config = CredentialConfig(url=ep.url, auth={"type": "mtls"}, tls={
            "ca": {"file": "ca.pem"}, "cert": {"file": "me.pem"}, "key": {"secret": "me_key"}})
        c = HttpClient("erp", config, secrets=secret_store, base_dir=tmp_path)
        resp = await c.send("GET", "/ping")
        await c.close()
        # The same server refuses a client without a certificate.
        bare = HttpClient("bare", CredentialConfig(url=ep.url, tls={"ca": {"file": "ca.pem"}}),
                          secrets=secret_store, base_dir=tmp_path)  # fmt: skip
        with pytest.raises(ConnectError):
            await bare.send("GET", "/ping")
        await bare.close()
    assert resp.status == 200
    subject = dict(x[0] for x in ep.seen[0].peer_cert["subject"])
    assert subject["commonName"] == "switchboard-client"
    assert ep.hits["/ping"] == 1


async def test_untrusted_server_certificate_is_terminal(secret_store: SecretStore,
                                                        tmp_path: Path) -> None:  # fmt: skip
    ca, other = LocalCA(), LocalCA("Another CA")
    (tmp_path / "other.pem").write_bytes(other.pem)
    ctx = _server_tls(tmp_path, ca)
    ctx.verify_mode = ssl.CERT_NONE
    async with Endpoint(ssl_context=ctx) as ep:
        ep.reply("GET", "/ping")
        c = HttpClient("erp", CredentialConfig(url=ep.url, tls={"ca": {"file": "other.pem"}}),
                       secrets=secret_store, base_dir=tmp_path)  # fmt: skip
        with pytest.raises(ConnectError) as info:
            await c.send("GET", "/ping")
        await c.close()
    assert not info.value.transient and "not trusted" in str(info.value)
