"""An upsert reads the records it updates once, with its key lookup, and updates them
exactly as an update by Id does: the same stored values, Name derived from its parts,
and change events naming only the fields that changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from support.databases import database_url
from switchboard.core.settings import load
from switchboard.events import tables as event_tables
from switchboard.org.dml.context import WriteContext
from switchboard.org.dml.writer import Dml
from switchboard.org.runtime import Org


def _events(org: Org, since: int) -> list[dict[str, Any]]:
    with org.store.read() as conn:
        rows = conn.execute(
            sa.select(event_tables.event.c.payload)
            .where(event_tables.event.c.id > since)
            .order_by(event_tables.event.c.id)
        ).all()
    return [orjson.loads(p) for (p,) in rows]


def _last_event_id(org: Org) -> int:
    with org.store.read() as conn:
        return int(conn.execute(sa.select(sa.func.max(event_tables.event.c.id))).scalar() or 0)


def test_upsert_by_id_updates_as_an_update_does(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database_url(backend, tmp_path) as url:
        org = Org.open(load(data_dir=tmp_path, db=url))
        try:
            assert org.boot is not None
            ctx = WriteContext(org.boot.admin_user_id)
            people = [
                {"FirstName": "Ada", "LastName": "Lovelace", "Title": "Analyst"},
                {"FirstName": "Alan", "LastName": "Turing", "Email": "alan@example.org"},
            ]
            upserted = [org.create(ctx, "Contact", dict(p)) for p in people]
            updated = [org.create(ctx, "Contact", dict(p)) for p in people]
            changes: list[dict[str, Any]] = [
                {"LastName": "King", "Title": "Analyst"},  # Title unchanged
                {"Email": None, "Title": "Professor"},  # one nulled, one set
            ]
            # The upsert's updates must not read the rows a second time.
            reads: list[int] = []
            load_rows = Dml._load

            def counting(self: Dml, *args: Any, **kwargs: Any) -> Any:
                reads.append(1)
                return load_rows(self, *args, **kwargs)

            monkeypatch.setattr(Dml, "_load", counting)
            obj = org.schema.object("Contact")
            key = org.schema.field(obj, "Id")
            assert key is not None
            mark = _last_event_id(org)
            out = org.store.write(
                lambda conn: org.dml.upsert(
                    conn,
                    ctx.fresh(),
                    obj,
                    key,
                    [{"Id": i, **c} for i, c in zip(upserted, changes, strict=True)],
                )
            )
            assert [(o.id, o.created, o.errors) for o in out] == [(i, False, []) for i in upserted]
            assert reads == []
            by_upsert = _events(org, mark)
            mark = _last_event_id(org)
            org.store.write(
                lambda conn: org.dml.update(
                    conn, ctx.fresh(), obj, list(zip(updated, changes, strict=True))
                )
            )
            by_update = _events(org, mark)
            fields = ["Name", "FirstName", "LastName", "Title", "Email"]
            rows = {i: org.retrieve("Contact", i, fields, "59.0") for i in upserted + updated}
        finally:
            org.close()

    def comparable(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        out = []
        for e in events:
            header = e.pop("ChangeEventHeader")
            e.pop("LastModifiedDate")
            out.append((header["changeType"], header["changedFields"], header["nulledFields"], e))
        return out

    for a, b in zip(upserted, updated, strict=True):
        assert {k: v for k, v in rows[a].items() if k != "attributes"} == {
            k: v for k, v in rows[b].items() if k != "attributes"
        }
    assert rows[upserted[0]]["Name"] == "Ada King"
    assert comparable(by_upsert) == comparable(by_update) == [
        ("UPDATE", ["LastName", "Name", "LastModifiedDate"], [], {"LastName": "King", "Name": "Ada King"}),
        ("UPDATE", ["Email", "Title", "LastModifiedDate"], ["Email"], {"Email": None, "Title": "Professor"}),
    ]  # fmt: skip


LEDGER = Path(__file__).resolve().parents[1] / "fixtures" / "sfdx-ledger"


def test_upsert_inserts_still_meet_every_unique_field(backend: str, tmp_path: Path) -> None:
    """An upsert by a unique text key checks its new keys once, with its lookup; the
    other unique fields of the records it inserts are still checked, two rows naming
    one new key (in any case) still clash, and a record naming the key twice is matched
    by the value it would store."""
    from switchboard.org.schema.sfdx import read_project

    with database_url(backend, tmp_path) as url:
        org = Org.open(load(data_dir=tmp_path, db=url))
        try:
            project = read_project(LEDGER)
            org.schema.deploy(project.objects, project.extensions)
            assert org.boot is not None
            ctx = WriteContext(org.boot.admin_user_id)
            held = org.create(ctx, "Vendor__c", {"Name": "Held", "Vendor_Number__c": 7})
            coded = org.create(ctx, "Vendor__c", {"Name": "Coded", "Vendor_Code__c": "HELD-1"})
            obj = org.schema.object("Vendor__c")
            key = org.schema.field(obj, "Vendor_Code__c")
            assert key is not None
            records: list[dict[str, Any]] = [
                {"Vendor_Code__c": "NEW-1", "Name": "Takes a held number", "Vendor_Number__c": 7},
                {"Vendor_Code__c": "NEW-2", "Name": "First"},
                {"Vendor_Code__c": "new-2", "Name": "Same key, other case"},
                {"Vendor_Code__c": "NEW-3", "Name": "Fine", "Vendor_Number__c": 8},
                # The key named twice: the last spelling is the one stored, so it is the
                # one looked up (the first, free, must not let a held key be inserted).
                {"Vendor_Code__c": "FREE-9", "VENDOR_CODE__C": "held-1", "Name": "Renamed"},
            ]
            out = org.store.write(lambda conn: org.dml.upsert(conn, ctx.fresh(), obj, key, records))
            with org.store.read() as conn:
                table = org.schema.table(obj)
                stored = {
                    (code, number)
                    for code, number in conn.execute(
                        sa.select(table.c.vendor_code__c, table.c.vendor_number__c)
                    )
                }
        finally:
            org.close()
    codes = [[e.error_code for e in o.errors] for o in out]
    assert codes == [["DUPLICATE_VALUE"], [], ["DUPLICATE_EXTERNAL_ID"], [], []]
    assert held in out[0].errors[0].message
    assert [o.created for o in out] == [False, True, False, True, False]
    assert out[4].id == coded
    assert stored == {(None, 7.0), ("HELD-1", None), ("NEW-2", None), ("NEW-3", 8.0)}
