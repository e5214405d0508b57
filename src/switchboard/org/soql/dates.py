"""Relative date literals (``TODAY``, ``LAST_N_DAYS:30``, ...) as half-open UTC ranges.

A literal names a range of days ``[start, end)``; the compiler compares a date field
with the days and a datetime field with midnight UTC of each bound. Ranges are worked
out at execution time, so a cached plan stays right across midnight. Weeks start on
Sunday and the fiscal year on January 1st, Salesforce's defaults.
"""

from __future__ import annotations

import datetime as dt

_DAY = dt.timedelta(days=1)


def _add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _unit_start(today: dt.date, unit: str) -> dt.date:
    if unit == "DAYS":
        return today
    if unit == "WEEKS":
        return today - dt.timedelta(days=(today.weekday() + 1) % 7)
    if unit == "MONTHS":
        return today.replace(day=1)
    if unit in ("QUARTERS", "FISCAL_QUARTERS"):
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return dt.date(today.year, 1, 1)  # YEARS, FISCAL_YEARS


def _shift(start: dt.date, unit: str, k: int) -> dt.date:
    if unit == "DAYS":
        return start + k * _DAY
    if unit == "WEEKS":
        return start + dt.timedelta(weeks=k)
    months = {"MONTHS": 1, "QUARTERS": 3, "FISCAL_QUARTERS": 3}.get(unit, 12)
    return _add_months(start, k * months)


_SINGLE: dict[str, tuple[str, int]] = {
    "YESTERDAY": ("DAYS", -1),
    "TODAY": ("DAYS", 0),
    "TOMORROW": ("DAYS", 1),
    "LAST_WEEK": ("WEEKS", -1),
    "THIS_WEEK": ("WEEKS", 0),
    "NEXT_WEEK": ("WEEKS", 1),
    "LAST_MONTH": ("MONTHS", -1),
    "THIS_MONTH": ("MONTHS", 0),
    "NEXT_MONTH": ("MONTHS", 1),
    "LAST_QUARTER": ("QUARTERS", -1),
    "THIS_QUARTER": ("QUARTERS", 0),
    "NEXT_QUARTER": ("QUARTERS", 1),
    "LAST_YEAR": ("YEARS", -1),
    "THIS_YEAR": ("YEARS", 0),
    "NEXT_YEAR": ("YEARS", 1),
    "LAST_FISCAL_QUARTER": ("FISCAL_QUARTERS", -1),
    "THIS_FISCAL_QUARTER": ("FISCAL_QUARTERS", 0),
    "NEXT_FISCAL_QUARTER": ("FISCAL_QUARTERS", 1),
    "LAST_FISCAL_YEAR": ("FISCAL_YEARS", -1),
    "THIS_FISCAL_YEAR": ("FISCAL_YEARS", 0),
    "NEXT_FISCAL_YEAR": ("FISCAL_YEARS", 1),
}


def date_range(name: str, n: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days ``[start, end)`` a date literal names, relative to ``today`` (UTC).

    ``n`` may reach past the dates a calendar holds (``LAST_N_QUARTERS:1000000``): a
    bound beyond year 1 or 9999 is clamped there, which selects what the literal means
    (everything since, or until, the end of time) rather than failing the query.
    """
    try:
        return _date_range(name, n, today)
    except (OverflowError, ValueError):
        pass
    count = n or 0
    if name.startswith("LAST_N_"):
        try:
            return dt.date.min, _date_range(name, 0, today)[1]
        except (OverflowError, ValueError):
            return dt.date.min, dt.date.max
    if name.startswith("NEXT_N_"):
        try:
            return _date_range(name, 1, today)[0], dt.date.max
        except (OverflowError, ValueError):
            return dt.date.min, dt.date.max
    # N_<UNIT>_AGO that far back names days before any calendar: no day at all.
    return (dt.date.min, dt.date.min) if count else (today, today)


def _date_range(name: str, n: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    if name in _SINGLE:
        unit, k = _SINGLE[name]
        start = _shift(_unit_start(today, unit), unit, k)
        return start, _shift(start, unit, 1)
    if name == "LAST_90_DAYS":
        name, n = "LAST_N_DAYS", 90
    elif name == "NEXT_90_DAYS":
        name, n = "NEXT_N_DAYS", 90
    count = n or 0
    if name.startswith("LAST_N_"):
        unit = name[len("LAST_N_") :]
        if unit == "DAYS":  # n whole days back, and today too
            return today - count * _DAY, today + _DAY
        start = _unit_start(today, unit)
        return _shift(start, unit, -count), start
    if name.startswith("NEXT_N_"):
        unit = name[len("NEXT_N_") :]
        start = _shift(_unit_start(today, unit), unit, 1)
        return start, _shift(start, unit, count)
    if name.startswith("N_") and name.endswith("_AGO"):
        unit = name[2:-4]
        start = _shift(_unit_start(today, unit), unit, -count)
        return start, _shift(start, unit, 1)
    raise KeyError(name)


def as_datetimes(days: tuple[dt.date, dt.date]) -> tuple[dt.datetime, dt.datetime]:
    """Midnight UTC of each bound, naive as the store keeps datetimes."""
    return (
        dt.datetime.combine(days[0], dt.time()),
        dt.datetime.combine(days[1], dt.time()),
    )


__all__ = ["as_datetimes", "date_range"]
