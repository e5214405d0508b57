# ruff: noqa: S608  (SOQL text, not SQL; its patterns are the test's own)
"""A LIKE with a literal prefix also bounds lower(field) to that prefix's range on
SQLite, so the field's index is sought instead of read from its first entry; the rows
are exactly those LIKE matches, at the edges of the range (a prefix's successor, a
character beyond the Basic Multilingual Plane, escaped wildcards) as in the middle."""

from __future__ import annotations

import re

from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.soql.dialects import _like_prefix
from switchboard.org.soql.engine import QueryEngine

NAMES = ["b", "B2", "ba", "bz", "b\U0010ffff", "b\U0010fffez", "c", "a", "ab", "b%x", "b_x",
         "bXx", "\U0010ffffq", "\U0010ffff", "é1", "ê", "b\\c", ""]  # fmt: skip
PATTERNS = ["b%", "B%", "b", "b_", "b\\%%", "b\\_x", "\U0010ffff%", "b\U0010fffe%", "é%",
            "%x", "_", "b\\\\%", "bx%", "bz%"]  # fmt: skip


def _matches(pattern: str, name: str) -> bool:
    """SOQL LIKE: case-insensitive, % and _ wildcards, backslash escapes."""
    rx = []
    chars = iter(pattern.lower())
    for ch in chars:
        if ch == "\\":
            rx.append(re.escape(next(chars, "\\")))
        elif ch == "%":
            rx.append(".*")
        elif ch == "_":
            rx.append(".")
        else:
            rx.append(re.escape(ch))
    return re.fullmatch("".join(rx), name.lower(), re.DOTALL) is not None


def test_like_prefix_reads_escapes() -> None:
    assert _like_prefix("ab%c") == "ab"
    assert _like_prefix("a\\%b_") == "a%b"
    assert _like_prefix("%x") == ""
    assert _like_prefix("a\\\\b%") == "a\\b"


def test_like_with_a_prefix_returns_exactly_its_matches(blank: Org) -> None:
    assert blank.boot is not None
    ctx = WriteContext(blank.boot.admin_user_id)
    obj = blank.schema.object("Account")
    records = [{"Name": n or "(blank)"} for n in NAMES]
    blank.store.write(lambda c: blank.dml.insert(c, ctx, obj, records))
    stored = [r["Name"] for r in records]
    engine = QueryEngine(blank)
    for pattern in PATTERNS:
        escaped = pattern.replace("'", "\\'")
        reply = engine.query(
            f"SELECT Name FROM Account WHERE Name LIKE '{escaped}' ORDER BY Name",
            version="59.0",
        )
        got = sorted(r["Name"] for r in reply["records"])
        assert got == sorted(n for n in stored if _matches(pattern, n)), pattern


def test_like_prefix_seeks_the_name_index(blank: Org) -> None:
    main = QueryEngine(blank).plan("SELECT Id FROM Account WHERE Name LIKE 'ab%'", False).main
    if not blank.store.is_sqlite:
        # PostgreSQL gets no range: under a linguistic collation a prefix's matches need
        # not sit together in the index's order, so the LIKE stays the only test.
        assert ">=" not in main.sql and "<" not in main.sql.replace("<>", ""), main.sql
        return
    with blank.store.read() as conn:
        shown = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {main.sql}", main.args).fetchall()
    plan = " ".join(str(r[-1]) for r in shown)
    assert "SEARCH" in plan and "<expr>>?" in plan, plan
