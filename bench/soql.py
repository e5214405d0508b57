# ruff: noqa: S608  (the hand-written SQL is built from constants of this file)
"""SOQL latency against hand-written SQL on the same database, in the same run.

    .venv/bin/python bench/soql.py [--db URL] [--accounts 100000] [--contacts-per 3]

Seeds Accounts and Contacts straight into the object tables (executemany), then times
representative queries through the query engine (parse/compile cached, driver SQL,
record shaping) and the equivalent SQL written by hand through the same driver, and
prints each ratio. Before timing, each hand-written statement is checked to return the
query's records value for value (child rows too). Without ``--db`` it uses a fresh
SQLite file in a temp directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from switchboard.core import ids
from switchboard.core.settings import load
from switchboard.org.runtime import Org
from switchboard.org.soql.engine import QueryEngine

INDUSTRIES = ["Technology", "Retail", "Banking", "Energy", "Media", "Health", "Travel"]


def seed(org: Org, accounts: int, per: int) -> list[str]:
    rnd = random.Random(7)
    schema = org.schema
    acc_t = schema.table(schema.object("Account"))
    con_t = schema.table(schema.object("Contact"))
    assert org.boot is not None
    owner = org.boot.admin_user_id
    base = dt.datetime(2019, 1, 1)
    acc_ids = [ids.to18(f"001{i:012d}") for i in range(accounts)]

    def common(i: int) -> dict[str, Any]:
        when = base + dt.timedelta(minutes=rnd.randrange(6 * 365 * 24 * 60))
        return {
            "isdeleted": False,
            "createddate": when,
            "lastmodifieddate": when,
            "systemmodstamp": when,
            "ownerid": owner,
            "createdbyid": owner,
            "lastmodifiedbyid": owner,
        }

    def work(conn: sa.Connection) -> None:
        rows = [
            {
                "id": acc_ids[i],
                "name": f"Account {i:06d}",
                "industry": INDUSTRIES[i % len(INDUSTRIES)],
                "numberofemployees": rnd.randrange(1, 5000),
                **common(i),
            }
            for i in range(accounts)
        ]
        for k in range(0, len(rows), 10_000):
            conn.execute(acc_t.insert(), rows[k : k + 10_000])
        n = 0
        batch: list[dict[str, Any]] = []
        for i in range(accounts):
            for j in range(per):
                batch.append(
                    {
                        "id": ids.to18(f"003{n:012d}"),
                        "lastname": f"Last{n:07d}",
                        "firstname": f"First{j}",
                        "name": f"First{j} Last{n:07d}",
                        "accountid": acc_ids[i],
                        "email": f"c{n}@example.com",
                        **common(n),
                    }
                )
                n += 1
            if len(batch) >= 10_000:
                conn.execute(con_t.insert(), batch)
                batch = []
        if batch:
            conn.execute(con_t.insert(), batch)

    org.store.write(work)
    if not org.store.is_sqlite:
        with org.store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with org.store.read() as conn:
            conn.exec_driver_sql("ANALYZE")
    return acc_ids


def _id(record: dict[str, Any]) -> str:
    url: str = record["attributes"]["url"]
    return url.rsplit("/", 1)[1]


def _flat(record: dict[str, Any]) -> tuple[Any, ...]:
    """A record as the hand-written SQL returns it: its fields in order, a parent record
    as its id followed by its fields, child relationships left out."""
    out: list[Any] = []
    for key, value in record.items():
        if key == "attributes" or (isinstance(value, dict) and "records" in value):
            continue
        if isinstance(value, dict):
            out += [_id(value), *_flat(value)]
        else:
            out.append(value)
    return tuple(out)


def _children(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The child records of a reply as (fields..., parent id), ordered by child id."""
    return sorted(
        (*_flat(child), _id(parent))
        for parent in records
        for value in parent.values()
        if isinstance(value, dict) and "records" in value
        for child in value["records"]
    )


def timeit(fn: Callable[[], Any], n: int) -> float:
    for _ in range(min(20, n)):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="")
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--contacts-per", type=int, default=3)
    args = ap.parse_args()
    # Removed afterwards: at the default size the SQLite file is about 200 MB.
    with tempfile.TemporaryDirectory(prefix="soql-bench-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'org.db'}"
        org = Org.open(load(data_dir=Path(tmp), db=url))
        try:
            run(org, args.accounts, args.contacts_per)
        finally:
            org.close()


def run(org: Org, accounts: int, per: int) -> None:
    t0 = time.perf_counter()
    acc_ids = seed(org, accounts, per)
    print(
        f"backend {org.store.dialect.name}: seeded {accounts} accounts, "
        f"{accounts * per} contacts in {time.perf_counter() - t0:.1f}s"
    )
    engine = QueryEngine(org)
    sqlite = org.store.is_sqlite
    false = "0" if sqlite else "false"
    ph = (lambda n: "?") if sqlite else (lambda n: f"%({n})s")
    target = acc_ids[len(acc_ids) // 2]

    def params(**kw: Any) -> Any:
        return tuple(kw.values()) if sqlite else kw

    cases: list[tuple[str, str, str, Any, int, str | None]] = [
        (
            "point lookup by Id",
            f"SELECT Id, Name, Industry FROM Account WHERE Id = '{target}'",
            f"SELECT id, name, industry FROM o_account WHERE isdeleted = {false} "
            f"AND id = {ph('a')}",
            params(a=target),
            2000,
            None,
        ),
        (
            "filtered list, ORDER BY, LIMIT",
            "SELECT Id, Name FROM Account WHERE Industry = 'banking' "
            "AND NumberOfEmployees > 1000 ORDER BY Name LIMIT 50",
            f"SELECT id, name FROM o_account WHERE isdeleted = {false} "
            f"AND lower(industry) = {ph('a')} AND numberofemployees > {ph('b')} "
            "ORDER BY lower(name), id LIMIT 50",
            params(a="banking", b=1000.0),
            50,
            None,
        ),
        (
            "parent fields from a child",
            "SELECT Id, LastName, Account.Name, Account.Industry FROM Contact "
            "ORDER BY Id LIMIT 200",
            "SELECT c.id, c.lastname, a.id, a.name, a.industry FROM o_contact c "
            f"LEFT OUTER JOIN o_account a ON a.id = c.accountid WHERE c.isdeleted = {false} "
            "ORDER BY c.id LIMIT 200",
            params(),
            200,
            None,
        ),
        (
            "parent with a child subquery",
            "SELECT Id, Name, (SELECT Id, LastName FROM Contacts) FROM Account "
            "ORDER BY Id LIMIT 200",
            f"SELECT id, name FROM o_account WHERE isdeleted = {false} ORDER BY id LIMIT 200",
            params(),
            200,
            f"SELECT id, lastname, accountid FROM o_contact WHERE isdeleted = {false} "
            "AND accountid IN ({ids}) ORDER BY id",
        ),
        (
            "child subquery, ORDER BY, LIMIT 2",
            "SELECT Id, Name, (SELECT Id, LastName FROM Contacts ORDER BY LastName LIMIT 2) "
            "FROM Account ORDER BY Id LIMIT 200",
            f"SELECT id, name FROM o_account WHERE isdeleted = {false} ORDER BY id LIMIT 200",
            params(),
            200,
            "SELECT id, lastname, accountid FROM (SELECT id, lastname, accountid, "
            "row_number() OVER (PARTITION BY accountid ORDER BY lower(lastname) NULLS FIRST, "
            f"id) AS rn FROM o_contact WHERE isdeleted = {false} AND accountid IN ({{ids}})) "
            "AS c WHERE rn <= 2 ORDER BY id",
        ),
        (
            "GROUP BY a date function",
            "SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id) FROM Account "
            "GROUP BY CALENDAR_YEAR(CreatedDate)",
            (
                "SELECT CAST(strftime('%Y', createddate) AS INTEGER) y, count(id) "
                f"FROM o_account WHERE isdeleted = {false} GROUP BY y"
                if sqlite
                else "SELECT CAST(EXTRACT(year FROM createddate) AS INTEGER) y, count(id) "
                f"FROM o_account WHERE isdeleted = {false} GROUP BY y"
            ),
            params(),
            20,
            None,
        ),
    ]
    print(f"{'query':34} {'engine ms':>10} {'SQL ms':>10} {'ratio':>7}")
    for label, soql, sql, prm, n, child_sql in cases:
        # The hand-written SQL must return what the query does, value for value.
        reply = engine.query(soql, version="59.0")
        records = reply["records"]
        with org.store.read() as conn:
            expected = [tuple(r) for r in conn.exec_driver_sql(sql, prm).fetchall()]
            if child_sql:
                ids = [r[0] for r in expected]
                marks = ",".join(ph(f"i{k}") for k in range(len(ids)))
                cp = tuple(ids) if sqlite else {f"i{k}": v for k, v in enumerate(ids)}
                children = conn.exec_driver_sql(child_sql.format(ids=marks), cp).fetchall()
                assert _children(records) == [tuple(r) for r in children], label
        got = [_flat(r) for r in records]
        if "ORDER BY" not in soql:
            got, expected = sorted(got), sorted(expected)
        assert got == expected, (label, got[:3], expected[:3])

        def run_engine(soql: str = soql) -> Any:
            return engine.query(soql, version="59.0")

        def run_sql(sql: str = sql, prm: Any = prm, child_sql: str | None = child_sql) -> Any:
            with org.store.read() as conn:
                rows = conn.exec_driver_sql(sql, prm).fetchall()
                if child_sql:
                    marks = ",".join(ph(f"i{k}") for k in range(len(rows)))
                    values = [r[0] for r in rows]
                    cp = tuple(values) if sqlite else {f"i{k}": v for k, v in enumerate(values)}
                    conn.exec_driver_sql(child_sql.format(ids=marks), cp).fetchall()
                return rows

        runs = max(5, n if label != "GROUP BY a date function" else 10)
        te = timeit(run_engine, runs)
        ts = timeit(run_sql, runs)
        print(f"{label:34} {te * 1000:10.3f} {ts * 1000:10.3f} {te / ts:7.2f}x")
    paged_groups(org, engine, false, accounts)
    print(f"plan cache: {engine.cache.hits} hits, {engine.cache.misses} misses")


def paged_groups(org: Org, engine: Any, false: str, accounts: int) -> None:
    """A GROUP BY with more groups than a page, read to the end through its locator,
    against one hand-written GROUP BY that fetches every group at once."""
    soql = "SELECT Name, COUNT(Id) FROM Account GROUP BY Name ORDER BY Name"
    sql = (
        f"SELECT name, count(id) FROM o_account WHERE isdeleted = {false} "
        "GROUP BY name ORDER BY lower(name)"
    )

    def run_engine() -> list[dict[str, Any]]:
        reply = engine.query(soql, version="59.0")
        records = list(reply["records"])
        while not reply["done"]:
            reply = engine.more(reply["nextRecordsUrl"].rsplit("/", 1)[1], version="59.0")
            records += reply["records"]
        return records

    def run_sql() -> Any:
        with org.store.read() as conn:
            return conn.exec_driver_sql(sql).fetchall()

    got = [_flat(r) for r in run_engine()]
    assert got == [tuple(r) for r in run_sql()], "paged GROUP BY"
    pages = -(-accounts // 2000)
    te = timeit(run_engine, 5)
    ts = timeit(run_sql, 5)
    label = f"GROUP BY, all {pages} pages"
    print(f"{label:34} {te * 1000:10.3f} {ts * 1000:10.3f} {te / ts:7.2f}x")


if __name__ == "__main__":
    main()
