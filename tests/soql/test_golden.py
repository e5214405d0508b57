"""Golden SOQL cases (tests/soql/cases/*.yaml) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from switchboard.org.errors import OrgError
from switchboard.org.soql.engine import QueryEngine
from switchboard.org.soql.errors import SoqlError

CASES = [
    case
    for path in sorted((Path(__file__).parent / "cases").glob("*.yaml"))
    for case in yaml.safe_load(path.read_text())
]


def run(org: Any, text: str, **kw: Any) -> dict[str, Any]:
    return QueryEngine(org).query(text, version="59.0", **kw)


def options(case: dict[str, Any]) -> dict[str, Any]:
    """``all`` runs as queryAll; ``today`` pins the date relative literals are read from."""
    today = case.get("today")
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    return {"all_rows": case.get("all", False), "today": today}


def flatten(record: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict) and "records" in value:
            out.append([flatten(r) for r in value["records"]])
        elif isinstance(value, dict) and "attributes" in value:
            out.extend(flatten(value))
        else:
            out.append(value)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["q"][:70] for c in CASES])
def test_case(seeded: Any, case: dict[str, Any]) -> None:
    org, _ = seeded
    if "error" in case:
        with pytest.raises((SoqlError, OrgError)) as info:
            run(org, case["q"], **options(case))
        assert info.value.error_code == case["error"], info.value.message
        assert info.value.status == 400
        return
    reply = run(org, case["q"], **options(case))
    rows = [flatten(r) for r in reply["records"]]
    if "keys" in case:  # field names as Salesforce spells them (aliases, exprN)
        for record in reply["records"]:
            assert [k for k in record if k != "attributes"] == case["keys"]
    expected = case["rows"]
    if case.get("ordered", "ORDER BY" in case["q"].upper()):
        assert rows == expected
    else:
        assert sorted(map(repr, rows)) == sorted(map(repr, expected))
    assert reply["totalSize"] == case.get("total", len(expected))
    assert reply["done"] is True


def test_corpus_size() -> None:
    assert len(CASES) >= 200
