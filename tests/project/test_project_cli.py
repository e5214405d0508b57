"""The project and secret commands as users run them (subprocesses on a real data dir)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from support.server import BIN, Server, free_port

PLAIN = "Sup3r-s3cret-t0ken-value"
EXAMPLE = (Path(__file__).parent / "test_loader.py").read_text().split('EXAMPLE = """\\\n')[1]
EXAMPLE = EXAMPLE.split('"""')[0]


def sb(data: Path, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "switchboard"), *args, "--data-dir", str(data)], input=stdin,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "switchboard.yaml").write_text(EXAMPLE)
    return folder


def test_check_without_an_org_checks_the_file(tmp_path: Path, project: Path) -> None:
    out = sb(tmp_path / "none", "project", "check", str(project))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok" in out.stdout and "org-dependent checks skipped" in out.stdout
    assert not (tmp_path / "none").exists()  # checking never creates an org


def test_secrets_through_the_cli_and_check_against_the_org(tmp_path: Path, project: Path) -> None:
    data = tmp_path / "data"
    out = sb(data, "secret", "set", "erp_token", stdin=PLAIN + "\n")
    assert out.returncode == 0 and PLAIN not in out.stdout + out.stderr
    listed = sb(data, "secret", "list")
    assert listed.stdout.split() == ["erp_token"] and PLAIN not in listed.stdout
    assert (data / "secret.key").stat().st_mode & 0o777 == 0o600
    for f in data.glob("org.db*"):
        assert PLAIN.encode() not in f.read_bytes()

    ok = sb(data, "project", "check", str(project))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip() == "switchboard.yaml: ok"

    assert sb(data, "secret", "delete", "erp_token").returncode == 0
    missing = sb(data, "project", "check", str(project))
    assert missing.returncode == 1
    assert missing.stdout.startswith("switchboard.yaml:4: credentials.erp.auth")
    assert "secret 'erp_token' is not set" in missing.stdout
    assert "switchboard secret set erp_token" in missing.stdout
    assert sb(data, "secret", "delete", "erp_token").returncode == 1


def test_check_prints_each_mistake_and_never_a_secret(tmp_path: Path, project: Path) -> None:
    text = EXAMPLE.replace("{secret: erp_token}", PLAIN).replace("credential: erp", "credential: crm")
    (project / "switchboard.yaml").write_text(text.replace("attempts: 6", "attempts: lots"))
    out = sb(tmp_path / "none", "project", "check", str(project))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert [line.split(":")[1] for line in lines] == ["4", "14"], out.stdout
    assert "switchboard secret set" in lines[0]
    assert PLAIN not in out.stdout + out.stderr
    # Fixed but for the credential name: the semantic check reports it.
    (project / "switchboard.yaml").write_text(EXAMPLE.replace("credential: erp", "credential: crm"))
    out = sb(tmp_path / "none", "project", "check", str(project))
    assert out.returncode == 1 and out.stdout.startswith("switchboard.yaml:9: ")
    assert "unknown credential 'crm'" in out.stdout


def test_schema_is_json(tmp_path: Path) -> None:
    out = subprocess.run([str(BIN / "switchboard"), "project", "schema"], capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    schema = json.loads(out.stdout)
    assert schema["title"] == "switchboard.yaml" and "credentials" in schema["properties"]


NAMED = """<?xml version="1.0" encoding="UTF-8"?>
<NamedCredential xmlns="http://soap.sforce.com/2006/04/metadata">
    <endpoint>http://127.0.0.1:9000/api</endpoint>
    <label>Billing</label>
    <principalType>NamedUser</principalType>
    <protocol>Password</protocol>
    <username>integration</username>
</NamedCredential>
"""


def test_sfdx_named_credential_deploys_and_projects_reference_it(tmp_path: Path, project: Path) -> None:
    sfdx = tmp_path / "sfdx"
    folder = sfdx / "force-app" / "main" / "default" / "namedCredentials"
    folder.mkdir(parents=True)
    (folder / "Billing.namedCredential-meta.xml").write_text(NAMED)
    (sfdx / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    data = tmp_path / "data"
    out = sb(data, "org", "deploy", str(sfdx))
    assert out.returncode == 0, out.stderr
    assert "1 named credentials" in out.stdout
    text = EXAMPLE.replace("credential: erp", "credential: Billing")
    (project / "switchboard.yaml").write_text(text)
    sb(data, "secret", "set", "erp_token", stdin="x")
    out = sb(data, "project", "check", str(project))
    assert out.returncode == 1 and "switchboard secret set Billing.password" in out.stdout
    sb(data, "secret", "set", "Billing.password", stdin=PLAIN)
    out = sb(data, "project", "check", str(project))
    assert out.returncode == 0, out.stdout


def test_up_refuses_an_invalid_project_whole(tmp_path: Path, project: Path) -> None:
    (project / "switchboard.yaml").write_text(EXAMPLE.replace("timeout: 5s", "timeout: 500s"))
    out = subprocess.run(
        [str(BIN / "switchboard"), "up", "--data-dir", str(tmp_path / "data"),
         "--port", str(free_port()), "--grpc-port", str(free_port()), "--project", str(project)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 1, out.stdout + out.stderr
    assert "ready" not in out.stdout
    assert "switchboard.yaml:13: callouts.account_to_erp.timeout" in out.stderr


def test_secret_set_refuses_a_bad_name_and_an_empty_value(tmp_path: Path) -> None:
    assert sb(tmp_path / "d", "secret", "set", "bad name", stdin="x").returncode == 2
    assert sb(tmp_path / "d", "secret", "set", "ok_name", stdin="").returncode == 2


def _wait_for(srv: Server, text: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in srv.output):
            return True
        time.sleep(0.1)
    return False


def test_running_hub_reloads_or_keeps_its_project(tmp_path: Path, project: Path) -> None:
    data = tmp_path / "data"
    assert sb(data, "secret", "set", "erp_token", stdin=PLAIN).returncode == 0
    srv = Server(data_dir=data, db=f"sqlite:///{data / 'org.db'}", port=free_port(), tls=False,
                 env={"SWITCHBOARD_PROJECT": str(project),
                      "SWITCHBOARD_PROJECT_POLL_INTERVAL": "0.1"}).start()  # fmt: skip
    try:
        path = project / "switchboard.yaml"
        path.write_text(EXAMPLE.replace("timeout: 5s", "timeout: 500s"))
        assert _wait_for(srv, "switchboard.yaml:13: callouts.account_to_erp.timeout"), srv.output
        assert _wait_for(srv, "refused; the running project is kept")
        path.write_text(EXAMPLE.replace("timeout: 5s", "timeout: 6s"))
        assert _wait_for(srv, "switchboard.yaml reloaded"), srv.output
    finally:
        srv.stop()
    assert PLAIN not in "".join(srv.output)
