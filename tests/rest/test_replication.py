"""Data replication through simple-salesforce's ``updated`` and ``deleted``: the records
changed within a span, the deletions (soft, hard and cascaded) from the delete log, and
Salesforce's errors for bad spans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(REALTY))
    return sf


def _span() -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(minutes=2), now + dt.timedelta(minutes=2)


def _error(call: Any) -> str:
    with pytest.raises(SalesforceMalformedRequest) as err:
        call()
    return str(err.value.content[0]["errorCode"])


def test_updated_and_deleted_records(realty: Any) -> None:
    sf = realty
    start, end = _span()
    kept = sf.Account.create({"Name": "Rep kept"})["id"]
    soft = sf.Account.create({"Name": "Rep soft"})["id"]
    hard = sf.Account.create({"Name": "Rep hard"})["id"]
    sf.Account.update(kept, {"Phone": "555"})
    sf.Account.delete(soft)
    res = sf.bulk2.Account.hard_delete(records=[{"Id": hard}], wait=0.2)
    assert res[0]["numberRecordsFailed"] == 0
    master = sf.Property__c.create({"Name": "Rep master"})["id"]
    detail = sf.Offer__c.create({"Property__c": master, "Amount__c": 1})["id"]
    sf.Property__c.delete(master)  # takes its detail with it

    changed = sf.Account.updated(start, end)
    mine = {kept, soft, hard}
    assert mine & set(changed["ids"]) == {kept}  # deletions are the other list's
    assert changed["latestDateCovered"] <= end.strftime("%Y-%m-%dT%H:%M:00.000+0000")

    gone = sf.Account.deleted(start, end)
    by_id = {r["id"]: r["deletedDate"] for r in gone["deletedRecords"]}
    assert mine & set(by_id) == {soft, hard}
    assert all(d.endswith("+0000") for d in by_id.values())
    # The log reaches back to when it began (this org's first start) or 15 days.
    assert gone["earliestDateAvailable"] <= min(by_id[soft], by_id[hard])
    offers = sf.Offer__c.deleted(start, end)["deletedRecords"]
    assert detail in {r["id"] for r in offers}

    # A span that ended before the changes finds none of them.
    earlier = sf.Account.updated(start - dt.timedelta(hours=1), start - dt.timedelta(minutes=1))
    assert not mine & set(earlier["ids"])


def test_bad_spans(realty: Any) -> None:
    sf = realty
    start, end = _span()
    assert _error(lambda: sf.Account.updated(end, start)) == "INVALID_REPLICATION_DATE"
    # Seconds are ignored: within one minute there is no span.
    same = start.replace(second=1)
    later = start.replace(second=59)
    assert _error(lambda: sf.Account.deleted(same, later)) == "INVALID_REPLICATION_DATE"
    old = end - dt.timedelta(days=31)
    assert _error(lambda: sf.Account.updated(old, end)) == "INVALID_REPLICATION_DATE"
    url = "sobjects/Account/updated/"
    assert _error(lambda: sf.restful(url, params={"end": "x"})) == "INVALID_REPLICATION_DATE"
    assert _error(lambda: sf.Price_Change__e.updated(start, end)) == "CANNOT_REPLICATE"
