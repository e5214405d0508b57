"""The Pub/Sub API with a client generated from our .proto, over TLS, on each backend."""

from __future__ import annotations

import io
from typing import Any

import fastavro
import grpc
import pytest
import requests

from support.pubsub import Client, org_id, process_bitmap, rest, token
from support.server import Server


def test_change_events_create_update_delete(events_server: Server, client: Client) -> None:
    pb = client.pb
    sub = client.subscribe("/data/AccountChangeEvent", pb.LATEST)
    sub.wait_idle()
    rid = rest(events_server, "POST", "sobjects/Account", {"Name": "Acme", "Industry": "Energy"})
    rid = rid.json()["id"]
    rest(events_server, "PATCH", f"sobjects/Account/{rid}", {"Industry": "Retail", "Phone": None})
    rest(events_server, "DELETE", f"sobjects/Account/{rid}")
    events = sub.events(3)
    sub.cancel()
    decoded = [client.decode(e) for e in events]
    headers = [d["ChangeEventHeader"] for d in decoded]
    assert [h["changeType"] for h in headers] == ["CREATE", "UPDATE", "DELETE"]
    assert all(h["recordIds"] == [rid] and h["entityName"] == "Account" for h in headers)
    assert headers[0]["changeOrigin"].startswith("com/salesforce/api/rest/59.0")
    assert decoded[0]["Name"] == "Acme" and decoded[0]["Industry"] == "Energy"
    assert decoded[1]["Industry"] == "Retail" and decoded[1]["Name"] is None
    schema = client.stub.GetSchema(
        client.pb.SchemaRequest(schema_id=events[1].event.schema_id), metadata=client.metadata
    ).schema_json
    assert set(process_bitmap(schema, headers[1]["changedFields"])) == {
        "Industry",
        "LastModifiedDate",
    }
    assert headers[1]["nulledFields"] == []  # Phone was already null: no change
    ids = [int.from_bytes(e.replay_id, "big") for e in events]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_replay_earliest_and_custom(events_server: Server, client: Client) -> None:
    pb = client.pb
    for name in ("R1", "R2", "R3"):
        rest(events_server, "POST", "sobjects/Account", {"Name": name})
    sub = client.subscribe("/data/AccountChangeEvent", pb.EARLIEST)
    everything: list[Any] = []
    while True:
        r = sub.next()
        if not r.events:
            break
        everything.extend(r.events)
    sub.cancel()
    names = [client.decode(e).get("Name") for e in everything]
    assert names[-3:] == ["R1", "R2", "R3"]
    first = everything[-3]
    sub = client.subscribe("/data/AccountChangeEvent", pb.CUSTOM, first.replay_id)
    after = sub.events(2)
    sub.cancel()
    assert [client.decode(e)["Name"] for e in after] == ["R2", "R3"]


def test_flow_control_and_idle_response(events_server: Server, client: Client) -> None:
    pb = client.pb
    for i in range(5):
        rest(events_server, "POST", "sobjects/Account", {"Name": f"F{i}"})
    sub = client.subscribe("/data/AccountChangeEvent", pb.EARLIEST, n=2)
    got = sub.events(2)
    assert len(got) == 2
    idle = sub.next(5)  # no credit left: only the keepalive comes
    assert not idle.events and idle.latest_replay_id == got[-1].replay_id
    assert idle.pending_num_requested == 0
    sub.requests.put(pb.FetchRequest(num_requested=1))
    assert len(sub.next().events) == 1
    sub.requests.put(pb.FetchRequest(topic_name="/data/ContactChangeEvent", num_requested=1))
    with pytest.raises(grpc.RpcError) as err:
        while True:
            sub.next()
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_platform_event_publish_and_receive(events_server: Server, client: Client) -> None:
    pb = client.pb
    topic = client.stub.GetTopic(
        pb.TopicRequest(topic_name="/event/Price_Change__e"), metadata=client.metadata
    )
    assert topic.can_publish and topic.tenant_guid == org_id(events_server)
    sub = client.subscribe("/event/Price_Change__e", pb.LATEST)
    sub.wait_idle()
    r = rest(
        events_server,
        "POST",
        "sobjects/Price_Change__e",
        {"Property_Code__c": "P-1", "New_Price__c": 100.5},
    )
    assert r.status_code == 201 and r.json()["id"].startswith("e00") and r.json()["success"]
    schema = client.schema(topic.schema_id)
    buf = io.BytesIO()
    fastavro.schemaless_writer(
        buf,
        schema,
        {"CreatedDate": 0, "CreatedById": "005", "Property_Code__c": "P-2", "New_Price__c": 7.0},
    )
    published = client.stub.Publish(
        pb.PublishRequest(
            topic_name="/event/Price_Change__e",
            events=[
                pb.ProducerEvent(id="corr-1", schema_id=topic.schema_id, payload=buf.getvalue())
            ],
        ),
        metadata=client.metadata,
    )
    result = published.results[0]
    assert result.correlation_key == "corr-1" and not result.error.msg and result.replay_id
    events = sub.events(2)
    sub.cancel()
    decoded = [client.decode(e) for e in events]
    assert [(d["Property_Code__c"], d["New_Price__c"]) for d in decoded] == [
        ("P-1", 100.5),
        ("P-2", 7.0),
    ]
    assert events[1].replay_id == result.replay_id
    assert all(d["EventUuid"] for d in decoded)


def test_platform_event_validation(events_server: Server) -> None:
    r = requests.post(
        f"{events_server.instance_url}/services/data/v59.0/sobjects/Price_Change__e",
        json={"New_Price__c": 1},
        headers={"Authorization": f"Bearer {token(events_server)}"},
        timeout=10,
    )
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_authentication(events_server: Server, client: Client) -> None:
    pb = client.pb
    request = pb.TopicRequest(topic_name="/data/AccountChangeEvent")
    with pytest.raises(grpc.RpcError) as err:
        client.stub.GetTopic(request)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    bad = (("accesstoken", "00D!nope"),) + client.metadata[1:]
    with pytest.raises(grpc.RpcError) as err:
        client.stub.GetTopic(request, metadata=bad)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as err:
        client.stub.GetTopic(
            pb.TopicRequest(topic_name="/data/NopeChangeEvent"), metadata=client.metadata
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    # A user without API Enabled (Minimum Access alone) reaches no API, this one included.
    password = "Min1mum-Access!"
    out = events_server.cli("user", "create", "nopi@pe.test", "--last-name", "Nopi",
                            "--profile", "Minimum Access - Salesforce", "--password", password)  # fmt: skip
    secret = next(line.split(": ", 1)[1] for line in out.stdout.splitlines()
                  if line.startswith("security_token"))  # fmt: skip
    login = requests.post(f"{events_server.instance_url}/services/oauth2/token", data={
        "grant_type": "password", "client_id": events_server.client_id,
        "client_secret": events_server.client_secret, "username": "nopi@pe.test",
        "password": password + secret}, timeout=30)  # fmt: skip
    assert login.status_code == 200, login.text
    minimum = (("accesstoken", login.json()["access_token"]),) + client.metadata[1:]
    with pytest.raises(grpc.RpcError) as err:
        client.stub.GetTopic(request, metadata=minimum)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "API is not enabled" in (err.value.details() or "")


def _failure(call: Any) -> grpc.RpcError:
    """The error a call ends with, after checking the rpc id is where the guide puts it."""
    with pytest.raises(grpc.RpcError) as err:
        call()
    trailers = dict(err.value.trailing_metadata() or ())
    assert trailers.get("rpc-id") and err.value.details().endswith(f"rpcId: {trailers['rpc-id']}")
    return err.value


def _error_code(error: grpc.RpcError) -> str | None:
    return dict(error.trailing_metadata() or ()).get("error-code")


def _subscribe_error(client: Client, *requests: Any) -> grpc.RpcError:
    """The error a Subscribe call sending ``requests`` (then waiting) ends with."""

    def run() -> None:
        call = client.stub.Subscribe(iter(requests), metadata=client.metadata, timeout=20)
        for _ in call:  # keepalives until the server ends the call
            pass

    return _failure(run)


def test_subscribe_errors_carry_salesforce_error_codes(
    events_server: Server, client: Client
) -> None:
    pb = client.pb
    acct = "/data/AccountChangeEvent"
    code = "sfdc.platform.eventbus.grpc."
    err = _subscribe_error(client, pb.FetchRequest(topic_name="/event/Nope__e", num_requested=1))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert _error_code(err) == code + "topic.not.found"
    # CUSTOM without a replay id, a malformed one, and one the log has not reached.
    err = _subscribe_error(
        client, pb.FetchRequest(topic_name=acct, replay_preset=pb.CUSTOM, num_requested=1)
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _error_code(err) == code + "subscription.fetch.replayid.validation.failed"
    rest(events_server, "POST", "sobjects/Account", {"Name": "Ahead"})
    for bad in (b"\x01\x02\x03", (2**62).to_bytes(8, "big")):
        err = _subscribe_error(
            client,
            pb.FetchRequest(
                topic_name=acct, replay_preset=pb.CUSTOM, replay_id=bad, num_requested=1
            ),
        )
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert _error_code(err) == code + "subscription.fetch.replayid.corrupted"
    # num_requested must be positive, on the first request and on later ones.
    err = _subscribe_error(client, pb.FetchRequest(topic_name=acct, num_requested=0))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _error_code(err) == code + "subscription.fetch.requested.events.invalid"
    err = _subscribe_error(
        client,
        pb.FetchRequest(topic_name=acct, num_requested=1),
        pb.FetchRequest(num_requested=-3),
    )
    assert _error_code(err) == code + "subscription.fetch.requested.events.invalid"
    err = _subscribe_error(
        client,
        pb.FetchRequest(topic_name=acct, num_requested=1),
        pb.FetchRequest(topic_name="/data/ContactChangeEvent", num_requested=1),
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _error_code(err) == code + "subscription.fetch.topic.mismatch"


def test_more_than_100_requested_counts_as_100(events_server: Server, client: Client) -> None:
    pb = client.pb
    for i in range(3):
        rest(events_server, "POST", "sobjects/Account", {"Name": f"Cap{i}"})
    sub = client.subscribe("/data/AccountChangeEvent", pb.EARLIEST, n=500)
    first = sub.next()
    sub.cancel()
    assert 0 < len(first.events) <= 100
    assert first.pending_num_requested == 100 - len(first.events)


def test_unary_errors_carry_rpc_id_and_codes(events_server: Server, client: Client) -> None:
    pb = client.pb
    code = "sfdc.platform.eventbus.grpc."
    err = _failure(
        lambda: client.stub.GetTopic(pb.TopicRequest(topic_name="/data/AccountChangeEvent"))
    )
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _error_code(err) == code + "service.auth.headers.invalid"
    bad = (("accesstoken", "00D!nope"),) + client.metadata[1:]
    err = _failure(
        lambda: client.stub.GetTopic(
            pb.TopicRequest(topic_name="/data/AccountChangeEvent"), metadata=bad
        )
    )
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _error_code(err) == code + "service.auth.error"
    err = _failure(
        lambda: client.stub.GetTopic(
            pb.TopicRequest(topic_name="/event/Nope__e"), metadata=client.metadata
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert _error_code(err) == code + "topic.not.found"
    # An unknown schema id: NOT_FOUND; the guide names no error code for it.
    err = _failure(
        lambda: client.stub.GetSchema(
            pb.SchemaRequest(schema_id="NoSuchSchema"), metadata=client.metadata
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND and _error_code(err) is None
    err = _failure(
        lambda: client.stub.Publish(
            pb.PublishRequest(topic_name="/event/Nope__e"), metadata=client.metadata
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert _error_code(err) == code + "topic.not.found"


def test_topic_info_and_publish_results(events_server: Server, client: Client) -> None:
    pb = client.pb
    md = client.metadata
    cdc = client.stub.GetTopic(pb.TopicRequest(topic_name="/data/AccountChangeEvent"), metadata=md)
    assert cdc.topic_name == "/data/AccountChangeEvent" and cdc.tenant_guid == org_id(events_server)
    assert cdc.can_subscribe and not cdc.can_publish and cdc.schema_id and cdc.rpc_id
    info = client.stub.GetSchema(pb.SchemaRequest(schema_id=cdc.schema_id), metadata=md)
    assert info.schema_id == cdc.schema_id and info.rpc_id and info.schema_json
    # The standard channel of every object's change events, which Subscribe takes: its
    # events carry their own objects' schema ids, the channel has none of its own.
    every = client.stub.GetTopic(pb.TopicRequest(topic_name="/data/ChangeEvents"), metadata=md)
    assert every.topic_name == "/data/ChangeEvents" and every.tenant_guid == cdc.tenant_guid
    assert every.can_subscribe and not every.can_publish and every.schema_id == ""
    # Change events are Salesforce's to publish.
    err = _failure(
        lambda: client.stub.Publish(
            pb.PublishRequest(topic_name="/data/AccountChangeEvent"), metadata=md
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND
    topic = client.stub.GetTopic(pb.TopicRequest(topic_name="/event/Price_Change__e"), metadata=md)
    schema = client.schema(topic.schema_id)
    good = io.BytesIO()
    fastavro.schemaless_writer(
        good, schema, {"CreatedDate": 0, "CreatedById": "005", "Property_Code__c": "P-9"}
    )
    missing = io.BytesIO()  # a required field missing: refused by the org's validation
    fastavro.schemaless_writer(missing, schema, {"CreatedDate": 0, "CreatedById": "005"})
    response = client.stub.Publish(
        pb.PublishRequest(
            topic_name="/event/Price_Change__e",
            events=[
                pb.ProducerEvent(id="ok", schema_id=topic.schema_id, payload=good.getvalue()),
                pb.ProducerEvent(id="junk", schema_id=topic.schema_id, payload=b"\xff\xfe"),
                pb.ProducerEvent(id="bad", schema_id=topic.schema_id, payload=missing.getvalue()),
            ],
        ),
        metadata=md,
    )
    assert response.schema_id == topic.schema_id and response.rpc_id
    ok, junk, bad = response.results
    assert ok.correlation_key == "ok" and len(ok.replay_id) == 8 and not ok.error.msg
    for r in (junk, bad):
        assert not r.replay_id and r.error.code == pb.PUBLISH and r.error.msg
    assert junk.correlation_key == "junk" and bad.correlation_key == "bad"
    # PublishStream answers each request in turn.
    stream = client.stub.PublishStream(
        iter(
            [
                pb.PublishRequest(
                    topic_name="/event/Price_Change__e",
                    events=[
                        pb.ProducerEvent(
                            id=f"s{i}", schema_id=topic.schema_id, payload=good.getvalue()
                        )
                    ],
                )
                for i in range(2)
            ]
        ),
        metadata=md,
    )
    results = [r.results[0] for r in stream]
    assert [r.correlation_key for r in results] == ["s0", "s1"]
    assert results[0].replay_id < results[1].replay_id


def test_replay_id_older_than_retention_is_refused(events_server: Server, client: Client) -> None:
    """Runs last in this module: it purges the log."""
    from switchboard.events import replay
    from switchboard.store import open_store

    pb = client.pb
    for name in ("Old0", "Old1", "Old2"):
        rest(events_server, "POST", "sobjects/Account", {"Name": name})
    sub = client.subscribe("/data/AccountChangeEvent", pb.EARLIEST)
    events: list[Any] = []
    while not events or client.decode(events[-1]).get("Name") != "Old2":
        events.extend(sub.next().events)
    sub.cancel()
    # Purging all but the newest event (Old2's) deletes Old1's, which follows Old0's.
    old = next(e for e in events if client.decode(e).get("Name") == "Old0")
    store = open_store(events_server.db)
    try:
        assert replay.purge(store, 0) > 0  # everything but the newest event
    finally:
        store.dispose()
    err = _subscribe_error(
        client,
        pb.FetchRequest(
            topic_name="/data/AccountChangeEvent",
            replay_preset=pb.CUSTOM,
            replay_id=old.replay_id,
            num_requested=1,
        ),
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _error_code(err) == "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted"


def test_publish_replies_once_lower_ids_have_settled(events_server: Server, client: Client) -> None:
    """On PostgreSQL an open transaction can hold a lower event id than a publish that
    commits first. Publish answers only once that id has settled, so a CUSTOM subscribe
    from the returned replay id cannot pass over an event that commits later. On both
    backends that subscribe then starts with the next event published."""
    import threading

    import psycopg

    pb = client.pb
    topic = client.stub.GetTopic(
        pb.TopicRequest(topic_name="/event/Price_Change__e"), metadata=client.metadata
    )
    buf = io.BytesIO()
    fastavro.schemaless_writer(
        buf,
        client.schema(topic.schema_id),
        {"CreatedDate": 0, "CreatedById": "005", "Property_Code__c": "P-9", "New_Price__c": 9.0},
    )
    request = pb.PublishRequest(
        topic_name="/event/Price_Change__e",
        events=[pb.ProducerEvent(id="held", schema_id=topic.schema_id, payload=buf.getvalue())],
    )
    replies: list[Any] = []
    publisher = threading.Thread(
        target=lambda: replies.append(client.stub.Publish(request, metadata=client.metadata))
    )
    if events_server.db.startswith("postgresql"):
        # A writer that took an event id, still open; committed on leaving the block, and
        # rolled back and closed if an assertion fails (else it would stall the watermark).
        with psycopg.connect(events_server.db) as held:
            row = held.execute(
                "INSERT INTO sb_event (channel, payload, created_at) "
                "VALUES ('/event/Held__e', '{}', now()) RETURNING id"
            ).fetchone()
            assert row is not None
            held_id = row[0]
            publisher.start()
            publisher.join(1.0)
            assert not replies, "Publish answered while a lower event id was still open"
        publisher.join(10)
        assert int.from_bytes(replies[0].results[0].replay_id, "big") > held_id
    else:  # one writer: ids commit in order, nothing to wait for
        publisher.start()
        publisher.join(10)
    assert replies and replies[0].results[0].replay_id
    body = {"Property_Code__c": "P-10", "New_Price__c": 10.0}
    assert rest(events_server, "POST", "sobjects/Price_Change__e", body).status_code == 201
    sub = client.subscribe("/event/Price_Change__e", pb.CUSTOM, replies[0].results[0].replay_id)
    first = client.decode(sub.events(1)[0])
    sub.cancel()
    assert first["Property_Code__c"] == "P-10"
