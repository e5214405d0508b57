"""The garbage collector of a serving process: the objects built at start are not its work.

A started Runtime holds about 150,000 objects the collector tracks and that live as long
as the process: modules, the schema, SQLAlchemy's tables and cached statements, pydantic
models. Every full collection walked all of them, and the younger collections are
triggered by allocations, which a busy process makes all the time: in
``bench/callouts.py`` (5,000 deliveries) collections took about 1.0 s of the round
(0.35 s of it in three full ones) and the event loop's thread 0.33 ms of CPU per
delivery; with the start-up heap frozen first, 0.33 s and 0.20 ms.

``gc.freeze`` moves every object alive now into a permanent generation that
collections skip. Frozen objects are still freed when nothing refers to them any more;
only cycles among them are never collected. So this is for a process that holds one
Runtime for its whole life (``switchboard up``, ``switchboard worker``), called once
it has started, and never for code that opens Runtimes again and again (tests).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect what is garbage now (it must not be kept for ever), then freeze the rest;
    returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


__all__ = ["freeze_startup_heap"]
