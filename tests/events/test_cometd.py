"""CometD streaming with raw Bayeux requests over HTTPS (the aiosfstream-ng client is in
test_cometd_client.py): handshake, subscribe with replay -1, -2 and a stored id, long-poll
connect, unsubscribe, disconnect, and Salesforce's error strings."""

from __future__ import annotations

from typing import Any

import requests

from support.pubsub import token
from support.server import Server


class Bayeux:
    def __init__(self, server: Server, tok: str | None = None) -> None:
        self.url = f"{server.instance_url}/cometd/59.0"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {tok or token(server)}"
        self.client_id = ""

    def send(self, *messages: dict[str, Any], status: int = 200) -> list[dict[str, Any]]:
        for m in messages:
            if self.client_id:
                m.setdefault("clientId", self.client_id)
        r = self.http.post(self.url, json=list(messages), timeout=30)
        assert r.status_code == status, r.text
        return list(r.json())

    def handshake(self) -> None:
        reply = self.send({"channel": "/meta/handshake", "version": "1.0",
                           "supportedConnectionTypes": ["long-polling"]})[0]  # fmt: skip
        assert reply["successful"]
        self.client_id = reply["clientId"]

    def subscribe(self, channel: str, replay: int) -> dict[str, Any]:
        return self.send(
            {"channel": "/meta/subscribe", "subscription": channel,
             "ext": {"replay": {channel: replay}}}
        )[0]  # fmt: skip

    def events(self, count: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _ in range(10):
            replies = self.send({"channel": "/meta/connect", "connectionType": "long-polling",
                                 "advice": {"timeout": 2000}})  # fmt: skip
            assert replies[-1]["channel"] == "/meta/connect" and replies[-1]["successful"]
            out += [m for m in replies if not m["channel"].startswith("/meta/")]
            if len(out) >= count:
                break
        return out


def create(server: Server, name: str) -> str:
    r = requests.post(
        f"{server.instance_url}/services/data/v59.0/sobjects/Account",
        json={"Name": name},
        headers={"Authorization": f"Bearer {token(server)}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_cometd_subscribe_replay_and_receive(events_server: Server) -> None:
    ch = "/data/AccountChangeEvent"
    live = Bayeux(events_server)
    live.handshake()
    assert live.subscribe(ch, -1)["successful"]
    rid = create(events_server, "Comet")
    [msg] = [m for m in live.events(1) if m["data"]["payload"].get("Name") == "Comet"]
    assert msg["channel"] == ch
    payload = msg["data"]["payload"]
    assert payload["ChangeEventHeader"]["recordIds"] == [rid]
    assert payload["ChangeEventHeader"]["changeType"] == "CREATE"
    assert "Phone" not in payload  # nulls omitted
    assert payload["CreatedDate"].endswith("Z")
    stored = msg["data"]["event"]["replayId"]
    create(events_server, "Comet2")
    # Replay -2 sees everything retained; a stored replay id resumes right after it.
    everything = Bayeux(events_server)
    everything.handshake()
    everything.subscribe(ch, -2)
    names = [m["data"]["payload"].get("Name") for m in everything.events(2)]
    assert names.index("Comet") < names.index("Comet2")
    resumed = Bayeux(events_server)
    resumed.handshake()
    resumed.subscribe(ch, stored)
    after = resumed.events(1)
    assert after[0]["data"]["payload"]["Name"] == "Comet2"
    assert after[0]["data"]["event"]["replayId"] > stored
    unsub = live.send({"channel": "/meta/unsubscribe", "subscription": ch})[0]
    assert unsub["successful"]
    assert live.send({"channel": "/meta/disconnect"})[0]["successful"]
    gone = live.send({"channel": "/meta/connect", "connectionType": "long-polling"})[0]
    assert gone["error"] == "403::Unknown client"
    assert gone["advice"]["reconnect"] == "handshake"


def test_cometd_errors(events_server: Server) -> None:
    # A bad token: the handshake is denied with the cause in ext.sfdc.failureReason, a
    # connect carries the cause as its error; neither advises a reconnect.
    bad = Bayeux(events_server, "00D000000000000!nope")
    reply = bad.send({"channel": "/meta/handshake", "id": "1"}, status=401)[0]
    assert reply["channel"] == "/meta/handshake" and reply["id"] == "1"
    assert not reply["successful"] and reply["error"] == "403::Handshake denied"
    assert reply["ext"]["sfdc"]["failureReason"] == "401::Authentication invalid"
    assert reply["advice"]["reconnect"] == "none"
    reply = bad.send({"channel": "/meta/connect", "id": "2", "clientId": "x"}, status=401)[0]
    assert reply["channel"] == "/meta/connect" and reply["id"] == "2"
    assert reply["error"] == "401::Authentication invalid" and reply["clientId"] == "x"
    assert reply["advice"] == {"reconnect": "none", "interval": 0}
    anonymous = Bayeux(events_server)
    del anonymous.http.headers["Authorization"]
    reply = anonymous.send({"channel": "/meta/handshake"}, status=401)[0]
    assert reply["ext"]["sfdc"]["failureReason"] == "401::Request requires authentication"
    c = Bayeux(events_server)
    c.handshake()
    reply = c.subscribe("/data/NoSuchChangeEvent", -1)
    assert not reply["successful"] and reply["subscription"] == "/data/NoSuchChangeEvent"
    assert reply["error"] == (
        "400::The channel you requested to subscribe to does not exist {/data/NoSuchChangeEvent}"
    )
    reply = c.send({"channel": "/meta/subscribe"})[0]
    assert reply["error"] == "400::Channel name not specified"
    reply = c.send({"channel": "/meta/subscribe", "subscription": "data/AccountChangeEvent"})[0]
    assert reply["error"] == "400::Channel subscriptions must start with a leading '/'"
    unknown = c.send({"channel": "/meta/connect", "clientId": "gone", "id": "9"})[0]
    assert unknown["error"] == "403::Unknown client" and unknown["clientId"] == "gone"
    assert unknown["advice"]["reconnect"] == "handshake"


def test_events_tail_prints_decoded_events(events_server: Server) -> None:
    create(events_server, "Tailed")
    out = events_server.cli(
        "events", "tail", "/data/AccountChangeEvent", "--replay", "earliest", "--limit", "1"
    ).stdout
    import json

    line = json.loads(out.splitlines()[0])
    assert line["channel"] == "/data/AccountChangeEvent" and line["replayId"] > 0
    assert line["payload"]["ChangeEventHeader"]["changeType"] == "CREATE"


def test_cometd_nests_compound_fields(events_server: Server) -> None:
    """As the Change Data Capture guide's CometD examples show: ``"BillingAddress":
    {"City": ...}`` with nulls left out, and changedFields naming ``BillingAddress.City``."""
    ch = "/data/AccountChangeEvent"
    c = Bayeux(events_server)
    c.handshake()
    assert c.subscribe(ch, -1)["successful"]
    rid = create(events_server, "Comet Address")
    r = requests.patch(
        f"{events_server.instance_url}/services/data/v59.0/sobjects/Account/{rid}",
        json={"BillingCity": "Paris", "BillingPostalCode": "75001"},
        headers={"Authorization": f"Bearer {token(events_server)}"},
        timeout=10,
    )
    assert r.status_code == 204, r.text
    mine = [m["data"]["payload"] for m in c.events(2)]
    mine = [p for p in mine if p["ChangeEventHeader"]["recordIds"] == [rid]]
    created, updated = mine[-2:]
    assert "BillingAddress" not in created  # every member null: left out like a null field
    assert updated["BillingAddress"] == {"City": "Paris", "PostalCode": "75001"}
    assert not {"BillingCity", "BillingPostalCode"} & set(updated)
    assert sorted(updated["ChangeEventHeader"]["changedFields"]) == [
        "BillingAddress.City",
        "BillingAddress.PostalCode",
        "LastModifiedDate",
    ]


def _invalid(replay_id: object) -> str:
    return (
        f"400::The replayId {{{replay_id}}} you provided was invalid.  Please provide a "
        "valid ID, -2 to replay all events, or -1 to replay only new events."
    )


def test_cometd_invalid_replay_ids(events_server: Server) -> None:
    """Salesforce's 400:: text for a replay id that is malformed, ahead of the log or
    older than retention; never a subscription moved to some other position. Runs last in
    this module: it purges the log."""
    ch = "/data/AccountChangeEvent"
    c = Bayeux(events_server)
    c.handshake()
    for bad in (-5, "abc", 2**62):
        reply = c.subscribe(ch, bad)  # type: ignore[arg-type]
        assert not reply["successful"] and reply["error"] == _invalid(bad)
    assert c.subscribe(ch, -1)["successful"]
    create(events_server, "Retained0")
    create(events_server, "Retained1")
    first = [m for m in c.events(2) if m["data"]["payload"].get("Name") == "Retained0"][0]
    from switchboard.events import replay
    from switchboard.store import open_store

    store = open_store(events_server.db)
    try:
        replay.purge(store, 0)  # all but the newest event: what followed first is gone
    finally:
        store.dispose()
    late = Bayeux(events_server)
    late.handshake()
    old = first["data"]["event"]["replayId"]
    reply = late.subscribe(ch, old - 1)
    assert not reply["successful"] and reply["error"] == _invalid(old - 1)
