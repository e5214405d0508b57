"""WHERE and HAVING: conditions, operators and literal values."""

from __future__ import annotations

from switchboard.org.soql import _literals as lit
from switchboard.org.soql import ast
from switchboard.org.soql._cursor import TokenCursor
from switchboard.org.soql.tokens import CMP, CURRENCY, DATE, DATETIME, IDENT, NUMBER, STRING

_KEYWORD_VALUES: dict[str, bool | None] = {"TRUE": True, "FALSE": False, "NULL": None}


class ConditionParser(TokenCursor):
    __slots__ = ()

    def _condition(self) -> ast.Condition:
        """Terms joined by AND or by OR; mixing them needs parentheses, as in Salesforce."""
        first = self._term()
        tok = self.tok
        if tok.kind != IDENT or tok.upper not in ("AND", "OR"):
            return first
        joiner = tok.upper
        operands = [first]
        while self.tok.kind == IDENT and self.tok.upper in ("AND", "OR"):
            if self.tok.upper != joiner:
                self._unexpected()
            self._advance()
            operands.append(self._term())
        if joiner == "AND":
            return ast.And(tuple(operands), first.pos)
        return ast.Or(tuple(operands), first.pos)

    def _term(self) -> ast.Condition:
        tok = self.tok
        if tok.kind == IDENT and tok.upper == "NOT":
            self._advance()
            return ast.Not(self._primary(), tok.pos)
        return self._primary()

    def _primary(self) -> ast.Condition:
        tok = self.tok
        if tok.kind != "(":
            return self._predicate()
        self._advance()
        self._enter(tok)
        condition = self._condition()
        self._expect(")")
        self._leave()
        return condition

    def _predicate(self) -> ast.Condition:
        left = self._expr()
        pos = left.pos
        tok = self.tok
        if tok.kind == CMP:
            self._advance()
            op = "!=" if tok.text == "<>" else tok.text
            return ast.Comparison(left, op, self._value(), pos)
        if tok.kind == IDENT:
            word = tok.upper
            if word == "LIKE":
                self._advance()
                return ast.Comparison(left, "LIKE", self._value(like=True), pos)
            if word == "IN":
                self._advance()
                return self._in(left, False)
            if word == "NOT":
                self._advance()
                self._expect_kw("IN")
                return self._in(left, True)
            if word in ("INCLUDES", "EXCLUDES"):
                self._advance()
                return ast.Includes(left, self._value_list(), word == "EXCLUDES", pos)
        self._unexpected()

    def _in(self, left: ast.Expr, negated: bool) -> ast.InList | ast.InSubquery:
        if self.tok.kind == "(" and self._peek().upper == "SELECT":
            paren = self._advance()
            self._enter(paren)
            query = self._query()
            self._expect(")")
            self._leave()
            return ast.InSubquery(left, query, negated, left.pos)
        return ast.InList(left, self._value_list(), negated, left.pos)

    def _value_list(self) -> tuple[ast.Value, ...]:
        self._expect("(")
        values = [self._value()]
        while self.tok.kind == ",":
            self._advance()
            values.append(self._value())
        self._expect(")")
        return tuple(values)

    def _value(self, *, like: bool = False) -> ast.Value:
        tok = self.tok
        kind = tok.kind
        if kind in (STRING, NUMBER, DATE, DATETIME):
            return self._scalar(like=like)
        if kind == CURRENCY:
            self._advance()
            return ast.Currency(*lit.currency(tok.text), tok.pos)
        if kind == ":":
            self._error(tok, "Bind variables only allowed in Apex code")
        if kind != IDENT:
            self._unexpected()
        word = tok.upper
        if word in _KEYWORD_VALUES:
            self._advance()
            return ast.Literal(_KEYWORD_VALUES[word], tok.text, tok.pos)
        if word in lit.DATE_LITERALS:
            self._advance()
            return ast.DateLiteral(word, None, tok.pos)
        if word in lit.DATE_LITERALS_N:
            self._advance()
            if self.tok.kind != ":":
                self._error(self.tok, f"expecting a colon, found {self.tok.describe()}")
            self._advance()
            return ast.DateLiteral(word, self._int(), tok.pos)
        money = lit.currency_ident(tok.text)
        if money is None:
            self._unexpected()
        self._advance()
        return ast.Currency(*money, tok.pos)

    def _scalar(self, *, like: bool = False) -> ast.Literal:
        """A string, number, date or datetime token as a Literal."""
        tok = self.tok
        kind = tok.kind
        try:
            if kind == STRING:
                value: ast.LiteralValue = lit.unescape(tok.text, like=like)
            elif kind == NUMBER:
                value = lit.number(tok.text)
            elif kind == DATE:
                value = lit.date(tok.text)
            elif kind == DATETIME:
                value = lit.datetime(tok.text)
            else:
                self._unexpected()
        except ValueError as exc:
            self._error(tok, str(exc))
        problem = lit.unstorable(value)
        if problem is not None:
            self._error(tok, problem)
        self._advance()
        return ast.Literal(value, tok.text, tok.pos)
