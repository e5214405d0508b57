"""Math functions on Decimals. A blank argument makes the result blank.

ROUND rounds half away from zero (ROUND(-1.5, 0) = -2); CEILING rounds away from zero
and FLOOR toward zero, while MCEILING and MFLOOR round toward +/- infinity; MOD takes
the sign of the dividend (MOD(-5, 3) = -2), like Java's remainder the engine is built on.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from ..errors import FormulaRuntimeError
from ..values import Env, FType
from . import Building, Function, returns

N = FType.NUMBER
_NUM = returns(N, (N,))


def _unary(fn: Any) -> Any:
    def build(b: Building) -> Any:
        (arg,) = b.args

        def apply(env: Env) -> Any:
            v = arg(env)
            return None if v is None else fn(v)

        return apply

    return build


def _binary(fn: Any) -> Any:
    def build(b: Building) -> Any:
        first, second = b.args

        def apply(env: Env) -> Any:
            x = first(env)
            if x is None:
                return None
            y = second(env)
            return None if y is None else fn(x, y)

        return apply

    return build


def round_to(n: Decimal, digits: int, mode: str = ROUND_HALF_UP) -> Decimal:
    """``n`` rounded to ``digits`` decimals (negative digits round left of the point)."""
    if digits >= 0:
        return n.quantize(Decimal(1).scaleb(-digits), rounding=mode)
    step = Decimal(1).scaleb(-digits)
    return (n / step).quantize(Decimal(1), rounding=mode) * step


def _integral(mode: str) -> Any:
    return lambda n: n.to_integral_value(rounding=mode)


def _mod(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise FormulaRuntimeError("division by zero")
    return a % b  # Decimal % keeps the dividend's sign


def _sqrt(n: Decimal) -> Decimal:
    if n < 0:
        raise FormulaRuntimeError("SQRT of a negative number")
    return n.sqrt()


def _ln(n: Decimal) -> Decimal:
    if n <= 0:
        raise FormulaRuntimeError("LN of a number that is not positive")
    return n.ln()


def _log(n: Decimal) -> Decimal:
    if n <= 0:
        raise FormulaRuntimeError("LOG of a number that is not positive")
    return n.log10()


def _exp(n: Decimal) -> Decimal:
    if n > 700:
        raise FormulaRuntimeError("EXP overflow")
    return n.exp()


def _build_round(b: Building) -> Any:
    return _binary(lambda n, d: round_to(n, int(d)))(b)


def _build_trunc(b: Building) -> Any:
    if len(b.args) == 1:
        return _unary(_integral(ROUND_DOWN))(b)
    return _binary(lambda n, d: round_to(n, int(d), ROUND_DOWN))(b)


def _extreme(pick: Any) -> Any:
    def build(b: Building) -> Any:
        args = b.args

        def apply(env: Env) -> Any:
            values = [a(env) for a in args]
            if any(v is None for v in values):
                return None
            return pick(values)

        return apply

    return build


def _build_pi(b: Building) -> Any:
    pi = Decimal(repr(math.pi))
    return lambda env: pi


FUNCTIONS = [
    Function("ABS", 1, 1, _NUM, _unary(abs)),
    Function("ROUND", 2, 2, _NUM, _build_round),
    Function("CEILING", 1, 1, _NUM, _unary(_integral(ROUND_UP))),
    Function("FLOOR", 1, 1, _NUM, _unary(_integral(ROUND_DOWN))),
    Function("MCEILING", 1, 1, _NUM, _unary(_integral(ROUND_CEILING))),
    Function("MFLOOR", 1, 1, _NUM, _unary(_integral(ROUND_FLOOR))),
    Function("TRUNC", 1, 2, _NUM, _build_trunc),
    Function("MOD", 2, 2, _NUM, _binary(_mod)),
    Function("MAX", 1, None, _NUM, _extreme(max)),
    Function("MIN", 1, None, _NUM, _extreme(min)),
    Function("SQRT", 1, 1, _NUM, _unary(_sqrt)),
    Function("EXP", 1, 1, _NUM, _unary(_exp)),
    Function("LN", 1, 1, _NUM, _unary(_ln)),
    Function("LOG", 1, 1, _NUM, _unary(_log)),
    Function("PI", 0, 0, returns(N, ()), _build_pi),
]
