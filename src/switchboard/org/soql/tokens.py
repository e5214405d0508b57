"""The SOQL tokenizer: one compiled regular expression scanned over the text.

Keywords are not a token kind of their own: SOQL lets many of them double as object and
field names (``FROM Group``, ``Order.Name``), so every word is an ``IDENT`` and the parser
decides by position, comparing ``Token.upper``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from switchboard.org.soql.ast import Pos

IDENT = "ident"
STRING = "string"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
CURRENCY = "currency"  # only the fractional form, USD12.50; USD5000 scans as an IDENT
CMP = "cmp"  # = != <> < <= > >=
ERROR = "error"  # a character no token starts with; the parser reports it when reached
EOF = "eof"
# Punctuation tokens use their own text as kind: "(", ")", ",", ".", ":".

# Every alternative is anchored on a distinct first character class or is possessive,
# so no input can make the scan backtrack more than linearly.
_SCANNER = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?
                 (?:Z|[+-][0-9]{2}:?[0-9]{2}))
  | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})
  | (?P<currency>[A-Za-z]{3}[0-9]+\.[0-9]+)(?![A-Za-z0-9_])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))
  | (?P<string>'(?:[^'\\]|\\.)*+')
  | (?P<cmp><>|!=|<=|>=|=|<|>)
  | (?P<punct>[(),.:])
  | (?P<error>.)
    """,
    re.VERBOSE | re.DOTALL | re.ASCII,
)

# Salesforce's reserved words: never an alias, and a field path may start with one only
# when a dot follows (``Group.Name``).
RESERVED = frozenset(
    "AND ASC DESC EXCLUDES FIRST FROM GROUP HAVING IN INCLUDES LAST LIKE LIMIT NOT NULL "
    "NULLS OR SELECT WHERE WITH".split()
)
# Words that may follow an object or aggregate, so they can never be read as its alias.
NOT_ALIAS = RESERVED | frozenset(
    "ORDER OFFSET FOR UPDATE USING BY TYPEOF WHEN THEN ELSE END ROLLUP CUBE".split()
)


class Token(NamedTuple):
    kind: str
    text: str
    upper: str  # text.upper() for words, text otherwise
    pos: Pos

    def describe(self) -> str:
        """The token as Salesforce quotes it in messages."""
        return "<EOF>" if self.kind == EOF else f"'{self.text}'"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one EOF token.

    Scanning stops after the first ERROR token: the parser fails there at the latest,
    and stopping keeps pathological inputs (an unterminated string full of quotes) linear.
    """
    tokens: list[Token] = []
    append = tokens.append
    line = 1
    line_start = 0
    for match in _SCANNER.finditer(text):
        kind = match.lastgroup or ERROR
        value = match.group()
        start = match.start()
        if kind == "ws":
            newlines = value.count("\n")
            if newlines:
                line += newlines
                line_start = start + value.rindex("\n") + 1
            continue
        pos = Pos(line, start - line_start + 1, start)
        if kind == IDENT:
            append(Token(IDENT, value, value.upper(), pos))
        elif kind == "punct":
            append(Token(value, value, value, pos))
        else:
            append(Token(kind, value, value, pos))
            if kind == STRING and "\n" in value:
                line += value.count("\n")
                line_start = start + value.rindex("\n") + 1
            elif kind == ERROR:
                break
    end = len(text) if not tokens or tokens[-1].kind != ERROR else tokens[-1].pos.offset + 1
    append(Token(EOF, "", "", Pos(line, end - line_start + 1, end)))
    return tokens


__all__ = [
    "CMP",
    "CURRENCY",
    "DATE",
    "DATETIME",
    "EOF",
    "ERROR",
    "IDENT",
    "NOT_ALIAS",
    "NUMBER",
    "RESERVED",
    "STRING",
    "Token",
    "tokenize",
]
