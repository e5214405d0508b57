"""Audit trails: SetupAuditTrail, LoginHistory and EventLogFile, and personal-data erasure.

tables      the trail's own tables (captured API events, log file contents) and the
            tables of the three sObjects for writers without a Schema
setup       SetupAuditTrail rows, written in the changer's transaction
logins      LoginHistory rows, one per login attempt against a known user
capture     API events buffered in memory, flushed in batches
logfiles    captured events rolled into EventLogFile CSVs per type and period
retention   pruning past each trail's retention
erase       removing a person's data from records, history, events and files
"""

from __future__ import annotations

from .capture import EventCapture
from .logfiles import content as log_file_content
from .logfiles import roll
from .logins import LoginSource, record_login
from .retention import prune
from .setup import record_assignment, record_setup, write_setup

__all__ = [
    "EventCapture",
    "LoginSource",
    "log_file_content",
    "prune",
    "record_assignment",
    "record_login",
    "record_setup",
    "roll",
    "write_setup",
]
