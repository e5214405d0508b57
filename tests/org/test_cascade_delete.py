"""Deleting an Account takes its Contacts, Opportunities, Cases, Assets and Contracts to
the recycle bin with it, as Salesforce's standard relationships do, each with its own
DELETE change event; describe's cascadeDelete says so."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from support.databases import database_url
from switchboard.core.settings import load
from switchboard.events import tables as event_tables
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.schema.describe import describe_object

CASCADES = {"Contact": "Contacts", "Opportunity": "Opportunities", "Case": "Cases",
            "Asset": "Assets", "Contract": "Contracts"}  # fmt: skip


def _child(org: Org, ctx: WriteContext, kind: str, account: str) -> str:
    values = {
        "Contact": {"LastName": "Kid"},
        "Opportunity": {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-01"},
        "Case": {"Subject": "Help"},
        "Asset": {"Name": "Widget"},
        "Contract": {"StartDate": "2026-01-01", "ContractTerm": 12},
    }[kind]
    return org.create(ctx, kind, {**values, "AccountId": account})


def test_deleting_an_account_cascades(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        org = Org.open(load(data_dir=tmp_path, db=url))
        try:
            assert org.boot is not None
            ctx = WriteContext(org.boot.admin_user_id)
            account = org.create(ctx, "Account", {"Name": "Parent"})
            other = org.create(ctx, "Account", {"Name": "Unrelated"})
            kids = {kind: _child(org, ctx, kind, account) for kind in CASCADES}
            kept = org.create(ctx, "Contact", {"LastName": "Other", "AccountId": other})
            with org.store.read() as conn:
                first_event = conn.execute(sa.select(sa.func.max(event_tables.event.c.id))).scalar()
            org.delete(ctx, "Account", account)
            with org.store.read() as conn:
                for kind, record_id in {**kids, "Account": account}.items():
                    table = org.schema.table(org.schema.object(kind))
                    row = conn.execute(sa.select(table.c.isdeleted).where(table.c.id == record_id))
                    assert row.scalar() is True, kind  # in the recycle bin, not purged
                contacts = org.schema.table(org.schema.object("Contact"))
                still = conn.execute(sa.select(contacts.c.isdeleted).where(contacts.c.id == kept))
                assert still.scalar() is False
                events = conn.execute(
                    sa.select(event_tables.event.c.payload).where(event_tables.event.c.id > first_event)
                ).scalars()
                deleted = {
                    (h["entityName"], h["recordIds"][0])
                    for h in (json.loads(p)["ChangeEventHeader"] for p in events)
                    if h["changeType"] == "DELETE"
                }
            assert deleted == {(k, i) for k, i in {**kids, "Account": account}.items()}
            described = describe_object(org.schema, org.schema.object("Account"), "59.0")
            rels = {r["relationshipName"]: r for r in described["childRelationships"]}
            for name in CASCADES.values():
                assert (
                    rels[name]["cascadeDelete"] is True and rels[name]["restrictedDelete"] is False
                )
            assert rels["ChildAccounts"]["cascadeDelete"] is False  # ParentId is cleared
        finally:
            org.close()
