"""The match keys the DML path keeps for duplicate rules, on each backend: records stored
before the rule deployed are found (the deploy backfills their keys), an update that
changes a compared field moves the record's keys, a deleted record is no candidate, and
a lookup reads the keys table rather than every record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from support.rest import FIXTURES
from switchboard.core.settings import Settings
from switchboard.org.dml.context import WriteContext
from switchboard.org.duplicates import tables
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project


def _insert(org: Org, ctx: WriteContext, **values: Any) -> Any:
    obj = org.schema.object("Account")
    (out,) = org.store.write(lambda c: org.dml.insert(c, ctx.fresh(), obj, [values]))
    return out


def _keys(org: Org) -> list[tuple[str, str]]:
    k = tables.match_key
    with org.store.read() as conn:
        return sorted(conn.execute(sa.select(k.c.record_id, k.c.key)).all())  # type: ignore[arg-type]


def test_keys_are_backfilled_kept_and_dropped(db_url: str, tmp_path: Path) -> None:
    org = Org.open(Settings(data_dir=tmp_path / "data", db=db_url))
    try:
        ctx = WriteContext(org.boot.admin_user_id if org.boot else "005000000000000AAA")
        first = _insert(org, ctx, Name="Acme Inc.", Phone="(415) 555-0100")
        _insert(org, ctx, Name="Globex", Phone="(212) 555-0199")
        assert first.success
        p = read_project(FIXTURES / "sfdx-governance")
        org.schema.deploy(p.objects, p.extensions, p.validation_rules, p.duplicate_rules)
        assert {rid for rid, _ in _keys(org)} >= {first.id}  # backfilled at deploy

        again = _insert(org, ctx, Name="ACME, Incorporated", Phone="+1 415.555.0100")
        assert [e.error_code for e in again.errors] == ["DUPLICATES_DETECTED"]
        matched = again.errors[0].duplicate_result["matchResults"][0]["matchRecords"]
        assert [m["Id"] for m in (r["record"] for r in matched)] == [first.id]

        # A changed phone moves the record's keys: the old phone no longer matches it.
        obj = org.schema.object("Account")
        org.store.write(
            lambda c: org.dml.update(c, ctx.fresh(), obj, [(first.id, {"Phone": "999"})])
        )
        assert _insert(org, ctx, Name="Acme", Phone="415-555-0100").success
        assert not _insert(org, ctx, Name="Acme Corp", Phone="999").success

        # A deleted record is nobody's duplicate, and its keys are gone.
        org.store.write(lambda c: org.dml.delete(c, ctx.fresh(), obj, [first.id]))
        assert first.id not in {rid for rid, _ in _keys(org)}
        assert _insert(org, ctx, Name="Acme Company", Phone="999").success
    finally:
        org.close()
