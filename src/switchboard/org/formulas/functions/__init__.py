"""The function library: each function declares its arity, how it types its
arguments (checked once, at deploy) and how it builds its closure.

A function module lists its functions in ``FUNCTIONS``; ``LIBRARY`` joins them. The
library is static definitions, not live objects, so one module-level table is right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..ast import Call, FieldRef, Literal, Node
from ..errors import FormulaSyntaxError, FormulaTypeError
from ..values import Closure, FieldInfo, FType


@dataclass(slots=True)
class Checking:
    """One call being type-checked: its node and the types of its arguments."""

    call: Call
    types: list[FType]
    fields: list[FieldInfo | None]

    def fail(self, reason: str, at: Node | None = None) -> FormulaTypeError:
        node = at or self.call
        return FormulaTypeError(reason, line=node.line, column=node.column)

    def expect(self, i: int, *allowed: FType) -> FType:
        """Argument ``i`` has one of ``allowed`` (NULL fits all); its type."""
        got = self.types[i]
        if got in allowed or got is FType.NULL:
            return got
        raise self.mismatch(i, allowed[0])

    def mismatch(self, i: int, expected: FType) -> FormulaTypeError:
        arg = self.call.args[i]
        if self.types[i] in (FType.PICKLIST, FType.MULTIPICKLIST) and isinstance(arg, FieldRef):
            return picklist_error(arg)
        return self.fail(
            f"Incorrect parameter type for function '{self.call.name}()'. "
            f"Expected {expected.value}, received {self.types[i].value}",
            self.call.args[i],
        )

    def same(self, indices: list[int]) -> FType:
        """The one type the arguments at ``indices`` share (IF's branches, CASE's results)."""
        found = FType.NULL
        for i in indices:
            t = self.types[i]
            if t is FType.PICKLIST:
                t = FType.TEXT if found is FType.TEXT else t
            if found is FType.NULL:
                found = t
            elif t is not FType.NULL and t is not found:
                raise self.mismatch(i, found)
        return found

    def field_arg(self, i: int) -> FieldInfo:
        """Argument ``i`` must be a field reference (ISCHANGED, PRIORVALUE)."""
        info = self.fields[i]
        if info is None or not isinstance(self.call.args[i], FieldRef):
            raise self.fail(
                f"Incorrect parameter type for function '{self.call.name}()'. "
                "Expected Field, received Expression",
                self.call.args[i],
            )
        return info

    def text_literal(self, i: int) -> str:
        arg = self.call.args[i]
        if not isinstance(arg, Literal) or not isinstance(arg.value, str):
            raise self.fail(
                f"Incorrect parameter type for function '{self.call.name}()'. "
                "Expected Text Literal, received Expression",
                arg,
            )
        return arg.value


@dataclass(slots=True)
class Building:
    """One checked call being compiled: argument closures, types and references."""

    call: Call
    args: list[Closure]
    types: list[FType]
    fields: list[FieldInfo | None]


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    min_args: int
    max_args: int | None  # None: any number from min_args
    check: Callable[[Checking], FType]
    build: Callable[[Building], Closure]

    def check_arity(self, call: Call) -> None:
        n = len(call.args)
        if n >= self.min_args and (self.max_args is None or n <= self.max_args):
            return
        if self.max_args == self.min_args:
            expected = str(self.min_args)
        elif self.max_args is None:
            expected = f"{self.min_args} or more"
        else:
            expected = f"{self.min_args} to {self.max_args}"
        raise FormulaSyntaxError(
            f"Incorrect number of parameters for function '{call.name}()'. "
            f"Expected {expected}, received {n}",
            line=call.line,
            column=call.column,
        )


def picklist_error(ref: FieldRef) -> FormulaTypeError:
    return FormulaTypeError(
        f"Field {ref.text} is a picklist field. Picklist fields are only supported in "
        "certain functions.",
        line=ref.line,
        column=ref.column,
    )


def returns(result: FType, *arg_types: tuple[FType, ...]) -> Callable[[Checking], FType]:
    """A check: argument i takes one of ``arg_types[i]`` (the last repeats); ``result``."""

    def check(c: Checking) -> FType:
        for i in range(len(c.types)):
            c.expect(i, *arg_types[min(i, len(arg_types) - 1)])
        return result

    return check


def _library() -> dict[str, Function]:
    from . import datetime, logical, math, text

    table: dict[str, Function] = {}
    for module in (logical, text, math, datetime):
        for fn in module.FUNCTIONS:
            table[fn.name] = fn
    return table


_TABLE: dict[str, Function] = {}


def function(name: str) -> Function | None:
    """The function called ``name`` (upper case), or None."""
    if not _TABLE:
        _TABLE.update(_library())
    return _TABLE.get(name)


__all__ = ["Building", "Checking", "Function", "function", "picklist_error", "returns"]
