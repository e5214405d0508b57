# ruff: noqa: S608  (SOQL text built from the test's own ids)
"""An org with a role tree, users in it and Accounts they own, for the sharing tests.

    CEO
    └── VP
        ├── East   (east1, east2)
        └── West   (west1)

The VP user (vp) sits in VP; ceo in CEO. Each user owns ``per_user`` Accounts named
after them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.databases import database_url
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.security.principal import ObjectAccess, Principal
from switchboard.org.security.sharing.deploy import RoleDef, deploy_roles, deploy_sharing
from switchboard.org.soql.engine import QueryEngine

FULL_CRUD = ObjectAccess(read=True, create=True, edit=True, delete=True)
ROLES = [
    RoleDef("CEO", "Chief Executive"),
    RoleDef("VP", "Vice President", "CEO"),
    RoleDef("East", "East Sales", "VP"),
    RoleDef("West", "West Sales", "VP"),
]
USERS = {"ceo": "CEO", "vp": "VP", "east1": "East", "east2": "East", "west1": "West"}


@dataclass
class SharedOrg:
    org: Org
    admin: WriteContext
    roles: dict[str, str]  # DeveloperName (lower) -> id
    users: dict[str, str]  # short name -> id
    accounts: dict[str, list[str]]  # owner short name -> account ids

    def principal(self, who: str, **objects: ObjectAccess) -> Principal:
        access = {"account": FULL_CRUD, "contact": FULL_CRUD, **objects}
        return Principal(
            self.users[who],
            role_id=self.roles[USERS[who].lower()],
            objects=access,
            fingerprint="standard",
        )

    def ctx(self, who: str) -> WriteContext:
        return WriteContext(self.users[who], principal=self.principal(who))

    def query(self, text: str, who: str | None, **kw: Any) -> dict[str, Any]:
        principal = None if who is None else self.principal(who)
        return QueryEngine(self.org).query(text, version="59.0", principal=principal, **kw)


def all_pages(
    engine: QueryEngine, text: str, principal: Principal | None, *, batch: int = 200
) -> tuple[list[dict[str, Any]], int]:
    """Every record of ``text`` as ``principal`` sees it, page by page through the query
    locators, and the ``totalSize`` the last page reports."""
    reply = engine.query(text, version="59.0", batch=batch, principal=principal)
    records = list(reply["records"])
    while not reply["done"]:
        token = reply["nextRecordsUrl"].rsplit("/", 1)[-1]
        reply = engine.more(token, version="59.0", principal=principal)
        records += reply["records"]
    return records, reply["totalSize"]


def explain(org: Org, sql: str, args: Any, *, sqlite: bool) -> str:
    """The database's plan of ``sql`` (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
    PostgreSQL), one line per step.

    At a test's few thousand rows PostgreSQL rightly prefers reading the whole (small)
    table, so sequential scans are turned off: what a test shows is that the predicate
    can be served by an index at all (that it is sargable), not a filter on every row.
    """
    with org.store.read() as conn:
        if not sqlite:
            conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql(
            ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql, args
        ).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def _user(org: Org, admin: WriteContext, name: str, role_id: str | None, profile: str) -> str:
    return org.create(
        admin,
        "User",
        {
            "Username": f"{name}@sharing.test",
            "LastName": name,
            "Email": f"{name}@sharing.test",
            "Alias": name[:8],
            "CommunityNickname": name,
            "ProfileId": profile,
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "UserRoleId": role_id,
        },
    )


@contextmanager
def shared_org(backend: str, tmp: Path, *, per_user: int = 3) -> Iterator[SharedOrg]:
    with database_url(backend, tmp) as url:
        org = Org.open(load(data_dir=tmp / "data", db=url))
        try:
            assert org.boot is not None
            admin = WriteContext(org.boot.admin_user_id)
            roles = deploy_roles(org, org.boot.admin_user_id, ROLES)
            profile = QueryEngine(org).query(
                f"SELECT ProfileId FROM User WHERE Id = '{org.boot.admin_user_id}'",
                version="59.0",
            )["records"][0]["ProfileId"]
            users = {n: _user(org, admin, n, roles[r.lower()], profile) for n, r in USERS.items()}
            deploy_sharing(org, models={"Account": "Private"})
            accounts: dict[str, list[str]] = {}
            for who, uid in users.items():
                accounts[who] = [
                    org.create(admin, "Account", {"Name": f"{who}-{i:02d}", "OwnerId": uid})
                    for i in range(per_user)
                ]
            yield SharedOrg(org, admin, roles, users, accounts)
        finally:
            org.close()
