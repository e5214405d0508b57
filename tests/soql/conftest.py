"""An org per backend seeded once per module with a small, fixed data set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.databases import BACKENDS, database_url
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org

ACCOUNTS = [
    # Name, Industry, NumberOfEmployees, AnnualRevenue, Rating
    ("Acme", "Technology", 100, 1000, "Hot"),
    ("beta", "Retail", 50, None, "Cold"),
    ("Gamma", "Technology", None, 5000, None),
    ("delta", None, 10, 200, "Warm"),
    ("Epsilon", "Banking", 1000, 9000, "Hot"),
]
CONTACTS = [
    # LastName, account index, Email, Birthdate
    ("Smith", 0, "s@acme.com", "1980-05-01"),
    ("jones", 0, None, "1990-12-31"),
    ("Brown", 1, "b@beta.com", None),
    ("Orphan", None, None, None),
    ("Adams", 4, "a@eps.com", "1975-01-15"),
]


def seed(org: Org) -> dict[str, Any]:
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    acc = [
        org.create(
            ctx,
            "Account",
            {
                "Name": n,
                "Industry": i,
                "NumberOfEmployees": e,
                "AnnualRevenue": r,
                "Rating": rt,
            },
        )
        for n, i, e, r, rt in ACCOUNTS
    ]
    con = [
        org.create(
            ctx,
            "Contact",
            {
                "LastName": ln,
                "AccountId": acc[a] if a is not None else None,
                "Email": em,
                "Birthdate": bd,
            },
        )
        for ln, a, em, bd in CONTACTS
    ]
    zeta = org.create(ctx, "Account", {"Name": "Zeta", "Industry": "Retail"})
    org.delete(ctx, "Account", zeta)
    task = org.create(ctx, "Task", {"Subject": "Call", "WhatId": acc[0], "WhoId": con[0]})
    return {"accounts": acc, "contacts": con, "zeta": zeta, "task": task}


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Org, dict[str, Any]]]:
    tmp: Path = tmp_path_factory.mktemp(f"soql-{request.param}")
    with database_url(str(request.param), tmp) as url:
        org = Org.open(load(data_dir=tmp, db=url))
        try:
            yield org, seed(org)
        finally:
            org.close()
