# ruff: noqa: S608  (SOQL text built from the test's own ids)
"""The owner-list form of the sharing predicate: a caller with a few users below their
role gets ``OwnerId IN (:o1, ...)`` with the list read in the query's own transaction.
A subordinate added or moved away, and an ownership transfer, are seen by the very next
query; the subquery form past the list's limit returns the same rows; shares still
reach the caller; COUNT() and pages agree with the records; the plan reads the owner
index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sharing_support import SharedOrg, _user, all_pages, explain, shared_org

from support.databases import BACKENDS
from switchboard.org.security.sharing.deploy import RoleDef, deploy_roles, deploy_sharing
from switchboard.org.security.sharing.rules import SharingRule
from switchboard.org.soql import engine as engine_module
from switchboard.org.soql.engine import QueryEngine

LIST = "SELECT Id, Name FROM Account ORDER BY Name"
COUNT = "SELECT COUNT() FROM Account"


@pytest.fixture(params=BACKENDS)
def so(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedOrg]:
    with shared_org(str(request.param), tmp_path) as s:
        yield s


def _forms(engine: QueryEngine) -> set[str]:
    """The sharing forms of the plans the engine has compiled (by plan cache key)."""
    return {key[2].partition("/")[2] for key in engine.cache._items}


def _seen(engine: QueryEngine, s: SharedOrg, who: str) -> list[tuple[str, str]]:
    p = s.principal(who)
    reply = engine.query(LIST, version="59.0", principal=p)
    count = engine.query(COUNT, version="59.0", principal=p)
    rows = [(r["Id"], r["Name"]) for r in reply["records"]]
    assert reply["totalSize"] == count["totalSize"] == len(rows)
    return rows


def _expected(s: SharedOrg, owners: set[str]) -> list[tuple[str, str]]:
    """Every live Account whose owner is one of ``owners``, read with no predicate."""
    rows = s.query("SELECT Id, Name, OwnerId FROM Account ORDER BY Name", None)["records"]
    return [(r["Id"], r["Name"]) for r in rows if r["OwnerId"] in owners]


def _profile(s: SharedOrg) -> str:
    q = f"SELECT ProfileId FROM User WHERE Id = '{s.users['east1']}'"
    return str(s.query(q, None)["records"][0]["ProfileId"])


def test_owner_list_sees_role_changes_and_transfers_at_once(so: SharedOrg) -> None:
    engine = QueryEngine(so.org)  # one engine: what it keeps between queries counts
    u = so.users
    vp_team = {u["vp"], u["east1"], u["east2"], u["west1"]}
    assert _seen(engine, so, "vp") == _expected(so, vp_team)
    assert "owners4" in _forms(engine)  # vp and three below: four slots

    # A user placed under East (below the VP) with a record: the next query shows it.
    roles = deploy_roles(so.org, so.admin.user_id, [RoleDef("EastJr", "East Junior", "East")])
    junior = _user(so.org, so.admin, "junior", roles["eastjr"], _profile(so))
    jr = so.org.create(so.admin, "Account", {"Name": "junior-00", "OwnerId": junior})
    assert (jr, "junior-00") in _seen(engine, so, "vp")
    assert _seen(engine, so, "vp") == _expected(so, vp_team | {junior})
    assert "owners8" in _forms(engine)  # five owners: the list grew to eight slots

    # The junior moves above the VP (to CEO): their record leaves the VP's list at once.
    so.org.update(so.admin, "User", junior, {"UserRoleId": so.roles["ceo"]})
    assert (jr, "junior-00") not in _seen(engine, so, "vp")
    assert _seen(engine, so, "vp") == _expected(so, vp_team)

    # Ownership transfer to the CEO: the VP loses the record in the next query.
    moved = so.accounts["west1"][0]
    so.org.update(so.admin, "Account", moved, {"OwnerId": u["ceo"]})
    assert moved not in {i for i, _ in _seen(engine, so, "vp")}
    # ...and gains one the CEO hands to east2.
    back = so.accounts["ceo"][0]
    so.org.update(so.admin, "Account", back, {"OwnerId": u["east2"]})
    assert back in {i for i, _ in _seen(engine, so, "vp")}
    assert _seen(engine, so, "vp") == _expected(so, vp_team)


def test_fallback_past_the_limit_returns_the_same_rows(
    so: SharedOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = QueryEngine(so.org)
    rows = _seen(listed, so, "ceo")
    assert "owners8" in _forms(listed)  # the CEO and five below
    for text in (LIST + " LIMIT 3 OFFSET 2", "SELECT Name FROM Account WHERE Name LIKE 'e%'"):
        assert listed.query(text, version="59.0", principal=so.principal("ceo"))["records"]

    monkeypatch.setattr(engine_module, "LISTED_OWNERS", 3)  # five below is now too many
    general = QueryEngine(so.org)
    assert _seen(general, so, "ceo") == rows
    assert _forms(general) == {""}  # the subquery form only
    for text in (LIST + " LIMIT 3 OFFSET 2", "SELECT Name FROM Account WHERE Name LIKE 'e%'"):
        a = listed.query(text, version="59.0", principal=so.principal("ceo"))["records"]
        b = general.query(text, version="59.0", principal=so.principal("ceo"))["records"]
        assert a == b
    # Fewer below than the limit still gets the list (the VP has three below).
    _seen(general, so, "vp")
    assert "owners4" in _forms(general)


def test_owner_list_keeps_shares(so: SharedOrg) -> None:
    engine = QueryEngine(so.org)
    deploy_sharing(
        so.org,
        rules=[SharingRule("Account", "CeoToEast", "Read", ("role", "East"), ("role", "CEO"))],
    )
    # east1 has nobody below: a junior under East puts them on the list form.
    roles = deploy_roles(so.org, so.admin.user_id, [RoleDef("EastJr", "East Junior", "East")])
    junior = _user(so.org, so.admin, "junior", roles["eastjr"], _profile(so))
    seen = {i for i, _ in _seen(engine, so, "east1")}
    assert "owners2" in _forms(engine)
    assert set(so.accounts["ceo"]) <= seen  # shared by the rule
    assert set(so.accounts["east1"]) <= seen
    assert not set(so.accounts["east2"]) & seen  # a peer's records stay hidden
    jr = so.org.create(so.admin, "Account", {"Name": "junior-00", "OwnerId": junior})
    assert jr in {i for i, _ in _seen(engine, so, "east1")}


def test_owner_list_pages_agree_with_count(tmp_path: Path) -> None:
    with shared_org("sqlite", tmp_path, per_user=150) as s:
        engine = QueryEngine(s.org)
        p = s.principal("vp")
        records, total = all_pages(engine, LIST, p)
        names = [r["Name"] for r in records]
        team = ("vp", "east1", "east2", "west1")
        assert names == sorted(f"{w}-{i:02d}" for w in team for i in range(150))
        assert total == 600
        assert engine.query(COUNT, version="59.0", principal=p)["totalSize"] == 600
        page = engine.query(LIST + " LIMIT 7 OFFSET 300", version="59.0", principal=p)
        assert [r["Name"] for r in page["records"]] == names[300:307]


def _plan_text(s: SharedOrg, text: str, who: str, sqlite: bool) -> str:
    engine = QueryEngine(s.org)
    p = s.principal(who)
    with s.org.store.read() as conn:
        owners = engine._owners(conn, p)
    assert owners is not None and len(owners) > 1
    plan = engine.plan(text, False, p, owners=engine_module._slots(len(owners)))
    stmt = plan.main
    # constants (one slot each on SQLite, one text[] on PostgreSQL), no subquery
    assert (stmt.owner_slots if sqlite else stmt.owner_array) and "sbu" not in stmt.sql
    sql = stmt._paged(200, 0) if plan.mode == "records" else stmt.sql
    values: dict[str, Any] = dict(stmt.static)
    values["_sb_user"], values["_sb_role"] = p.user_id, p.role_id
    for i, slot in enumerate(stmt.owner_slots):
        values[slot] = owners[i] if i < len(owners) else p.user_id
    if stmt.owner_array:
        values["_sb_owners"] = list(owners)
    return explain(s.org, sql, stmt._driver_args(values), sqlite=sqlite)


@pytest.mark.parametrize("backend", BACKENDS)
def test_owner_list_count_reads_the_owner_index(backend: str, tmp_path: Path) -> None:
    with shared_org(backend, tmp_path, per_user=1) as s:
        obj = s.org.schema.object("Account")
        others = [_user(s.org, s.admin, f"other{i}", None, _profile(s)) for i in range(30)]
        owners = list(s.users.values()) + others
        records = [{"Name": f"bulk-{i:05d}", "OwnerId": owners[i % len(owners)]}
                   for i in range(6000)]  # fmt: skip
        s.org.store.write(lambda c: s.org.dml.insert(c, s.admin, obj, records))
        sqlite = backend == "sqlite"
        if not sqlite:
            with s.org.store.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
        plan = _plan_text(s, COUNT, "vp", sqlite)
        assert ("ixs_o_account_owner" if sqlite else "ixs_o_account_ownername") in plan, plan
        assert ("SCAN t0" not in plan) if sqlite else ("Seq Scan" not in plan), plan
        team = {s.users[w] for w in ("vp", "east1", "east2", "west1")}
        expected = 4 + sum(1 for r in records if r["OwnerId"] in team)
        assert s.query(COUNT, "vp")["totalSize"] == expected
