# ruff: noqa: S608  (SOQL text built from the test's own ids)
"""The OwnerId = :user form of the sharing predicate, for a caller with no users below
their role: chosen per query by one engine, it reads the owner index in list order, and
what it returns is exactly what the general predicate returns, through a subordinate
appearing and leaving, an ownership transfer, a sharing rule deploy and a delete;
COUNT() and pages agree with the records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sharing_support import SharedOrg, _user, all_pages, explain, shared_org

from support.databases import BACKENDS
from switchboard.org.security.sharing.deploy import RoleDef, deploy_roles, deploy_sharing
from switchboard.org.security.sharing.rules import SharingRule
from switchboard.org.soql.engine import QueryEngine

LIST = "SELECT Id, Name FROM Account ORDER BY Name"


@pytest.fixture(params=BACKENDS)
def so(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedOrg]:
    with shared_org(str(request.param), tmp_path) as s:
        yield s


def _general(s: SharedOrg, who: str, text: str = LIST) -> list[Any]:
    """What the general predicate returns, run as is (no alone probe)."""
    engine = QueryEngine(s.org)
    plan = engine.plan(text, False, s.principal(who))
    p = s.principal(who)
    with s.org.store.read() as conn:
        rows = plan.main.run(conn, None, page=(2000, 0), access=(p.user_id, p.role_id))
    return [tuple(r[:2]) for r in rows]


def _alone(engine: QueryEngine, s: SharedOrg, who: str) -> bool:
    with s.org.store.read() as conn:
        return engine._owners(conn, s.principal(who)) == (s.users[who],)


def _seen(engine: QueryEngine, s: SharedOrg, who: str, text: str = LIST) -> list[Any]:
    reply = engine.query(text, version="59.0", principal=s.principal(who))
    count = engine.query("SELECT COUNT() FROM Account", version="59.0", principal=s.principal(who))
    rows = [(r["Id"], r["Name"]) for r in reply["records"]]
    assert reply["totalSize"] == count["totalSize"] == len(rows)
    return rows


def test_alone_and_general_forms_agree_through_changes(so: SharedOrg) -> None:
    engine = QueryEngine(so.org)  # one engine: what it remembers between queries counts
    east1 = so.users["east1"]
    assert _alone(engine, so, "east1") and not _alone(engine, so, "vp")
    assert _seen(engine, so, "east1") == _general(so, "east1")
    assert {n for _, n in _seen(engine, so, "east1")} == {f"east1-{i:02d}" for i in range(3)}

    # A role below East, and a user in it with records: east1 sees them at once.
    roles = deploy_roles(so.org, so.admin.user_id, [RoleDef("EastJr", "East Junior", "East")])
    profile = so.query(f"SELECT ProfileId FROM User WHERE Id = '{east1}'", None)["records"][0]
    junior = _user(so.org, so.admin, "junior", roles["eastjr"], profile["ProfileId"])
    jr_acct = so.org.create(so.admin, "Account", {"Name": "junior-00", "OwnerId": junior})
    assert not _alone(engine, so, "east1")
    assert (jr_acct, "junior-00") in _seen(engine, so, "east1")
    assert _seen(engine, so, "east1") == _general(so, "east1")

    # The junior leaves for the West: east1 stops seeing their record (the engine may
    # keep the general form a while; it is right either way).
    so.org.update(so.admin, "User", junior, {"UserRoleId": so.roles["west"]})
    assert (jr_acct, "junior-00") not in _seen(engine, so, "east1")
    assert _seen(engine, so, "east1") == _general(so, "east1")

    # Ownership transfer: west1 (alone) gains the record, east1 loses it.
    mine = so.accounts["east1"][0]
    so.org.update(so.admin, "Account", mine, {"OwnerId": so.users["west1"]})
    assert mine in {i for i, _ in _seen(engine, so, "west1")}
    assert mine not in {i for i, _ in _seen(engine, so, "east1")}
    assert _seen(engine, so, "west1") == _general(so, "west1")

    # A sharing rule opens West's records to East: the alone form keeps the shares.
    deploy_sharing(
        so.org,
        rules=[SharingRule("Account", "WestToEast", "Read", ("role", "East"), ("role", "West"))],
    )
    seen = {i for i, _ in _seen(engine, so, "east1")}
    assert set(so.accounts["west1"]) <= seen and mine in seen
    assert _seen(engine, so, "east1") == _general(so, "east1")

    # A delete: gone from the list and the count alike.
    so.org.delete(so.admin, "Account", so.accounts["east1"][1])
    assert so.accounts["east1"][1] not in {i for i, _ in _seen(engine, so, "east1")}
    assert _seen(engine, so, "east1") == _general(so, "east1")


def test_alone_pages_agree_with_count(tmp_path: Path) -> None:
    with shared_org("sqlite", tmp_path, per_user=450) as s:
        engine = QueryEngine(s.org)
        p = s.principal("west1")
        records, total = all_pages(engine, LIST, p)
        names = [r["Name"] for r in records]
        assert names == sorted(f"west1-{i:02d}" for i in range(450))
        assert total == 450
        offset = engine.query(LIST + " LIMIT 7 OFFSET 300", version="59.0", principal=p)
        assert [r["Name"] for r in offset["records"]] == names[300:307]


@pytest.mark.parametrize("backend", BACKENDS)
def test_alone_list_reads_the_owner_index_in_order(backend: str, tmp_path: Path) -> None:
    with shared_org(backend, tmp_path, per_user=1) as s:
        p = s.principal("east1")
        plan = QueryEngine(s.org).plan(LIST, False, p, owners=1)
        sql = plan.main._paged(200, 0)
        values = {**plan.main.static, "_sb_user": p.user_id, "_sb_role": p.role_id}
        sqlite = backend == "sqlite"
        text = explain(s.org, sql, plan.main._driver_args(values), sqlite=sqlite)
        assert "ixs_o_account_owner" in text, text
        assert ("TEMP B-TREE" not in text) if sqlite else ("Sort" not in text), text
