"""``files verify`` and ``files report``: re-reading every blob, and where storage goes.

Verify reads each blob back from the store its row names and compares size, SHA-256
and MD5 with what the upload recorded (the Checksum records carry); it also counts
keys a store holds that no row names (bytes left by an upload whose record failed).
The report sums stored bytes by object, file type, age and store.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from ...core.clock import now
from ...store.engine import Store
from ..schema.registry import Schema
from . import tables
from .stores import FileStorage

_AGES = ((30, "< 30 days"), (90, "30-90 days"), (365, "90-365 days"))


@dataclass
class VerifyResult:
    checked: int = 0
    bytes_read: int = 0
    problems: list[str] = field(default_factory=list)
    unreferenced: int = 0


def verify(db: Store, storage: FileStorage, *, workers: int = 8) -> VerifyResult:
    """Re-read every blob (``workers`` at once: object stores answer in parallel)."""
    b = tables.blob
    result = VerifyResult()
    with db.read() as conn:
        rows = conn.execute(sa.select(b.c.sha256, b.c.size, b.c.md5, b.c.store)).all()
    known: dict[str, set[str]] = defaultdict(set)
    for sha, _, _, url in rows:
        known[url].add(sha)

    def check(row: tuple[str, int, str, str]) -> tuple[int, str | None]:
        sha, size, md5, url = row
        sha_h, md5_h, got = hashlib.sha256(), hashlib.md5(), 0  # noqa: S324 - Checksum
        try:
            for chunk in storage.read(url, sha):
                got += len(chunk)
                sha_h.update(chunk)
                md5_h.update(chunk)
        except FileNotFoundError:
            return 0, f"{sha}: missing from {url}"
        if got != size or sha_h.hexdigest() != sha or md5_h.hexdigest() != md5:
            return got, f"{sha}: {got} bytes in {url} do not match ({size} recorded)"
        return got, None

    with ThreadPoolExecutor(max(1, workers)) as pool:
        for got, problem in pool.map(check, rows):
            result.checked += 1
            result.bytes_read += got
            if problem is not None:
                result.problems.append(problem)
    stamp = now()
    db.write(lambda c: c.execute(b.update().values(verified_at=stamp)))
    for url, shas in known.items():
        result.unreferenced += sum(1 for key in storage.store(url).keys() if key not in shas)
    return result


def report(db: Store, schema: Schema) -> dict[str, dict[str, dict[str, int]]]:
    """``{"object"|"type"|"age"|"store": {value: {"files": n, "bytes": n}}}``, counting
    each live version or attachment with the size of its bytes."""
    c, b = tables.content, tables.blob
    out: dict[str, dict[str, dict[str, int]]] = {
        k: defaultdict(lambda: {"files": 0, "bytes": 0}) for k in ("object", "type", "age", "store")
    }
    at = now()
    for name, kind in (("ContentVersion", "filetype"), ("Attachment", "contenttype")):
        t = schema.table(schema.object(name))
        query = (
            sa.select(t.c[kind], t.c.createddate, b.c.size, b.c.store)
            .select_from(t.join(c, c.c.record_id == t.c.id).join(b, b.c.sha256 == c.c.sha256))
            .where(t.c.isdeleted.is_(False))
        )
        with db.read() as conn:
            for file_type, created, size, store in conn.execute(query):
                age = next(
                    (label for days, label in _AGES if created > at - timedelta(days=days)),
                    "> 1 year",
                )
                for key, value in (
                    ("object", name),
                    ("type", file_type or "UNKNOWN"),
                    ("age", age),
                    ("store", store),
                ):
                    entry = out[key][value]
                    entry["files"] += 1
                    entry["bytes"] += int(size)
    return {k: dict(v) for k, v in out.items()}


__all__ = ["VerifyResult", "report", "verify"]
