"""Recursive-descent SOQL parser: tokens in, :class:`~switchboard.org.soql.ast.Query` out.

Clauses are read in Salesforce's order (SELECT, FROM, USING SCOPE, WHERE, WITH, GROUP BY,
HAVING, ORDER BY, LIMIT, OFFSET, FOR, UPDATE). The only exception it raises is
MalformedQuery, placed at the first token that does not fit. Conditions and values live
in ``_conditions.py``, token handling and error reporting in ``_cursor.py``.
"""

from __future__ import annotations

from switchboard.org.soql import _literals as lit
from switchboard.org.soql import ast
from switchboard.org.soql._conditions import ConditionParser
from switchboard.org.soql.errors import MalformedQuery
from switchboard.org.soql.tokens import (
    CMP,
    EOF,
    IDENT,
    NOT_ALIAS,
    NUMBER,
    RESERVED,
    STRING,
    Token,
    tokenize,
)

_WITH_MODES = frozenset({"SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"})
_CATEGORY_SELECTORS = frozenset({"AT", "ABOVE", "BELOW", "ABOVE_OR_BELOW"})
_FIELDS_KINDS = frozenset({"ALL", "STANDARD", "CUSTOM"})
_FOR_KINDS = frozenset({"VIEW", "REFERENCE", "UPDATE"})
_UPDATE_KINDS = frozenset({"TRACKING", "VIEWSTAT"})
_NULLS = frozenset({"FIRST", "LAST"})


# Salesforce's default limit on the length of a SOQL statement.
MAX_QUERY_LENGTH = 100_000


def parse(text: str) -> ast.Query:
    """Parse one SOQL query; raises :class:`MalformedQuery` on any syntax error."""
    if text and len(text) > MAX_QUERY_LENGTH:
        raise MalformedQuery(
            f"SOQL statements cannot be longer than {MAX_QUERY_LENGTH} characters",
            row=1,
            column=1,
            token=text[:20],
        )
    return Parser(text or "").parse()


class Parser(ConditionParser):
    """Parses one query; use :func:`parse` rather than this class directly."""

    __slots__ = ()

    def __init__(self, text: str) -> None:
        super().__init__(text, tokenize(text))

    def parse(self) -> ast.Query:
        if self.tok.kind == EOF:
            # Salesforce answers an empty query without echoing it.
            raise MalformedQuery(
                "SOQL statements cannot be empty or null", row=1, column=1, token="<EOF>"
            )
        query = self._query()
        if self.tok.kind != EOF:
            self._unexpected()
        return query

    # --- the query ------------------------------------------------------------------

    def _query(self) -> ast.Query:
        start = self._expect_kw("SELECT")
        select = [self._select_item()]
        while self.tok.kind == ",":
            self._advance()
            select.append(self._select_item())
        from_ = self._from()
        where = with_ = group_by = having = None
        order_by: tuple[ast.OrderItem, ...] = ()
        limit = offset = None
        for_ = update = None
        if self._is_kw("WHERE"):
            self._advance()
            where = self._condition()
        if self._is_kw("WITH"):
            with_ = self._with()
        if self._is_kw("GROUP"):
            group_by = self._group_by()
        if self._is_kw("HAVING"):
            self._advance()
            having = self._condition()
        if self._is_kw("ORDER"):
            order_by = self._order_by()
        if self._is_kw("LIMIT"):
            self._advance()
            limit = self._int()
        if self._is_kw("OFFSET"):
            self._advance()
            offset = self._int()
        if self._is_kw("FOR"):
            self._advance()
            for_ = self._word(_FOR_KINDS).upper
        if self._is_kw("UPDATE"):
            self._advance()
            update = self._word(_UPDATE_KINDS).upper
        return ast.Query(
            tuple(select),
            from_,
            where,
            with_,
            group_by,
            having,
            order_by,
            limit,
            offset,
            for_,
            update,
            start.pos,
        )

    def _select_item(self) -> ast.SelectItem:
        tok = self.tok
        if tok.kind == "(":
            self._advance()
            self._enter(tok)
            query = self._query()
            self._expect(")")
            self._leave()
            return ast.Subquery(query, tok.pos)
        if tok.kind == IDENT:
            nxt = self._peek()
            if tok.upper == "TYPEOF" and nxt.kind == IDENT:
                return self._typeof()
            if tok.upper == "FIELDS" and nxt.kind == "(":
                self._advance()
                self._advance()
                kind = self._word(_FIELDS_KINDS).upper
                self._expect(")")
                return ast.FieldsSelector(kind, tok.pos)
        expr = self._expr()
        if isinstance(expr, ast.Function) and self.tok.kind == IDENT:
            if self.tok.upper not in NOT_ALIAS:
                alias = self._advance().text
                return ast.Function(expr.name, expr.args, alias, expr.pos)
        return expr

    def _typeof(self) -> ast.TypeOf:
        start = self._advance()
        field = self._field()
        whens = []
        while self._is_kw("WHEN"):
            when = self._advance()
            obj = self._word().text
            self._expect_kw("THEN")
            whens.append(ast.TypeOfWhen(obj, self._field_list(), when.pos))
        if not whens:
            self._unexpected()
        else_: tuple[ast.Field, ...] = ()
        if self._is_kw("ELSE"):
            self._advance()
            else_ = self._field_list()
        self._expect_kw("END")
        return ast.TypeOf(field, tuple(whens), else_, start.pos)

    def _field_list(self) -> tuple[ast.Field, ...]:
        fields = [self._field()]
        while self.tok.kind == ",":
            self._advance()
            fields.append(self._field())
        return tuple(fields)

    def _alias(self) -> str | None:
        if self.tok.kind == IDENT and self.tok.upper not in NOT_ALIAS:
            return self._advance().text
        return None

    def _from(self) -> ast.From:
        start = self._expect_kw("FROM")
        tok = self.tok
        # Group is both a reserved word and a standard object.
        if tok.kind != IDENT or (tok.upper in RESERVED and tok.upper != "GROUP"):
            self._unexpected()
        self._advance()
        alias = self._alias()
        related = []
        while self.tok.kind == ",":
            self._advance()
            path = self._field()
            related.append(ast.FromRelated(path.path, self._alias(), path.pos))
        scope = None
        if self._is_kw("USING"):
            self._advance()
            self._expect_kw("SCOPE")
            scope = self._word().text
        return ast.From(tok.text, alias, scope, tuple(related), start.pos)

    def _with(self) -> ast.With:
        start = self._advance()
        tok = self.tok
        if tok.kind == IDENT and tok.upper == "DATA" and self._peek().upper == "CATEGORY":
            self._advance()
            self._advance()
            filters = [self._category_filter()]
            while self._is_kw("AND"):
                self._advance()
                filters.append(self._category_filter())
            return ast.WithDataCategory(tuple(filters), start.pos)
        if tok.kind == IDENT and tok.upper in _WITH_MODES:
            self._advance()
            return ast.WithMode(tok.upper, start.pos)
        field = self._field()
        if self.tok.kind != CMP or self.tok.text != "=":
            self._unexpected()
        self._advance()
        return ast.WithFilter(field, self._value(), start.pos)

    def _category_filter(self) -> ast.DataCategoryFilter:
        group = self._word()
        selector = self._word(_CATEGORY_SELECTORS).upper
        if self.tok.kind == "(":
            self._advance()
            names = [self._word().text]
            while self.tok.kind == ",":
                self._advance()
                names.append(self._word().text)
            self._expect(")")
        else:
            names = [self._word().text]
        return ast.DataCategoryFilter(group.text, selector, tuple(names), group.pos)

    def _group_by(self) -> ast.GroupBy:
        start = self._advance()
        self._expect_kw("BY")
        kind = "PLAIN"
        if self.tok.kind == IDENT and self.tok.upper in ("ROLLUP", "CUBE"):
            if self._peek().kind == "(":
                kind = self._advance().upper
                self._advance()
                items = self._expr_list()
                self._expect(")")
                return ast.GroupBy(kind, items, start.pos)
        return ast.GroupBy(kind, self._expr_list(), start.pos)

    def _expr_list(self) -> tuple[ast.Expr, ...]:
        items = [self._expr()]
        while self.tok.kind == ",":
            self._advance()
            items.append(self._expr())
        return tuple(items)

    def _order_by(self) -> tuple[ast.OrderItem, ...]:
        self._advance()
        self._expect_kw("BY")
        items = [self._order_item()]
        while self.tok.kind == ",":
            self._advance()
            items.append(self._order_item())
        return tuple(items)

    def _order_item(self) -> ast.OrderItem:
        tok = self.tok
        expr = self._expr()
        direction = nulls = None
        if self.tok.kind == IDENT and self.tok.upper in ("ASC", "DESC"):
            direction = self._advance().upper
        if self._is_kw("NULLS"):
            self._advance()
            nulls = self._word(_NULLS).upper
        return ast.OrderItem(expr, direction, nulls, tok.pos)

    # --- expressions ----------------------------------------------------------------

    def _expr(self) -> ast.Field | ast.Function:
        """A field path or a function call (literals only as function arguments)."""
        tok = self.tok
        if tok.kind == IDENT and tok.upper in lit.FUNCTIONS and self._peek().kind == "(":
            return self._function()
        return self._field()

    def _field(self) -> ast.Field:
        tok = self.tok
        parts = [self._name_part().text]
        while self.tok.kind == ".":
            self._advance()
            parts.append(self._name_part().text)
        return ast.Field(tuple(parts), tok.pos)

    def _name_part(self) -> Token:
        """One part of a path; a reserved word only where a dot follows (``Group.Name``)."""
        tok = self.tok
        if tok.kind != IDENT or (tok.upper in RESERVED and self._peek().kind != "."):
            self._unexpected()
        return self._advance()

    def _function(self) -> ast.Function:
        tok = self._advance()
        self._enter(tok)
        self._advance()  # the "(" checked by _expr
        fewest, most = lit.FUNCTIONS[tok.upper]
        args: list[ast.Expr] = []
        while len(args) < most and self.tok.kind != ")":
            if args:
                self._expect(",")
            args.append(self._argument())
        if len(args) < fewest:
            self._unexpected()
        self._expect(")")
        self._leave()
        return ast.Function(tok.upper, tuple(args), None, tok.pos)

    def _argument(self) -> ast.Expr:
        tok = self.tok
        if tok.kind in (NUMBER, STRING):
            return self._scalar()
        return self._expr()
