"""Checkpointing SQLite's write-ahead log on a thread of its own.

In WAL mode a commit appends the transaction's pages to the log, and a checkpoint copies
them back into the database file and syncs it. By default the committing connection
runs that checkpoint itself, inside its COMMIT, each time the log passes 1,000 pages: on
a bulk job of 5,000-row chunks the checkpoint was most of every commit, on the one
thread that writes. So the writer connection never checkpoints (``wal_autocheckpoint``
is 0 on it) and a :class:`Checkpointer` thread, with a connection of its own, runs a
PASSIVE checkpoint after commits: one that never waits for readers or writers. sqlite3
releases the GIL while it copies, so the copying overlaps the writer's next transaction.

A writer that never pauses can keep a passive checkpoint from ever catching up, and the
log is only rewound to its start when a transaction begins on a fully copied log, so
left alone it would grow without end. When the last checkpoint saw more than
``limit_frames`` frames in the log, the writer finishes the checkpoint itself, after its
commit and under the write lock, where nothing can append meanwhile; the next
transaction then starts the log afresh.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("switchboard.store")

# 16,384 frames of 4 KiB pages: the log is kept near 64 MiB.
LIMIT_FRAMES = 16384


class Checkpointer:
    def __init__(self, path: str, *, limit_frames: int | None = None) -> None:
        self.path = path
        self.limit_frames = limit_frames or LIMIT_FRAMES
        self.log_frames = 0  # frames in the log when the last checkpoint ran
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    @property
    def behind(self) -> bool:
        """The writer should checkpoint itself: the log has outgrown the limit, or the
        thread is gone and nobody else will (a safety net; it logs why it died)."""
        return self.log_frames > self.limit_frames or not self._thread.is_alive()

    def after_commit(self, conn: sqlite3.Connection) -> None:
        """The writer committed on ``conn``: wake the thread, or, when :attr:`behind`,
        checkpoint here, between transactions and under the write lock."""
        if self.behind:
            self.checkpoint(conn)
        else:
            self._wake.set()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One PASSIVE checkpoint on ``conn``; remembers how long the log was."""
        busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        # Busy: another checkpoint was running (it reports for itself); the last count
        # stands, so a writer that is behind stays behind until a checkpoint completes.
        if not busy and frames >= 0:
            self.log_frames = int(frames)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except Exception:
            log.exception("WAL checkpointer could not open %s; the writer checkpoints", self.path)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                try:
                    self.checkpoint(conn)
                except Exception:  # the next commit tries again; the writer's limit holds
                    log.warning("WAL checkpoint failed", exc_info=True)
        finally:
            conn.close()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(10)


__all__ = ["LIMIT_FRAMES", "Checkpointer"]
