"""The parser's token cursor: moving over tokens, expecting them, reporting errors."""

from __future__ import annotations

from typing import NoReturn

from switchboard.org.soql import _literals as lit
from switchboard.org.soql import ast
from switchboard.org.soql.errors import MalformedQuery
from switchboard.org.soql.tokens import EOF, ERROR, IDENT, NUMBER, Token

# Parentheses, subqueries and nested calls each count one level. Deeper input is
# rejected long before Python's recursion limit could be reached.
MAX_DEPTH = 50


class TokenCursor:
    """State and helpers shared by the parser's parts."""

    __slots__ = ("_text", "_tokens", "_i", "_depth", "tok")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self._text = text
        self._tokens = tokens
        self._i = 0
        self._depth = 0
        self.tok = tokens[0]
        if self.tok.kind == ERROR:
            self._lex_error(self.tok)

    # Defined by the parser proper; conditions need them for operands and semi-joins.
    def _expr(self) -> ast.Field | ast.Function:
        raise NotImplementedError

    def _query(self) -> ast.Query:
        raise NotImplementedError

    def _advance(self) -> Token:
        tok = self.tok
        if tok.kind != EOF:
            self._i += 1
            nxt = self._tokens[self._i]
            if nxt.kind == ERROR:
                self._lex_error(nxt)
            self.tok = nxt
        return tok

    def _peek(self) -> Token:
        return self._tokens[min(self._i + 1, len(self._tokens) - 1)]

    def _is_kw(self, word: str) -> bool:
        return self.tok.kind == IDENT and self.tok.upper == word

    def _expect_kw(self, word: str) -> Token:
        if self.tok.kind != IDENT or self.tok.upper != word:
            self._unexpected()
        return self._advance()

    def _expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            found = self.tok.describe()
            if kind == ")":
                self._error(self.tok, f"expecting a right parentheses, found {found}")
            if kind == "(":
                self._error(self.tok, f"expecting a left parentheses, found {found}")
            self._unexpected()
        return self._advance()

    def _word(self, allowed: frozenset[str] | None = None) -> Token:
        """The current token as a word, optionally one of ``allowed``."""
        if self.tok.kind != IDENT or (allowed is not None and self.tok.upper not in allowed):
            self._unexpected()
        return self._advance()

    def _int(self) -> int:
        """A non-negative integer, as LIMIT, OFFSET and ``LAST_N_DAYS:n`` take."""
        tok = self.tok
        if tok.kind != NUMBER or not tok.text.isdigit():
            self._unexpected()
        try:
            value = lit.number(tok.text)
        except ValueError as exc:
            self._error(tok, str(exc))
        if value > lit.MAX_INT_ARGUMENT:
            self._error(tok, f"number out of range: {tok.text[:40]}")
        self._advance()
        return int(value)

    def _enter(self, tok: Token) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            self._error(tok, f"query nested too deeply: more than {MAX_DEPTH} levels")

    def _leave(self) -> None:
        self._depth -= 1

    def _error(self, tok: Token, reason: str) -> NoReturn:
        pos = tok.pos
        raise MalformedQuery(
            reason,
            query=self._text,
            row=pos.line,
            column=pos.column,
            token="<EOF>" if tok.kind == EOF else tok.text,
        )

    def _unexpected(self, tok: Token | None = None) -> NoReturn:
        tok = tok or self.tok
        self._error(tok, f"unexpected token: {tok.describe()}")

    def _lex_error(self, tok: Token) -> NoReturn:
        if tok.text == "'":
            self._error(tok, "mismatched character '<EOF>' expecting '''")
        self._error(tok, f"no viable alternative at character '{tok.text}'")
