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
