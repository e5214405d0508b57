"""Tokens → syntax tree, by precedence climbing.

Precedence, lowest first (Salesforce's operator table): ``||``; ``&&``; ``= == != <>``;
``< > <= >=``; ``+ - &``; ``* /``; unary ``- + !``; ``^``. Binary operators are
left-associative. ``NOT``, ``AND`` and ``OR`` are functions, not keywords.
"""

from __future__ import annotations

from .ast import Binary, Call, FieldRef, Literal, Node, Unary
from .errors import FormulaSyntaxError
from .tokens import Kind, Token, tokenize

_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"=", "==", "!=", "<>"}),
    frozenset({"<", ">", "<=", ">="}),
    frozenset({"+", "-", "&"}),
    frozenset({"*", "/"}),
)
_NORMAL = {"==": "=", "<>": "!="}


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, reason: str, tok: Token | None = None) -> FormulaSyntaxError:
        tok = tok or self.tok
        return FormulaSyntaxError(reason, line=tok.line, column=tok.column)

    def unexpected(self) -> FormulaSyntaxError:
        tok = self.tok
        if tok.kind is Kind.EOF:
            return self.fail("Syntax error. Missing expression")
        if tok.kind in (Kind.RPAREN, Kind.COMMA):
            return self.fail(f"Syntax error. Extra '{tok.text}'")
        return self.fail(f"Syntax error. Found '{tok.text}'")

    def expression(self, level: int = 0) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        ops = _LEVELS[level]
        while self.tok.kind is Kind.OP and self.tok.text in ops:
            op = self.take()
            right = self.expression(level + 1)
            left = Binary(left.line, left.column, _NORMAL.get(op.text, op.text), left, right)
        return left

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind is Kind.OP and tok.text in ("-", "+", "!"):
            self.take()
            return Unary(tok.line, tok.column, tok.text, self.unary())
        return self.power()

    def power(self) -> Node:
        left = self.primary()
        while self.tok.kind is Kind.OP and self.tok.text == "^":
            self.take()
            right = self.unary_operand()
            left = Binary(left.line, left.column, "^", left, right)
        return left

    def unary_operand(self) -> Node:
        tok = self.tok
        if tok.kind is Kind.OP and tok.text in ("-", "+"):
            self.take()
            return Unary(tok.line, tok.column, tok.text, self.unary_operand())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind is Kind.NUMBER or tok.kind is Kind.STRING:
            self.take()
            return Literal(tok.line, tok.column, tok.value)
        if tok.kind is Kind.LPAREN:
            self.take()
            inner = self.expression()
            self.expect_close()
            return inner
        if tok.kind is Kind.NAME:
            return self.name()
        raise self.unexpected()

    def expect_close(self) -> None:
        if self.tok.kind is not Kind.RPAREN:
            if self.tok.kind in (Kind.EOF, Kind.COMMA, Kind.NAME, Kind.NUMBER, Kind.STRING):
                raise self.fail("Syntax error. Missing ')'")
            raise self.unexpected()
        self.take()

    def name(self) -> Node:
        first = self.take()
        upper = first.text.upper()
        if self.tok.kind is Kind.LPAREN and not first.text.startswith("$"):
            self.take()
            args: list[Node] = []
            if self.tok.kind is not Kind.RPAREN:
                args.append(self.expression())
                while self.tok.kind is Kind.COMMA:
                    self.take()
                    args.append(self.expression())
            self.expect_close()
            return Call(first.line, first.column, upper, tuple(args))
        if upper in ("TRUE", "FALSE") and self.tok.kind is not Kind.DOT:
            return Literal(first.line, first.column, upper == "TRUE")
        if upper == "NULL" and self.tok.kind is not Kind.DOT:
            return Literal(first.line, first.column, None)
        path = [first.text]
        while self.tok.kind is Kind.DOT:
            self.take()
            part = self.tok
            if part.kind is not Kind.NAME:
                raise self.unexpected()
            self.take()
            path.append(part.text)
        return FieldRef(first.line, first.column, tuple(path))


def parse(text: str) -> Node:
    """The syntax tree of one formula; raises FormulaSyntaxError with line and column."""
    p = _Parser(tokenize(text))
    node = p.expression()
    if p.tok.kind is not Kind.EOF:
        raise p.unexpected()
    return node


__all__ = ["parse"]
