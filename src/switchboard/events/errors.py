"""Errors of the event log.

SwitchboardError
└── EventError              terminal unless marked
    ├── ReplayIdTooOld      terminal: the replay id names events already purged
    ├── InvalidReplayId     terminal: the replay id is not one this org issued
    │                       (malformed or ahead of the log)
    ├── ReplayIdRequired    terminal: a custom replay position without a replay id
    ├── UnknownTopic        terminal: no such channel
    ├── ConsumerMoved       transient (also a TransientError): another process moved
    │                       a durable consumer's cursor first; the batch is re-read
    └── RelayError          terminal: the NATS relay cannot go on without an operator
                            (no org, events lost to retention)
"""

from __future__ import annotations

from ..core.errors import SwitchboardError, TransientError


class EventError(SwitchboardError):
    pass


class ReplayIdTooOld(EventError):
    error_code = "INVALID_REPLAY_ID"


class InvalidReplayId(EventError):
    error_code = "INVALID_REPLAY_ID"


class ReplayIdRequired(EventError):
    error_code = "INVALID_REPLAY_ID"


class UnknownTopic(EventError):
    error_code = "NOT_FOUND"
    status = 404


class ConsumerMoved(EventError, TransientError):
    transient = True


class RelayError(EventError):
    """The relay cannot go on without an operator (no org, events lost to retention)."""


__all__ = [
    "ConsumerMoved",
    "EventError",
    "InvalidReplayId",
    "RelayError",
    "ReplayIdRequired",
    "ReplayIdTooOld",
    "UnknownTopic",
]
