# ruff: noqa: S608  (SOQL text built from generated fragments; no SQL is built here)
"""Random queries against a small in-Python reference evaluator, and random or mutated
query strings through the HTTP endpoint (only 200 or a Salesforce-shaped 400)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from support.app import asgi_app
from switchboard.org.dml.context import WriteContext
from switchboard.org.identity.tokens import mint
from switchboard.org.soql.engine import QueryEngine
from switchboard.runtime import Runtime

RATINGS = ["Hot", "Warm", "Cold"]
rnd = random.Random(11)
ROWS = [
    {
        "Name": rnd.choice(["al", "Bo", "cy", "Di", "ed", "FA", "gi", "Al"]) + str(i),
        "NumberOfEmployees": rnd.choice([None, 0, 5, 10, 50, 100, 1000]),
        "Rating": rnd.choice([None, *RATINGS]),
    }
    for i in range(40)
]


@pytest.fixture(scope="module")
def org(blank: Any) -> Any:
    org = blank
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    org.store.write(
        lambda c: org.dml.insert(
            c,
            ctx,
            org.schema.object("Lead"),
            [
                {
                    "LastName": r["Name"],
                    "Company": "X",
                    "NumberOfEmployees": r["NumberOfEmployees"],
                    "Rating": r["Rating"],
                }
                for r in ROWS
            ],
        )
    )
    return org


# -- the reference evaluator: (SOQL text, python predicate) pairs -------------------
def atom() -> st.SearchStrategy[tuple[str, Any]]:
    num = st.sampled_from([0, 5, 10, 50, 100, 1000])
    ops = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }

    def numeric(op: str, n: int) -> tuple[str, Any]:
        def pred(r: dict[str, Any]) -> bool:
            v = r["NumberOfEmployees"]
            return op == "!=" if v is None else ops[op](v, n)

        return f"NumberOfEmployees {op} {n}", pred

    def rating(values: list[str], negated: bool) -> tuple[str, Any]:
        inside = {v.lower() for v in values}

        def pred(r: dict[str, Any]) -> bool:
            v = r["Rating"]
            if v is None:
                return negated
            return (v.lower() in inside) != negated

        listed = ", ".join(f"'{v.upper() if len(v) % 2 else v}'" for v in values)
        return f"Rating {'NOT IN' if negated else 'IN'} ({listed})", pred

    def like(prefix: str) -> tuple[str, Any]:
        return f"LastName LIKE '{prefix}%'", lambda r: r["Name"].lower().startswith(prefix.lower())

    def rating_text(op: str, value: str) -> tuple[str, Any]:
        """=, != and LIKE on a text field that is often null."""

        def pred(r: dict[str, Any]) -> bool:
            v = r["Rating"]
            if v is None:
                return op == "!="
            if op == "LIKE":
                return bool(v.lower().startswith(value.lower()))
            return (v.lower() == value.lower()) == (op == "=")

        return (f"Rating LIKE '{value}%'" if op == "LIKE" else f"Rating {op} '{value}'"), pred

    def is_null(field: str, neg: bool) -> tuple[str, Any]:
        key = "NumberOfEmployees" if field == "NumberOfEmployees" else "Rating"
        return f"{field} {'!=' if neg else '='} null", lambda r: (r[key] is None) != neg

    return st.one_of(
        st.builds(numeric, st.sampled_from(list(ops)), num),
        st.builds(
            rating, st.lists(st.sampled_from(RATINGS), min_size=1, max_size=3), st.booleans()
        ),
        st.builds(like, st.sampled_from(["a", "B", "c", "f", "x"])),
        st.builds(rating_text, st.sampled_from(["=", "!=", "LIKE"]), st.sampled_from(["hot", "W"])),
        st.builds(is_null, st.sampled_from(["NumberOfEmployees", "Rating"]), st.booleans()),
    )


def combine(children: st.SearchStrategy[tuple[str, Any]]) -> st.SearchStrategy[tuple[str, Any]]:
    def join(kind: str, parts: list[tuple[str, Any]]) -> tuple[str, Any]:
        text = f" {kind} ".join(f"({p[0]})" for p in parts)
        preds = [p[1] for p in parts]
        if kind == "AND":
            return text, lambda r: all(p(r) for p in preds)
        return text, lambda r: any(p(r) for p in preds)

    def negate(part: tuple[str, Any]) -> tuple[str, Any]:
        return f"NOT ({part[0]})", lambda r: not part[1](r)

    return st.one_of(
        st.builds(join, st.sampled_from(["AND", "OR"]), st.lists(children, min_size=2, max_size=3)),
        st.builds(negate, children),
    )


conditions = st.recursive(atom(), combine, max_leaves=5)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cond=conditions,
    desc=st.booleans(),
    nulls=st.sampled_from([None, "FIRST", "LAST"]),
    limit=st.one_of(st.none(), st.integers(0, 45)),
)
def test_matches_reference(
    org: Any, cond: tuple[str, Any], desc: bool, nulls: Any, limit: Any
) -> None:
    text, pred = cond
    order = f"NumberOfEmployees {'DESC' if desc else 'ASC'}" + (f" NULLS {nulls}" if nulls else "")
    soql = f"SELECT LastName FROM Lead WHERE {text} ORDER BY {order}, LastName"
    if limit is not None:
        soql += f" LIMIT {limit}"
    got = [r["LastName"] for r in QueryEngine(org).query(soql, version="59.0")["records"]]
    rows = [r for r in ROWS if pred(r)]
    nulls_first = nulls == "FIRST" if nulls else not desc
    present = sorted(
        (r for r in rows if r["NumberOfEmployees"] is not None),
        key=lambda r: (
            -r["NumberOfEmployees"] if desc else r["NumberOfEmployees"],
            r["Name"].lower(),
        ),
    )
    absent = sorted(
        (r for r in rows if r["NumberOfEmployees"] is None), key=lambda r: r["Name"].lower()
    )
    ordered = absent + present if nulls_first else present + absent
    expected = [r["Name"] for r in ordered][:limit]
    assert got == expected, soql


# -- fuzzing the HTTP endpoint ---------------------------------------------------------
SEEDS = [
    "SELECT Name, (SELECT LastName FROM Contacts WHERE Email != null) FROM Account "
    "WHERE Industry IN ('A', 'B') AND CreatedDate = LAST_N_DAYS:30 ORDER BY Name DESC NULLS LAST LIMIT 5",
    "SELECT Industry, COUNT(Id) c FROM Account GROUP BY ROLLUP(Industry) HAVING COUNT(Id) > 1",
    "SELECT LastName, Account.Owner.Name FROM Contact WHERE Account.Name LIKE 'A\\_%' OFFSET 3",
    "SELECT TYPEOF What WHEN Account THEN Name END, Who.Name FROM Task WHERE What.Type = 'Account'",
    "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id NOT IN ('001000000000000')",
]
TOKENS = [
    "SELECT",
    "FROM",
    "WHERE",
    "(",
    ")",
    ",",
    "'",
    "=",
    "NULL",
    "Name",
    "Account",
    "Contacts",
    ".",
    "LIMIT",
    "2001",
    "TODAY",
    ":",
    "-",
    "ORDER BY",
    "GROUP BY",
    "\\",
    "%",
]


@pytest.fixture(scope="module")
def client(org: Any) -> Any:
    assert org.boot is not None
    boot = org.boot
    token = org.store.write(
        lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None, lifetime_seconds=3600)
    )
    with TestClient(asgi_app(Runtime.around(org))) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def _check(client: Any, q: str) -> None:
    r = client.get("/services/data/v59.0/query", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text[:300])
    body = r.json()
    if r.status_code == 400:
        assert isinstance(body, list) and body[0]["errorCode"] in {
            "MALFORMED_QUERY",
            "INVALID_FIELD",
            "INVALID_TYPE",
            "INVALID_QUERY_FILTER_OPERATOR",
        }, body
    else:
        assert {"totalSize", "done", "records"} <= set(body)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 8), st.sampled_from(TOKENS)), max_size=4
    ),
)
def test_mutated_queries(client: Any, seed: str, cuts: list[tuple[int, int, str]]) -> None:
    q = seed
    for at, drop, token in cuts:
        at %= len(q) + 1
        q = q[:at] + f" {token} " + q[at + drop :]
    _check(client, q)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(max_size=80))
def test_random_text(client: Any, q: str) -> None:
    _check(client, q)


def test_pagination_and_locators(client: Any, org: Any) -> None:
    ctx = WriteContext(org.boot.admin_user_id)
    org.store.write(
        lambda c: org.dml.insert(
            c, ctx, org.schema.object("Campaign"), [{"Name": f"C{i:04d}"} for i in range(450)]
        )
    )
    seen: list[str] = []
    r = client.get(
        "/services/data/v59.0/query/",
        params={"q": "SELECT Name FROM Campaign ORDER BY Name"},
        headers={"Sforce-Query-Options": "batchSize=200"},
    ).json()
    assert r["totalSize"] == 450 and not r["done"] and len(r["records"]) == 200
    seen += [x["Name"] for x in r["records"]]
    while not r["done"]:
        r = client.get(r["nextRecordsUrl"]).json()
        seen += [x["Name"] for x in r["records"]]
    assert seen == [f"C{i:04d}" for i in range(450)]
    bad = client.get("/services/data/v59.0/query/01gXXXXXXXXXXXXXXX-200")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    count = client.get(
        "/services/data/v59.0/queryAll", params={"q": "SELECT COUNT() FROM Campaign"}
    )
    assert count.json() == {"totalSize": 450, "done": True, "records": []}
