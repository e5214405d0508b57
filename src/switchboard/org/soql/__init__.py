"""SOQL: the query language of the org.

``parse(text)`` turns query text into an :mod:`~switchboard.org.soql.ast` tree or raises
:class:`~switchboard.org.soql.errors.MalformedQuery`. The stages follow sqlglot's layout:
``tokens`` → ``parser`` → ``ast``; the compiler and executor build on the tree.
"""

from switchboard.org.soql import ast
from switchboard.org.soql.errors import (
    InvalidField,
    InvalidQueryFilterOperator,
    InvalidQueryLocator,
    InvalidType,
    MalformedQuery,
    SoqlError,
)
from switchboard.org.soql.parser import parse
from switchboard.org.soql.tokens import Token, tokenize

__all__ = [
    "InvalidField",
    "InvalidQueryFilterOperator",
    "InvalidQueryLocator",
    "InvalidType",
    "MalformedQuery",
    "SoqlError",
    "Token",
    "ast",
    "parse",
    "tokenize",
]
