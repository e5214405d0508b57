# ruff: noqa: S608  (SOQL text built from the test's own values)
"""The merged form of the owner list: a filtered list ordered by Name, for a caller with
a few users below their role, is read as one arm per owner under an ordered UNION ALL
(compiler._merged). Its pages are the records the IN form and a plain read with no
predicate give, in the same order: ties on Name across owners broken by Id, LIMIT and
OFFSET, every page through query locators, a parent's field, a second sort key; shares
keep the IN form, and so do unfiltered lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sharing_support import SharedOrg, all_pages, shared_org

from support.databases import BACKENDS
from switchboard.org.security.sharing.deploy import deploy_sharing
from switchboard.org.security.sharing.rules import SharingRule
from switchboard.org.soql.engine import QueryEngine

TEAM = ("vp", "east1", "east2", "west1")
FILTERED = [
    "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Name",
    "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Name LIMIT 5",
    "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Name LIMIT 4 OFFSET 3",
    "SELECT Id, Name, Industry FROM Account WHERE Industry != 'Retail' "
    "ORDER BY Name ASC NULLS FIRST, Industry DESC",
    "SELECT Id, Name, Parent.Name FROM Account WHERE Parent.Name = null "
    "AND Industry IN ('Banking', 'Energy') ORDER BY Name LIMIT 9",
]


@pytest.fixture(params=BACKENDS)
def so(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedOrg]:
    with shared_org(str(request.param), tmp_path, per_user=8) as s:
        industries = ("Banking", "Retail", "Energy")
        for ids in s.accounts.values():
            for i, rid in enumerate(ids):
                change: dict[str, Any] = {"Industry": industries[i % 3]}
                if i % 4 == 0:  # the same Name under every owner: ties across arms
                    change["Name"] = f"shared-{i:02d}"
                s.org.update(s.admin, "Account", rid, change)
        yield s


def _engines(s: SharedOrg) -> tuple[QueryEngine, QueryEngine]:
    """An engine that merges (on either backend, so that both run the merged SQL) and
    one that never does."""
    merging, walking = QueryEngine(s.org), QueryEngine(s.org)
    merging.dialect = type(merging.dialect)()
    merging.dialect.owner_arms = 16
    walking.dialect = type(walking.dialect)()
    walking.dialect.owner_arms = 0
    return merging, walking


def _all(engine: QueryEngine, text: str, s: SharedOrg, who: str) -> tuple[list[Any], int]:
    return all_pages(engine, text, s.principal(who))


def _merged(engine: QueryEngine, text: str, s: SharedOrg, who: str) -> bool:
    """Whether the engine's plan for ``who`` reads the arms (the SQL it would run)."""
    p = s.principal(who)
    with s.org.store.read() as conn:
        plan, _, _ = engine.bind(conn, engine.plan(text, False, p), text, False, p)
    return "UNION ALL" in plan.main.sql


def _expected(s: SharedOrg, text: str, owners: set[str]) -> list[str]:
    """The ids of ``text`` read with no predicate, kept when their owner is listed."""
    select, _, rest = text.partition(" FROM Account")
    where, _, order = rest.partition(" ORDER BY ")
    order, _, paging = order.partition(" LIMIT ")
    rows = s.query(f"{select}, OwnerId FROM Account{where} ORDER BY {order}", None)["records"]
    ids = [r["Id"] for r in rows if r["OwnerId"] in owners]
    if paging:
        limit, _, offset = paging.partition(" OFFSET ")
        start = int(offset or 0)
        ids = ids[start : start + int(limit)]
    return ids


def test_merged_pages_are_the_visible_records_in_order(so: SharedOrg) -> None:
    merging, walking = _engines(so)
    team = {so.users[w] for w in TEAM}
    for text in FILTERED:
        assert _merged(merging, text, so, "vp"), text
        assert not _merged(walking, text, so, "vp"), text
        merged, total = _all(merging, text, so, "vp")
        walked, walked_total = _all(walking, text, so, "vp")
        assert merged == walked, text
        assert [r["Id"] for r in merged] == _expected(so, text, team), text
        assert total == walked_total == len(merged), text
        count = (
            "SELECT COUNT() FROM Account" + text.partition(" FROM Account")[2].split(" ORDER")[0]
        )
        if " LIMIT" not in text:
            got = merging.query(count, version="59.0", principal=so.principal("vp"))
            assert got["totalSize"] == total, text
    # The whole tie group comes in Id order, wherever its owners' arms are.
    rows, _ = _all(merging, FILTERED[0], so, "vp")
    ties = [r["Id"] for r in rows if r["Name"] == "shared-00"]
    assert len(ties) == len(TEAM) and ties == sorted(ties)


def test_merged_with_fewer_owners_than_slots(so: SharedOrg) -> None:
    """The CEO: six owners in eight slots, the slots past the list holding no owner (no
    record twice); the VP: four in four."""
    merging, _ = _engines(so)
    text = FILTERED[0]
    for who, team in (("ceo", set(so.users.values())), ("vp", {so.users[w] for w in TEAM})):
        rows, total = _all(merging, text, so, who)
        ids = [r["Id"] for r in rows]
        assert _merged(merging, text, so, who)
        assert ids == _expected(so, text, team) and len(set(ids)) == len(ids) == total


def test_unfiltered_lists_and_shares_keep_the_in_form(so: SharedOrg) -> None:
    merging, walking = _engines(so)
    for text in (
        "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5",
        "SELECT Id, Name FROM Account WHERE Name LIKE 'shared%' ORDER BY Name",
        "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Name DESC",
        "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Industry, Name",
    ):
        assert not _merged(merging, text, so, "vp"), text
        assert _all(merging, text, so, "vp") == _all(walking, text, so, "vp")
    deploy_sharing(
        so.org,
        rules=[SharingRule("Account", "CeoToVp", "Read", ("role", "VP"), ("role", "CEO"))],
    )
    merging, _ = _engines(so)
    text = FILTERED[0]
    assert not _merged(merging, text, so, "vp")
    ids = {r["Id"] for r in _all(merging, text, so, "vp")[0]}
    team = {so.users[w] for w in TEAM} | {so.users["ceo"]}  # the CEO's shared by the rule
    assert ids == set(_expected(so, text, team))
