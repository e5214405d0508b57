"""``switchboard audit RECORD_ID`` on a real server on each backend: a record written
by REST, then by a Bulk API 2.0 job, then by REST again shows who wrote each field,
when and through which API."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.rest import FIXTURES
from support.server import Server


@pytest.fixture(scope="module")
def sf(server: Server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(FIXTURES / "sfdx-governance"))
    return sf


def test_audit_shows_each_writer(sf, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Property__c.create({"Name": "Audited", "Price__c": 10, "Beds__c": 1})["id"]
    path = tmp_path / "u.csv"
    path.write_text(f"Id,Price__c\n{rid},20\n")
    res = sf.bulk2.Property__c.update(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsFailed"] == 0
    sf.Property__c.update(rid, {"Beds__c": 2})
    out = server.cli("audit", rid).stdout
    lines = out.splitlines()
    changes = [ln for ln in lines if " by " in ln and not ln.startswith("    ")]
    assert [ln.split()[1] for ln in changes] == ["CREATE", "UPDATE", "UPDATE"]
    assert "via com/salesforce/api/rest/59.0" in changes[0]
    assert "via com/salesforce/api/bulk/" in changes[1]
    assert "via com/salesforce/api/rest/59.0" in changes[2]
    last = lines[lines.index("last written:") + 1 :]
    price = next(ln for ln in last if ln.strip().startswith("Price__c:"))
    beds = next(ln for ln in last if ln.strip().startswith("Beds__c:"))
    assert "api/bulk/" in price and "api/rest/" in beds
    assert "    Price__c = 20.0" in out or "    Price__c = 20" in out


def test_audit_of_an_unknown_prefix_fails_cleanly(server: Server) -> None:
    out = server.cli("audit", "zzz000000000000", check=False)
    assert out.returncode == 1 and "no object has key prefix zzz" in out.stderr
