"""Formula syntax tree: literals, field references, calls and operators.

Every node keeps the line and column where it starts, so the type checker can point
at the argument that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number (Decimal), a string, TRUE/FALSE or NULL (value None)."""

    value: Any


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    """``Name``, ``Account.Owner.Name`` or ``$User.Email``: a path as written."""

    path: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.path)

    @property
    def is_global(self) -> bool:
        return self.path[0].startswith("$")


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``NAME(args...)``; ``name`` is upper-cased."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-", "+" or "!"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # normalised: "==" → "=", "<>" → "!="
    left: Node
    right: Node


def walk(node: Node) -> list[Node]:
    """``node`` and every node below it, parents first."""
    out: list[Node] = [node]
    i = 0
    while i < len(out):
        n = out[i]
        if isinstance(n, Call):
            out.extend(n.args)
        elif isinstance(n, Unary):
            out.append(n.operand)
        elif isinstance(n, Binary):
            out.extend((n.left, n.right))
        i += 1
    return out


__all__ = ["Binary", "Call", "FieldRef", "Literal", "Node", "Unary", "walk"]
