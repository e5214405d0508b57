"""``query?explain=`` through simple-salesforce: one plan per filter that can lead the
query through a real index, and a table scan, cheapest first, with counted
cardinalities and Salesforce's selectivity thresholds; unindexed filters are noted."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from switchboard.org.soql.explain import threshold

ACCOUNTS = 40


def _explain(sf: Any, soql: str) -> list[dict[str, Any]]:
    reply = sf.restful("query", params={"explain": soql})
    assert reply["sourceQuery"] is None
    return list(reply["plans"])


@pytest.fixture(scope="module")
def accounts(sf: Any) -> int:
    before = sf.query("SELECT COUNT() FROM Account")["totalSize"]
    sf.bulk2.Account.insert(
        records=[
            {"Name": f"EX {i}", "Rating": "Hot" if i % 4 == 0 else "Cold"} for i in range(ACCOUNTS)
        ],
        wait=0.2,
    )
    return int(before) + ACCOUNTS


def test_an_indexed_filter_leads(sf: Any, accounts: int) -> None:
    plans = _explain(sf, "SELECT Id FROM Account WHERE Name = 'ex 3' AND Rating = 'Hot'")
    assert [p["leadingOperationType"] for p in plans] == ["Index", "TableScan"]
    index, scan = plans
    limit = threshold(accounts, custom=False)
    assert index["fields"] == ["Name"] and index["cardinality"] == 1
    assert index["relativeCost"] == pytest.approx(1 / limit)
    # The scan returns what the whole filter returns: EX 3 is not Hot.
    assert scan["fields"] == [] and scan["cardinality"] == 0
    assert scan["relativeCost"] == pytest.approx(accounts / limit)
    for p in plans:
        assert p["sobjectType"] == "Account" and p["sobjectCardinality"] == accounts
        assert p["notes"] == [
            {
                "description": "Not considering filter for optimization because unindexed",
                "fields": ["Rating"],
                "tableEnumOrId": "Account",
            }
        ]


def test_filters_no_index_can_serve(sf: Any, accounts: int) -> None:
    for soql in [
        "SELECT Id FROM Account WHERE Rating = 'Hot'",
        "SELECT Id FROM Account WHERE Name != 'EX 1'",
        "SELECT Id FROM Account WHERE Name LIKE '%X 1'",
        "SELECT Id FROM Account WHERE Name = null",
        "SELECT Id FROM Account WHERE Name = 'EX 1' OR Rating = 'Hot'",
        "SELECT Id FROM Account",
    ]:
        plans = _explain(sf, soql)
        assert [p["leadingOperationType"] for p in plans] == ["TableScan"], soql
    (hot,) = _explain(sf, "SELECT Id FROM Account WHERE Rating = 'Hot'")
    assert hot["cardinality"] == ACCOUNTS // 4


def test_ranges_prefixes_and_lists(sf: Any, accounts: int) -> None:
    (prefix, _) = _explain(sf, "SELECT Id FROM Account a WHERE a.Name LIKE 'EX 1%'")
    assert prefix["fields"] == ["Name"] and prefix["cardinality"] == 11  # 1, 10..19
    (listed, _) = _explain(sf, "SELECT Name FROM Account WHERE Name IN ('EX 1', 'EX 2', 'no')")
    assert listed["cardinality"] == 2
    stamps = _explain(sf, "SELECT Id FROM Account WHERE SystemModstamp > 2000-01-01T00:00:00Z")
    assert stamps[0]["leadingOperationType"] == "TableScan"  # every record: not selective
    assert stamps[1]["fields"] == ["SystemModstamp"]
    assert stamps[1]["cardinality"] == accounts and stamps[1]["relativeCost"] > 1


def test_a_malformed_query_is_refused(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.restful("query", params={"explain": "SELECT Nope FROM Account"})
    assert err.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_thresholds() -> None:
    assert threshold(1000, custom=False) == pytest.approx(300)
    assert threshold(1000, custom=True) == pytest.approx(100)
    assert threshold(3_000_000, custom=False) == pytest.approx(600_000)
    assert threshold(3_000_000, custom=True) == pytest.approx(200_000)
    assert threshold(10_000_000, custom=False) == 1_000_000
    assert threshold(10_000_000, custom=True) == 333_333
