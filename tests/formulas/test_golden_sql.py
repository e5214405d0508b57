"""The golden corpus through SQL, on SQLite and PostgreSQL: every case whose formula
compiles into SQL (what SOQL WHERE and ORDER BY on formula fields run) must give the
case's expected value on both backends, so SQL and the Python evaluator agree."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from support.databases import BACKENDS, database_url
from switchboard.org.formulas import FType, compile_formula
from switchboard.org.formulas.sql import NotSql, to_sql
from switchboard.org.formulas.values import FieldInfo, to_date, to_datetime, to_time
from switchboard.org.soql.dialects import dialect_for

from .corpus import Case, expected_value, load, same

CORPUS = load()
_COLUMN_TYPES = {
    FType.NUMBER: sa.Float(53),
    FType.TEXT: sa.String(255),
    FType.PICKLIST: sa.String(255),
    FType.MULTIPICKLIST: sa.String(4099),
    FType.BOOLEAN: sa.Boolean(),
    FType.DATE: sa.Date(),
    FType.DATETIME: sa.DateTime(timezone=True),
    FType.TIME: sa.Time(),
}
_FIELDS = {k.lower(): t for k, t in CORPUS.scope.names.items() if "." not in k and "$" not in k}
_TABLE = sa.Table(
    "corpus",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(name, _COLUMN_TYPES[t]) for name, t in _FIELDS.items()),
)
_CONVERT = {FType.DATE: to_date, FType.DATETIME: to_datetime, FType.TIME: to_time}


class _Target:
    def __init__(self, dialect_name: str) -> None:
        self.dialect = dialect_for(dialect_name)

    def reference(self, info: FieldInfo) -> Any:
        if info.root != "record" or len(info.key) != 1:
            raise NotSql(info.name)
        return _TABLE.c[info.key[0]]

    def param(self, value: Any) -> Any:
        return sa.literal(value)

    def today(self) -> Any:
        return sa.literal(CORPUS.now.date(), sa.Date())


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    with database_url(str(request.param), tmp_path_factory.mktemp("corpus")) as url:
        eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        _TABLE.metadata.create_all(eng)
        yield eng
        eng.dispose()


def _row(case: Case) -> dict[str, Any]:
    env = CORPUS.env(case)
    row: dict[str, Any] = {"id": 1}
    for name, t in _FIELDS.items():
        value = env.record.get(name)
        row[name] = value if value is None else _CONVERT.get(t, lambda v: v)(value)
    return row


def _sql_cases() -> list[Case]:
    out = []
    for case in CORPUS.cases:
        if case.error is not None or case.prior is not None or case.new:
            continue
        formula = compile_formula(
            case.formula, CORPUS.scope, blanks_as_zero=case.blanks_as_zero, scale=case.scale
        )
        try:
            to_sql(formula, _Target("sqlite"))
        except NotSql:
            continue
        out.append(case)
    return out


SQL_CASES = _sql_cases()


def test_a_good_share_of_the_corpus_compiles() -> None:
    assert len(SQL_CASES) >= 150, len(SQL_CASES)


def test_cases_agree_in_sql(engine: sa.Engine) -> None:
    failures = []
    with engine.connect() as conn:
        for case in SQL_CASES:
            formula = compile_formula(
                case.formula, CORPUS.scope, blanks_as_zero=case.blanks_as_zero, scale=case.scale
            )
            expr = to_sql(formula, _Target(engine.dialect.name))
            trans = conn.begin()
            try:
                conn.execute(_TABLE.insert(), _row(case))
                got = conn.execute(sa.select(expr).select_from(_TABLE)).scalar()
            finally:
                trans.rollback()
            assert case.ftype is not None
            got = _normalise(case.ftype, got)
            want = expected_value(case.ftype, case.expected)
            if not same(case.ftype, got, want):
                failures.append(f"{case.id} {case.formula!r}: got {got!r}, want {want!r}")
    assert not failures, "\n".join(failures)


def _normalise(ftype: FType, value: Any) -> Any:
    if value is None:
        return None
    if ftype is FType.NUMBER:
        return Decimal(repr(float(value)))
    if ftype is FType.BOOLEAN:
        return bool(value)
    if ftype in _CONVERT:
        return _CONVERT[ftype](value)
    return value


def test_sql_target_refuses_what_it_cannot_reach() -> None:
    formula = compile_formula("Account.Name & $User.Email", CORPUS.scope)
    with pytest.raises(NotSql):
        to_sql(formula, _Target("sqlite"))
