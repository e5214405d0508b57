"""A deployed formula: parsed, type-checked and compiled to one closure, once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import FormulaRuntimeError, FormulaTypeError
from .evaluator import compile_tree
from .functions.math import round_to
from .parser import parse
from .types import Scope, Typed, check
from .values import Closure, Env, FieldInfo, FType


@dataclass(frozen=True, slots=True)
class Formula:
    """One compiled formula; ``evaluate`` per record, never re-parsing."""

    text: str
    ftype: FType
    scale: int | None
    blanks_as_zero: bool
    typed: Typed
    closure: Closure

    @property
    def references(self) -> list[FieldInfo]:
        return self.typed.references()

    def evaluate(self, env: Env) -> Any:
        """The value, rounded half up to the scale; #Error! (division by zero, a bad
        VALUE()) is blank, as the API shows it."""
        try:
            value = self.closure(env)
        except (ArithmeticError, ValueError, OverflowError, FormulaRuntimeError):
            value = None
        if self.ftype is FType.BOOLEAN:
            return bool(value)
        if value is None:
            return None
        if self.scale is not None and isinstance(value, Decimal):
            return round_to(value, self.scale)
        if self.ftype is FType.TEXT and value == "":
            return None
        return value


def compile_formula(
    text: str,
    scope: Scope,
    *,
    returns: FType | None = None,
    scale: int | None = None,
    blanks_as_zero: bool = False,
) -> Formula:
    """Parse, check and compile ``text``; a problem raises FormulaError with its line
    and column. ``returns`` is the declared result type, checked too."""
    root = parse(text)
    typed = check(root, scope)
    got = typed.ftype
    if got is FType.PICKLIST:
        raise FormulaTypeError(
            "Formula result is data type (Picklist), incompatible with expected data type "
            f"({(returns or FType.TEXT).value}).",
            line=root.line,
            column=root.column,
        )
    if returns is not None and got not in (returns, FType.NULL):
        raise FormulaTypeError(
            f"Formula result is data type ({got.value}), incompatible with expected data "
            f"type ({returns.value}).",
            line=root.line,
            column=root.column,
        )
    ftype = returns or (FType.TEXT if got is FType.NULL else got)
    closure = compile_tree(typed, blanks_as_zero=blanks_as_zero)
    return Formula(text, ftype, scale, blanks_as_zero, typed, closure)


__all__ = ["Formula", "compile_formula"]
