"""Moving file bytes to another store while every API keeps serving them.

A run is recorded before any byte moves: ``sb_file_offload`` holds its target and
filters, ``sb_file_offload_item`` one row per blob to move. Each item then goes
Pending → Moved → Done:

1. Pending: copy the blob to the target (skipped when the target has it already, with
   the right size: a copy cut off by a crash is a staging object, never the key),
   read it back and check its SHA-256; then, in one transaction, point the blob's row
   at the target and mark the item Moved. Until that commit every reader is sent to
   the source, which still has the bytes; after it, to the target, which has them.
2. Moved: remove the source copy, then mark the item Done. A reader that looked up
   the source just before the switch and finds it gone looks again (``Files.stream``).

Every step is idempotent (keys are content hashes), so a run killed at any point
resumes by running again: nothing is lost and, once it finishes, nothing is stored
twice. Failures are kept on the item (Failed) and retried by the next resume.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core.clock import now
from ...core.errors import SwitchboardError
from ...store.engine import Store
from . import tables
from .storage import BlobInfo
from .stores import FileStorage

PENDING, MOVED, DONE, FAILED = "Pending", "Moved", "Done", "Failed"
_PLAN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Progress:
    run_id: int
    total: int
    done: int
    failed: int
    bytes_moved: int


class Offload:
    def __init__(self, db: Store, storage: FileStorage) -> None:
        self.db = db
        self.storage = storage

    def start(
        self, target: str, *, older_than_days: float | None = None, larger_than: int | None = None
    ) -> int:
        """The run moving matching blobs to ``target``: an unfinished run to the same
        target with the same filters is resumed, else a new one is planned."""
        url = self.storage.config.resolve(target).url
        self.storage.store(url)  # fail now, not per item, when the target cannot open
        o = tables.offload

        def work(conn: Connection) -> int:
            found = conn.execute(
                sa.select(o.c.id).where(
                    o.c.target == url,
                    o.c.state == "Running",
                    _same(o.c.older_than_days, older_than_days),
                    _same(o.c.larger_than, larger_than),
                )
            ).scalar()
            if found is not None:
                return int(found)
            result = conn.execute(
                o.insert().values(
                    target=url,
                    older_than_days=older_than_days,
                    larger_than=larger_than,
                    state="Running",
                    created_at=now(),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            run_id = int(key[0])
            self._plan(conn, run_id, url, older_than_days, larger_than)
            return run_id

        return self.db.write(work)

    def _plan(
        self,
        conn: Connection,
        run_id: int,
        target: str,
        older_than_days: float | None,
        larger_than: int | None,
    ) -> None:
        b = tables.blob
        query = sa.select(b.c.sha256, b.c.store).where(b.c.store != target)
        if older_than_days is not None:
            query = query.where(b.c.created_at < now() - timedelta(days=older_than_days))
        if larger_than is not None:
            query = query.where(b.c.size > larger_than)
        rows = conn.execute(query).all()
        at = now()
        for i in range(0, len(rows), _PLAN_CHUNK):
            conn.execute(
                tables.offload_item.insert(),
                [
                    {
                        "offload_id": run_id,
                        "sha256": sha,
                        "source": source,
                        "state": PENDING,
                        "updated_at": at,
                    }
                    for sha, source in rows[i : i + _PLAN_CHUNK]
                ],
            )

    def run(
        self,
        run_id: int,
        *,
        workers: int = 4,
        progress: Callable[[Progress], None] | None = None,
    ) -> Progress:
        """Move every unfinished item of the run; returns the final counts."""
        item = tables.offload_item
        with self.db.read() as conn:
            target = conn.execute(
                sa.select(tables.offload.c.target).where(tables.offload.c.id == run_id)
            ).scalar_one()
            todo = conn.execute(
                sa.select(item.c.sha256, item.c.source, item.c.state).where(
                    item.c.offload_id == run_id, item.c.state != DONE
                )
            ).all()
        moved = 0

        def one(row: tuple[str, str, str]) -> int:
            sha, source, state = row
            try:
                size = self._move(run_id, sha, source, target) if state != MOVED else 0
                self._clean(run_id, sha, source)
                return size
            except (OSError, SwitchboardError) as exc:
                self._mark(run_id, sha, FAILED, str(exc)[:2000])
                return 0

        with ThreadPoolExecutor(max(1, workers)) as pool:
            for i, size in enumerate(pool.map(one, todo), 1):
                moved += size
                if progress is not None and (i % 50 == 0 or i == len(todo)):
                    progress(self.status(run_id, moved))
        final = self.status(run_id, moved)
        if final.done == final.total:
            o = tables.offload
            self.db.write(
                lambda c: c.execute(
                    o.update().where(o.c.id == run_id).values(state="Done", finished_at=now())
                )
            )
        return final

    def _move(self, run_id: int, sha: str, source: str, target: str) -> int:
        b = tables.blob
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(b.c.size, b.c.md5, b.c.store).where(b.c.sha256 == sha)
            ).first()
        if row is None or row[2] != source:  # gone, or moved by another run meanwhile
            self._mark(run_id, sha, MOVED)
            return 0
        info = BlobInfo(sha, row[1], int(row[0]))
        src, dst = self.storage.store(source), self.storage.store(target)
        # Written again even when a run cut off earlier wrote it: the same bytes, and
        # cheaper than asking first (an object store's HEAD costs what a small PUT does).
        dst.put(sha, src.open(sha))
        self.storage.verify(dst, info, reread=True, drop_bad=True)

        def switch(conn: Connection) -> None:
            conn.execute(
                b.update()
                .where(b.c.sha256 == sha, b.c.store == source)
                .values(store=target, moved_at=now())
            )
            self._set(conn, run_id, sha, MOVED, None)

        self.db.write(switch)
        return info.size

    def _clean(self, run_id: int, sha: str, source: str) -> None:
        b = tables.blob
        with self.db.read() as conn:
            current = conn.execute(sa.select(b.c.store).where(b.c.sha256 == sha)).scalar()
        if current != source:  # never remove the copy the row still names
            self.storage.store(source).delete(sha)
        self._mark(run_id, sha, DONE)

    def _mark(self, run_id: int, sha: str, state: str, error: str | None = None) -> None:
        self.db.write(lambda conn: self._set(conn, run_id, sha, state, error))

    @staticmethod
    def _set(conn: Connection, run_id: int, sha: str, state: str, error: str | None) -> None:
        item = tables.offload_item
        conn.execute(
            item.update()
            .where(item.c.offload_id == run_id, item.c.sha256 == sha)
            .values(state=state, error=error, updated_at=now())
        )

    def status(self, run_id: int, moved: int = 0) -> Progress:
        item = tables.offload_item
        with self.db.read() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    sa.select(item.c.state, sa.func.count())
                    .where(item.c.offload_id == run_id)
                    .group_by(item.c.state)
                ).all()
            )
        return Progress(
            run_id,
            sum(counts.values()),
            int(counts.get(DONE, 0)),
            int(counts.get(FAILED, 0)),
            moved,
        )


def _same(column: sa.ColumnElement, value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


__all__ = ["DONE", "FAILED", "MOVED", "PENDING", "Offload", "Progress"]
