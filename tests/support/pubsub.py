"""A Pub/Sub API test client over TLS (generated stubs passed in), token helpers, and a
decoder of change event bitmaps written the way Salesforce's own sample decodes them."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import requests

from support.server import Server

_tokens: dict[tuple[str, str], str] = {}


def token(server: Server) -> str:
    """One access token per server (minting one runs the CLI).

    Keyed by the server's data directory and database, which no two servers of a run
    share: ``id(server)`` was reused by a later server once an earlier one was freed,
    which then got the earlier server's token and a 401 (seen in the crash test)."""
    key = (str(server.data_dir), server.db)
    if key not in _tokens:
        _tokens[key] = server.token()
    return _tokens[key]


def rest(server: Server, method: str, path: str, body: Any = None) -> requests.Response:
    """A REST call as the admin that must succeed: the writes whose events a test reads."""
    r = requests.request(
        method,
        f"{server.instance_url}/services/data/v59.0/{path}",
        json=body,
        headers={"Authorization": f"Bearer {token(server)}"},
        timeout=10,
    )
    assert r.status_code < 300, r.text
    return r


def org_id(server: Server) -> str:
    for line in server.output:
        m = re.search(r"Switchboard org (\w+) at", line)
        if m:
            return m.group(1)
    raise AssertionError("no org id in the server output")


def _bit_positions(hex_bitmap: str) -> list[int]:
    """Positions of the set bits, least significant first, read as the sample reads them:
    the digits' bits as a string, reversed. Salesforce writes whole bytes ("0x06"), and
    the repository's Java sample reads digits two at a time, so an odd count is a bug."""
    digits = hex_bitmap[2:]
    assert hex_bitmap.startswith("0x") and len(digits) % 2 == 0, hex_bitmap
    bits = "".join(f"{int(d, 16):04b}" for d in digits)[::-1]
    return [i for i, bit in enumerate(bits) if bit == "1"]


def process_bitmap(schema_json: str, bitmap_fields: list[str]) -> list[str]:
    """Field names of a changedFields / nulledFields / diffFields value, decoded as
    ChangeEventHeaderUtility.process_bitmap does (forcedotcom/pub-sub-api, python/util,
    referenced by the Pub/Sub API guide's "Event Deserialization Considerations"): a first
    element starting with ``0x`` is a bitmap over the schema's top-level fields; each
    ``N-0x..`` element is a bitmap over the record nested in the field at position N,
    whose names come out as ``Parent.Child``. The schema is parsed with the ``avro``
    library, as in the sample, so named types referenced a second time resolve too."""
    import avro.schema

    schema = avro.schema.parse(schema_json)
    assert isinstance(schema, avro.schema.RecordSchema)
    remaining = list(bitmap_fields)
    names: list[str] = []
    if remaining and remaining[0].startswith("0x"):
        names += [schema.fields[i].name for i in _bit_positions(remaining.pop(0))]
    for entry in remaining:
        position, _, nested = entry.partition("-")
        assert nested, f"not a nested bitmap: {entry}"
        parent = schema.fields[int(position)]
        child = parent.type
        if isinstance(child, avro.schema.UnionSchema):  # [null, record], as the sample reads it
            child = child.schemas[-1]
        assert isinstance(child, avro.schema.RecordSchema), f"{parent.name} is not compound"
        names += [f"{parent.name}.{child.fields[i].name}" for i in _bit_positions(nested)]
    return names


class Client:
    """A thin Pub/Sub client over a TLS channel, as an integration would write one."""

    def __init__(self, server: Server, modules: tuple[ModuleType, ModuleType], ca: Path) -> None:
        import grpc

        self.pb, pb_grpc = modules
        creds = grpc.ssl_channel_credentials((ca / "ca.pem").read_bytes())
        self.channel = grpc.secure_channel(f"127.0.0.1:{server.grpc_port}", creds)
        self.stub = pb_grpc.PubSubStub(self.channel)
        self.metadata = (
            ("accesstoken", token(server)),
            ("instanceurl", server.instance_url),
            ("tenantid", org_id(server)),
        )
        self._schemas: dict[str, Any] = {}

    def schema(self, schema_id: str) -> Any:
        import fastavro
        import orjson

        if schema_id not in self._schemas:
            info = self.stub.GetSchema(
                self.pb.SchemaRequest(schema_id=schema_id), metadata=self.metadata
            )
            self._schemas[schema_id] = fastavro.parse_schema(orjson.loads(info.schema_json))
        return self._schemas[schema_id]

    def decode(self, consumer_event: Any) -> dict[str, Any]:
        import io

        import fastavro

        schema = self.schema(consumer_event.event.schema_id)
        payload = io.BytesIO(consumer_event.event.payload)
        return cast(dict[str, Any], fastavro.schemaless_reader(payload, schema, None))

    def subscribe(self, topic: str, preset: int, replay_id: bytes = b"", n: int = 100) -> Sub:
        return Sub(self, topic, preset, replay_id, n)

    def close(self) -> None:
        self.channel.close()


class Sub:
    """A running Subscribe call: responses land in a queue, credit is granted on demand."""

    def __init__(self, client: Client, topic: str, preset: int, replay_id: bytes, n: int) -> None:
        self.client = client
        self.requests: queue.Queue[Any] = queue.Queue()
        self.responses: queue.Queue[Any] = queue.Queue()
        pb = client.pb
        self.requests.put(
            pb.FetchRequest(
                topic_name=topic, replay_preset=preset, replay_id=replay_id, num_requested=n
            )
        )
        self.call = client.stub.Subscribe(self._iter(), metadata=client.metadata)
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _iter(self) -> Iterator[Any]:
        while True:
            item = self.requests.get()
            if item is None:
                return
            yield item

    def _pump(self) -> None:
        try:
            for response in self.call:
                self.responses.put(response)
        except Exception as exc:  # delivered to the test
            self.responses.put(exc)

    def next(self, timeout: float = 10) -> Any:
        item = self.responses.get(timeout=timeout)
        if isinstance(item, Exception):
            raise item
        return item

    def events(self, count: int, timeout: float = 15) -> list[Any]:
        out: list[Any] = []
        while len(out) < count:
            out.extend(self.next(timeout).events)
        return out

    def wait_idle(self) -> Any:
        """The first empty FetchResponse: the subscription is live."""
        while True:
            r = self.next()
            if not r.events:
                return r

    def cancel(self) -> None:
        self.requests.put(None)
        self.call.cancel()
