"""Salesforce ids: the case-safe suffix, normalization, fresh ids."""

from __future__ import annotations

import pytest

from switchboard.core import ids
from switchboard.core.errors import MalformedId


def test_suffix_matches_salesforce_example() -> None:
    assert ids.to18("001D000000IqhSL") == "001D000000IqhSLIAZ"


def test_normalize_accepts_15_and_18() -> None:
    assert ids.normalize("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert ids.normalize("001D000000IqhSLIAZ") == "001D000000IqhSLIAZ"


@pytest.mark.parametrize("bad", ["", "001", "001D000000IqhSL!", "001D000000IqhSLXXX", 42, None])
def test_normalize_rejects_malformed(bad: object) -> None:
    with pytest.raises(MalformedId):
        ids.normalize(bad)


def test_new_ids_are_unique_well_formed_and_keep_their_prefix() -> None:
    made = [ids.new_id("001") for _ in range(20000)]
    assert len(set(made)) == len(made)
    for i in made[:100]:
        assert len(i) == 18 and i.startswith("001") and ids.normalize(i) == i
