"""Formula text → tokens, each with its 1-based line and column.

Formulas may span lines and hold ``/* comments */``; strings take either quote and
backslash escapes (``\\n``, ``\\"``, ``\\\\``). Names may be dotted paths and may start
with ``$`` (``$User.Email``); the parser joins the dots.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .errors import FormulaSyntaxError


class Kind(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    DOT = "."
    EOF = "end of formula"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    line: int
    column: int
    value: object = None


# Longest first, so that "<=" wins over "<".
_OPERATORS = (
    "==",
    "!=",
    "<>",
    "<=",
    ">=",
    "&&",
    "||",
    "+",
    "-",
    "*",
    "/",
    "^",
    "&",
    "=",
    "<",
    ">",
    "!",
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with one EOF token."""
    out: list[Token] = []
    i, line, col, n = 0, 1, 1, len(text)

    def advance(to: int) -> None:
        nonlocal i, line, col
        while i < to:
            if text[i] == "\n":
                line, col = line + 1, 1
            else:
                col += 1
            i += 1

    while i < n:
        ch = text[i]
        if ch in " \t\r\n\u00a0":
            advance(i + 1)
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise FormulaSyntaxError("Syntax error. Missing '*/'", line=line, column=col)
            advance(end + 2)
            continue
        start_line, start_col = line, col
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and text[j] == "." and j + 1 < n and text[j + 1].isdigit():
                j += 1
                while j < n and text[j].isdigit():
                    j += 1
            elif j < n and text[j] == "." and (j + 1 == n or not text[j + 1].isalpha()):
                j += 1
            raw = text[i:j]
            out.append(Token(Kind.NUMBER, raw, start_line, start_col, Decimal(raw)))
            advance(j)
            continue
        if ch.isalpha() or ch in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(Token(Kind.NAME, text[i:j], start_line, start_col))
            advance(j)
            continue
        if ch in "\"'":
            value, j = _string(text, i, start_line, start_col)
            out.append(Token(Kind.STRING, text[i:j], start_line, start_col, value))
            advance(j)
            continue
        single = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA, ".": Kind.DOT}.get(ch)
        if single is not None:
            out.append(Token(single, ch, start_line, start_col))
            advance(i + 1)
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is None:
            raise FormulaSyntaxError(f"Syntax error. Found '{ch}'", line=line, column=col)
        out.append(Token(Kind.OP, op, start_line, start_col))
        advance(i + len(op))
    out.append(Token(Kind.EOF, "", line, col))
    return out


def _string(text: str, i: int, line: int, col: int) -> tuple[str, int]:
    quote, j, parts = text[i], i + 1, []
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text):
            nxt = text[j + 1]
            parts.append(_ESCAPES.get(nxt, nxt))
            j += 2
            continue
        if ch == quote:
            return "".join(parts), j + 1
        parts.append(ch)
        j += 1
    raise FormulaSyntaxError(f"Syntax error. Missing {quote}", line=line, column=col)


__all__ = ["Kind", "Token", "tokenize"]
