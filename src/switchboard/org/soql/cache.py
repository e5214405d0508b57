"""The plan cache: a repeated query skips parsing and compiling.

Keyed by the exact query text and whether deleted rows are wanted; an entry is only
used while the schema version it was compiled against is current, so a deploy that
adds a field or object is seen by the very next query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PlanCache(Generic[T]):
    """A small thread-safe LRU of compiled plans."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, bool, str], tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(
        self, text: str, all_rows: bool, version: int, build: Callable[[], T], access: str = ""
    ) -> T:
        """``access`` is the principal's fingerprint: a plan's shape depends on what its
        caller may read, so callers with different access never share one."""
        key = (text, all_rows, access)
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] == version:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
        self.misses += 1
        plan = build()  # outside the lock: compiling may take a while, racing is harmless
        with self._lock:
            self._items[key] = (version, plan)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return plan

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


__all__ = ["PlanCache"]
