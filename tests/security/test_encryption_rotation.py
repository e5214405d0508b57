"""Key rotation under load: a writer inserts and a reader queries while ``keys rotate``
re-encrypts in batches; nothing is lost and every value opens to what was written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.rest import FIXTURES
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project
from switchboard.org.security.encryption.envelope import key_id_of
from switchboard.org.security.encryption.rotation import sync
from switchboard.org.soql.engine import QueryEngine


@pytest.fixture
def org(tmp_path: Path, db_url: str) -> Iterator[Org]:
    o = Org.open(load(data_dir=tmp_path, db=db_url, schema_poll_interval=0.2))
    project = read_project(FIXTURES / "sfdx-vault")
    o.schema.deploy(project.objects, project.extensions)
    o.schema.keyring.poll_interval = 0.2
    try:
        yield o
    finally:
        o.close()


def _ctx(org: Org) -> WriteContext:
    assert org.boot is not None
    return WriteContext(user_id=org.boot.admin_user_id)


def _raw(org: Org, column: str) -> dict[str, str]:
    with org.store.read() as conn:
        rows = conn.execute(sa.text(f"SELECT id, {column} FROM o_patient__c")).all()  # noqa: S608
    return {r[0]: r[1] for r in rows}


def test_rotation_while_writing_and_reading_loses_nothing(org: Org) -> None:
    engine = QueryEngine(org)
    written: dict[str, tuple[str, str]] = {}
    for i in range(300):
        ssn, note = f"S-{i:05d}", f"note {i} é"
        written[org.create(_ctx(org), "Patient__c", {"Name": f"p{i}", "SSN__c": ssn,
                                                       "Notes__c": note})] = (ssn, note)  # fmt: skip
    first = org.schema.keyring.active()
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        i = 1000
        try:
            while not stop.is_set():
                ssn, note = f"S-{i:05d}", f"note {i}"
                rid = org.create(_ctx(org), "Patient__c", {"Name": "w", "SSN__c": ssn,
                                                            "Notes__c": note})  # fmt: skip
                written[rid] = (ssn, note)
                i += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    def reader() -> None:
        try:
            while not stop.is_set():
                for rid, (ssn, note) in list(written.items())[:50:7]:
                    got = engine.query(
                        f"SELECT Id, Notes__c FROM Patient__c WHERE SSN__c = '{ssn}'",  # noqa: S608 (SOQL text under test)
                        version="59.0",
                    )
                    assert [r["Id"] for r in got["records"]] == [rid], ssn
                    assert got["records"][0]["Notes__c"] == note
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    try:
        second = org.schema.keyring.rotate()
        report = sync(org.schema, batch=50)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not failures, failures
    assert second.version == first.version + 1
    assert report.resealed.get("Patient__c.SSN__c", 0) >= 300
    # A last pass for rows a writer sealed before it saw the new version.
    sync(org.schema, batch=50, settle=False)
    raw_ssn, raw_notes = _raw(org, "ssn__c"), _raw(org, "notes__c")
    assert set(raw_ssn) == set(written)  # nothing lost
    assert {key_id_of(v) for v in raw_ssn.values()} == {second.key_id}
    assert {key_id_of(v) for v in raw_notes.values()} == {second.key_id}
    got = engine.query("SELECT Id, SSN__c, Notes__c FROM Patient__c", version="59.0", batch=2000)
    records = got["records"]
    while not got["done"]:
        got = engine.more(got["nextRecordsUrl"].rsplit("/", 1)[-1], version="59.0")
        records += got["records"]
    assert {r["Id"]: (r["SSN__c"], r["Notes__c"]) for r in records} == written
    # Idempotent: nothing left to do.
    assert sync(org.schema, settle=False).total == 0
    # The rotation is a setup change on record (the first key, made on first use, is not).
    trail = engine.query("SELECT Action, Section, Display FROM SetupAuditTrail "
                         "WHERE Section = 'Platform Encryption'", version="59.0")  # fmt: skip
    assert [(r["Action"], r["Display"]) for r in trail["records"]] == [
        ("rotatedTenantSecret",
         f"Rotated the data encryption key: version {second.version} (key id {second.key_id}) "
         "is now active"),
    ]  # fmt: skip


def test_old_key_values_still_match_equality_filters(org: Org) -> None:
    """Between rotate and sync, values under either version are found by =."""
    engine = QueryEngine(org)
    old = org.create(_ctx(org), "Patient__c", {"Name": "a", "SSN__c": "A-1",
                                                "Email__c": "Old@Example.com"})  # fmt: skip
    org.schema.keyring.rotate()
    new = org.create(_ctx(org), "Patient__c", {"Name": "b", "SSN__c": "A-1",
                                                "Email__c": "old@example.COM"})  # fmt: skip
    got = engine.query("SELECT Id FROM Patient__c WHERE SSN__c = 'A-1'", version="59.0")
    assert {r["Id"] for r in got["records"]} == {old, new}
    got = engine.query("SELECT Id FROM Patient__c WHERE Email__c IN ('OLD@example.com', 'x')",
                       version="59.0")  # fmt: skip
    assert {r["Id"] for r in got["records"]} == {old, new}
    raw = _raw(org, "ssn__c")
    assert key_id_of(raw[old]) != key_id_of(raw[new])


def test_values_written_before_the_field_was_encrypted_are_sealed_by_sync(org: Org) -> None:
    rid = org.create(_ctx(org), "Patient__c", {"Name": "legacy"})
    org.store.write(lambda c: c.execute(
        sa.text("UPDATE o_patient__c SET notes__c = :v WHERE id = :id"),
        {"v": "clear legacy text", "id": rid}))  # fmt: skip
    assert _raw(org, "notes__c")[rid] == "clear legacy text"
    assert org.retrieve("Patient__c", rid, ["Notes__c"], "59.0")["Notes__c"] == "clear legacy text"
    report = sync(org.schema, settle=False)
    assert report.resealed == {"Patient__c.Notes__c": 1}
    assert _raw(org, "notes__c")[rid].startswith("sbe1$")
    assert org.retrieve("Patient__c", rid, ["Notes__c"], "59.0")["Notes__c"] == "clear legacy text"


def test_a_plan_made_before_another_processes_rotation_still_finds_resealed_rows(
    org: Org, tmp_path: Path, db_url: str
) -> None:
    """Another process rotates and re-seals between this one's plan and its read: the
    cached plan's literals cover only the old version, and this keyring has not polled
    yet (a long interval), so the engine must notice the newer version and plan again."""
    org.schema.keyring.poll_interval = 3600.0
    engine = QueryEngine(org)
    rid = org.create(_ctx(org), "Patient__c", {"Name": "a", "SSN__c": "R-1"})
    soql = "SELECT Id FROM Patient__c WHERE SSN__c = 'R-1'"
    assert [r["Id"] for r in engine.query(soql, version="59.0")["records"]] == [rid]
    other = Org.open(load(data_dir=tmp_path, db=db_url, schema_poll_interval=0.2))
    try:
        rotated = other.schema.keyring.rotate()
        assert sync(other.schema, settle=False).resealed.get("Patient__c.SSN__c") == 1
    finally:
        other.close()
    assert {key_id_of(v) for v in _raw(org, "ssn__c").values()} == {rotated.key_id}
    assert [r["Id"] for r in engine.query(soql, version="59.0")["records"]] == [rid]
    # The plan made again covers the new version: no further re-read is needed.
    assert org.schema.keyring.newest_known() == rotated.version
def test_change_events_hold_sealed_values_and_are_read_back_open(org: Org) -> None:
    from switchboard.events.consumers import read_batch
    from switchboard.events.replay import ev

    # A plain field whose text merely looks like an envelope is data, left as written.
    lookalike = "sbe1$not-a-key$not-a-body"
    org.create(_ctx(org), "Patient__c", {"Name": "evt", "SSN__c": "123-45-6789",
                                         "Notes__c": "secret note", "Plain_Notes__c": lookalike})  # fmt: skip
    with org.store.read() as conn:
        rows = conn.execute(sa.select(ev.c.id, ev.c.channel, ev.c.payload)).all()
    mine = [r for r in rows if "Patient__" in r.channel]
    assert mine and b"123-45-6789" not in mine[-1].payload.encode()
    assert "secret note" not in mine[-1].payload
    events = read_batch(org.store, [mine[-1].channel], mine[-1].id - 1, mine[-1].id, 10)
    payload = events[0].payload
    assert payload["SSN__c"] == "123-45-6789"
    assert payload["Notes__c"] == "secret note"
    assert payload["Plain_Notes__c"] == lookalike
