# ruff: noqa: S608  (SOQL built from constants of this file)
"""SOQL list queries under Private sharing against the same queries as an administrator.

    .venv/bin/python bench/security.py [--db URL] [--accounts 100000] [--owners 50]

Builds a 5-level role hierarchy (CEO, 2 VPs, 4 directors, 8 managers, 16 reps), puts
``--owners`` users in it (the deeper levels first), seeds Accounts owned by them
straight into the table, sets Account to Private, and times each query through the query
engine as the administrator (View All Data) and as non-admin users at two depths of the
tree: a director (sees the records of a quarter of the hierarchy) and a rep (own records
only). Before timing, what each user is shown is checked against the visible set
computed in plain SQL: COUNT(), and every record of ORDER BY Name read page by page
through query locators. On PostgreSQL the tables are VACUUMed (ANALYZE) after the seed,
as autovacuum does after a load in a running org, before either side is timed. Prints the sharing form the engine chose, each median and the
user/admin ratio; the bar is 1.5x. ``--plans`` also prints each user query's plan
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from switchboard.core import ids
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.security.principal import ObjectAccess, Principal
from switchboard.org.security.sharing.deploy import RoleDef, deploy_roles, deploy_sharing
from switchboard.org.soql.engine import QueryEngine

INDUSTRIES = ["Technology", "Retail", "Banking", "Energy", "Media", "Health", "Travel"]
QUERIES = {
    "ORDER BY Name LIMIT 200": "SELECT Id, Name FROM Account ORDER BY Name LIMIT 200",
    "filter + ORDER BY": (
        "SELECT Id, Name FROM Account WHERE Industry = 'Banking' ORDER BY Name LIMIT 200"
    ),
    "LIKE + ORDER BY": (
        "SELECT Id, Name FROM Account WHERE Name LIKE 'b%' ORDER BY Name LIMIT 200"
    ),
    "COUNT()": "SELECT COUNT() FROM Account",
    "GROUP BY": "SELECT Industry, COUNT(Id) n FROM Account GROUP BY Industry",
}
BAR = 1.5


def roles() -> list[RoleDef]:
    out = [RoleDef("CEO", "CEO")]
    level = ["CEO"]
    for depth, title in enumerate(("VP", "Director", "Manager", "Rep"), start=1):
        nxt = []
        for parent in level:
            for k in range(2):
                name = f"{title}_{parent}_{k}" if depth > 1 else f"VP_{k}"
                out.append(RoleDef(name, name.replace("_", " "), parent))
                nxt.append(name)
        level = nxt
    return out


def build(
    org: Org, accounts: int, owners: int, owner_name_index: bool = False
) -> dict[str, tuple[str, str]]:
    """Users by role DeveloperName (the first user of each role) -> (user id, role id)."""
    assert org.boot is not None
    admin = org.boot.admin_user_id
    tree = roles()
    role_ids = deploy_roles(org, admin, tree)
    ctx = WriteContext(admin)
    profile = QueryEngine(org).query(
        f"SELECT ProfileId FROM User WHERE Id = '{admin}'", version="59.0"
    )["records"][0]["ProfileId"]
    # Deeper levels first: most records belong to reps, as in a sales org.
    order = sorted(tree, key=lambda r: -r.developer_name.count("_"))
    users: list[tuple[str, str]] = []
    first: dict[str, tuple[str, str]] = {}
    for i in range(owners):
        r = order[i % len(order)]
        rid = role_ids[r.developer_name.lower()]
        uid = org.create(ctx, "User", {
            "Username": f"u{i}@bench.test", "LastName": f"U{i}", "Email": f"u{i}@bench.test",
            "Alias": f"u{i}", "CommunityNickname": f"u{i}", "ProfileId": profile,
            "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US", "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US", "UserRoleId": rid,
        })  # fmt: skip
        users.append((uid, rid))
        first.setdefault(r.developer_name, (uid, rid))
    deploy_sharing(org, models={"Account": "Private"})
    table = org.schema.table(org.schema.object("Account"))
    rnd = random.Random(7)
    base = dt.datetime(2020, 1, 1)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def work(conn: sa.Connection) -> None:
        rows = []
        for i in range(accounts):
            owner = users[rnd.randrange(len(users))][0]
            when = base + dt.timedelta(minutes=i)
            word = "".join(rnd.choice(letters) for _ in range(8))
            rows.append({
                "id": ids.to18(f"001{i:012d}"), "name": f"{word.title()} {i}",
                "industry": INDUSTRIES[i % len(INDUSTRIES)], "isdeleted": False,
                "createddate": when, "lastmodifieddate": when, "systemmodstamp": when,
                "ownerid": owner, "createdbyid": admin, "lastmodifiedbyid": admin,
            })  # fmt: skip
            if len(rows) == 10_000:
                conn.execute(table.insert(), rows)
                rows = []
        if rows:
            conn.execute(table.insert(), rows)

    org.store.write(work)
    if owner_name_index:
        with org.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE INDEX ix_bench_account_owner_name ON o_account (ownerid, lower(name))"
            )
    if org.store.is_sqlite:
        with org.store.read() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        # VACUUM as autovacuum would soon after such a load in a running org: it sets the
        # visibility map, without which no scan is index-only (every entry would read
        # its row to learn whether it is visible). One table, both sides alike.
        with org.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE)"
            )
    return first


def timeit(first: Callable[[], Any], second: Callable[[], Any], n: int) -> tuple[float, float]:
    """Median seconds of each, timed in alternating rounds: on a shared machine a load
    that comes and goes then weighs on both sides alike, not on whichever ran last."""
    for _ in range(3):
        first()
        second()
    a, b = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        first()
        t1 = time.perf_counter()
        second()
        b.append(time.perf_counter() - t1)
        a.append(t1 - t0)
    return statistics.median(a), statistics.median(b)


def visible(org: Org, user_id: str, role_id: str) -> list[str]:
    """The visible ids in Name order, computed independently of the compiler: the
    records of the user and of the users in roles below theirs."""
    mark = "?" if org.store.is_sqlite else "%s"
    with org.store.read() as conn:
        return [r[0] for r in conn.exec_driver_sql(
            "SELECT a.id FROM o_account a JOIN o_user u ON a.ownerid = u.id "
            f"WHERE NOT a.isdeleted AND (a.ownerid = {mark} OR u.userroleid IN "
            f"(SELECT role_id FROM sb_role_closure WHERE ancestor_id = {mark} AND depth > 0)) "
            "ORDER BY lower(a.name), a.id",
            (user_id, role_id),
        )]  # fmt: skip


def paged(engine: QueryEngine, text: str, user: Principal) -> tuple[list[str], int]:
    """Every record id of ``text`` read through its query locators, and the totalSize."""
    reply = engine.query(text, version="59.0", principal=user)
    out = [r["Id"] for r in reply["records"]]
    while not reply["done"]:
        token = reply["nextRecordsUrl"].rsplit("/", 1)[1]
        reply = engine.more(token, version="59.0", principal=user)
        out += [r["Id"] for r in reply["records"]]
    return out, reply["totalSize"]


def form(org: Org, engine: QueryEngine, user: Principal) -> str:
    """The sharing form the engine picks for ``user`` (sharing.predicate)."""
    with org.store.read() as conn:
        owners = engine._owners(conn, user)
    if owners is None:
        return "subquery"
    return "OwnerId = :user" if len(owners) == 1 else f"OwnerId IN a list of {len(owners)}"


def show_plan(org: Org, engine: QueryEngine, text: str, user: Principal) -> str:
    """The database's plan of ``text`` as ``user`` runs it (the sharing form the engine
    picks for them, its owner list filled in)."""
    from switchboard.org.soql.engine import _slots

    with org.store.read() as conn:
        owners = engine._owners(conn, user)
        plan = engine.plan(text, False, user, owners=0 if owners is None else _slots(len(owners)))
        stmt = plan.main
        values: dict[str, Any] = {**stmt.static, "_sb_user": user.user_id}
        values["_sb_role"] = user.role_id
        for i, slot in enumerate(stmt.owner_slots):
            assert owners is not None
            values[slot] = owners[i] if i < len(owners) else user.user_id
        if stmt.owner_array:
            values["_sb_owners"] = list(owners or ())
        sql = stmt._paged(200, 0) if plan.mode == "records" else stmt.sql
        head = "EXPLAIN QUERY PLAN " if org.store.is_sqlite else "EXPLAIN ANALYZE "
        rows = conn.exec_driver_sql(head + sql, stmt._driver_args(values)).fetchall()
    return "\n".join("      " + str(r[-1]) for r in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--owners", type=int, default=50)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument(
        "--owner-name-index",
        action="store_true",
        help="add an (OwnerId, lower(Name)) index before timing, to measure its effect",
    )
    ap.add_argument("--plans", action="store_true", help="print each user query's plan")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        org = Org.open(load(data_dir=Path(tmp) / "data", db=db))
        try:
            t0 = time.perf_counter()
            first = build(org, args.accounts, args.owners, args.owner_name_index)
            print(f"seeded {args.accounts} accounts, {args.owners} owners, 31 roles "
                  f"in {time.perf_counter() - t0:.1f}s ({db.split(':')[0]})")  # fmt: skip
            assert org.boot is not None
            engine = QueryEngine(org)
            admin = Principal(org.boot.admin_user_id, view_all_data=True, modify_all_data=True,
                              fingerprint="admin")  # fmt: skip
            access = {"account": ObjectAccess(read=True, create=True, edit=True, delete=True)}
            people = {
                "director": first["Director_VP_0_0"],
                "rep": first["Rep_Manager_Director_VP_0_0_0_0"],
            }
            worst = 0.0
            for label, (uid, rid) in people.items():
                user = Principal(uid, role_id=rid, objects=access, fingerprint="standard")
                expected = visible(org, uid, rid)
                got = engine.query("SELECT COUNT() FROM Account", version="59.0", principal=user)
                assert got["totalSize"] == len(expected), (got["totalSize"], len(expected))
                ids, total = paged(engine, "SELECT Id FROM Account ORDER BY Name", user)
                assert total == len(expected) and ids == expected, (total, len(expected))
                print(f"\n{label}: sees {len(expected)} of {args.accounts} accounts (COUNT() "
                      f"and {total} paged records agree; {form(org, engine, user)})")  # fmt: skip
                print(f"  {'query':<26}{'admin ms':>10}{'user ms':>10}{'ratio':>8}")
                for name, text in QUERIES.items():

                    def run(p: Principal = admin, t: str = text) -> Any:
                        return engine.query(t, version="59.0", principal=p)

                    a, u = timeit(run, lambda t=text, p=user: run(p, t), args.runs)  # type: ignore[misc]
                    ratio = u / a
                    worst = max(worst, ratio)
                    print(f"  {name:<26}{a * 1000:>10.2f}{u * 1000:>10.2f}{ratio:>7.2f}x")
                    if args.plans:
                        print(show_plan(org, engine, text, user))
            print(
                f"\nworst ratio {worst:.2f}x (bar {BAR}x): {'met' if worst <= BAR else 'NOT met'}"
            )
        finally:
            org.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
