"""``switchboard bulk load`` and ``switchboard org import --plan`` against a running org."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(FIXTURES / "sfdx-realty"))
    return sf


def test_server_json_names_the_running_server(server) -> None:  # type: ignore[no-untyped-def]
    info = json.loads((server.data_dir / "server.json").read_text())
    assert info["url"] == server.instance_url and info["pid"] == server.proc.pid


def test_bulk_load_with_bad_rows(server, realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "accounts.csv"
    bad = {17, 500, 999}
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Name", "Customer_Number__c", "NumberOfEmployees"])
        for i in range(1000):
            w.writerow([f"CLI {i}", f"CLI{i:05d}", "many" if i in bad else i])
    done = server.cli("bulk", "load", "Account", str(path))
    assert "1000 processed, 997 succeeded, 3 failed." in done.stdout, done.stdout + done.stderr
    out = tmp_path / next(p.name for p in tmp_path.iterdir() if "-failed-" in p.name)
    assert f"Failed rows written to {out}" in done.stdout
    failed = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted(r["Name"] for r in failed) == [f"CLI {i}" for i in sorted(bad)]
    assert all(r["sf__Error"].startswith("INVALID_TYPE") for r in failed)

    # Upsert on the external id: one row renamed, one new.
    path.write_text("Customer_Number__c,Name\nCLI00001,Renamed\nCLI-NEW,Fresh\n")
    done = server.cli("bulk", "load", "Account", str(path), "--upsert", "Customer_Number__c")
    assert "2 processed, 2 succeeded, 0 failed." in done.stdout
    got = realty.query("SELECT Name FROM Account WHERE Customer_Number__c = 'CLI00001'")
    assert got["records"][0]["Name"] == "Renamed"


def test_bulk_load_without_a_server(tmp_path: Path) -> None:
    import subprocess

    from support.server import BIN

    path = tmp_path / "a.csv"
    path.write_text("Name\nA\n")
    db = f"sqlite:///{tmp_path / 'org.db'}"
    init = [str(BIN / "switchboard"), "org", "init", "--data-dir", str(tmp_path), "--db", db]
    subprocess.run(init, capture_output=True, check=True, timeout=120)
    done = subprocess.run(
        [str(BIN / "switchboard"), "bulk", "load", "Account", str(path)]
        + ["--data-dir", str(tmp_path), "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "no running server for" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_org_import_plan(server, realty) -> None:  # type: ignore[no-untyped-def]
    plan = FIXTURES / "plans" / "realty" / "data-plan.json"
    done = server.cli("org", "import", "--plan", str(plan))
    assert "Broker__c: 2 records created" in done.stdout, done.stdout + done.stderr
    assert "Property__c: 3 records created" in done.stdout
    rows = realty.query_all(
        "SELECT Name, Broker__r.Broker_Id__c FROM Property__c "
        "WHERE Broker__r.Broker_Id__c LIKE 'PLAN-%' ORDER BY Name"
    )["records"]
    assert [(r["Name"], r["Broker__r"]["Broker_Id__c"]) for r in rows] == [
        ("18 Henry St", "PLAN-B1"),
        ("24 Pearl St", "PLAN-B2"),
        ("72 Francis St", "PLAN-B1"),
    ]


def test_org_import_unresolved_reference(server, realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "p.json").write_text(
        json.dumps(
            {
                "records": [
                    {
                        "attributes": {"type": "Property__c", "referenceId": "P1"},
                        "Name": "Orphan",
                        "Broker__c": "@NoSuchRef",
                    }
                ]
            }
        )
    )
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps([{"sobject": "Property__c", "resolveRefs": True, "files": ["p.json"]}])
    )
    done = server.cli("org", "import", "--plan", str(plan), check=False)
    assert done.returncode == 1 and "@NoSuchRef" in done.stderr
