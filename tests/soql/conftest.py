"""An org per backend seeded once per module with a small, fixed data set (and a blank
one for tests that bring their own rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.databases import BACKENDS, database_url
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"

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
    return {
        "accounts": acc,
        "contacts": con,
        "zeta": zeta,
        "task": task,
        **seed_more(org, acc, con),
    }


# Parent chain for 5-level paths: Acme -> beta -> Gamma -> delta -> Epsilon (no parent).
PARENTS = {0: 1, 1: 2, 2: 3, 3: 4}
OPPORTUNITIES = [
    # Name, account index, StageName, Amount, CloseDate. The date cases pin today to
    # 2024-05-15 (a Wednesday; its week runs Sunday 05-12 to Saturday 05-18, Q2 of 2024).
    ("Today", 0, "Prospecting", 100, "2024-05-15"),
    ("Yesterday", 0, "Closed Won", 200, "2024-05-14"),
    ("Tomorrow", 1, "Prospecting", 300, "2024-05-16"),
    ("LastWeek", 1, "Closed Lost", None, "2024-05-08"),
    ("NextWeek", 4, "Prospecting", 500, "2024-05-21"),
    ("LastMonth", 4, "Closed Won", 600, "2024-04-10"),
    ("QuarterEnd", None, "Prospecting", 700, "2024-06-30"),
    ("LeapDay", 2, "Closed Won", 800, "2024-02-29"),
    ("NextQuarter", 2, "Prospecting", 900, "2024-08-01"),
    ("LastYear", 3, "Closed Lost", 1000, "2023-12-31"),
    ("NextYear", 3, "Prospecting", 1100, "2025-01-01"),
    ("MonthStart", 0, "Closed Won", 1200, "2024-05-01"),
    ("Autumn", None, "Prospecting", 1300, "2024-11-15"),
]
BROKERS = [("Ann", "Broker"), ("bob", "Associate")]
PROPERTIES = [
    # Name, broker index, Tags__c, Price__c, City__c, Status__c, Beds__c, Listed_Date__c
    ("Lake House", 0, "Waterfront;Garage", 500000, "Austin", "Available", 3, "2024-05-10"),
    ("City Flat", 0, "Garage", 250000, "austin", "Sold", 1, "2024-01-20"),
    ("Farm", 1, "Garden;Fixer_Upper", 150000, "Waco", "Available", 4, "2023-07-04"),
    ("Lot", None, None, None, None, "Under Agreement", None, "2024-05-15"),
]
OFFERS = [
    # property index, Amount__c, Accepted__c, Offer_Date__c
    (0, 480000, False, "2024-05-11"),
    (0, 510000, True, "2024-05-12"),
    (2, 140000, False, "2023-08-01"),
]
EVENTS = [
    # Subject, What (kind, index), Who (kind, index), ActivityDateTime
    ("Demo", ("opp", 0), ("lead", 0), "2024-05-15T09:30:00Z"),
    ("Lunch", ("acc", 1), ("con", 2), "2024-05-14T23:30:00Z"),
    ("Solo", None, None, "2024-05-16T00:00:00Z"),
]


def seed_more(org: Org, acc: list[str], con: list[str]) -> dict[str, Any]:
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    project = read_project(REALTY)
    org.schema.deploy(project.objects, project.extensions)
    for child, parent in PARENTS.items():
        org.update(ctx, "Account", acc[child], {"ParentId": acc[parent]})
    opp = [
        org.create(
            ctx,
            "Opportunity",
            {
                "Name": n,
                "AccountId": acc[a] if a is not None else None,
                "StageName": st,
                "Amount": am,
                "CloseDate": cd,
            },
        )
        for n, a, st, am, cd in OPPORTUNITIES
    ]
    lead = [
        org.create(ctx, "Lead", {"LastName": ln, "Company": co})
        for ln, co in [("Lee", "LeeCo"), ("50% Off", "Promo_Co"), ("Back\\slash", "O'Brien & Co")]
    ]
    brokers = [
        org.create(ctx, "Broker__c", {"Name": n, "Title__c": t, "Broker_Id__c": f"B{i}"})
        for i, (n, t) in enumerate(BROKERS)
    ]
    props = [
        org.create(
            ctx,
            "Property__c",
            {
                "Name": n,
                "Broker__c": brokers[b] if b is not None else None,
                "Tags__c": tags,
                "Price__c": price,
                "City__c": city,
                "Status__c": status,
                "Beds__c": beds,
                "Listed_Date__c": listed,
            },
        )
        for n, b, tags, price, city, status, beds, listed in PROPERTIES
    ]
    for p, amount, accepted, day in OFFERS:
        org.create(
            ctx,
            "Offer__c",
            {
                "Property__c": props[p],
                "Amount__c": amount,
                "Accepted__c": accepted,
                "Offer_Date__c": day,
            },
        )
    ids = {"opp": opp, "acc": acc, "con": con, "lead": lead}
    for subject, what, who, at in EVENTS:
        org.create(
            ctx,
            "Event",
            {
                "Subject": subject,
                "WhatId": ids[what[0]][what[1]] if what else None,
                "WhoId": ids[who[0]][who[1]] if who else None,
                "ActivityDateTime": at,
                "DurationInMinutes": 30,
            },
        )
    return {"opportunities": opp, "brokers": brokers, "properties": props}


@pytest.fixture(scope="module", params=BACKENDS)
def blank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Org]:
    """An org per backend with no records: for tests that bring their own data."""
    tmp: Path = tmp_path_factory.mktemp(f"soql-blank-{request.param}")
    with database_url(str(request.param), tmp) as url:
        org = Org.open(load(data_dir=tmp, db=url))
        try:
            yield org
        finally:
            org.close()


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
