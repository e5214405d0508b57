"""Text functions. A blank text argument reads as ``""``; a blank number argument
(a length, a position) makes the result blank."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ....core.ids import to18
from ..errors import FormulaRuntimeError
from ..values import Env, FType
from . import Building, Checking, Function, returns

T, N, B = FType.TEXT, FType.NUMBER, FType.BOOLEAN
D, DT, TM, P = FType.DATE, FType.DATETIME, FType.TIME, FType.PICKLIST


def _s(v: Any) -> str:
    return "" if v is None else v


def _text1(fn: Any) -> Any:
    def build(b: Building) -> Any:
        arg = b.args[0]  # UPPER/LOWER's locale argument changes nothing here
        return lambda env: fn(_s(arg(env)))

    return build


def _build_left(b: Building) -> Any:
    text, count = b.args

    def left(env: Env) -> Any:
        n = count(env)
        return None if n is None else _s(text(env))[: max(int(n), 0)]

    return left


def _build_right(b: Building) -> Any:
    text, count = b.args

    def right(env: Env) -> Any:
        n = count(env)
        if n is None:
            return None
        n = int(n)
        return _s(text(env))[-n:] if n > 0 else ""

    return right


def _build_mid(b: Building) -> Any:
    text, start, count = b.args

    def mid(env: Env) -> Any:
        s, n = start(env), count(env)
        if s is None or n is None:
            return None
        first = max(int(s), 1) - 1
        return _s(text(env))[first : first + max(int(n), 0)]

    return mid


def _build_find(b: Building) -> Any:
    search, text = b.args[0], b.args[1]
    start = b.args[2] if len(b.args) > 2 else None

    def find(env: Env) -> Any:
        needle, haystack = _s(search(env)), _s(text(env))
        begin = 1 if start is None else start(env)
        if begin is None or int(begin) < 1 or not needle:
            return Decimal(0)
        return Decimal(haystack.find(needle, int(begin) - 1) + 1)

    return find


def _two_text(fn: Any) -> Any:
    def build(b: Building) -> Any:
        first, second = b.args
        return lambda env: fn(_s(first(env)), _s(second(env)))

    return build


def _build_substitute(b: Building) -> Any:
    text, old, new = b.args

    def substitute(env: Env) -> str:
        o = _s(old(env))
        t = _s(text(env))
        return t.replace(o, _s(new(env))) if o else t

    return substitute


def format_number(n: Decimal) -> str:
    """A number as TEXT() writes it: plain digits, no exponent, no trailing zeros."""
    if n == n.to_integral_value():
        return str(n.quantize(Decimal(1)))
    return format(n.normalize(), "f")


def format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format_number(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    return str(v)


def _build_text(b: Building) -> Any:
    (arg,) = b.args

    def text(env: Env) -> Any:
        v = arg(env)
        return None if v is None else format_value(v)

    return text


def _build_value(b: Building) -> Any:
    (arg,) = b.args

    def value(env: Env) -> Any:
        t = _s(arg(env)).strip().replace(",", "")
        if not t:
            return None
        try:
            n = Decimal(t)
        except InvalidOperation:
            raise FormulaRuntimeError(f"VALUE({t!r})") from None
        if not n.is_finite():
            raise FormulaRuntimeError(f"VALUE({t!r})")
        return n

    return value


def _pad(left: bool) -> Any:
    def build(b: Building) -> Any:
        text, length = b.args[0], b.args[1]
        padding = b.args[2] if len(b.args) > 2 else None

        def pad(env: Env) -> Any:
            n = length(env)
            if n is None:
                return None
            n, t = max(int(n), 0), _s(text(env))
            p = " " if padding is None else _s(padding(env))
            if len(t) >= n or not p:
                return t[:n]
            fill = (p * (n // len(p) + 1))[: n - len(t)]
            return fill + t if left else t + fill

        return pad

    return build


def _check_regex(c: Checking) -> FType:
    c.expect(0, T)
    c.expect(1, T)
    if isinstance(pattern := getattr(c.call.args[1], "value", None), str):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise c.fail(f"Invalid regular expression: {exc}", c.call.args[1]) from None
    return B


def _build_regex(b: Building) -> Any:
    text, pattern = b.args
    cache: dict[str, re.Pattern[str]] = {}

    def regex(env: Env) -> bool:
        p = _s(pattern(env))
        compiled = cache.get(p)
        if compiled is None:
            try:
                compiled = cache.setdefault(p, re.compile(p, re.DOTALL))
            except re.error:
                raise FormulaRuntimeError("invalid regular expression") from None
        return compiled.fullmatch(_s(text(env))) is not None

    return regex


def _build_hyperlink(b: Building) -> Any:
    url, name = b.args[0], b.args[1]
    target = b.args[2] if len(b.args) > 2 else None

    def hyperlink(env: Env) -> str:
        t = "_blank" if target is None else _s(target(env))
        return f'<a href="{_s(url(env))}" target="{t}">{_s(name(env))}</a>'

    return hyperlink


def _build_image(b: Building) -> Any:
    url, alt = b.args[0], b.args[1]
    size = b.args[2:4]

    def image(env: Env) -> str:
        extra = ""
        if len(size) == 2:
            h, w = size[0](env), size[1](env)
            if h is not None and w is not None:
                extra = f' height="{format_number(h)}" width="{format_number(w)}"'
        return f'<img src="{_s(url(env))}" alt="{_s(alt(env))}"{extra} border="0"/>'

    return image


def _build_casesafeid(b: Building) -> Any:
    (arg,) = b.args

    def casesafeid(env: Env) -> Any:
        v = arg(env)
        if not v:
            return v
        if len(v) == 18:
            return v
        if len(v) != 15 or not v.isalnum():
            raise FormulaRuntimeError("not an id")
        return to18(v)

    return casesafeid


def _build_br(b: Building) -> Any:
    return lambda env: "<br>"


_TEXTUAL = (T,)
FUNCTIONS = [
    Function("LEN", 1, 1, returns(N, _TEXTUAL), _text1(lambda s: Decimal(len(s)))),
    Function("LEFT", 2, 2, returns(T, _TEXTUAL, (N,)), _build_left),
    Function("RIGHT", 2, 2, returns(T, _TEXTUAL, (N,)), _build_right),
    Function("MID", 3, 3, returns(T, _TEXTUAL, (N,)), _build_mid),
    Function("FIND", 2, 3, returns(N, _TEXTUAL, _TEXTUAL, (N,)), _build_find),
    Function("CONTAINS", 2, 2, returns(B, _TEXTUAL), _two_text(lambda a, b: b in a)),
    Function("BEGINS", 2, 2, returns(B, _TEXTUAL), _two_text(lambda a, b: a.startswith(b))),
    Function("SUBSTITUTE", 3, 3, returns(T, _TEXTUAL), _build_substitute),
    Function("TRIM", 1, 1, returns(T, _TEXTUAL), _text1(lambda s: s.strip(" \t"))),
    Function("UPPER", 1, 2, returns(T, _TEXTUAL), _text1(str.upper)),
    Function("LOWER", 1, 2, returns(T, _TEXTUAL), _text1(str.lower)),
    Function("TEXT", 1, 1, returns(T, (N, D, DT, TM, P, T, B)), _build_text),
    Function("VALUE", 1, 1, returns(N, _TEXTUAL), _build_value),
    Function("LPAD", 2, 3, returns(T, _TEXTUAL, (N,), _TEXTUAL), _pad(left=True)),
    Function("RPAD", 2, 3, returns(T, _TEXTUAL, (N,), _TEXTUAL), _pad(left=False)),
    Function("REGEX", 2, 2, _check_regex, _build_regex),
    Function("HYPERLINK", 2, 3, returns(T, _TEXTUAL), _build_hyperlink),
    Function("IMAGE", 2, 4, returns(T, _TEXTUAL, _TEXTUAL, (N,)), _build_image),
    Function("CASESAFEID", 1, 1, returns(T, _TEXTUAL), _build_casesafeid),
    Function("BR", 0, 0, returns(T, ()), _build_br),
]
