"""Change Data Capture is enabled per object by the cdc_objects setting."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from switchboard.core.settings import load
from switchboard.events import tables as event_tables
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org


def _channels(org: Org) -> list[str]:
    with org.store.read() as conn:
        return [r[0] for r in conn.execute(sa.select(event_tables.event.c.channel))]


def _write_some(org: Org) -> None:
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    account = org.create(ctx, "Account", {"Name": "Acme"})
    org.create(ctx, "Contact", {"LastName": "Doe", "AccountId": account})
    org.update(ctx, "Account", account, {"Phone": "555"})


def test_only_listed_objects_publish(tmp_path: Path) -> None:
    org = Org.open(load(data_dir=tmp_path, cdc_objects="account"))
    try:
        _write_some(org)
        assert _channels(org) == ["/data/AccountChangeEvent"] * 2
    finally:
        org.close()


def test_every_object_by_default_and_none_when_empty(tmp_path: Path) -> None:
    org = Org.open(load(data_dir=tmp_path / "all"))
    try:
        _write_some(org)
        assert sorted(set(_channels(org))) == [
            "/data/AccountChangeEvent",
            "/data/ContactChangeEvent",
        ]
    finally:
        org.close()
    org = Org.open(load(data_dir=tmp_path / "none", cdc_objects=""))
    try:
        _write_some(org)
        assert _channels(org) == []
    finally:
        org.close()


def test_change_events_carry_datetimes_in_salesforce_form(tmp_path: Path) -> None:
    import re

    import orjson

    org = Org.open(load(data_dir=tmp_path, cdc_objects="account"))
    try:
        _write_some(org)
        with org.store.read() as conn:
            payloads = [
                orjson.loads(p) for (p,) in conn.execute(sa.select(event_tables.event.c.payload))
            ]
    finally:
        org.close()
    created, updated = payloads
    form = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
    assert form.fullmatch(created["CreatedDate"]) and form.fullmatch(created["LastModifiedDate"])
    assert form.fullmatch(updated["LastModifiedDate"]) and updated["Phone"] == "555"
    assert updated["ChangeEventHeader"]["changedFields"] == ["Phone", "LastModifiedDate"]
