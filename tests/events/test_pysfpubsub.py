"""The public pysfpubsub client, unmodified, over TLS: SOAP login, Subscribe to
/data/AccountChangeEvent, GetSchema and Avro decoding of each change.

It runs in its own interpreter: its generated ``pubsub_api_pb2`` registers the same
``eventbus.v1`` messages as ours in protobuf's default descriptor pool, which refuses a
second definition in one process.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support.pubsub import process_bitmap, rest
from support.server import Server

# find_spec, not import: importing pysfpubsub here would register its descriptors in
# this process and break the client the other event tests generate.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pysfpubsub") is None or importlib.util.find_spec("avro") is None,
    reason="pysfpubsub and avro are not installed (pip install pysfpubsub avro)",
)

CLIENT = r"""
import json, os, sys
import certifi

url, username, password, grpc_port, ca, want = sys.argv[1:]
# pysfpubsub reads its gRPC trust roots from certifi's bundle when imported; pointing it
# at our CA is what a user of a private CA does too.
certifi.where = lambda: ca

from pysfpubsub import Client

client = Client(url, username, password, "127.0.0.1", int(grpc_port), api_version="59.0")
client.auth()
seen = []
live = False

def callback(response, c):
    global live
    if not response.events and not live:
        live = True
        print("live", flush=True)
    for e in response.events:
        schema = c.get_schema_json(e.event.schema_id)
        decoded = c.decode(schema, e.event.payload)
        print(json.dumps({"replay_id": e.replay_id.hex(), "schema": json.loads(schema),
                          "event": decoded}, default=str), flush=True)
        seen.append(e)
    if len(seen) >= int(want):
        os._exit(0)
    if response.pending_num_requested == 0:
        c.release_subscription_semaphore()

client.subscribe("/data/AccountChangeEvent", "LATEST", None, 10, callback)
"""


def test_subscribe_and_decode_with_pysfpubsub(events_server: Server, local_ca: Path) -> None:
    srv = events_server
    proc = subprocess.Popen(
        [
            sys.executable, "-c", CLIENT, srv.instance_url, srv.username, srv.password,
            str(srv.grpc_port), str(local_ca / "ca.pem"), "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    lines: list[str] = []
    timer = threading.Timer(30, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first == "live", first + (proc.stderr.read() if proc.stderr else "")
        rid = rest(srv, "POST", "sobjects/Account", {"Name": "Py", "Industry": "Energy"})
        rid = rid.json()["id"]
        rest(srv, "PATCH", f"sobjects/Account/{rid}", {"Industry": "Retail", "BillingCity": "Oslo"})
        rest(srv, "DELETE", f"sobjects/Account/{rid}")
        lines = [line for line in proc.stdout if line.strip()]
        proc.wait(10)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    got = [json.loads(line) for line in lines]
    headers = [g["event"]["ChangeEventHeader"] for g in got]
    assert [h["changeType"] for h in headers] == ["CREATE", "UPDATE", "DELETE"]
    assert all(h["recordIds"] == [rid] and h["entityName"] == "Account" for h in headers)
    assert got[0]["event"]["Name"] == "Py" and got[0]["event"]["Industry"] == "Energy"
    assert got[1]["event"]["Industry"] == "Retail"
    # The avro library pysfpubsub decodes with reads the nested Address record too.
    assert got[1]["event"]["BillingAddress"]["City"] == "Oslo"
    assert got[1]["event"]["ShippingAddress"] is None
    assert set(process_bitmap(json.dumps(got[1]["schema"]), headers[1]["changedFields"])) == {
        "Industry",
        "BillingAddress.City",
        "LastModifiedDate",
    }
    replay_ids = [int(g["replay_id"], 16) for g in got]
    assert replay_ids == sorted(replay_ids) and len(set(replay_ids)) == 3
