"""The one connector registry: entry points, cached clients, named credentials from the org."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connectors.endpoint import Endpoint
from switchboard.connectors import ConnectorRegistry
from switchboard.connectors.errors import UnknownConnector, UnknownCredential
from switchboard.connectors.http.client import HttpClient
from switchboard.connectors.http.configuration import CredentialConfig
from switchboard.connectors.http.errors import CredentialInvalid
from switchboard.org.secrets import NamedCredentialDef, NamedCredentials, SecretStore


def cred(url: str, **more: object) -> CredentialConfig:
    return CredentialConfig(url=url, **more)


def test_http_is_registered_through_entry_points() -> None:
    reg = ConnectorRegistry()
    assert "http" in reg.kinds()
    from switchboard.connectors.http.factory import factory

    assert reg.factory("http") is factory
    with pytest.raises(UnknownConnector):
        reg.factory("nosuch")


def test_third_party_kind_registers_the_same_way() -> None:
    class Echo:
        kind = "echo"
        configuration = CredentialConfig

        def create(self, name, config, **kw):  # type: ignore[no-untyped-def]
            return ("echo", name, config.url)

    reg = ConnectorRegistry(credentials={"x": cred("http://127.0.0.1:1")})
    reg.register("echo", Echo())
    assert reg.client("echo", "x") == ("echo", "x", "http://127.0.0.1:1")


def test_importing_the_registry_defers_aiohttp() -> None:
    code = ("import sys; import switchboard.connectors, switchboard.patterns.project; "
            "from switchboard.connectors import ConnectorRegistry; "
            "r = ConnectorRegistry(); r.factory('http'); print('aiohttp' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_one_client_per_credential_rebuilt_when_it_changes() -> None:
    reg = ConnectorRegistry(credentials={"erp": cred("http://127.0.0.1:1")})
    first = reg.http("erp")
    assert reg.http("erp") is first and isinstance(first, HttpClient)
    reg.set_credentials({"erp": cred("http://127.0.0.1:1")})  # equal config: kept
    assert reg.http("erp") is first
    reg.set_credentials({"erp": cred("http://127.0.0.1:2")})
    second = reg.http("erp")
    assert second is not first and second.base_url == "http://127.0.0.1:2"
    reg.set_credentials({})
    with pytest.raises(UnknownCredential):
        reg.http("erp")
    await reg.stop()


async def test_one_breaker_per_endpoint() -> None:
    reg = ConnectorRegistry(credentials={
        "a": cred("http://127.0.0.1:9/x"), "b": cred("http://127.0.0.1:9/y"),
        "c": cred("http://127.0.0.1:10")})  # fmt: skip
    assert reg.http("a").breaker is reg.http("b").breaker
    assert reg.http("a").breaker is not reg.http("c").breaker
    await reg.stop()


async def test_stop_closes_every_session() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/ping")
        reg = ConnectorRegistry(credentials={"erp": cred(ep.url)})
        client = reg.http("erp")
        await client.send("GET", "/ping")
        sessions = list(client._sessions.values())
        await reg.stop()
    assert sessions and all(s.closed for s in sessions)


async def test_named_credential_from_the_org(secret_store: SecretStore) -> None:
    named = NamedCredentials(secret_store.store)
    async with Endpoint() as ep:
        ep.reply("GET", "/api/ping")
        named.deploy([
            NamedCredentialDef("ERP", "ERP", ep.url + "/api", protocol="Password", username="svc"),
            NamedCredentialDef("Jwt_One", "J", ep.url, protocol="Jwt"),
        ])  # fmt: skip
        secret_store.set("ERP.password", "pw-1")
        reg = ConnectorRegistry(secrets=secret_store, org_credentials=named.get)
        resp = await reg.http("ERP").send("GET", "/ping")
        assert resp.status == 200 and ep.seen[0].headers["Authorization"].startswith("Basic ")
        with pytest.raises(CredentialInvalid) as info:
            reg.http("Jwt_One")
        assert "not supported" in str(info.value)
        assert reg.known("ERP") and not reg.known("nope")
        await reg.stop()


def test_project_credential_wins_over_the_org(tmp_path: Path, secret_store: SecretStore) -> None:
    named = NamedCredentials(secret_store.store)
    named.deploy([NamedCredentialDef("erp", "ERP", "http://127.0.0.1:5")])
    reg = ConnectorRegistry(org_credentials=named.get,
                            credentials={"erp": cred("http://127.0.0.1:6")})  # fmt: skip
    assert reg.credential("erp").url == "http://127.0.0.1:6"
    reg.set_credentials({})
    assert reg.credential("erp").url == "http://127.0.0.1:5"
