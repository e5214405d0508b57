"""Keeping an exception without keeping its frames alive.

An exception stored past the ``except`` block that caught it (a group-commit job's
error, a record's error in an outcome list) holds its traceback, the traceback holds
every frame it passed through, and those frames hold their locals: the request body,
the prepared records, and the very list or job the exception was stored in. That is a
reference cycle, freed only by a full collection of the cyclic collector, which a
server tuned for throughput runs rarely (see :mod:`core.collector`): measured here, 50
refused creates with 2,000 unknown fields each left 400,000 unreachable objects behind.

:func:`detach` cuts the cycle where an exception is stored: it keeps the traceback as
text (a note the log prints) and drops the frames. Clearing the frames' locals is not
enough: each frame still reaches its callers through ``f_back``, and one of them holds
the job or list the exception is stored in.
"""

from __future__ import annotations

from traceback import format_tb
from typing import TypeVar

from .errors import SwitchboardError

E = TypeVar("E", bound=BaseException)


def detach(exc: E, *, keep_text: bool = True) -> E:
    """``exc``, its cause and its context, holding no frame: each traceback becomes a
    note (printed by ``logging`` with the exception) and is dropped. ``keep_text=False``
    drops it outright: for an error already rendered and logged, at the end of its life
    (where the exception may still sit in data, a record's error list, that a frame of
    its traceback holds)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tb = current.__traceback__
        if tb is not None:
            if keep_text and not isinstance(current, SwitchboardError):  # expected: no trace
                current.add_note("Traceback where it was raised:\n" + "".join(format_tb(tb)))
            current.__traceback__ = None
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return exc


def bare(exc: E) -> E:
    """``exc`` without any traceback: for expected errors kept as data (a record's
    validation errors), whose frames say nothing the message does not."""
    return exc.with_traceback(None)


__all__ = ["bare", "detach"]
