"""The hub's integration patterns (call-out, files, sync; later virtualization, call-in).

``PATTERN_FACTORIES`` lists how to build each pattern from the Runtime: factories, not
live objects (the Runtime builds each pattern once and holds it). ``PATTERN_CHAINS``
lists the patterns' migration chains (:class:`store.migrations.Chain`), run by the
Runtime's ``open`` after the org's own. A pattern package appends to both here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.service import Pattern
    from ..store.migrations import Chain

PATTERN_FACTORIES: list[Callable[[Any], Pattern]] = []
PATTERN_CHAINS: list[Chain] = []


def _callout(runtime: Any) -> Pattern:
    from .callout.pattern import CalloutPattern

    return CalloutPattern(runtime)


def _callout_chains() -> list[Chain]:
    from ..events.consumers import CHAIN as CONSUMERS
    from .callout.tables import CHAIN as CALLOUT

    return [CONSUMERS, CALLOUT]


def _files(runtime: Any) -> Pattern:
    from .files.pattern import FilesPattern

    return FilesPattern(runtime)


def _sync(runtime: Any) -> Pattern:
    from .sync.pattern import SyncPattern

    return SyncPattern(runtime)


def _sync_chains() -> list[Chain]:
    from .sync.tables import CHAIN as SYNC

    return [SYNC]


PATTERN_FACTORIES.append(_callout)
PATTERN_FACTORIES.append(_files)
PATTERN_FACTORIES.append(_sync)
PATTERN_CHAINS.extend(_callout_chains())
PATTERN_CHAINS.extend(_sync_chains())

__all__ = ["PATTERN_CHAINS", "PATTERN_FACTORIES"]
