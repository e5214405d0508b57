"""Logical functions: IF, CASE, AND, OR, NOT, the blank tests, picklists and the
functions only validation rules use (ISCHANGED, ISNEW, PRIORVALUE)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import FormulaSyntaxError
from ..values import CONVERTERS, Env, FType, is_blank, lookup
from . import Building, Checking, Function, returns

B, T, N = FType.BOOLEAN, FType.TEXT, FType.NUMBER
_ANY = tuple(FType)


def _check_if(c: Checking) -> FType:
    c.expect(0, B)
    return c.same([1, 2])


def _build_if(b: Building) -> Any:
    cond, yes, no = b.args
    return lambda env: yes(env) if cond(env) else no(env)


def _check_case(c: Checking) -> FType:
    n = len(c.types)
    if n < 4 or n % 2:
        raise FormulaSyntaxError(
            "Incorrect number of parameters for function 'CASE()'. "
            f"Expected {max(4, n + 1)}, received {n}",
            line=c.call.line,
            column=c.call.column,
        )
    subject = c.types[0]
    if subject is FType.PICKLIST:
        subject = T
    for i in range(1, n - 1, 2):
        got = c.types[i]
        if got is not FType.NULL and got is not subject:
            raise c.mismatch(i, subject)
    return c.same([*range(2, n - 1, 2), n - 1])


def _build_case(b: Building) -> Any:
    subject, rest = b.args[0], b.args[1:]
    pairs = [(rest[i], rest[i + 1]) for i in range(0, len(rest) - 1, 2)]
    fallback = rest[-1]
    text = b.types[0] in (T, FType.PICKLIST)

    def case(env: Env) -> Any:
        value = subject(env)
        if text and value is None:
            value = ""
        for when, then in pairs:
            w = when(env)
            if text and w is None:
                w = ""
            if w == value:
                return then(env)
        return fallback(env)

    return case


def _build_and(b: Building) -> Any:
    args = b.args
    return lambda env: all(a(env) for a in args)


def _build_or(b: Building) -> Any:
    args = b.args
    return lambda env: any(a(env) for a in args)


def _build_not(b: Building) -> Any:
    (arg,) = b.args
    return lambda env: not arg(env)


def _build_isblank(b: Building) -> Any:
    (arg,) = b.args
    return lambda env: is_blank(arg(env))


def _build_isnull(b: Building) -> Any:
    (arg,) = b.args
    if b.types[0] in (T, FType.PICKLIST):
        return lambda env: False  # text is never null, it is ""
    return lambda env: arg(env) is None


def _check_blankvalue(c: Checking) -> FType:
    return c.same([0, 1])


def _build_blankvalue(b: Building) -> Any:
    value, substitute = b.args

    def blankvalue(env: Env) -> Any:
        v = value(env)
        return substitute(env) if is_blank(v) else v

    return blankvalue


def _build_nullvalue(b: Building) -> Any:
    value, substitute = b.args
    if b.types[0] is T:
        return value  # text is never null

    def nullvalue(env: Env) -> Any:
        v = value(env)
        return substitute(env) if v is None else v

    return nullvalue


def _check_ispickval(c: Checking) -> FType:
    c.expect(0, FType.PICKLIST)
    c.text_literal(1)
    return B


def _build_ispickval(b: Building) -> Any:
    subject = b.args[0]
    wanted = b.call.args[1].value  # type: ignore[attr-defined]
    return lambda env: (subject(env) or "") == wanted


def _check_includes(c: Checking) -> FType:
    c.expect(0, FType.MULTIPICKLIST)
    c.text_literal(1)
    return B


def _build_includes(b: Building) -> Any:
    subject = b.args[0]
    wanted = b.call.args[1].value  # type: ignore[attr-defined]
    return lambda env: wanted in (subject(env) or "").split(";")


def _check_field(result: FType | None) -> Any:
    def check(c: Checking) -> FType:
        info = c.field_arg(0)
        if info.root != "record" or len(info.key) != 1:
            raise c.fail(f"Function {c.call.name} may not be used in this type of formula")
        return info.ftype if result is None else result

    return check


def _build_ischanged(b: Building) -> Any:
    info = b.fields[0]
    assert info is not None
    current, convert = b.args[0], CONVERTERS[info.ftype]

    def ischanged(env: Env) -> bool:
        if env.prior is None or env.is_new:
            return False
        before = convert(lookup(env.prior, info.key))
        now = current(env)
        if info.ftype in (T, FType.PICKLIST, FType.MULTIPICKLIST):
            return (before or "") != (now or "")
        return bool(before != now)

    return ischanged


def _build_priorvalue(b: Building) -> Any:
    info = b.fields[0]
    assert info is not None
    current, convert = b.args[0], CONVERTERS[info.ftype]

    def priorvalue(env: Env) -> Any:
        if env.prior is None or env.is_new:
            return current(env)  # on create the prior value is the current one
        return convert(lookup(env.prior, info.key))

    return priorvalue


def _build_isnew(b: Building) -> Any:
    return lambda env: env.is_new


def _build_isnumber(b: Building) -> Any:
    (arg,) = b.args

    def isnumber(env: Env) -> bool:
        text = (arg(env) or "").strip()
        if not text:
            return False
        try:
            return Decimal(text).is_finite()
        except InvalidOperation:
            return False

    return isnumber


FUNCTIONS = [
    Function("IF", 3, 3, _check_if, _build_if),
    Function("CASE", 4, None, _check_case, _build_case),
    Function("AND", 1, None, returns(B, (B,)), _build_and),
    Function("OR", 1, None, returns(B, (B,)), _build_or),
    Function("NOT", 1, 1, returns(B, (B,)), _build_not),
    Function("ISBLANK", 1, 1, returns(B, _ANY), _build_isblank),
    Function("ISNULL", 1, 1, returns(B, _ANY), _build_isnull),
    Function("BLANKVALUE", 2, 2, _check_blankvalue, _build_blankvalue),
    Function("NULLVALUE", 2, 2, _check_blankvalue, _build_nullvalue),
    Function("ISPICKVAL", 2, 2, _check_ispickval, _build_ispickval),
    Function("INCLUDES", 2, 2, _check_includes, _build_includes),
    Function("ISCHANGED", 1, 1, _check_field(B), _build_ischanged),
    Function("PRIORVALUE", 1, 1, _check_field(None), _build_priorvalue),
    Function("ISNEW", 0, 0, returns(B, ()), _build_isnew),
    Function("ISNUMBER", 1, 1, returns(B, (T,)), _build_isnumber),
]
