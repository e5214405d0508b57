"""``composite/graph`` against a real server: each graph all or nothing, references
within a graph, record resources only, and Salesforce's limits."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

V = "/services/data/v59.0"


def _graph(gid: str, account: str, contact_last_name: str | None) -> dict[str, Any]:
    contact: dict[str, Any] = {"AccountId": "@{acct.id}"}
    if contact_last_name is not None:
        contact["LastName"] = contact_last_name
    return {
        "graphId": gid,
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Account/", "referenceId": "acct",
             "body": {"Name": account}},
            {"method": "POST", "url": f"{V}/sobjects/Contact/", "referenceId": "person",
             "body": contact},
            {"method": "GET", "url": f"{V}/sobjects/Contact/@{{person.id}}?fields=LastName",
             "referenceId": "readback"},
        ],
    }  # fmt: skip


def _names(sf: Any, prefix: str) -> list[str]:
    soql = f"SELECT Name FROM Account WHERE Name LIKE '{prefix}%' ORDER BY Name"  # noqa: S608
    return [r["Name"] for r in sf.query(soql)["records"]]


def test_graphs_succeed_or_fail_whole(sf: Any) -> None:
    reply = sf.restful(
        "composite/graph",
        method="POST",
        json={"graphs": [_graph("g1", "Graph ok", "Person"), _graph("g2", "Graph bad", None)]},
    )
    ok, bad = reply["graphs"]
    assert (ok["graphId"], ok["isSuccessful"]) == ("g1", True)
    nodes = ok["graphResponse"]["compositeResponse"]
    assert [n["httpStatusCode"] for n in nodes] == [201, 201, 200]
    assert nodes[2]["body"]["LastName"] == "Person"
    assert (bad["graphId"], bad["isSuccessful"]) == ("g2", False)
    codes = [n["httpStatusCode"] for n in bad["graphResponse"]["compositeResponse"]]
    failed = bad["graphResponse"]["compositeResponse"][1]["body"][0]
    assert codes[1] == 400 and failed["errorCode"] == "REQUIRED_FIELD_MISSING"
    # The failed graph's account was rolled back with it; the other graph's stays.
    assert _names(sf, "Graph ") == ["Graph ok"]


def test_graph_refusals(sf: Any) -> None:
    def refused(body: Any) -> str:
        with pytest.raises(SalesforceMalformedRequest) as err:
            sf.restful("composite/graph", method="POST", json=body)
        return str(err.value.content[0]["errorCode"])

    query = {"method": "GET", "url": f"{V}/query?q=SELECT+Id+FROM+Account", "referenceId": "q"}
    assert refused({"graphs": [{"graphId": "g", "compositeRequest": [query]}]}) == "INVALID_INPUT"
    many = [_graph(f"g{i}", f"Many {i}", "P") for i in range(76)]
    assert refused({"graphs": many}) == "LIMIT_EXCEEDED"
    nodes = [
        {"method": "GET", "url": f"{V}/sobjects/Account/001000000000000AAA", "referenceId": f"n{i}"}
        for i in range(501)
    ]
    assert refused({"graphs": [{"graphId": "big", "compositeRequest": nodes}]}) == "LIMIT_EXCEEDED"
    twice = [_graph("same", "Twice 1", "P"), _graph("same", "Twice 2", "P")]
    assert refused({"graphs": twice}) == "INVALID_INPUT"
    assert _names(sf, "Many ") == [] and _names(sf, "Twice ") == []


def test_graphs_after_fourteen_failures_are_not_run(sf: Any) -> None:
    failing = [_graph(f"f{i}", f"Halt {i:02d}", None) for i in range(15)]
    reply = sf.restful(
        "composite/graph",
        method="POST",
        json={"graphs": [*failing, _graph("late", "Halt ok", "P")]},
    )
    assert [g["isSuccessful"] for g in reply["graphs"]] == [False] * 16
    late = reply["graphs"][-1]["graphResponse"]["compositeResponse"]
    assert {n["body"][0]["errorCode"] for n in late} == {"PROCESSING_HALTED"}
    assert _names(sf, "Halt ") == []
