"""``limits`` reports what the org used: Bulk 2.0 query jobs, published platform events
and data storage (2 KB a record, recycle bin included) move with the org's own work;
deliveries, which nothing counts, are not reported as unused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(REALTY))
    return sf


def _remaining(sf: Any) -> dict[str, int]:
    return {name: pair["Remaining"] for name, pair in sf.limits().items()}


def test_limits_follow_the_orgs_work(realty: Any) -> None:
    sf = realty
    before = _remaining(sf)
    assert "DailyDeliveredPlatformEvents" not in before
    # 1,024 records are 2 MB exactly, whatever the org held before.
    rows = [{"Name": f"Limit {i}"} for i in range(1024)]
    made = sf.bulk2.Account.insert(records=rows, wait=0.2)
    assert made[0]["numberRecordsFailed"] == 0
    list(sf.bulk2.Account.query("SELECT Id FROM Account WHERE Name LIKE 'Limit %'", wait=0.2))
    for price in (1, 2, 3):
        sf.Price_Change__e.create({"Property_Code__c": "P-1", "New_Price__c": price})
    after = _remaining(sf)
    assert before["DataStorageMB"] - after["DataStorageMB"] == 2
    assert before["DailyBulkV2QueryJobs"] - after["DailyBulkV2QueryJobs"] == 1
    assert before["HourlyPublishedPlatformEvents"] - after["HourlyPublishedPlatformEvents"] == 3
    assert before["DailyApiRequests"] > after["DailyApiRequests"]
    # Deleted records wait in the recycle bin, and still take their space.
    found = sf.query_all("SELECT Id FROM Account WHERE Name LIKE 'Limit %'")["records"]
    sf.bulk2.Account.delete(records=[{"Id": r["Id"]} for r in found], wait=0.2)
    assert _remaining(sf)["DataStorageMB"] == after["DataStorageMB"]
