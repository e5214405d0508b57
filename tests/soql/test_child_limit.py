# ruff: noqa: S608  (SOQL text assembled from constants of this file)
"""LIMIT in a child subquery is per parent, on each backend: parents with no, one and
many children, ties in the ORDER BY (broken by Id) and nulls placed as Salesforce places
them. The statement cuts the rows itself (a numbered window), so each limited reply is
checked against the unlimited query of the same ORDER BY cut in Python, and a few
against rows written out by hand. Also: aggregate pages read through a locator are cut
from the groups the first page computed."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.org.dml.context import WriteContext
from switchboard.org.soql import MalformedQuery, locators
from switchboard.org.soql.engine import QueryEngine

CONTACTS = [
    # account, LastName, Birthdate, Email
    ("many", "Cole", "1980-05-01", "c@x.com"),
    ("many", "abel", None, None),
    ("many", "Bass", "1990-12-31", "b@x.com"),
    ("many", "bass", None, "b2@x.com"),
    ("many", "Cole", None, None),
    ("many", "Dunn", "1980-05-01", None),
    ("many", "BASS", "1970-01-01", "b3@x.com"),
    ("one", "Solo", None, None),
    ("two", "Zed", "2000-01-01", None),
    ("two", "Alpha", None, "a@x.com"),
    (None, "Orphan", None, None),
]

ORDERS = [
    "",
    "ORDER BY LastName",
    "ORDER BY LastName DESC",
    "ORDER BY Birthdate",
    "ORDER BY Birthdate DESC",
    "ORDER BY Birthdate NULLS LAST, LastName DESC",
    "ORDER BY Birthdate DESC NULLS FIRST",
    "ORDER BY Email DESC NULLS LAST, Birthdate",
    "ORDER BY Account.Name, LastName",
]


@pytest.fixture(scope="module")
def data(blank: Any) -> tuple[Any, dict[str, Any]]:
    org = blank
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    accounts = {
        key: org.create(ctx, "Account", {"Name": name})
        for key, name in [("none", "A0 none"), ("one", "A1 one"), ("two", "A2 two")]
    }
    accounts["many"] = org.create(ctx, "Account", {"Name": "A3 many"})
    contacts: dict[str, list[str]] = {}
    for account, last, born, email in CONTACTS:
        made = org.create(
            ctx,
            "Contact",
            {
                "LastName": last,
                "AccountId": accounts[account] if account else None,
                "Birthdate": born,
                "Email": email,
            },
        )
        contacts.setdefault(last, []).append(made)
    gone = org.create(ctx, "Contact", {"LastName": "Aaron", "AccountId": accounts["many"]})
    org.delete(ctx, "Contact", gone)  # a deleted child is not counted against the LIMIT
    return org, {"accounts": accounts, "contacts": contacts}


def children(org: Any, sub: str, **kw: Any) -> dict[str, Any]:
    """The Contacts value of each Account, by Account name."""
    reply = QueryEngine(org).query(
        f"SELECT Name, ({sub}) FROM Account ORDER BY Name", version="59.0", **kw
    )
    return {r["Name"]: r["Contacts"] for r in reply["records"]}


def ids(value: dict[str, Any] | None) -> list[str]:
    return (
        []
        if value is None
        else [r["attributes"]["url"].rsplit("/", 1)[1] for r in value["records"]]
    )


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("limit", [0, 1, 2, 3, 6, 7, 50])
def test_limit_is_the_first_rows_of_each_parent(data: Any, order: str, limit: int) -> None:
    org, _ = data
    sub = f"SELECT Id, LastName, Birthdate FROM Contacts {order}"
    unlimited = children(org, sub)
    limited = children(org, f"{sub} LIMIT {limit}")
    assert list(limited) == list(unlimited)
    for name, value in limited.items():
        expected = unlimited[name]["records"][:limit] if unlimited[name] else []
        if not expected:
            assert value is None, name  # no child record: null, as without a LIMIT
            continue
        assert value == {"totalSize": len(expected), "done": True, "records": expected}, name
    assert unlimited["A0 none"] is None
    assert len(unlimited["A3 many"]["records"]) == 7


def test_ties_are_broken_by_id_and_text_orders_without_case(data: Any) -> None:
    org, d = data
    c = d["contacts"]
    got = children(org, "SELECT LastName FROM Contacts ORDER BY LastName LIMIT 4")
    # abel < Bass = bass = BASS < Cole: the three equal names in Id order.
    bass = sorted(c["Bass"] + c["bass"] + c["BASS"])
    assert ids(got["A3 many"]) == c["abel"] + bass
    got = children(org, "SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 3")
    assert ids(got["A3 many"]) == c["Dunn"] + sorted(c["Cole"])
    assert ids(got["A1 one"]) == c["Solo"] and got["A0 none"] is None


def test_nulls_first_ascending_and_last_descending(data: Any) -> None:
    org, d = data
    c = d["contacts"]
    nulls = sorted(c["abel"] + c["bass"] + [c["Cole"][1]])
    got = children(org, "SELECT Birthdate FROM Contacts ORDER BY Birthdate LIMIT 2")
    assert ids(got["A3 many"]) == nulls[:2]
    assert [r["Birthdate"] for r in got["A2 two"]["records"]] == [None, "2000-01-01"]
    got = children(org, "SELECT Birthdate FROM Contacts ORDER BY Birthdate DESC LIMIT 2")
    assert [r["Birthdate"] for r in got["A3 many"]["records"]] == ["1990-12-31", "1980-05-01"]
    assert ids(got["A3 many"])[1] == min(c["Cole"][0], c["Dunn"][0])  # tie: lower Id
    got = children(org, "SELECT Birthdate FROM Contacts ORDER BY Birthdate NULLS LAST LIMIT 1")
    assert [r["Birthdate"] for r in got["A3 many"]["records"]] == ["1970-01-01"]
    assert ids(got["A1 one"]) == c["Solo"]  # only a null there: still its first row
    got = children(
        org, "SELECT Birthdate FROM Contacts ORDER BY Birthdate DESC NULLS FIRST LIMIT 4"
    )
    assert ids(got["A3 many"]) == [*nulls, c["Bass"][0]]


@pytest.mark.parametrize("limit", ["", "LIMIT 2", "LIMIT 10"])
@pytest.mark.parametrize("offset", [0, 1, 3, 7])
def test_offset_under_a_parent_limit_1_skips_that_parents_first_rows(
    data: Any, limit: str, offset: int
) -> None:
    """Salesforce allows a child OFFSET only when the outer query has LIMIT 1; it skips
    that many of the parent's children in the subquery's order."""
    org, _ = data
    sub = "SELECT Id, LastName FROM Contacts ORDER BY LastName DESC"
    soql = "SELECT Name, ({}) FROM Account WHERE Name = 'A3 many' LIMIT 1"
    engine = QueryEngine(org)
    every = engine.query(soql.format(sub), version="59.0")["records"][0]["Contacts"]
    got = engine.query(soql.format(f"{sub} {limit} OFFSET {offset}"), version="59.0")
    want = every["records"][offset:]
    if limit:
        want = want[: int(limit.split()[1])]
    value = got["records"][0]["Contacts"]
    assert (value["records"] if value else []) == want


def test_offset_in_a_subquery_needs_a_parent_limit_1(data: Any) -> None:
    org, _ = data
    engine = QueryEngine(org)
    for soql in (
        "SELECT Name, (SELECT Id FROM Contacts LIMIT 2 OFFSET 1) FROM Account",
        "SELECT Name, (SELECT Id FROM Contacts OFFSET 1) FROM Account LIMIT 2",
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact OFFSET 1) LIMIT 1",
    ):
        with pytest.raises(MalformedQuery) as caught:
            engine.query(soql, version="59.0")
        assert caught.value.error_code == "MALFORMED_QUERY"
        assert "OFFSET" in caught.value.message


def test_limit_with_a_filter_and_queryall(data: Any) -> None:
    org, d = data
    c = d["contacts"]
    got = children(org, "SELECT Email FROM Contacts WHERE Email != null ORDER BY Email LIMIT 2")
    assert ids(got["A3 many"]) == c["bass"] + c["BASS"]  # b2@ < b3@ < b@ < c@
    assert got["A1 one"] is None and ids(got["A2 two"]) == c["Alpha"]
    every = children(org, "SELECT LastName FROM Contacts ORDER BY LastName LIMIT 1", all_rows=True)
    assert [r["LastName"] for r in every["A3 many"]["records"]] == ["Aaron"]


def test_child_limit_on_a_later_page_of_parents(data: Any) -> None:
    """The per-parent cut holds on every page of parents, not only the first."""
    org, _ = data
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    engine = QueryEngine(org)
    extra = [org.create(ctx, "Account", {"Name": f"P{i:03d}"}) for i in range(205)]
    for account in (extra[0], extra[204]):
        for last in ("b", "a", "c"):
            org.create(ctx, "Contact", {"LastName": last, "AccountId": account})
    text = (
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 2) "
        "FROM Account WHERE Name LIKE 'P%' ORDER BY Name"
    )
    first = engine.query(text, version="59.0", batch=200)
    rest = engine.more(first["nextRecordsUrl"].rsplit("/", 1)[1], version="59.0")
    for page, index in ((first, 0), (rest, -1)):
        value = page["records"][index]["Contacts"]
        assert [r["LastName"] for r in value["records"]] == ["c", "b"]
        assert value["totalSize"] == 2
    assert rest["records"][0]["Contacts"] is None


def test_aggregate_pages_come_from_the_first_computation(data: Any) -> None:
    """Groups are computed once per locator: a group added between pages neither shifts
    the next page nor changes totalSize; a fresh engine (another process, or the kept
    groups gone) recomputes and still pages correctly."""
    org, _ = data
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    for i in range(250):
        org.create(ctx, "Lead", {"LastName": f"G{i:03d}", "Company": "C"})
    engine = QueryEngine(org)
    text = "SELECT LastName, COUNT(Id) n FROM Lead GROUP BY LastName ORDER BY LastName"
    first = engine.query(text, version="59.0", batch=200)
    token = first["nextRecordsUrl"].rsplit("/", 1)[1]
    assert first["totalSize"] == 250 and len(engine.groups) >= 1
    org.create(ctx, "Lead", {"LastName": "A new group", "Company": "C"})
    rest = engine.more(token, version="59.0")
    assert (rest["totalSize"], rest["done"]) == (250, True)
    assert [r["LastName"] for r in rest["records"]] == [f"G{i:03d}" for i in range(200, 250)]
    # Another process has no kept groups: it computes them again (with the new group).
    other = QueryEngine(org)
    again = other.more(token, version="59.0")
    assert again["totalSize"] == 251
    assert [r["LastName"] for r in again["records"]] == [f"G{i:03d}" for i in range(199, 250)]


def test_kept_groups_are_bounded_and_tied_to_their_plan() -> None:
    plan, other = object(), object()
    kept = locators.KeptGroups(ttl=60, limit=5)
    kept.put("a", plan, [1, 2, 3])
    kept.put("b", plan, [4, 5])
    assert kept.get("a", plan) == [1, 2, 3] and kept.rows == 5
    kept.put("c", plan, [6])  # over the bound: the least recently used ("b") goes
    assert kept.get("b", plan) is None and kept.get("c", plan) == [6]
    kept.put("d", plan, list(range(6)))  # larger than the bound: not kept at all
    assert kept.get("d", plan) is None and kept.rows == 4
    assert kept.get("a", other) is None  # recompiled plan: recompute
    assert kept.get("a", plan) is None and kept.rows == 1
    expired = locators.KeptGroups(ttl=-1)
    expired.put("a", plan, [1])
    assert expired.get("a", plan) is None and expired.rows == 0
