"""Errors of the event log.

SwitchboardError
└── EventError
    ├── ReplayIdTooOld      the replay id names events already purged by retention
    ├── InvalidReplayId     the replay id is not one this org issued (malformed or ahead
    │                       of the log)
    ├── ReplayIdRequired    a custom replay position was asked for without a replay id
    ├── UnknownTopic        no such channel
    └── ConsumerMoved       transient: another process moved a durable consumer's
                            cursor first; the batch is re-read (events.consumers)
"""

from __future__ import annotations

from ..core.errors import SwitchboardError


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


class ConsumerMoved(EventError):
    transient = True


__all__ = ["ConsumerMoved", "EventError", "InvalidReplayId", "ReplayIdRequired", "ReplayIdTooOld", "UnknownTopic"]
