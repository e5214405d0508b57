"""Fixtures: the store backends and a real server per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.databases import BACKENDS, database_url
from support.server import Server, free_port


@pytest.fixture(scope="session", autouse=True)
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One local CA for the session, and the only one clients trust (no monkeypatching:
    REQUESTS_CA_BUNDLE and SSL_CERT_FILE are how users point clients at it too)."""
    from switchboard.core.tls import ensure_local_ca

    files = ensure_local_ca(tmp_path_factory.mktemp("ca"))
    mp = pytest.MonkeyPatch()
    for var in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        mp.setenv(var, str(files.ca_cert))
    yield files.ca_cert.parent
    mp.undo()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, local_ca: Path
) -> Iterator[Server]:
    """A running ``switchboard up --tls`` on each backend, shared by a test module."""
    tmp = tmp_path_factory.mktemp(f"org-{request.param}")
    with database_url(str(request.param), tmp) as url:
        srv = Server(data_dir=tmp, db=url, port=free_port(), ca_dir=local_ca).start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
def sf(server: Server):  # type: ignore[no-untyped-def]
    """An unmodified simple-salesforce client on the server, trusting only its CA."""
    import requests
    from simple_salesforce import Salesforce

    return Salesforce(
        instance_url=server.instance_url,
        session_id=server.token(),
        session=requests.Session(),
        version="59.0",
    )
