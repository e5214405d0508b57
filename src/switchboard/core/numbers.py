"""Numbers as Salesforce's Java runtime writes them into text.

Where the org writes a double into text of its own (the CSV of Bulk API query results),
Salesforce writes what Java's ``Double.toString`` gives: plain decimals with at least
one fraction digit from 10^-3 up to 10^7 (``975000.0``), and outside that range one
digit, a point, the rest and an exponent (``1.2345678E7``, ``1.0E-4``). Data Loader and
``sf data export bulk`` users see exactly that, so clients that re-parse the text
already expect it. Python's ``repr`` agrees only inside the plain range. Both pick the
shortest digits that read back as the same double, so only the layout is converted.
(Where one digit would do, Java writes the nearest two, which differs only among the
smallest subnormals: Java's ``4.9E-324`` is ``5.0E-324`` here and reads back the same.)
"""

from __future__ import annotations

import math
from decimal import Decimal

_PLAIN_FROM = 1e-3
_PLAIN_BELOW = 1e7


def java_double(value: float) -> str:
    """``value`` as Java's ``Double.toString`` writes it."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    text = repr(value)  # the shortest digits that round-trip, as Java's since JDK 19
    if _PLAIN_FROM <= abs(value) < _PLAIN_BELOW:
        return text  # in this range repr is plain with at least one fraction digit too
    sign, digits, exponent = Decimal(text).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite: NaN and infinities are handled above
    shown = "".join(map(str, digits))
    power = exponent + len(shown) - 1
    return f"{'-' if sign else ''}{shown[0]}.{shown[1:] or '0'}E{power}"


__all__ = ["java_double"]
