"""Running one sync: source pages in, upserts through the org's one DML path, the
position moved in the same transaction.

A run repeats, until the source has no row after the stored position:

1. read the position ``P`` (:mod:`.tables` ``sb_sync_state``);
2. read a page of at most ``batch_size`` source rows strictly after ``P`` in ``(cursor,
   key)`` order (:meth:`connectors.sql.client.SqlClient.read_page`), outside any org
   transaction, retried through the one retry policy when the source fails transiently;
3. in one org transaction: upsert the page by the external id through ``Dml.upsert``
   (validation rules, duplicate rules, field history and change events apply as for
   REST and Bulk; per row, like a Bulk job: a refused row does not stop the others),
   keep each refused row's error and drop the errors of rows now written, add the
   counts to the run, and move the position from ``P`` to the page's last row with a
   compare-and-set.

Exactly once, across crashes: the writes, the errors and the new position commit
together, so a crash before the commit leaves ``P`` and nothing of the batch, and the
next run reads the same page again; a crash after it leaves the new position, and the
next run reads past the batch. If the compare-and-set finds the position moved (another
run of the same sync committed that page first), the transaction rolls back and the run
reads again from the new position: no batch is applied twice. Rows refused by the org
are past the position as well: they are retried when their source row changes (its
cursor grows), and ``switchboard sync errors NAME`` lists them until then.

Writes carry ``WriteContext(api="sync", client="sync:NAME")``, so their change events
read ``changeOrigin: com/salesforce/api/sync/59.0;client=sync:NAME`` (what ``switchboard
audit`` prints), written as the org's admin user, in the org's own context.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ...core.errors import SwitchboardError
from ...core.retry import RetryPolicy, retry_call
from ...org.dml.context import WriteContext
from ...org.dml.writer import Outcome
from ...org.errors import RequiredFieldMissing
from ...store import dialects
from . import positions
from .config import SyncConfig
from .errors import SyncError
from .mapping import record_of
from .tables import error as error_table
from .tables import run as run_table
from .tables import state as state_table

log = logging.getLogger("switchboard.sync")

API = "sync"
# Reading the source: a database restarting or failing over comes back within a minute.
SOURCE_RETRY = RetryPolicy(attempts=5, backoff=1.0, max_backoff=20.0)
KEEP_RUNS = 1000  # run records kept per sync


def client_of(name: str) -> str:
    """The ``client`` of a sync's writes in changeOrigin."""
    return f"{API}:{name}"


@dataclass(slots=True)
class RunResult:
    run_id: int
    sync: str
    status: str
    rows_read: int = 0
    rows_written: int = 0
    rows_failed: int = 0
    batches: int = 0
    error: str | None = None


class _Moved(Exception):
    """The position moved under this batch: roll it back and read again."""


class SyncRunner:
    def __init__(self, org: Any, connectors: Any, name: str, config: SyncConfig, *,
                 api_version: str = "59.0", retry: RetryPolicy = SOURCE_RETRY) -> None:  # fmt: skip
        self.org = org
        self.connectors = connectors
        self.name = name
        self.config = config
        self.api_version = api_version
        self.retry = retry

    # -- a run ----------------------------------------------------------------------------
    def run(self, *, max_batches: int | None = None) -> RunResult:
        """Run until the source has nothing new (or ``max_batches`` batches committed)."""
        result = RunResult(self._start(), self.name, "running")
        try:
            for _ in self._batches(result, max_batches):
                pass
        except SwitchboardError as exc:
            result.status, result.error = "failed", exc.message
        except Exception as exc:  # an unforeseen failure still ends the run's record
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            self._finish(result)
            raise
        else:
            result.status = "succeeded"
        self._finish(result)
        return result

    def _batches(self, result: RunResult, max_batches: int | None) -> Iterator[None]:
        cfg = self.config
        obj = self.org.schema.object(cfg.to.object)
        targets = {}
        for name in cfg.fields:
            f = self.org.schema.field(obj, name)
            if f is None:
                raise SyncError(f"sync {self.name}: {obj.name} has no field {name}")
            targets[name] = f
        key = self.org.schema.field(obj, cfg.to.external_id)
        if key is None:
            raise SyncError(f"sync {self.name}: {obj.name} has no field {cfg.to.external_id}")
        client = self.connectors.sql(cfg.source.connection)
        src = cfg.source
        columns = list(dict.fromkeys(cfg.fields.values()))
        done = 0
        while max_batches is None or done < max_batches:
            position = self._position()
            read = partial(client.read_page, src.table, columns, cursor=src.cursor,
                           key=src.key, after=position, limit=cfg.batch_size)  # fmt: skip
            rows = retry_call(self.retry, read)
            if not rows:
                return
            records = [record_of(targets, cfg.fields, row) for row in rows]
            try:
                written, failed = self.org.store.write(
                    partial(self._apply, run_id=result.run_id, obj=obj, key=key,
                            position=position, rows=rows, records=records)  # fmt: skip
                )
            except _Moved:
                if self._position() == position:  # nobody moved it: the position is unreadable
                    raise SyncError(f"sync {self.name}: its stored position does not match "
                                    "itself; run `switchboard sync reset {self.name}`") from None  # fmt: skip
                log.info("sync %s: another run moved the position; reading again", self.name)
                continue
            result.rows_read += len(rows)
            result.rows_written += written
            result.rows_failed += failed
            result.batches += 1
            done += 1
            yield
            if len(rows) < cfg.batch_size:
                return

    def _apply(self, conn: Connection, *, run_id: int, obj: Any, key: Any,
               position: tuple[Any, Any] | None, rows: list[dict[str, Any]],
               records: list[dict[str, Any]]) -> tuple[int, int]:  # fmt: skip
        """One batch in ``conn``'s transaction (may run again on a store retry: it starts
        from the same inputs and has no effect outside the transaction)."""
        src = self.config.source
        ctx = WriteContext(self._user(), API, self.api_version, client_of(self.name))
        # A row without an external id value would be inserted anew on every run (an
        # upsert's "no key: create"): it is refused instead, as a required field.
        keyed = [i for i, r in enumerate(records) if r.get(key.name) not in (None, "")]
        written_out = self.org.dml.upsert(conn, ctx, obj, key, [dict(records[i]) for i in keyed])
        outcomes: list[Any] = [Outcome(errors=[RequiredFieldMissing(
            f"Required fields are missing: [{key.name}]", fields=[key.name])])
            for _ in records]  # fmt: skip
        for i, out in zip(keyed, written_out, strict=True):
            outcomes[i] = out
        now = clock.now()
        e = error_table
        keys = [str(row[src.key])[:255] for row in rows]
        conn.execute(sa.delete(e).where(e.c.sync == self.name, e.c.source_key.in_(keys)))
        failures = []
        for source_key, out in zip(keys, outcomes, strict=True):
            if out.errors:
                first = out.errors[0]
                failures.append({
                    "sync": self.name, "run_id": run_id, "source_key": source_key,
                    "error_code": first.error_code, "message": first.message,
                    "fields": orjson.dumps(list(first.fields)).decode(), "created_at": now,
                })  # fmt: skip
        if failures:
            conn.execute(e.insert(), failures)
        written = len(rows) - len(failures)
        last = rows[-1]
        s = state_table
        old_c, old_k = (None, None) if position is None else (
            positions.encode(position[0]), positions.encode(position[1]))  # fmt: skip
        moved = conn.execute(
            s.update()
            .where(s.c.sync == self.name, s.c.cursor_value.is_not_distinct_from(old_c),
                   s.c.key_value.is_not_distinct_from(old_k))  # fmt: skip
            .values(cursor_value=positions.encode(last[src.cursor]),
                    key_value=positions.encode(last[src.key]), updated_at=now)  # fmt: skip
        ).rowcount
        if moved != 1:
            raise _Moved()
        r = run_table
        conn.execute(
            r.update().where(r.c.id == run_id).values(
                rows_read=r.c.rows_read + len(rows), rows_written=r.c.rows_written + written,
                rows_failed=r.c.rows_failed + len(failures), batches=r.c.batches + 1)  # fmt: skip
        )
        return written, len(failures)

    # -- state and runs -------------------------------------------------------------------
    def _user(self) -> str:
        boot = self.org.boot
        return boot.admin_user_id if boot is not None else ""

    def _position(self) -> tuple[Any, Any] | None:
        s = state_table
        with self.org.store.read() as conn:
            row = conn.execute(
                sa.select(s.c.cursor_value, s.c.key_value).where(s.c.sync == self.name)
            ).first()
        if row is None or row[0] is None:
            return None
        return positions.decode(row[0]), positions.decode(row[1])

    def _start(self) -> int:
        """Record a new run (and the sync's state row, the first time); a run of this
        sync still marked running never finished: it is marked interrupted."""
        now = clock.now()

        def work(conn: Connection) -> int:
            s, r = state_table, run_table
            # Two processes starting this sync at once must not both insert its state
            # row (PostgreSQL; SQLite writers are serialized already).
            dialects.of(conn).lock(conn, f"sb_sync:{self.name}")
            if conn.execute(sa.select(s.c.sync).where(s.c.sync == self.name)).first() is None:
                conn.execute(s.insert().values(sync=self.name, updated_at=now))
            conn.execute(r.update().where(r.c.sync == self.name, r.c.status == "running")
                         .values(status="interrupted"))  # fmt: skip
            res = conn.execute(r.insert().values(sync=self.name, status="running", started_at=now))
            run_id = int(res.inserted_primary_key[0])  # type: ignore[index]
            # A scheduled sync records a run per interval, idle ones too: keep the latest
            # KEEP_RUNS (ids are shared by every sync, so this keeps at most that many).
            conn.execute(sa.delete(r).where(r.c.sync == self.name, r.c.id <= run_id - KEEP_RUNS))
            return run_id

        return self.org.store.write(work)  # type: ignore[no-any-return]

    def _finish(self, result: RunResult) -> None:
        r = run_table
        values = {"status": result.status, "finished_at": clock.now(),
                  "error": (result.error or None) and result.error[:2000]}  # fmt: skip
        self.org.store.write(
            lambda conn: conn.execute(r.update().where(r.c.id == result.run_id).values(**values))
        )


def reset(store: Any, name: str) -> bool:
    """Forget sync ``name``'s position (its next run reads the whole table again, and
    upserts leave unchanged records as they are) and its failed rows; whether it had one."""

    def work(conn: Connection) -> bool:
        s = state_table
        found = conn.execute(
            s.update().where(s.c.sync == name)
            .values(cursor_value=None, key_value=None, updated_at=clock.now())
        ).rowcount
        conn.execute(sa.delete(error_table).where(error_table.c.sync == name))
        return bool(found)

    return store.write(work)  # type: ignore[no-any-return]


__all__ = ["API", "SOURCE_RETRY", "RunResult", "SyncRunner", "client_of", "reset"]
