"""The sharing predicate is served by indexes: the query plan of a Private-sharing
query reads Account through its (OwnerId, ...) index, never a full scan of the table
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sharing_support import SharedOrg, _user, explain, shared_org

from support.databases import BACKENDS
from switchboard.org.soql.engine import QueryEngine

_BULK = 8000


def _profile(s: SharedOrg) -> str:
    q = f"SELECT ProfileId FROM User WHERE Id = '{s.users['east1']}'"  # noqa: S608
    return str(s.query(q, None)["records"][0]["ProfileId"])


def _explain(s: SharedOrg, text: str, who: str, sqlite: bool) -> str:
    p = s.principal(who)
    plan = QueryEngine(s.org).plan(text, False, p)
    stmt = plan.main
    sql = stmt._paged(200, 0) if plan.mode == "records" else stmt.sql
    values: dict[str, Any] = dict(stmt.static)
    values["_sb_user"], values["_sb_role"] = p.user_id, p.role_id
    return explain(s.org, sql, stmt._driver_args(values), sqlite=sqlite)


@pytest.mark.parametrize("backend", BACKENDS)
def test_private_sharing_predicate_uses_the_owner_index(backend: str, tmp_path: Path) -> None:
    with shared_org(backend, tmp_path, per_user=1) as s:
        obj = s.org.schema.object("Account")
        # Owners outside the hierarchy, so east1's share of the table is as small as in
        # a real org (the planner rightly scans a table one owner holds a fifth of).
        owners = list(s.users.values()) + [
            _user(s.org, s.admin, f"other{i}", None, _profile(s)) for i in range(35)
        ]
        records = [{"Name": f"bulk-{i:05d}", "OwnerId": owners[i % len(owners)]}
                   for i in range(_BULK)]  # fmt: skip
        s.org.store.write(lambda c: s.org.dml.insert(c, s.admin, obj, records))
        if backend != "sqlite":  # SQLite as the org runs it: without ANALYZE statistics
            with s.org.store.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
        plan = _explain(s, "SELECT COUNT() FROM Account", "east1", backend == "sqlite")
        assert "ixs_o_account_owner" in plan, plan
        if backend == "sqlite":
            assert "SCAN t0" not in plan, plan
        else:
            assert "Seq Scan on o_account" not in plan, plan
        expected = 1 + len([i for i in range(_BULK) if i % len(owners) == 1])
        assert s.query("SELECT COUNT() FROM Account", "east1")["totalSize"] == expected
