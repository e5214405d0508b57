"""The ``switchboard`` command as a newcomer meets it: one-line failures, no org invented
by a mistyped path, a second server that refuses a taken port and leaves the first alone,
and every command given the same ``--data-dir`` acting on the same org."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer

from support.databases import database_url
from support.server import BIN, Server, free_port
from switchboard.cli.main import _argv, app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The commands that create an org by design; every other one must refuse a missing one.
CREATORS = {("up",), ("org", "init")}
# An org is optional here: without one it checks the file alone (tests/project covers it).
ORG_OPTIONAL = {("project", "check")}
# Flags without which a command stops at its usage check, before looking for the org.
EXTRA = {
    ("callout", "dlq", "retry"): ["--all"],
    ("erase",): ["--contact", "003000000000001AAA"],
}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "switchboard"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _leaves(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if hasattr(cmd, "commands"):  # a group (Typer vendors its own click)
        out = []
        for name, sub in cmd.commands.items():
            out.extend(_leaves(sub, (*path, name)))
        return out
    return [(path, cmd)]


def _invocation(path: tuple[str, ...], cmd: Any, tmp: Path, data_dir: Path) -> list[str]:
    """The command with each required parameter given a plausible value."""
    args = list(path)
    existing = tmp / "input.csv"
    existing.write_text("Name\nA\n")
    for param in cmd.params:
        if not param.required:
            continue
        # (Typer's own parameter objects carry no click type: paths are known by name.)
        is_path = param.name in {"file", "plan", "cert", "path"}
        value = str(existing) if is_path else "1" if param.name == "delivery_id" else "x"
        if param.param_type_name == "argument":
            args.append(value)
        else:
            args.extend([param.opts[0], value])
    return [*args, *EXTRA.get(path, []), "--data-dir", str(data_dir)]


def test_every_command_refuses_a_missing_data_dir(tmp_path: Path) -> None:
    leaves = [
        (p, c)
        for p, c in _leaves(typer.main.get_command(app))
        if any(o == "--data-dir" for prm in c.params for o in getattr(prm, "opts", []))
    ]
    assert len(leaves) >= 15, [p for p, _ in leaves]  # the walk found the command tree
    missing = tmp_path / "no" / "such-dir"
    jobs = [
        (p, _invocation(p, c, tmp_path, missing))
        for p, c in leaves
        if p not in CREATORS | ORG_OPTIONAL
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda j: (j[0], run(*j[1])), jobs))
    for path, done in results:
        lines = done.stderr.strip().splitlines()
        assert done.returncode != 0, (path, done.stdout)
        assert len(lines) == 1 and str(missing) in lines[0], (path, done.stderr)
        assert "Traceback" not in done.stderr
    assert not missing.parent.exists()  # nothing created, not even the parent


def test_a_directory_without_an_org_is_refused_and_left_empty(tmp_path: Path) -> None:
    for args in (["token"], ["user", "list"], ["org", "deploy", str(FIXTURES / "sfdx-realty")]):
        done = run(*args, "--data-dir", str(tmp_path))
        assert done.returncode == 1 and f"no org in {tmp_path}" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--db", "mysql://root@127.0.0.1/x"], "mysql is not supported"),
        (["--db", f"postgresql://postgres@127.0.0.1:{free_port()}/x"], "cannot reach the database"),
        (["--db", "postgresql://postgres:secret@127.0.0.1/x"], "carries a password"),
    ],
)
def test_up_with_a_bad_database_is_one_line(
    tmp_path: Path, extra: list[str], expected: str
) -> None:
    done = run("up", "--data-dir", str(tmp_path / "d"), "--port", str(free_port()), *extra)
    assert done.returncode == 1 and expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "secret" not in done.stderr
    assert not (tmp_path / "d").exists()


def test_up_on_a_file_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("")
    done = run("up", "--data-dir", str(f))
    assert done.returncode == 1 and done.stderr.strip() == (
        f"error: --data-dir {f} is a file; give a directory (it is created when missing)"
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = run("--debug", "token", "--data-dir", str(tmp_path / "missing"))
    assert done.returncode == 1 and "Traceback" in done.stderr and "NoOrg" in done.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("switchboard ")
    helped = " ".join(run("up", "--help").stdout.split())
    assert "--tls / --no-tls" in helped and "<bool>" not in helped
    for default in ("8443", "7443", "data"):
        assert f"[default: ({default})]" in helped


def test_tls_accepts_what_users_type() -> None:
    assert _argv(["up", "--tls"]) == ["up", "--tls"]
    assert _argv(["up", "--tls", "true", "--port", "1"]) == ["up", "--tls", "--port", "1"]
    assert _argv(["up", "--tls", "False"]) == ["up", "--no-tls"]
    assert _argv(["up", "--tls=no"]) == ["up", "--no-tls"]
    assert _argv(["up", "--tls", "--port", "1"]) == ["up", "--tls", "--port", "1"]


def test_a_second_server_refuses_the_ports_and_the_first_keeps_working(tmp_path: Path) -> None:
    # Both servers get the same configuration (as two `make run` get the defaults), through
    # the environment so the suite's parallel workers do not fight over 8443.
    ports = {"SWITCHBOARD_PORT": str(free_port()), "SWITCHBOARD_GRPC_PORT": str(free_port())}
    first = Server(data_dir=tmp_path / "one", db="", port=int(ports["SWITCHBOARD_PORT"]), tls=False)
    first.grpc_port = int(ports["SWITCHBOARD_GRPC_PORT"])
    first.start()
    try:
        before = (first.data_dir / "server.json").read_text()
        second = run("up", "--data-dir", str(tmp_path / "two"), env=ports)
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"error: HTTP port {ports['SWITCHBOARD_PORT']} on 127.0.0.1 is in use "
            "(another switchboard up?); stop that process or pick another --port"
        ]
        assert not (tmp_path / "two").exists()
        grpc_only = {**ports, "SWITCHBOARD_PORT": str(free_port())}
        third = run("up", "--data-dir", str(tmp_path / "three"), env=grpc_only)
        assert (
            third.returncode == 1 and f"gRPC port {ports['SWITCHBOARD_GRPC_PORT']}" in third.stderr
        )
        same_dir = run(
            "up",
            "--data-dir",
            str(first.data_dir),
            "--port",
            str(free_port()),
            "--grpc-port",
            str(free_port()),
        )
        assert same_dir.returncode == 1 and "is served already by pid" in same_dir.stderr
        assert (first.data_dir / "server.json").read_text() == before
        token = run("token", "--data-dir", str(first.data_dir)).stdout.strip()
        got = httpx.get(
            f"{first.instance_url}/services/data/v59.0/sobjects/Account/describe",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert got.status_code == 200
        assert json.loads(before)["pid"] == first.proc.pid  # type: ignore[union-attr]
    finally:
        first.stop()
    assert not (first.data_dir / "server.json").exists()  # its owner removed it


@pytest.mark.postgres
def test_deploy_acts_on_the_org_the_server_uses(tmp_path: Path) -> None:
    with database_url("postgresql", tmp_path) as url:
        srv = Server(data_dir=tmp_path / "pg", db=url, port=free_port(), tls=False).start()
        try:
            assert json.loads((srv.data_dir / "org.json").read_text()) == {"db": url}
            done = run(
                "org", "deploy", str(FIXTURES / "sfdx-realty"), "--data-dir", str(srv.data_dir)
            )
            assert done.returncode == 0, done.stderr
            assert not (srv.data_dir / "org.db").exists()
            token = run("token", "--data-dir", str(srv.data_dir)).stdout.strip()
            fields = httpx.get(
                f"{srv.instance_url}/services/data/v59.0/sobjects/Account/describe",
                headers={"Authorization": f"Bearer {token}"},
            ).json()["fields"]
            assert "Customer_Number__c" in {f["name"] for f in fields}
        finally:
            srv.stop()
