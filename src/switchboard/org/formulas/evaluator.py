"""A checked tree → one Python closure, built once at deploy and called per row.

Nothing here re-walks the tree while evaluating: every node becomes a closure over
its children's closures, with the operand types already decided by ``types.check``.

Blanks follow Salesforce: arithmetic and comparisons on a blank number, date or time
give blank (comparisons then count as false); blank text is ``""``; with
``blanks_as_zero`` (formulaTreatBlanksAs = BlankAsZero) a blank number *field* reads 0.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from .ast import Binary, Call, FieldRef, Literal, Node, Unary
from .errors import FormulaRuntimeError
from .functions import Building, function
from .types import Typed
from .values import CONVERTERS, Closure, Env, FieldInfo, FType, lookup

_ZERO = Decimal(0)
_DAY_MS = 86_400_000


def _ms(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.microsecond // 1000


def _from_ms(ms: int) -> time:
    ms %= _DAY_MS
    return time(ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000 * 1000)


def _days(n: Decimal) -> timedelta:
    return timedelta(seconds=float(n * 86400))


def _divide(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise FormulaRuntimeError("division by zero")
    return a / b


def _power(a: Decimal, b: Decimal) -> Decimal:
    if b == b.to_integral_value():
        if a == 0 and b < 0:
            raise FormulaRuntimeError("division by zero")
        return a ** int(b)
    if a < 0:
        raise FormulaRuntimeError("fractional power of a negative number")
    return Decimal(repr(float(a) ** float(b)))


def _text_or_empty(v: Any) -> str:
    return "" if v is None else v


N, T, D, DT, TM = FType.NUMBER, FType.TEXT, FType.DATE, FType.DATETIME, FType.TIME
_Impl = Callable[[Any, Any], Any]
# (op, left, right) → implementation on non-blank operands.
_ARITH: dict[tuple[str, FType, FType], _Impl] = {
    ("+", N, N): operator.add,
    ("+", D, N): lambda a, b: a + timedelta(days=int(b)),
    ("+", N, D): lambda a, b: b + timedelta(days=int(a)),
    ("+", DT, N): lambda a, b: a + _days(b),
    ("+", N, DT): lambda a, b: b + _days(a),
    ("+", TM, N): lambda a, b: _from_ms(_ms(a) + int(b)),
    ("+", N, TM): lambda a, b: _from_ms(_ms(b) + int(a)),
    ("-", N, N): operator.sub,
    ("-", D, N): lambda a, b: a - timedelta(days=int(b)),
    ("-", D, D): lambda a, b: Decimal((a - b).days),
    ("-", DT, N): lambda a, b: a - _days(b),
    ("-", DT, DT): lambda a, b: Decimal(repr((a - b).total_seconds())) / 86400,
    ("-", TM, N): lambda a, b: _from_ms(_ms(a) - int(b)),
    ("-", TM, TM): lambda a, b: Decimal(_ms(a) - _ms(b)),
    ("*", N, N): operator.mul,
    ("/", N, N): _divide,
    ("^", N, N): _power,
}
_COMPARE: dict[str, _Impl] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


class Compiler:
    """Builds closures from one checked tree."""

    def __init__(self, typed: Typed, *, blanks_as_zero: bool) -> None:
        self.typed = typed
        self.blanks_as_zero = blanks_as_zero

    def type_of(self, node: Node) -> FType:
        return self.typed.types[id(node)]

    def compile(self, node: Node) -> Closure:
        if isinstance(node, Literal):
            value = node.value
            return lambda env: value
        if isinstance(node, FieldRef):
            return self.reference(self.typed.fields[id(node)])
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            return self.unary(node)
        assert isinstance(node, Binary)
        return self.binary(node)

    def reference(self, info: FieldInfo) -> Closure:
        convert = CONVERTERS[info.ftype]
        key = info.key
        zero = self.blanks_as_zero and info.ftype is FType.NUMBER
        root = info.root

        if root == "record" and len(key) == 1:
            (k,) = key

            def read(env: Env) -> Any:
                v = env.record.get(k)
                if v is None:
                    return _ZERO if zero else None
                return convert(v)

            return read

        def read_path(env: Env) -> Any:
            base = env.record if root == "record" else getattr(env, root)
            v = lookup(base, key)
            if v is None:
                return _ZERO if zero else None
            return convert(v)

        return read_path

    def call(self, node: Call) -> Closure:
        fn = function(node.name)
        assert fn is not None  # checked at deploy
        args = [self.compile(a) for a in node.args]
        types = [self.type_of(a) for a in node.args]
        fields = [self.typed.fields.get(id(a)) for a in node.args]
        return fn.build(Building(node, args, types, fields))

    def unary(self, node: Unary) -> Closure:
        inner = self.compile(node.operand)
        if node.op == "!":
            return lambda env: not inner(env)
        if node.op == "+":
            return inner

        def negate(env: Env) -> Any:
            v = inner(env)
            return None if v is None else -v

        return negate

    def binary(self, node: Binary) -> Closure:
        left, right = self.compile(node.left), self.compile(node.right)
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        lt, rt = (rt if lt is FType.NULL else lt), (lt if rt is FType.NULL else rt)
        op = node.op
        if op == "&&":
            return lambda env: bool(left(env)) and bool(right(env))
        if op == "||":
            return lambda env: bool(left(env)) or bool(right(env))
        if op == "&" or (op == "+" and lt is T):
            return lambda env: _text_or_empty(left(env)) + _text_or_empty(right(env))
        if op in ("=", "!="):
            return _equality(left, right, text=lt is T, negate=op == "!=")
        if op in _COMPARE:
            return _comparison(_COMPARE[op], left, right, text=lt is T)
        impl = _ARITH[(op, lt, rt)]

        def arith(env: Env) -> Any:
            a = left(env)
            if a is None:
                return None
            b = right(env)
            if b is None:
                return None
            return impl(a, b)

        return arith


def _equality(left: Closure, right: Closure, *, text: bool, negate: bool) -> Closure:
    if text:
        if negate:
            return lambda env: _text_or_empty(left(env)) != _text_or_empty(right(env))
        return lambda env: _text_or_empty(left(env)) == _text_or_empty(right(env))
    if negate:
        return lambda env: left(env) != right(env)
    return lambda env: left(env) == right(env)


def _comparison(impl: _Impl, left: Closure, right: Closure, *, text: bool) -> Closure:
    if text:
        return lambda env: bool(impl(_text_or_empty(left(env)), _text_or_empty(right(env))))

    def compare(env: Env) -> bool:
        a, b = left(env), right(env)
        return a is not None and b is not None and bool(impl(a, b))

    return compare


def compile_tree(typed: Typed, *, blanks_as_zero: bool = False) -> Closure:
    """The closure computing ``typed``'s value (runtime errors propagate)."""
    return Compiler(typed, blanks_as_zero=blanks_as_zero).compile(typed.root)


__all__ = ["Compiler", "compile_tree"]
