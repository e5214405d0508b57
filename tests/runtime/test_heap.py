"""The start-up heap freeze of a serving process (runtime/heap.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from switchboard.runtime.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process opens Runtimes again and again: nothing stays frozen


def test_garbage_is_collected_before_the_rest_is_frozen(unfrozen: None) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    dead = weakref.ref(a)
    kept = Node()
    del a, b
    frozen = freeze_startup_heap()
    assert dead() is None  # not kept for ever in the permanent generation
    assert frozen == gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # frozen: collections skip it
