"""Batch preparation gives each record exactly what preparing it alone gives.

``prepare_many`` takes shortcuts for batches (a plan per key sequence, one comprehension
for records whose keys are all writable fields); they must never change a result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.core.settings import load
from switchboard.org.dml.prepare import Prepared, prepare, prepare_many
from switchboard.org.runtime import Org


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    o = Org.open(load(data_dir=tmp_path, db=f"sqlite:///{tmp_path / 'org.db'}"))
    yield o
    o.close()


def _seen(p: Prepared) -> tuple[Any, ...]:
    errors = [(type(e).__name__, e.message, tuple(e.fields)) for e in p.errors]
    return p.values, [f.name for f in p.given], errors


RECORDS: list[Any] = [
    {"Name": "Acme", "NumberOfEmployees": "12", "AnnualRevenue": "1.5"},
    {"Name": "Bad count", "NumberOfEmployees": "twelve", "AnnualRevenue": "1.5"},  # no int
    {"Name": "Acme 2", "NumberOfEmployees": "7", "AnnualRevenue": "2"},  # same keys again
    {"Name": "", "NumberOfEmployees": "1", "AnnualRevenue": "3"},  # Name empty: required
    {"name": "lower case", "NAME": "upper case"},  # one field twice, the last one wins
    {"Name": "Read only", "CreatedDate": "2024-01-01T00:00:00Z"},  # not writable
    {"Name": "Unknown", "Nope__c": "x"},
    {"attributes": {"type": "Account"}, "Name": "With attributes"},
    {"Website": "x" * 300, "Name": "Too long"},
    "not a record",
]


@pytest.mark.parametrize("creating", [True, False])
def test_a_batch_prepares_each_record_as_alone(org: Org, creating: bool) -> None:
    obj = org.schema.object("Account")
    batch = prepare_many(org.schema, obj, RECORDS, creating=creating)
    alone = [prepare(org.schema, obj, r, creating=creating) for r in RECORDS]
    assert [_seen(p) for p in batch] == [_seen(p) for p in alone]
    # The cases above do exercise both outcomes.
    assert batch[0].values["numberofemployees"] == 12 and not batch[0].errors
    assert batch[1].errors and batch[2].values["name"] == "Acme 2"
