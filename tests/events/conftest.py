"""Fixtures of the event tests: a server with a short Pub/Sub keepalive (0.2 s: tests wait
for the first empty FetchResponse to know a subscription is live), and a Pub/Sub
client generated here from the project's own .proto with grpcio-tools."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from support.databases import BACKENDS, database_url
from support.pubsub import Client
from support.server import Server, free_port

PROTO = Path(__file__).parents[2] / "src/switchboard/api/pubsub/pubsub_api.proto"
REALTY = Path(__file__).parents[1] / "fixtures/sfdx-realty"


@pytest.fixture(scope="session")
def pubsub(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, ModuleType]:
    """``pubsub_api_pb2`` and ``pubsub_api_pb2_grpc`` built from the .proto for this run."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("pubsub_client")
    rc = protoc.main(
        [
            "protoc",
            f"-I{PROTO.parent}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            str(PROTO),
        ]
    )
    assert rc == 0
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module("pubsub_api_pb2"), importlib.import_module(
            "pubsub_api_pb2_grpc"
        )
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module", params=BACKENDS)
def events_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, local_ca: Path
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"events-{request.param}")
    with database_url(str(request.param), tmp) as url:
        srv = Server(
            data_dir=tmp,
            db=url,
            port=free_port(),
            ca_dir=local_ca,
            env={"SWITCHBOARD_PUBSUB_KEEPALIVE": "0.2", "SWITCHBOARD_EVENT_POLL_INTERVAL": "0.05"},
        )
        srv.cli("org", "init")  # deploy acts on an existing org only
        srv.cli("org", "deploy", str(REALTY))
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
def client(
    events_server: Server, pubsub: tuple[ModuleType, ModuleType], local_ca: Path
) -> Iterator[Client]:
    c = Client(events_server, pubsub, local_ca)
    yield c
    c.close()
