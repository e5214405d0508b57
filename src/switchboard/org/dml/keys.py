"""Finding records by the value of a key field: upsert keys, external-id URLs, and bulk
relationship columns (``Account.Ext_Id__c``).

A key value arrives as text (a URL segment, a CSV cell, a JSON value) and is matched
the way the field stores it: text case-insensitively unless the field is
case-sensitive, ids by their 18-character form, numbers by their numeric value. The
conversion happens here, before any SQL, because PostgreSQL refuses to compare text
with a number column: ``Num__c = 'abc'`` failed the whole statement (a 500 on REST, a
failed bulk chunk) where a per-record error or "not found" is the answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import ids
from ...core.fieldtypes import NUMBER_TYPES
from ...core.untrusted import has_nul
from ...store.match import one_of
from ..schema.model import FieldDef, FieldType
from ..security.encryption.column import cipher_of
from .coerce import converter

_CHUNK = 500


class KeyMatcher:
    """How values of one key field are looked up and compared."""

    def __init__(self, f: FieldDef) -> None:
        self.field = f
        self.folded = f.folded
        self._number = converter(f) if f.type in NUMBER_TYPES else None

    def wanted(self, raw: Any) -> Any:
        """The value to look ``raw`` up by, or None when no record can hold it (a
        malformed id). A number field raises its coercion error for a non-number."""
        if self._number is not None:
            return self._number(raw)
        text = raw if isinstance(raw, str) else str(raw)
        if has_nul(text):  # no record holds it, and PostgreSQL would refuse the lookup
            return None
        if self.field.type == FieldType.ID:
            return ids.to18(text[:15]) if ids.looks_like_id(text) else None
        return text.lower() if self.folded else text

    def stored(self, value: Any) -> Any:
        """A stored value in the form :meth:`wanted` gives."""
        if self._number is not None or self.field.type == FieldType.ID:
            return value
        text = str(value)
        return text.lower() if self.folded else text

    def lookup(
        self,
        conn: Connection,
        table: sa.Table,
        wanted: Iterable[Any],
        *,
        columns: Iterable[str] = (),
        rows: dict[str, dict[str, Any]] | None = None,
    ) -> dict[Any, list[str]]:
        """Ids of the live records holding each of ``wanted`` (values from :meth:`wanted`).

        With ``rows``, each match's ``columns`` (with ``id``) are put in it by id, read by
        the same query: an upsert updates its matches, and reading them again by id cost
        a second index probe per row.
        """
        col = table.c[self.field.column]
        probe = sa.func.lower(col) if self.folded else col
        # A deterministic encrypted key: its values are compared as their ciphertexts
        # under every key version (read back in clear through the column's type).
        cipher = cipher_of(col)
        names = ["id", col.name]
        if rows is not None:
            names += [c for c in dict.fromkeys(columns) if c in table.c and c not in names]
        selected = [table.c[c] for c in names]
        values = list(dict.fromkeys(v for v in wanted if v is not None))
        found: dict[Any, list[str]] = defaultdict(list)
        for i in range(0, len(values), _CHUNK):
            chunk = values[i : i + _CHUNK]
            hit = cipher.matches(col, chunk) if cipher is not None else one_of(conn, probe, chunk)
            stmt = sa.select(*selected).where(hit, table.c.isdeleted.is_(False))
            for row in conn.execute(stmt).all():  # fetchall: one call, not one per row
                found[self.stored(row[1])].append(row[0])
                if rows is not None:
                    rows[row[0]] = dict(zip(names, row, strict=True))
        return found


__all__ = ["KeyMatcher"]
