"""The one DML path: insert, update, upsert and delete for every writer.

REST, composite, bulk, sync and call-in all come here, so validation, uniqueness,
lookups, auto-numbers, audit fields and change events apply to each of them alike.
Every method takes a batch and returns one :class:`Outcome` per input row; it runs
inside the caller's transaction (``Store.write``), and the caller decides whether one
failed row rolls back the rest (allOrNone) or not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import ids
from ...core.errors import MalformedId, NotFound, SwitchboardError
from ...core.tracebacks import bare
from ...events import log
from ...store import dialects
from ...store.batch_writes import insert_rows, update_rows
from ...store.match import one_of
from ..duplicates import index as match_keys
from ..duplicates.matcher import check_duplicates
from ..errors import CannotInsertUpdate, DuplicateExternalId, EntityIsDeleted
from ..identity.sessions import mark_changed
from ..schema.catalog.permissions import PERMISSION_OBJECTS
from ..schema.model import FieldDef, FieldType, ObjectDef
from ..schema.registry import Schema
from ..security.encryption.events import EventSeal
from . import access, deletion, record_access
from . import tables as dml_tables
from .changes import ChangeEvents
from .context import WriteContext
from .formula_defaults import apply_formula_defaults
from .history import HistoryWriter
from .hooks import ObjectHooks
from .integrity import check_references, check_unique
from .keys import KeyMatcher
from .prepare import Prepared, create_defaults, prepare_many
from .validation import validate

_CHUNK = 500
_NOT_IN_EVENTS = {"id", "isdeleted", "systemmodstamp"}
_ID_ONLY = frozenset({"id"})


@dataclass(slots=True)
class Outcome:
    id: str | None = None
    created: bool = False
    errors: list[SwitchboardError] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.errors


class Dml:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        # Rules of particular objects, by lower-cased name (see hooks.py).
        self.hooks: dict[str, ObjectHooks] = {}

    # -- insert -------------------------------------------------------------------------
    def insert(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        records: list[dict[str, Any]],
        *,
        _free: frozenset[str] = frozenset(),
    ) -> list[Outcome]:
        """``_free``: unique columns the caller has checked already (see check_unique)."""
        if not obj.createable:
            return [Outcome(errors=[_read_only_object(obj)]) for _ in records]
        refused = access.object_refusal(ctx, obj, "create")
        if refused is not None:
            return [Outcome(errors=[refused]) for _ in records]
        # Prepared just now for this call, so no copies are needed (see insert_prepared).
        prepared = self.prepare_insert(obj, records)
        return self._insert_prepared(conn, ctx, obj, prepared, free=_free)

    def prepare_insert(self, obj: ObjectDef, records: list[dict[str, Any]]) -> list[Prepared]:
        """Resolve and coerce records to create; needs no transaction, so callers can do it
        before they take SQLite's single write lock."""
        prepared = prepare_many(self.schema, obj, records, creating=True)
        hooks = self.hooks.get(obj.name.lower())
        if hooks is not None:
            hooks.stage(obj, prepared)
        return prepared

    def insert_prepared(
        self, conn: Connection, ctx: WriteContext, obj: ObjectDef, prepared: list[Prepared]
    ) -> list[Outcome]:
        """Insert records from :meth:`prepare_insert`; each call works on copies, so a
        transaction the store retries starts from the same input."""
        if not obj.createable:
            return [Outcome(errors=[_read_only_object(obj)]) for _ in prepared]
        refused = access.object_refusal(ctx, obj, "create")
        if refused is not None:
            return [Outcome(errors=[refused]) for _ in prepared]
        fresh = [Prepared(dict(p.values), list(p.given), list(p.errors)) for p in prepared]
        return self._insert_prepared(conn, ctx, obj, fresh)

    def _insert_prepared(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
        *,
        free: frozenset[str] = frozenset(),
    ) -> list[Outcome]:
        access.refuse_fields(ctx, obj, prepared)
        if obj.name in PERMISSION_OBJECTS:
            mark_changed(conn)  # who may do what changes with these rows
        self._lock_for_unique(conn, obj)
        hooks = self.hooks.get(obj.name.lower())
        if hooks is not None:
            hooks.before_insert(self, conn, ctx, obj, prepared)
        record_access.check_lookups(conn, self.schema, obj, ctx, prepared)
        check_references(conn, self.schema, obj, prepared)
        check_unique(conn, self.schema, obj, prepared, [None] * len(prepared), free=free)
        good = [p for p in prepared if not p.errors]
        apply_formula_defaults(conn, self.schema, obj, ctx, good)
        if self.schema.formulas(obj).rules:
            validate(conn, self.schema, obj, ctx, [(p, None) for p in good])
            good = [p for p in good if not p.errors]
        if obj.duplicate_rules:
            check_duplicates(conn, self.schema, obj, ctx, [(p, None) for p in good])
            good = [p for p in good if not p.errors]
        numbers = self._auto_numbers(conn, obj, len(good))
        table = self.schema.table(obj)
        rows, events = [], []
        # Resolved once per batch: walking every field per row dominated wide bulk inserts.
        event_names = {
            f.column: f.name for f in obj.stored_fields() if f.column not in _NOT_IN_EVENTS
        }
        stamps = {
            "isdeleted": False,
            "createddate": ctx.at,
            "lastmodifieddate": ctx.at,
            "systemmodstamp": ctx.at,
            "createdbyid": ctx.user_id,
            "lastmodifiedbyid": ctx.user_id,
        }
        owned = "ownerid" in table.c
        person = obj.person_name
        made = (
            ChangeEvents(obj, ctx, "CREATE", EventSeal.of(obj, table))
            if obj.track_changes
            else None
        )
        # Per key sequence of the rows (a batch's rows mostly share one): the (column,
        # field name) pairs its event carries.
        carried: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for p, rid, numbered in zip(
            good, ids.new_ids(obj.key_prefix, len(good)), numbers or repeat(()), strict=False
        ):
            v = p.values
            v["id"] = rid
            v.update(stamps)
            if owned and v.get("ownerid") is None:
                v["ownerid"] = ctx.user_id
            for f, value in numbered:
                v[f.column] = value
            if person:
                _person_name(v)
            rows.append(v)
            if made is not None:
                keys = tuple(v)
                pairs = carried.get(keys)
                if pairs is None:
                    pairs = carried[keys] = [(c, event_names[c]) for c in keys if c in event_names]
                values = {name: v[c] for c, name in pairs if v[c] is not None}
                events.append(made.event(rid, values))
        # Only the columns some row sets: a create names a handful of an object's fields,
        # and binding the rest as NULL cost more than the insert itself on wide objects.
        # Unset columns are NULL either way.
        given = set().union(*rows)
        present = [c for c in table.c.keys() if c in given]
        insert_rows(conn, table, present, _tuples(rows, present))
        if obj.duplicate_rules and rows:
            match_keys.inserted(conn, table, obj, rows)
        history = HistoryWriter(self.schema, obj, ctx)
        if history:
            history.created(v["id"] for v in rows)
            history.write(conn)
        log.append(conn, events, ctx.at)
        if hooks is not None and good:
            hooks.after_insert(self, conn, ctx, obj, good)
        record_access.after_write(conn, self.schema, obj, [v["id"] for v in rows])
        return [
            Outcome(errors=p.errors) if p.errors else Outcome(id=p.values["id"], created=True)
            for p in prepared
        ]

    # -- rows the org writes itself -----------------------------------------------------
    def system_insert(
        self, conn: Connection, ctx: WriteContext, obj: ObjectDef, rows: list[dict[str, Any]]
    ) -> list[str]:
        """Insert rows of column values that the org derives (read-only fields and
        objects included, so no input rules), with the create defaults, audit fields,
        integrity checks, hooks and change events of any insert; the new ids."""
        defaults = create_defaults(obj)
        prepared = [Prepared({**defaults, **r}, [], []) for r in rows]
        outcomes = self._insert_prepared(conn, ctx, obj, prepared)
        for out in outcomes:
            if out.errors:
                raise out.errors[0]
        return [str(out.id) for out in outcomes]

    def system_update(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        changes: list[tuple[str, dict[str, Any]]],
    ) -> None:
        """Set column values the org derives on existing rows (read-only fields
        included), with the audit fields and change events of any update."""
        if not changes:
            return
        record_ids = [rid for rid, _ in changes]
        wanted = _columns_read(obj, (c for _, v in changes for c in v))
        current = self._load(conn, obj, record_ids, wanted)
        for rid in record_ids:
            if rid not in current:
                raise _not_found(rid)
        prepared = [Prepared(dict(v), [], []) for _, v in changes]
        self._apply_updates(conn, ctx, obj, prepared, list(record_ids), current)

    # -- update -------------------------------------------------------------------------
    def update(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        changes: list[tuple[Any, dict[str, Any]]],
        *,
        _stored_ids: bool = False,
        _current: tuple[set[str], dict[str, dict[str, Any]]] | None = None,
    ) -> list[Outcome]:
        """Update each record by its Id (15 or 18 characters, any case of the suffix).

        ``_stored_ids``: the ids were just read from the table (an upsert's matches), so
        they are canonical already and checking them again would be wasted work.
        ``_current``: columns and the rows holding them by id, read in this transaction
        (by an upsert's lookup); used instead of reading the rows again when the columns
        cover what this update needs.
        """
        if not obj.updateable:
            return [Outcome(errors=[_read_only_object(obj)]) for _ in changes]
        if obj.name == "User" or obj.name in PERMISSION_OBJECTS:
            mark_changed(conn)  # IsActive, ProfileId and the grants decide access
        outcomes: list[Outcome] = [Outcome() for _ in changes]
        ids_: list[str | None] = []
        for out, (rid, _) in zip(outcomes, changes, strict=True):
            if _stored_ids:
                out.id = rid
            else:
                try:
                    out.id = ids.normalize(rid, field="Id")
                except MalformedId as exc:
                    out.errors.append(bare(exc))
            ids_.append(out.id)
        prepared = []
        batch = prepare_many(
            self.schema, obj, [raw for _, raw in changes], creating=False, allow=_ID_ONLY
        )
        wanted = _columns_read(obj, (c for p in batch for c in p.values))
        # Old values of tracked fields come from the row as read here.
        rules = self.schema.formulas(obj).rules
        if rules or obj.duplicate_rules:  # the rules see the whole record
            wanted |= self.schema.formulas(obj).rule_columns() | _all_columns(obj)
        if _current is not None and wanted <= _current[0]:
            current = _current[1]
        else:
            current = self._load(conn, obj, [i for i in ids_ if i], wanted)
        for out, p in zip(outcomes, batch, strict=True):
            p.errors[:0] = out.errors
            if not p.errors:
                row = current.get(out.id or "")
                if row is None or (out.id and out.id[:3] != obj.key_prefix):
                    p.errors.append(_not_found(out.id))
                elif row["isdeleted"]:
                    p.errors.append(EntityIsDeleted("entity is deleted", fields=[]))
                else:
                    refused = access.object_refusal(ctx, obj, "edit", out.id)
                    if refused is not None:
                        p.errors.append(refused)
            prepared.append(p)
        access.refuse_fields(ctx, obj, prepared)
        record_access.check_update(conn, self.schema, obj, ctx, prepared, ids_, current)
        record_access.check_lookups(conn, self.schema, obj, ctx, prepared)
        self._lock_for_unique(conn, obj)
        check_references(conn, self.schema, obj, prepared)
        check_unique(conn, self.schema, obj, prepared, ids_)
        if rules:
            checked = [(p, current[rid]) for p, rid in zip(prepared, ids_, strict=True)
                       if not p.errors and rid is not None]  # fmt: skip
            validate(conn, self.schema, obj, ctx, checked)
        if obj.duplicate_rules:
            checked = [(p, current[rid]) for p, rid in zip(prepared, ids_, strict=True)
                       if not p.errors and rid is not None]  # fmt: skip
            check_duplicates(conn, self.schema, obj, ctx, checked)
        self._apply_updates(conn, ctx, obj, prepared, ids_, current)
        for out, p in zip(outcomes, prepared, strict=True):
            out.errors = p.errors
        return outcomes

    def _apply_updates(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        prepared: list[Prepared],
        ids_: list[str | None],
        current: dict[str, dict[str, Any]],
    ) -> None:
        table = self.schema.table(obj)
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        events = []
        names_of = {f.column: f.name for f in obj.stored_fields()}
        person = obj.person_name
        made = (
            ChangeEvents(obj, ctx, "UPDATE", EventSeal.of(obj, table))
            if obj.track_changes
            else None
        )
        history = HistoryWriter(self.schema, obj, ctx)
        stamps = {
            "lastmodifieddate": ctx.at,
            "lastmodifiedbyid": ctx.user_id,
            "systemmodstamp": ctx.at,
        }
        keyed: list[tuple[str, dict[str, Any], dict[str, Any]]] | None = (
            [] if obj.duplicate_rules else None
        )  # (id, before, values) for the duplicate rules' match keys
        # Per key sequence of the values (a batch's rows mostly share one): the columns
        # in statement order and a getter of their values.
        shapes: dict[tuple[str, ...], tuple[tuple[str, ...], Callable[[Any], Any]]] = {}
        for p, rid in zip(prepared, ids_, strict=True):
            if p.errors or rid is None:
                continue
            before = current[rid]
            v = p.values
            if person:
                merged = {**before, **v}
                _person_name(merged)
                if "name" in merged and merged.get("name") != before.get("name"):
                    v["name"] = merged["name"]
            changed = [c for c in v if before.get(c) != v[c]]
            if history:
                history.changed(rid, before, v)
            if keyed is not None:
                keyed.append((rid, before, v))
            v.update(stamps)
            keys = tuple(v)
            shape = shapes.get(keys)
            if shape is None:
                cols = tuple(sorted(keys))
                shape = shapes[keys] = (cols, _getter(cols))
            cols, pick = shape
            groups[cols].append((*pick(v), rid))
            if made is not None:
                names = [names_of[c] for c in changed if c in names_of]
                values = {names_of[c]: v[c] for c in changed if c in names_of}
                nulled = [names_of[c] for c in changed if v[c] is None and c in names_of]
                names.append("LastModifiedDate")
                values["LastModifiedDate"] = ctx.at
                events.append(made.event(rid, values, names, nulled))
        for cols, rows in groups.items():
            update_rows(conn, table, cols, "id", rows)
        if keyed:
            match_keys.updated(conn, table, obj, keyed)
        history.write(conn)
        log.append(conn, events, ctx.at)
        record_access.after_write(conn, self.schema, obj, [r[-1] for g in groups.values() for r in g])

    # -- upsert -------------------------------------------------------------------------
    def upsert(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        key: FieldDef,
        records: list[dict[str, Any]],
        *,
        update_only: bool = False,
    ) -> list[Outcome]:
        """Insert or update each record by the value of its external id (or Id) field."""
        outcomes = [Outcome() for _ in records]
        # The key may be spelled in any case (even twice) in a record; records of a batch
        # mostly share their keys, so where it sits is worked out once per key sequence.
        folded = key.name.lower()
        spellings: dict[tuple[Any, ...], list[Any]] = {}
        spelled_in: list[list[Any]] = []
        for r in records:
            keys = tuple(r)
            spelled = spellings.get(keys)
            if spelled is None:
                spelled = spellings[keys] = [
                    k for k in keys if isinstance(k, str) and k.lower() == folded
                ]
            spelled_in.append(spelled)
        # A key named twice (in two cases) is looked up by its last spelling, the one
        # prepare keeps and an insert stores.
        values = [
            r[spelled[-1]] if spelled else None
            for r, spelled in zip(records, spelled_in, strict=True)
        ]
        matcher = KeyMatcher(key)
        # A unique text key: once the writers of the object are serialized (before the
        # lookup, so no other transaction can add a holder after it), a key the lookup
        # finds free and that no other row of the batch has is free for the insert too,
        # and the insert need not look it up again (the lookup and the uniqueness check
        # match values alike: folded exactly when the field is).
        free: frozenset[str] = frozenset()
        if key.unique:
            self._lock_for_unique(conn, obj)
            free = frozenset({key.column})
        # The lookup also reads what updating the matches needs (see update's _current).
        named = (self.schema.field(obj, k) for keys in spellings for k in keys)
        reads = _columns_read(obj, (f.column for f in named if f is not None and f.stored))
        current: dict[str, dict[str, Any]] = {}
        keyed: list[Any] = []
        for out, raw in zip(outcomes, values, strict=True):
            try:
                keyed.append(matcher.wanted(raw) if raw is not None else None)
            except SwitchboardError as exc:  # a number key that is not a number
                out.errors.append(bare(exc))
                keyed.append(None)
        matches = matcher.lookup(conn, self.schema.table(obj), keyed, columns=reads, rows=current)
        to_insert: list[tuple[int, dict[str, Any]]] = []
        to_update: list[tuple[int, str, dict[str, Any]]] = []
        seen: set[Any] = set()
        for i, (r, k) in enumerate(zip(records, keyed, strict=True)):
            if outcomes[i].errors:
                continue
            if k is not None and k in seen:
                outcomes[i].errors.append(
                    DuplicateExternalId(
                        f"Duplicate external id specified: {values[i]}",
                        fields=[key.name],
                        matches=[],
                    )
                )
                continue
            seen.add(k)
            found = matches.get(k, []) if k is not None else []
            if len(found) > 1:
                outcomes[i].errors.append(
                    DuplicateExternalId(
                        f"{key.name}: more than one record found for external id field: {found}",
                        fields=[key.name],
                        matches=found,
                    )
                )
            elif len(found) == 1:
                # The key matched (perhaps in another case): keep the stored value as it is.
                to_update.append((i, found[0], _without(r, spelled_in[i])))
            elif key.type == FieldType.ID and values[i] is None and not update_only:
                # Upsert by Id with no Id: Salesforce's way of asking for a new record.
                to_insert.append((i, _without(r, spelled_in[i])))
            elif update_only or key.type == FieldType.ID:
                outcomes[i].errors.append(_not_found(values[i]))
            else:
                to_insert.append((i, r))
        if to_insert:
            created = self.insert(conn, ctx, obj, [r for _, r in to_insert], _free=free)
            for (i, _), out in zip(to_insert, created, strict=True):
                outcomes[i] = out
        if to_update:
            updated = self.update(
                conn,
                ctx,
                obj,
                [(rid, r) for _, rid, r in to_update],
                _stored_ids=True,
                _current=(reads, current),
            )
            for (i, _, _), out in zip(to_update, updated, strict=True):
                outcomes[i] = out
        return outcomes

    # -- delete -------------------------------------------------------------------------
    def delete(
        self,
        conn: Connection,
        ctx: WriteContext,
        obj: ObjectDef,
        record_ids: list[Any],
        *,
        hard: bool = False,
    ) -> list[Outcome]:
        if not obj.deletable:
            return [Outcome(errors=[_read_only_object(obj)]) for _ in record_ids]
        if obj.name == "User" or obj.name in PERMISSION_OBJECTS:
            mark_changed(conn)
        outcomes = [Outcome() for _ in record_ids]
        for out, rid in zip(outcomes, record_ids, strict=True):
            try:
                out.id = ids.normalize(rid, field="Id")
            except MalformedId as exc:
                out.errors.append(bare(exc))
        current = self._load(conn, obj, [o.id for o in outcomes if o.id], {"id", "isdeleted"})
        live = []
        for out in outcomes:
            if out.errors or out.id is None:
                continue
            row = current.get(out.id)
            if row is None:
                out.errors.append(_not_found(out.id))
            elif row["isdeleted"]:
                out.errors.append(EntityIsDeleted("entity is deleted", fields=[]))
            elif (refused := access.object_refusal(ctx, obj, "delete", out.id)) is not None:
                out.errors.append(refused)
            else:
                live.append(out.id)
        unshared = record_access.check_delete(conn, self.schema, obj, ctx, live)
        for out in outcomes:
            if out.id in unshared:
                out.errors.append(unshared[out.id])
        live = [i for i in live if i not in unshared]
        blocked = deletion.restricted(conn, self.schema, obj, live)
        for out in outcomes:
            if out.id in blocked:
                out.errors.append(blocked[out.id])
        gone = [i for i in live if i not in blocked]
        hooks = self.hooks.get(obj.name.lower())
        if hooks is not None and gone:
            hooks.before_delete(self, conn, ctx, obj, gone)
        deletion.soft_delete(conn, self, ctx, obj, gone, hard=hard)
        record_access.after_write(conn, self.schema, obj, gone)
        return outcomes

    # -- helpers ------------------------------------------------------------------------
    def _load(
        self, conn: Connection, obj: ObjectDef, record_ids: list[str], columns: set[str]
    ) -> dict[str, dict[str, Any]]:
        """``columns`` of the rows with ``record_ids``, by id."""
        table = self.schema.table(obj)
        names = ["id", *sorted(c for c in columns if c != "id" and c in table.c)]
        selected = [table.c[c] for c in names]
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(record_ids), _CHUNK):
            chunk = record_ids[i : i + _CHUNK]
            stmt = sa.select(*selected).where(one_of(conn, table.c.id, chunk))
            for row in conn.execute(stmt).all():  # fetchall: one call, not one per row
                out[row[0]] = dict(zip(names, row, strict=True))
        return out

    def _lock_for_unique(self, conn: Connection, obj: ObjectDef) -> None:
        """On PostgreSQL, serialize writers of an object that has unique fields.

        Concurrent transactions could otherwise both pass the uniqueness check; SQLite
        writers are serialized already.
        """
        if any(f.unique for f in obj.fields.values()):
            dialects.of(conn).lock(conn, obj.table)

    def _auto_numbers(
        self, conn: Connection, obj: ObjectDef, count: int
    ) -> list[list[tuple[FieldDef, str]]]:
        fields = [f for f in obj.fields.values() if f.auto_number and f.stored]
        if not fields or count == 0:
            return []
        per_row: list[list[tuple[FieldDef, str]]] = [[] for _ in range(count)]
        an = dml_tables.autonumber
        for f in fields:
            key = (an.c.object_name == obj.name) & (an.c.field_name == f.name)
            start = conn.execute(sa.select(an.c.next_value).where(key)).scalar()
            if start is None:
                start = 1
                conn.execute(
                    an.insert().values(
                        object_name=obj.name, field_name=f.name, next_value=start + count
                    )
                )
            else:
                conn.execute(an.update().where(key).values(next_value=start + count))
            for i in range(count):
                per_row[i].append((f, format_auto_number(f.display_format or "{0}", start + i)))
        return per_row


def format_auto_number(display_format: str, n: int) -> str:
    def repl(m: re.Match[str]) -> str:
        return str(n).zfill(len(m.group(1)))

    return re.sub(r"\{(0+)\}", repl, display_format)


def _without(record: dict[str, Any], keys: list[Any]) -> dict[str, Any]:
    """``record`` less ``keys`` (the key field's spellings), as a new dict."""
    return {k: v for k, v in record.items() if k not in keys}


def _all_columns(obj: ObjectDef) -> set[str]:
    return {f.column for f in obj.stored_fields()}


def _columns_read(obj: ObjectDef, setting: Iterable[str]) -> set[str]:
    """The columns an update reads back before it writes: id and isdeleted, the columns
    it sets (to tell what changed) and the name parts it derives Name from, not the
    whole row."""
    columns = {"id", "isdeleted", *setting}
    if obj.person_name:
        columns.update(("name", "firstname", "lastname"))
    return columns


def _getter(columns: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function of a dict giving the tuple of its values of ``columns``."""
    if not columns:
        return lambda d: ()
    if len(columns) == 1:  # itemgetter of one key returns the value, not a tuple
        only = columns[0]
        return lambda d: (d[only],)
    return itemgetter(*columns)


def _tuples(rows: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
    """Each row's values of ``columns`` (``columns`` covers every row's keys; a key a
    row lacks is NULL). Rows of a batch mostly hold every column, and for those one
    getter call replaces a lookup per column."""
    pick = _getter(tuple(columns))
    width = len(columns)
    return [pick(r) if len(r) == width else tuple([r.get(c) for c in columns]) for r in rows]


def _person_name(v: dict[str, Any]) -> None:
    """Name of Contact, Lead and User: First Last, kept in step with its parts."""
    if "lastname" in v or "firstname" in v:
        v["name"] = " ".join(p for p in (v.get("firstname"), v.get("lastname")) if p) or None


def _not_found(rid: Any) -> NotFound:
    return NotFound("The requested resource does not exist")


def _read_only_object(obj: ObjectDef) -> CannotInsertUpdate:
    return CannotInsertUpdate(f"entity type {obj.name} does not support this operation")


__all__ = ["Dml", "Outcome", "format_auto_number"]
