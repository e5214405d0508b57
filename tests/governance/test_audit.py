"""``switchboard audit RECORD_ID`` on a real server on each backend: a record written
by REST, then by a Bulk API 2.0 job, then by REST again (or by a sync from a SQL table)
shows who wrote each field, when and through which API."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

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


def test_audit_shows_rest_then_bulk_then_sync(sf, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = f"SY-{secrets.randbelow(10_000):04d}"
    rid = sf.Property__c.create({"Name": "Synced", "Price__c": 10, "Beds__c": 1,
                                 "Property_Code__c": code})["id"]  # fmt: skip
    path = tmp_path / "u.csv"
    path.write_text(f"Id,Price__c\n{rid},20\n")
    assert sf.bulk2.Property__c.update(csv_file=str(path), wait=0.2)[0]["numberRecordsFailed"] == 0
    # The ERP's table: the same property (by its code) now has three beds.
    meta = sa.MetaData()
    props = sa.Table("properties", meta, sa.Column("code", sa.String(20), primary_key=True),
                     sa.Column("beds", sa.Integer), sa.Column("updated_at", sa.DateTime))  # fmt: skip
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.db'}")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(props.insert().values(code=code, beds=3, updated_at=datetime(2026, 1, 1)))
    engine.dispose()
    (tmp_path / "switchboard.yaml").write_text(
        "connections:\n  erp_db: {url: \"sqlite:///erp.db\"}\n"
        "syncs:\n  props_in:\n"
        "    from: {connection: erp_db, table: properties, cursor: updated_at, key: code}\n"
        "    to: {object: Property__c, external_id: Property_Code__c}\n"
        "    fields: {Property_Code__c: code, Beds__c: beds}\n"
    )
    ran = server.cli("sync", "run", "props_in", "--project", str(tmp_path))
    assert "succeeded: 1 read, 1 written, 0 failed" in ran.stdout
    out = server.cli("audit", rid).stdout
    lines = out.splitlines()
    changes = [ln for ln in lines if " by " in ln and not ln.startswith("    ")]
    assert [ln.split()[1] for ln in changes] == ["CREATE", "UPDATE", "UPDATE"]
    assert "via com/salesforce/api/rest/59.0" in changes[0]
    assert "via com/salesforce/api/bulk/" in changes[1]
    assert changes[2].endswith("via com/salesforce/api/sync/59.0;client=sync:props_in")
    last = lines[lines.index("last written:") + 1 :]
    by_field = {ln.split(":")[0].strip(): ln for ln in last}
    assert "api/rest/" in by_field["Name"]
    assert "api/bulk/" in by_field["Price__c"]
    assert "client=sync:props_in" in by_field["Beds__c"]
