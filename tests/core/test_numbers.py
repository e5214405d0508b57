"""Java's Double.toString layout, which Bulk API query results use for doubles."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.core.numbers import java_double


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (975000.0, "975000.0"),
        (1234567.5, "1234567.5"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (12345678.0, "1.2345678E7"),
        (99213206.0, "9.9213206E7"),
        (115056052.0, "1.15056052E8"),
        (16147805824397.0, "1.6147805824397E13"),
        (1e21, "1.0E21"),
        (-9e7, "-9.0E7"),
        (0.001, "0.001"),
        (0.00099, "9.9E-4"),
        (1e-4, "1.0E-4"),
        (-2.5e-10, "-2.5E-10"),
        (0.1, "0.1"),
        (1.0, "1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
    ],
)
def test_java_layout(value: float, text: str) -> None:
    assert java_double(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_reads_back_as_the_same_double(value: float) -> None:
    text = java_double(value)
    assert float(text) == value
    assert math.copysign(1.0, float(text)) == math.copysign(1.0, value)
    mantissa = text.lstrip("-").split("E")[0]
    whole, _, fraction = mantissa.partition(".")
    assert fraction  # Java always writes a fraction digit
    if "E" in text:
        assert len(whole) == 1 and whole != "0"
