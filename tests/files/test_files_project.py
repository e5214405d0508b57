"""The project file's ``files:`` section: routes sending each new file to its store.

A real S3-compatible server (moto's, started here) holds two buckets; the project
routes an Account's PDFs to one and images to the other, with the S3 keys as
``{secret: NAME}`` read from the org's secret store. Each upload is verified by listing
the buckets themselves. Then the file changes under the running server: a valid
change applies new routes, a broken one is refused whole and the old routes keep
working. And ``switchboard project check`` names each mistake at its line.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from files.filehelp import API, moto_s3, multipart, pdf_bytes, session_for, store_keys
from support.server import BIN, Server, free_port

PROJECT = """\
files:
  default: local
  stores:
    local: {{url: "{local}"}}
    contracts:
      url: s3://contracts/org
      options:
        endpoint_url: {endpoint}
        key: {{secret: s3_key}}
        secret: {{secret: s3_secret}}
    images:
      url: s3://images/org
      options: {{endpoint_url: {endpoint}, key: {{secret: s3_key}}, secret: {{secret: s3_secret}}}}
  routes:
    - {{linked: Account, extension: pdf, store: {pdf_store}}}
    - {{file_type: [PNG, JPG, JPEG], store: images}}
"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64


def sb(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "switchboard"), *args, "--data-dir", str(data)], input=stdin,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, Any]]:
    with moto_s3("contracts", "images") as (fs, options):
        yield {"fs": fs, "endpoint": options["endpoint_url"]}


def _write(project: Path, s3: dict[str, Any], data: Path, pdf_store: str = "contracts") -> None:
    (project / "switchboard.yaml").write_text(PROJECT.format(
        local=(data / "routed").resolve().as_uri(), endpoint=s3["endpoint"], pdf_store=pdf_store))  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, s3: dict[str, Any]) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("files-project")
    data, project = tmp / "data", tmp / "project"
    project.mkdir()
    assert sb(data, "org", "init").returncode == 0
    for name in ("s3_key", "s3_secret"):
        assert sb(data, "secret", "set", name, stdin="testing\n").returncode == 0
    _write(project, s3, data)
    srv = Server(data_dir=data, db=f"sqlite:///{data / 'org.db'}", port=free_port(), tls=False,
                 env={"SWITCHBOARD_PROJECT": str(project),
                      "SWITCHBOARD_PROJECT_POLL_INTERVAL": "0.1"}).start()  # fmt: skip
    srv.project = project  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def http(server: Server) -> requests.Session:
    return session_for(server.token())


def _bucket(s3: dict[str, Any], bucket: str) -> set[str]:
    fs = s3["fs"]
    fs.invalidate_cache()
    return {p.rsplit("/", 1)[-1] for p in fs.find(bucket) if "/.staging/" not in p}


def _upload(http: requests.Session, server: Server, data: bytes, name: str, account: str) -> str:
    r = multipart(http, server.instance_url,
                  {"Title": name, "PathOnClient": name, "FirstPublishLocationId": account},
                  data, file_name=name)  # fmt: skip
    assert r.status_code == 201, r.text
    vid = str(r.json()["id"])
    got = http.get(f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}/VersionData",
                   timeout=60)  # fmt: skip
    assert got.status_code == 200 and got.content == data
    return vid


def _account(http: requests.Session, server: Server) -> str:
    r = http.post(f"{server.instance_url}{API}/sobjects/Account", json={"Name": "Acme"}, timeout=30)
    return str(r.json()["id"])


def _wait_for(srv: Server, text: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in srv.output):
            return True
        time.sleep(0.1)
    return False


def test_routes_send_each_file_to_its_bucket(
    server: Server, http: requests.Session, s3: dict[str, Any]
) -> None:
    account = _account(http, server)
    pdf, text = pdf_bytes(300_000, seed=1), b"plain notes\n" * 100
    _upload(http, server, pdf, "contract.pdf", account)
    _upload(http, server, PNG, "logo.png", account)
    _upload(http, server, text, "notes.txt", account)  # no route: the project's default
    key = {d: hashlib.sha256(d).hexdigest() for d in (pdf, PNG, text)}
    assert _bucket(s3, "contracts") == {key[pdf]}
    assert _bucket(s3, "images") == {key[PNG]}
    assert store_keys(server.data_dir / "routed") == [key[text]]
    assert store_keys(server.data_dir / "files") == []  # the settings' default: unused


def test_a_reload_applies_new_routes_or_keeps_the_old_whole(
    server: Server, http: requests.Session, s3: dict[str, Any]
) -> None:
    project: Path = server.project  # type: ignore[attr-defined]
    account = _account(http, server)
    _write(project, s3, server.data_dir, pdf_store="images")
    assert _wait_for(server, "switchboard.yaml reloaded"), "".join(server.output)
    moved = pdf_bytes(200_000, seed=2)
    _upload(http, server, moved, "second.pdf", account)
    assert hashlib.sha256(moved).hexdigest() in _bucket(s3, "images")
    assert hashlib.sha256(moved).hexdigest() not in _bucket(s3, "contracts")

    path = project / "switchboard.yaml"
    path.write_text(path.read_text().replace("store: images}", "store: imagez}", 1))
    assert _wait_for(server, "files.routes.0.store: unknown store 'imagez'"), "".join(server.output)
    assert _wait_for(server, "refused; the running project is kept")
    kept = pdf_bytes(100_000, seed=3)
    _upload(http, server, kept, "third.pdf", account)
    assert hashlib.sha256(kept).hexdigest() in _bucket(s3, "images")


BAD = """\
files:
  default: nowhere
  stores:
    ftp_store: {url: "ftp://files.example.com/x"}
    s3_store:
      url: s3://bucket/org
      options: {key: AKIAEXAMPLEKEY, secret: {secret: s3_secret}}
  routes:
    - {linked: Acount, store: s3_stor}
    - {object: Document, store: s3_store}
"""


def test_project_check_names_each_mistake_at_its_line(tmp_path: Path) -> None:
    data, project = tmp_path / "data", tmp_path / "project"
    project.mkdir()
    assert sb(data, "org", "init").returncode == 0
    (project / "switchboard.yaml").write_text(BAD)
    out = sb(data, "project", "check", str(project))
    assert out.returncode == 1
    # A bad URL is a mistake of the file's shape: reported alone, first.
    assert out.stdout.splitlines() == [
        "switchboard.yaml:4: files.stores.ftp_store.url: unsupported URL scheme 'ftp'; use "
        "one of file://, s3://, s3a://, az://, abfs://, abfss://, gs://, gcs://"
    ]
    (project / "switchboard.yaml").write_text(BAD.replace("ftp://", "file:///tmp/"))
    out = sb(data, "project", "check", str(project))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["switchboard.yaml:2", "files.default"],
        ["switchboard.yaml:7", "files.stores.s3_store.options.key"],
        ["switchboard.yaml:7", "files.stores.s3_store.options.secret"],
        ["switchboard.yaml:9", "files.routes.0.linked"],
        ["switchboard.yaml:9", "files.routes.0.store"],
        ["switchboard.yaml:10", "files.routes.1.object"],
    ], out.stdout
    assert "unknown object 'Acount'; did you mean 'Account'?" in lines[3]
    assert "unknown store 's3_stor'; did you mean 's3_store'?" in lines[4]
    assert "secret 's3_secret' is not set" in lines[2]
    assert "AKIAEXAMPLEKEY" not in out.stdout + out.stderr


def test_offload_and_verify_reach_the_projects_stores(
    server: Server, http: requests.Session, s3: dict[str, Any]
) -> None:
    """``switchboard files`` opens the stores the project names, keys from secrets."""
    project: Path = server.project  # type: ignore[attr-defined]
    (project / "switchboard.yaml").write_text("files: {stores: {x: {url: 'ftp://x/y'}}}\n")
    out = server.cli("files", "verify", "--project", str(project), check=False)
    assert out.returncode == 1 and "switchboard.yaml:1: files.stores.x.url" in out.stderr
    _write(project, s3, server.data_dir)
    text = b"to be archived\n" * 50
    vid = _upload(http, server, text, "archive.txt", _account(http, server))
    key = hashlib.sha256(text).hexdigest()
    assert key in store_keys(server.data_dir / "routed")
    out = server.cli("files", "offload", "--to", "contracts", "--project", str(project))
    assert "0 failed" in out.stdout, out.stdout + out.stderr
    assert key in _bucket(s3, "contracts")
    got = http.get(f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}/VersionData",
                   timeout=60)  # fmt: skip
    assert got.content == text
    out = server.cli("files", "verify", "--project", str(project))
    assert " 0 problems" in out.stdout, out.stdout + out.stderr


def test_the_settings_are_the_fallback_and_old_stores_stay_readable() -> None:
    from switchboard.org.files.config import FilesConfig, StoreConfig
    from switchboard.org.files.stores import FileStorage
    from switchboard.patterns.files import FilesSection, files_config

    base = FilesConfig(
        store="file:///srv/default",
        stores={"archive": StoreConfig(url="s3://old/archive", options={"key": "from-env"})},
        objects={"contract": "archive"},
    )
    section = FilesSection.model_validate({
        "stores": {"pdfs": {"url": "s3://pdfs/org", "options": {"key": {"secret": "k"}}}},
        "routes": [{"extension": "PDF", "store": "pdfs"}],
    })  # fmt: skip
    config = files_config(base, section)
    assert config.store_for("ContentVersion", "Contract", "a.pdf") == "s3://pdfs/org"  # route first
    assert config.store_for("ContentVersion", "Contract", "a.txt") == "s3://old/archive"  # settings
    assert config.store_for("ContentVersion", "Account", "a.txt") == "file:///srv/default"
    assert files_config(base, None) is base

    storage = FileStorage(config)
    storage.configure(files_config(base, FilesSection()))  # the project drops its store
    assert storage.config.store_for("ContentVersion", None, "a.pdf") == "file:///srv/default"
    # Bytes already in the dropped store are still read with its options.
    assert storage.config.resolve("s3://pdfs/org").options == {"key": {"secret": "k"}}
