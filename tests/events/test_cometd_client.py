"""CometD streaming with the public aiosfstream-ng client, unmodified, over TLS.

The client is used as its documentation describes: a ``Client`` with an authenticator
subclassed from its public ``AuthenticatorBase`` (it hands over our access token and
instance URL instead of calling login.salesforce.com), a replay option or a replay
marker mapping, and ``subscribe``/``receive``. Accounts are written through REST.
Shows: replay -2 delivers the CREATE events retained from before the subscription; a
live UPDATE arrives with only its changed fields; a stored replay id resumes right after
that event, and the client keeps its mapping up to date as it consumes.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import uuid
from typing import Any

import requests
from aiosfstream_ng import Client, ReplayMarker, ReplayOption
from aiosfstream_ng.auth import AuthenticatorBase

from support.pubsub import token
from support.server import Server

CHANNEL = "/data/AccountChangeEvent"
WAIT = 10.0


class TokenAuthenticator(AuthenticatorBase):
    """An access token minted by the org's CLI, with the org's instance URL."""

    def __init__(self, instance_url: str, access_token: str) -> None:
        super().__init__()
        self._given = {
            "access_token": access_token,
            "token_type": "Bearer",
            "instance_url": instance_url,
        }

    async def _authenticate(self) -> tuple[int, dict[str, Any]]:
        return 200, dict(self._given)


def _client(server: Server, replay: Any) -> Client:
    client = Client(TokenAuthenticator(server.instance_url, token(server)), replay=replay)
    # aiosfstream's Client takes no ``ssl`` argument; ``ssl`` is the public attribute its
    # aiocometd base class documents ("SSL validation mode"), read when opening. aiohttp's
    # own default context is built when aiohttp is imported, possibly before the test
    # session points SSL_CERT_FILE at the local CA, so the CA is given explicitly.
    client.ssl = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    return client


def _rest(server: Server, method: str, path: str, **kw: Any) -> requests.Response:
    return requests.request(
        method,
        f"{server.instance_url}/services/data/v59.0/sobjects/Account{path}",
        headers={"Authorization": f"Bearer {token(server)}"},
        timeout=10,
        **kw,
    )


def _create(server: Server, name: str) -> str:
    r = _rest(server, "POST", "", json={"Name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _receive(client: Client, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(client.receive(), WAIT) for _ in range(count)]


def _header(msg: dict[str, Any]) -> dict[str, Any]:
    return dict(msg["data"]["payload"]["ChangeEventHeader"])


async def _scenario(server: Server) -> None:
    tag = uuid.uuid4().hex[:8]
    first, second = f"Comet-{tag}-1", f"Comet-{tag}-2"
    # Written before anyone subscribes: only replay -2 can deliver these.
    first_id = _create(server, first)
    second_id = _create(server, second)

    # Replay -2: every retained event, then live ones.
    async with _client(server, ReplayOption.ALL_EVENTS) as client:
        await client.subscribe(CHANNEL)
        retained: list[dict[str, Any]] = []
        while not {first_id, second_id} <= {_header(m)["recordIds"][0] for m in retained}:
            retained += await _receive(client, 1)
        assert all(m["channel"] == CHANNEL for m in retained)
        ids = [m["data"]["event"]["replayId"] for m in retained]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        by_record = {_header(m)["recordIds"][0]: m for m in retained}
        created = by_record[first_id]
        assert _header(created)["changeType"] == "CREATE"
        assert _header(created)["entityName"] == "Account"
        assert created["data"]["payload"]["Name"] == first
        assert created["data"]["payload"]["CreatedDate"].endswith("Z")
        assert "Phone" not in created["data"]["payload"]  # nulls omitted
        assert _header(by_record[second_id])["changeType"] == "CREATE"
        assert by_record[second_id]["data"]["payload"]["Name"] == second
        stored = int(created["data"]["event"]["replayId"])
        stored_date = str(_header(created)["commitTimestamp"])

        # A live UPDATE on the open subscription carries only the changed field.
        r = _rest(server, "PATCH", f"/{first_id}", json={"Phone": "555-0100"})
        assert r.status_code == 204, r.text
        [update] = await _receive(client, 1)
        assert _header(update)["changeType"] == "UPDATE"
        assert _header(update)["recordIds"] == [first_id]
        assert set(_header(update)["changedFields"]) == {"Phone", "LastModifiedDate"}
        assert update["data"]["payload"]["Phone"] == "555-0100"
        assert "Name" not in update["data"]["payload"]
        update_id = int(update["data"]["event"]["replayId"])
        assert update_id > max(ids)

    # A stored replay id (as the client's own replay marker mapping keeps it): the next
    # subscription receives only what came after that event, in order.
    markers = {CHANNEL: ReplayMarker(date=stored_date, replay_id=stored)}
    async with _client(server, markers) as client:
        await client.subscribe(CHANNEL)
        later = await _receive(client, len([i for i in ids if i > stored]) + 1)
        later_ids = [m["data"]["event"]["replayId"] for m in later]
        assert min(later_ids) > stored
        assert later_ids == [i for i in ids if i > stored] + [update_id]
        assert _header(later[-1])["changeType"] == "UPDATE"
        assert first_id not in [
            _header(m)["recordIds"][0] for m in later if _header(m)["changeType"] == "CREATE"
        ]
        # Nothing else is pending: the stream is caught up.
        assert client.pending_count == 0
        # The client stored the marker of the last event it consumed.
        assert markers[CHANNEL].replay_id == update_id


def test_aiosfstream_replay_and_live_events(events_server: Server) -> None:
    asyncio.run(asyncio.wait_for(_scenario(events_server), 60))
