"""Date and time functions. Dates are calendar days; DateTimes are instants in UTC
(GMT, as Salesforce stores them); Times are times of day to the millisecond.

ADDMONTHS keeps the day of month, except that the last day of a month maps to the last
day of the resulting month (Jan 31 + 1 month = Feb 28, or 29 in a leap year), and a day
the resulting month lacks becomes its last day. WEEKDAY counts 1 = Sunday to 7 = Saturday.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from ..errors import FormulaRuntimeError
from ..values import Env, FType, to_date, to_datetime, to_time
from . import Building, Checking, Function, returns

N, T, D, DT, TM = FType.NUMBER, FType.TEXT, FType.DATE, FType.DATETIME, FType.TIME


def _build_today(b: Building) -> Any:
    return lambda env: env.today


def _build_now(b: Building) -> Any:
    return lambda env: env.now


def _build_timenow(b: Building) -> Any:
    return lambda env: env.now.time().replace(
        tzinfo=None, microsecond=env.now.microsecond // 1000 * 1000
    )


def _build_date(b: Building) -> Any:
    y, m, d = b.args

    def make(env: Env) -> Any:
        year, month, day = y(env), m(env), d(env)
        if year is None or month is None or day is None:
            return None
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise FormulaRuntimeError("not a date") from None

    return make


def _convert(fn: Any) -> Any:
    def build(b: Building) -> Any:
        (arg,) = b.args

        def convert(env: Env) -> Any:
            v = arg(env)
            if v is None or v == "":
                return None
            try:
                return fn(v)
            except ValueError:
                raise FormulaRuntimeError(f"cannot convert {v!r}") from None

        return convert

    return build


def _part(fn: Any) -> Any:
    def build(b: Building) -> Any:
        (arg,) = b.args

        def part(env: Env) -> Any:
            v = arg(env)
            return None if v is None else Decimal(fn(v))

        return part

    return build


def add_months(value: date, months: int) -> date:
    """``value`` moved by ``months``, keeping month ends at month ends."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise FormulaRuntimeError("date out of range")
    last = calendar.monthrange(year, month)[1]
    at_end = value.day == calendar.monthrange(value.year, value.month)[1]
    return value.replace(year=year, month=month, day=last if at_end else min(value.day, last))


def _build_addmonths(b: Building) -> Any:
    start, count = b.args
    is_datetime = b.types[0] is DT

    def addmonths(env: Env) -> Any:
        v, n = start(env), count(env)
        if v is None or n is None:
            return None
        if is_datetime:
            moved = add_months(v.date(), int(n))
            return v.replace(year=moved.year, month=moved.month, day=moved.day)
        return add_months(v, int(n))

    return addmonths


def _check_addmonths(c: Checking) -> FType:
    t = c.expect(0, D, DT)
    c.expect(1, N)
    return D if t is FType.NULL else t


def _weekday(d: date) -> int:
    return d.isoweekday() % 7 + 1


def _datetimevalue(v: Any) -> datetime | None:
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    return to_datetime(v)


def _timevalue(v: Any) -> time | None:
    if isinstance(v, datetime):
        return v.astimezone(UTC).time().replace(tzinfo=None)
    return to_time(v)


def _unix(v: Any) -> int:
    if isinstance(v, datetime):
        return int(v.timestamp())
    return int(datetime(v.year, v.month, v.day, tzinfo=UTC).timestamp())


FUNCTIONS = [
    Function("TODAY", 0, 0, returns(D, ()), _build_today),
    Function("NOW", 0, 0, returns(DT, ()), _build_now),
    Function("TIMENOW", 0, 0, returns(TM, ()), _build_timenow),
    Function("DATE", 3, 3, returns(D, (N,)), _build_date),
    Function("DATEVALUE", 1, 1, returns(D, (T, DT, D)), _convert(to_date)),
    Function("DATETIMEVALUE", 1, 1, returns(DT, (T, D, DT)), _convert(_datetimevalue)),
    Function("TIMEVALUE", 1, 1, returns(TM, (T, DT, TM)), _convert(_timevalue)),
    Function("YEAR", 1, 1, returns(N, (D,)), _part(lambda d: d.year)),
    Function("MONTH", 1, 1, returns(N, (D,)), _part(lambda d: d.month)),
    Function("DAY", 1, 1, returns(N, (D,)), _part(lambda d: d.day)),
    Function("WEEKDAY", 1, 1, returns(N, (D,)), _part(_weekday)),
    Function("DAYOFYEAR", 1, 1, returns(N, (D,)), _part(lambda d: d.timetuple().tm_yday)),
    Function("ISOWEEK", 1, 1, returns(N, (D,)), _part(lambda d: d.isocalendar()[1])),
    Function("ISOYEAR", 1, 1, returns(N, (D,)), _part(lambda d: d.isocalendar()[0])),
    Function("HOUR", 1, 1, returns(N, (TM,)), _part(lambda t: t.hour)),
    Function("MINUTE", 1, 1, returns(N, (TM,)), _part(lambda t: t.minute)),
    Function("SECOND", 1, 1, returns(N, (TM,)), _part(lambda t: t.second)),
    Function("MILLISECOND", 1, 1, returns(N, (TM,)), _part(lambda t: t.microsecond // 1000)),
    Function("ADDMONTHS", 2, 2, _check_addmonths, _build_addmonths),
    Function("UNIXTIMESTAMP", 1, 1, returns(N, (D, DT)), _part(_unix)),
]
