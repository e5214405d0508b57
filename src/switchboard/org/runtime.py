"""The org as one object: store, schema, DML and identity, opened from settings.

The Runtime (:mod:`switchboard.runtime`) opens the one :class:`Org` of a process and
hands it to the API, the patterns and the workers, which all go through it;
single-record methods raise the record's first error, batch callers use ``org.dml``
inside ``org.store.write`` themselves. :meth:`Org.open` runs the migration chains of
the org's layers (:mod:`.migrations`). What runs beside the org (the event hub, the
query engine, the bulk worker) is the Runtime's, not the Org's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from ..core import ids
from ..core.errors import NotFound, SwitchboardError
from ..core.private import private_dir
from ..core.settings import Settings
from ..store import open_store
from ..store.engine import Store
from ..store.migrations import migrate
from .dml.context import WriteContext
from .dml.keys import KeyMatcher
from .dml.writer import Dml, Outcome
from .errors import InvalidField
from .files import Files, FilesConfig
from .formulas.compute import compute_rows
from .identity.bootstrap import Bootstrap, bootstrap
from .identity.sessions import SessionCache
from .migrations import ORG_CHAINS
from .records import render
from .schema.model import FieldDef, ObjectDef
from .schema.registry import Schema
from .security import fls
from .security.encryption.events import PayloadOpener
from .security.encryption.keyring import Keyring
from .security.permissions import Permissions
from .security.principal import Principal
from .security.profiles import ensure_profiles
from .security.trail.assignment_rules import AssignmentTrail
from .security.trail.capture import EventCapture
from .usage import ApiUsage

T = TypeVar("T")


class Org:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.schema = Schema(
            store,
            poll_interval=settings.schema_poll_interval,
            change_capture=settings.cdc_objects,
            keyring=Keyring(
                store,
                configured_key=settings.encryption_key,
                data_dir=settings.data_dir,
                poll_interval=settings.schema_poll_interval,
            ),
        )
        self.dml = Dml(self.schema)
        # An assignment written by any API leaves its SetupAuditTrail row.
        self.dml.hooks["permissionsetassignment"] = AssignmentTrail(self.schema)
        # Change events hold encrypted fields sealed; subscribers read them opened.
        store.payload_openers.append(PayloadOpener(self.schema))
        # File bytes: the stores are attached by the layer that opens the org.
        self.files = Files(store, self.schema, self.dml, FilesConfig.from_settings(settings))
        self.usage = ApiUsage(store, settings.daily_api_requests, settings.app_daily_api_requests)
        self.sessions = SessionCache(store)
        self.permissions = Permissions(store, self.schema, self.sessions)
        self.boot: Bootstrap | None = None
        # API and login events for EventLogFile; its thread is started by the Runtime,
        # and what it holds is flushed when the org closes.
        self.event_capture = EventCapture(store, settings)
        # A transaction the single-record helpers join instead of opening their own
        # (composite allOrNone runs every subrequest in one), per thread.
        self._bound = threading.local()

    @classmethod
    def open(cls, settings: Settings) -> Org:
        """Open the org's database, migrate it, create tables and bootstrap on first start."""
        private_dir(settings.data_dir)
        org = cls(open_store(settings.database_url), settings)
        try:
            migrate(org.store, ORG_CHAINS)
            org.schema.load()
            org.schema.ensure_tables()
            org.boot = org.store.write(lambda conn: bootstrap(org.schema, conn, settings))
            admin = org.boot.admin_user_id
            org.store.write(lambda conn: ensure_profiles(org.schema, conn, admin))
            org.event_capture.org_id = org.boot.org_id[:15]
        except BaseException:
            # The constructor started threads (the session cache's LISTEN on PostgreSQL,
            # usage flushing): an org that failed to open must not leave them running.
            org.close()
            raise
        return org

    @property
    def org_id(self) -> str:
        assert self.boot is not None
        return self.boot.org_id

    def close(self) -> None:
        self.event_capture.stop()
        self.sessions.close()
        self.usage.close()
        self.store.dispose()

    # -- joining an open transaction -----------------------------------------------------
    @contextmanager
    def bound(self, conn: Connection) -> Iterator[None]:
        """Within this block, helpers on this thread run in ``conn``'s transaction."""
        previous = getattr(self._bound, "conn", None)
        self._bound.conn = conn
        try:
            yield
        finally:
            self._bound.conn = previous

    def _write(self, work: Callable[[Connection], T]) -> T:
        conn = getattr(self._bound, "conn", None)
        return work(conn) if conn is not None else self.store.write(work)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        conn = getattr(self._bound, "conn", None)
        if conn is not None:
            yield conn
        else:
            with self.store.read() as fresh:
                yield fresh

    # -- single-record operations -------------------------------------------------------
    def _one(self, outcomes: list[Outcome]) -> Outcome:
        out = outcomes[0]
        if not out.errors:
            return out
        error = out.errors[0]
        try:
            raise error
        finally:  # the traceback keeps this frame: it must not keep the outcomes too
            del out, outcomes, error

    def create(self, ctx: WriteContext, type_name: str, record: dict[str, Any]) -> str:
        obj = self.schema.object(type_name)
        prepared = self.dml.prepare_insert(obj, [record])  # outside the write transaction
        out = self._write(
            lambda c: self._one(self.dml.insert_prepared(c, ctx.fresh(), obj, prepared))
        )
        assert out.id is not None
        return out.id

    async def create_async(self, ctx: WriteContext, type_name: str, record: dict[str, Any]) -> str:
        """:meth:`create` from the event loop: resolving and coercing the record happen
        here, the insert in the store's group commit."""
        obj = self.schema.object(type_name)
        prepared = self.dml.prepare_insert(obj, [record])
        out = await self.store.write_async(
            lambda c: self._one(self.dml.insert_prepared(c, ctx.fresh(), obj, prepared))
        )
        assert out.id is not None
        return out.id

    def update(
        self, ctx: WriteContext, type_name: str, record_id: str, record: dict[str, Any]
    ) -> None:
        obj = self.schema.object(type_name)
        self._write(
            lambda c: self._one(self.dml.update(c, ctx.fresh(), obj, [(record_id, record)]))
        )

    def upsert(
        self,
        ctx: WriteContext,
        type_name: str,
        key: FieldDef,
        value: str,
        record: dict[str, Any],
        *,
        update_only: bool = False,
    ) -> Outcome:
        obj = self.schema.object(type_name)
        body = {
            k: v
            for k, v in record.items()
            if not (isinstance(k, str) and k.lower() == key.name.lower())
        }
        body[key.name] = value
        return self._write(
            lambda c: self._one(
                self.dml.upsert(c, ctx.fresh(), obj, key, [body], update_only=update_only)
            )
        )

    def delete(self, ctx: WriteContext, type_name: str, record_id: str) -> None:
        obj = self.schema.object(type_name)
        self._write(lambda c: self._one(self.dml.delete(c, ctx.fresh(), obj, [record_id])))

    # -- reads --------------------------------------------------------------------------
    def resolve_fields(
        self, obj: ObjectDef, names: list[str] | None, principal: Principal | None = None
    ) -> list[FieldDef]:
        """Fields by name; with a principal, only those it may read: all of them when
        no names are given, else an unreadable one is no such column, as in SOQL."""
        if not names:
            return fls.readable(principal, obj, obj.fields.values())
        out = []
        for name in names:
            f = self.schema.field(obj, name.strip())
            if f is None or not fls.can_read(principal, obj, f):
                raise InvalidField(
                    f"No such column '{name.strip()}' on entity '{obj.name}'. If you are "
                    "attempting to use a custom field, be sure to append the '__c' after the "
                    "custom field name. Please reference your WSDL or the describe call for "
                    "the appropriate names.",
                    fields=[name.strip()],
                )
            out.append(f)
        return out

    def retrieve(
        self,
        type_name: str,
        record_id: str,
        fields: list[str] | None,
        version: str,
        principal: Principal | None = None,
    ) -> dict[str, Any]:
        obj = self.schema.object(type_name)
        rid = ids.normalize(record_id)
        wanted = self.resolve_fields(obj, fields, principal)
        obj = self.schema.current(obj)
        with self._read() as conn:
            row = conn.execute(self.schema.statements(obj).by_id, {"id": rid}).mappings().first()
            if row is None or row["isdeleted"] or rid[:3] != obj.key_prefix:
                raise NotFound()
            values = dict(row)
            if self.schema.formulas(obj):
                compute_rows(conn, self.schema, obj, [values])
        return render(obj, values, wanted, version)

    def find(self, obj: ObjectDef, key: FieldDef, value: str) -> list[str]:
        """Ids of live records whose ``key`` field matches ``value`` (text case-insensitive)."""
        matcher = KeyMatcher(key)
        try:
            wanted = matcher.wanted(value)
        except SwitchboardError:  # not a number: no record has it
            return []
        with self._read() as conn:
            return matcher.lookup(conn, self.schema.table(obj), [wanted]).get(wanted, [])


__all__ = ["Org"]
