"""The delete log keeps each deletion 15 days: the deletes that add to it drop older
entries, in the deleting transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from support.databases import database_url
from switchboard.core import clock
from switchboard.core.settings import load
from switchboard.org.dml import tables as dml_tables
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org


def test_old_entries_age_out(backend: str, tmp_path: Path) -> None:
    dl = dml_tables.delete_log
    with database_url(backend, tmp_path) as url:
        org = Org.open(load(data_dir=tmp_path, db=url))
        try:
            assert org.boot is not None
            ctx = WriteContext(org.boot.admin_user_id)
            now = clock.now()
            old = [("Account", "001000000000001AAA", now - timedelta(days=16)),
                   ("Account", "001000000000002AAA", now - timedelta(days=14))]  # fmt: skip
            org.store.write(lambda c: c.execute(dl.insert(), [
                {"object_name": o, "record_id": r, "deleted_at": at} for o, r, at in old
            ]))  # fmt: skip
            gone = org.create(ctx, "Account", {"Name": "Soon gone"})
            org.delete(ctx, "Account", gone)
            with org.store.read() as conn:
                left = conn.execute(sa.select(dl.c.record_id).order_by(dl.c.record_id)).all()
            assert [r for (r,) in left] == ["001000000000002AAA", gone]
        finally:
            org.close()
