"""Garbage-collector settings for a long-running server process.

CPython's cyclic collector runs a young-generation pass every 700 container allocations
and, every 100 such passes, may walk every tracked object. A server keeps a large heap
that lives as long as the process (schema, SQLAlchemy metadata and compiled statements,
Avro schemas, imported modules), while a bulk chunk or a page of query results allocates
hundreds of thousands of short-lived dicts and lists, nearly all freed by reference
counting. The collector then spends its time re-walking the permanent heap.

Measured in process on a Bulk API 2.0 upsert of 100,000 rows (SQLite, CDC on): 16,000
rows/s with the defaults, 19,000 after freezing the startup heap, 22,000-23,000 with the
thresholds below as well (the exact thresholds matter little; see bench/bulk.py).

Rare full collections are safe only if garbage does not depend on them: error paths
keep no exception (and so no frame) in a reference cycle (see :mod:`core.tracebacks`),
so a refused request is freed by reference counting like a served one. Proved on the
hostile soak (bench/soak_hostile.py), where these thresholds stay.

The rest of a server's growth under hostile load was the C allocator, not Python:
glibc raises its mmap threshold each time a large block is freed, so after the first
few multi-megabyte bodies every later one came from the heap, which it keeps, and each
worker thread grew an arena of its own. On the soak (3,000 valid then 3,000 hostile
requests, SQLite) RSS went 122 -> 162 MB (1.33x) with glibc's defaults and 105 -> 115 MB
(1.09x) with a fixed 128 KB mmap and trim threshold and two arenas, set below.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

# A young pass every 10,000 allocations instead of 700; older generations 5-10x rarer.
THRESHOLDS = (10_000, 50, 100)
# glibc mallopt parameters: blocks from 128 KB up are mmapped (and returned when freed),
# free heap over 128 KB is trimmed, and threads share two arenas.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
MALLOC = ((_M_MMAP_THRESHOLD, 128 * 1024), (_M_TRIM_THRESHOLD, 128 * 1024), (_M_ARENA_MAX, 2))


def _tune_malloc() -> None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is None:  # not glibc (macOS, musl): its allocator keeps its own policy
        return
    for param, value in MALLOC:
        mallopt(param, value)


def tune_for_server() -> None:
    """Move everything alive now out of the collector's sight, raise its thresholds, and
    set the C allocator to return large blocks.

    Call once, after startup has imported and built what the process keeps: frozen
    objects are never collected, so garbage made before this call should be gone first.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    _tune_malloc()


__all__ = ["MALLOC", "THRESHOLDS", "tune_for_server"]
