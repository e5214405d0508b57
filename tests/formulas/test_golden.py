"""The golden corpus, run through the Python evaluator: each formula is compiled as a
deploy would compile it, evaluated against its record, and compared to its expected
value and type; the error cases must refuse the deploy at their line and column."""

from __future__ import annotations

import pytest

from switchboard.org.formulas import FormulaError, compile_formula

from .corpus import Case, expected_value, load, same

CORPUS = load()


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS.cases) >= 300


@pytest.mark.parametrize("case", CORPUS.cases, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    if case.error is not None:
        with pytest.raises(FormulaError) as info:
            compile_formula(case.formula, CORPUS.scope, returns=case.ftype)
        assert info.value.reason == case.error
        assert (info.value.line, info.value.column) == (case.line, case.column)
        return
    formula = compile_formula(
        case.formula, CORPUS.scope, blanks_as_zero=case.blanks_as_zero, scale=case.scale
    )
    assert case.ftype is not None
    assert formula.ftype is case.ftype, f"type {formula.ftype} for {case.formula}"
    got = formula.evaluate(CORPUS.env(case))
    want = expected_value(case.ftype, case.expected)
    assert same(case.ftype, got, want), f"{case.formula!r}: got {got!r}, want {want!r}"
