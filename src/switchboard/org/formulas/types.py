"""Type checking, once, when a formula is deployed: every reference resolved against
the schema, every call's arity and argument types, every operator's operands.

``check`` returns the types of all nodes; the evaluator compiles from them and never
checks again. A failure is a FormulaError with the line and column of the culprit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .ast import Binary, Call, FieldRef, Literal, Node, Unary
from .errors import FormulaSyntaxError, FormulaTypeError
from .functions import Checking, function, picklist_error
from .values import FieldInfo, FType

N, T, B = FType.NUMBER, FType.TEXT, FType.BOOLEAN
D, DT, TM = FType.DATE, FType.DATETIME, FType.TIME

# (op, left, right) → result. NULL operands take the other side's type.
_OPERATORS: dict[tuple[str, FType, FType], FType] = {
    ("+", N, N): N, ("+", D, N): D, ("+", N, D): D, ("+", DT, N): DT, ("+", N, DT): DT,
    ("+", TM, N): TM, ("+", N, TM): TM, ("+", T, T): T,
    ("-", N, N): N, ("-", D, N): D, ("-", D, D): N, ("-", DT, N): DT, ("-", DT, DT): N,
    ("-", TM, N): TM, ("-", TM, TM): N,
    ("*", N, N): N, ("/", N, N): N, ("^", N, N): N, ("&", T, T): T,
    ("&&", B, B): B, ("||", B, B): B,
}  # fmt: skip
for _op in ("=", "!="):
    for _t in (N, T, B, D, DT, TM):
        _OPERATORS[(_op, _t, _t)] = B
for _op in ("<", ">", "<=", ">="):
    for _t in (N, T, D, DT, TM):
        _OPERATORS[(_op, _t, _t)] = B
_EXPECTED_LEFT = {"&": T, "&&": B, "||": B}


class Scope(Protocol):
    """Resolves a reference path as written (``("Account", "Name")``) or returns None."""

    def resolve(self, path: tuple[str, ...]) -> FieldInfo | None: ...


@dataclass(slots=True)
class MappingScope:
    """A scope from dotted names to types (``{"Amount": NUMBER, "Account.Name": TEXT}``);
    ``$User.*`` and ``$Organization.*`` names resolve when listed the same way."""

    names: Mapping[str, FType]
    _folded: dict[str, tuple[str, FType]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._folded = {k.lower(): (k, t) for k, t in self.names.items()}

    def resolve(self, path: tuple[str, ...]) -> FieldInfo | None:
        hit = self._folded.get(".".join(path).lower())
        if hit is None:
            return None
        key = tuple(p.lower() for p in path)
        root = "record"
        if key[0] in ("$user", "$organization"):
            root, key = key[0][1:], key[1:]
        return FieldInfo(hit[0], hit[1], key, root)


@dataclass(slots=True)
class Typed:
    """The checked tree: each node's type and each reference's binding, by node id."""

    root: Node
    types: dict[int, FType]
    fields: dict[int, FieldInfo]

    @property
    def ftype(self) -> FType:
        return self.types[id(self.root)]

    def references(self) -> list[FieldInfo]:
        return list({f.name: f for f in self.fields.values()}.values())


# Where a picklist may appear as it is (everywhere else is an error).
_PICKLIST_OK = frozenset({"ISPICKVAL", "TEXT", "CASE", "ISBLANK", "ISNULL", "ISCHANGED",
                          "PRIORVALUE", "INCLUDES", "BLANKVALUE", "NULLVALUE"})  # fmt: skip


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.types: dict[int, FType] = {}
        self.fields: dict[int, FieldInfo] = {}

    def visit(self, node: Node, parent_call: str | None = None) -> FType:
        t = self._visit(node, parent_call)
        self.types[id(node)] = t
        return t

    def _visit(self, node: Node, parent_call: str | None) -> FType:
        if isinstance(node, Literal):
            v = node.value
            if v is None:
                return FType.NULL
            if isinstance(v, bool):
                return B
            return T if isinstance(v, str) else N
        if isinstance(node, FieldRef):
            info = self.scope.resolve(node.path)
            if info is None:
                raise FormulaTypeError(
                    f"Field {node.text} does not exist. Check spelling.",
                    line=node.line,
                    column=node.column,
                )
            self.fields[id(node)] = info
            if info.ftype in (FType.PICKLIST, FType.MULTIPICKLIST) and (
                parent_call not in _PICKLIST_OK
            ):
                raise picklist_error(node)
            return info.ftype
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Unary):
            t = self.visit(node.operand)
            want = B if node.op == "!" else N
            if t not in (want, FType.NULL):
                raise _operator_error(node.op, want, t, node.operand)
            return want
        assert isinstance(node, Binary)
        left, right = self.visit(node.left), self.visit(node.right)
        lt = right if left is FType.NULL else left
        rt = left if right is FType.NULL else right
        if lt is FType.NULL:  # NULL op NULL
            return B if node.op in ("=", "!=", "<", ">", "<=", ">=", "&&", "||") else N
        result = _OPERATORS.get((node.op, lt, rt))
        if result is None:
            expected = _EXPECTED_LEFT.get(node.op, lt if (node.op, lt, lt) in _OPERATORS else N)
            culprit, got = (node.right, rt) if expected is lt else (node.left, lt)
            if got is expected:
                culprit, got = node.right, rt
            raise _operator_error(node.op, expected, got, culprit)
        return result

    def _call(self, call: Call) -> FType:
        fn = function(call.name)
        if fn is None:
            raise FormulaSyntaxError(
                f"Unknown function {call.name}. Check spelling.",
                line=call.line,
                column=call.column,
            )
        fn.check_arity(call)
        types = [self.visit(a, call.name) for a in call.args]
        fields = [self.fields.get(id(a)) for a in call.args]
        return fn.check(Checking(call, types, fields))


def _operator_error(op: str, expected: FType, got: FType, at: Node) -> FormulaTypeError:
    return FormulaTypeError(
        f"Incorrect parameter type for operator '{op}'. Expected {expected.value}, "
        f"received {got.value}",
        line=at.line,
        column=at.column,
    )


def check(root: Node, scope: Scope) -> Typed:
    """Type the whole tree against ``scope``; raises FormulaError on the first problem."""
    c = _Checker(scope)
    c.visit(root)
    return Typed(root, c.types, c.fields)


__all__ = ["MappingScope", "Scope", "Typed", "check"]
