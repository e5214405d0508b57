"""Hypothesis strategies for hostile values: text the store cannot hold, numbers past
every range, and JSON of the wrong shape for each field type."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from switchboard.core.fieldtypes import FieldType

NUL_TEXT = st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=8), st.text(max_size=8))
EDGE_TEXT = st.one_of(
    st.text(max_size=40),
    NUL_TEXT,
    st.sampled_from(["", " ", "\\", "'", '"', "%", "_", "\u2028", "\ud7ff", "é" * 300]),
    st.integers(256, 140_000).map(lambda n: "x" * n),
)
BIG_INTS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63, 2**63 - 1, -(2**63), -(2**63) - 1, 2**31, 10**18, 10**19]),
)
NUMBERS = st.one_of(
    BIG_INTS,
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "0x10", "1,000", "1e-400", "١٢"]),
    st.integers(1, 400).map(lambda n: "9" * n),
)
WRONG_SHAPES = st.one_of(
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
DATES = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["0000-00-00", "9999-12-31T23:59:60Z", "2024-02-30", "2024-13-01T00:00:00Z", "+10000-01-01"]
    ),
)


def value_for(t: FieldType) -> st.SearchStrategy[Any]:
    """A value, valid or hostile, for a field of type ``t``."""
    if t in (FieldType.INT, FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return st.one_of(NUMBERS, EDGE_TEXT, WRONG_SHAPES)
    if t in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME):
        return st.one_of(DATES, EDGE_TEXT, NUMBERS, WRONG_SHAPES)
    if t == FieldType.BOOLEAN:
        return st.one_of(st.booleans(), st.sampled_from(["true", "no", "2"]), NUMBERS, WRONG_SHAPES)
    if t in (FieldType.REFERENCE, FieldType.ID):
        return st.one_of(
            st.sampled_from(["001000000000000AAA", "001000000000000", "005x", ""]),
            EDGE_TEXT,
            WRONG_SHAPES,
        )
    return st.one_of(EDGE_TEXT, NUMBERS, WRONG_SHAPES)


__all__ = ["BIG_INTS", "EDGE_TEXT", "NUL_TEXT", "NUMBERS", "WRONG_SHAPES", "value_for"]
