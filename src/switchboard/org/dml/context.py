"""Who is writing and through which API: stamped on records and change events."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ...core import clock
from ..security.principal import Principal

_KEY_BASE = uuid.uuid4().int
_KEY_COUNTER = itertools.count()


def _transaction_key() -> str:
    """A unique UUID-shaped key: a random per-process base plus a counter, since
    ``uuid4()`` reads the OS random source (a system call) on every write."""
    return str(uuid.UUID(int=(_KEY_BASE + next(_KEY_COUNTER)) % (1 << 128)))


@dataclass(slots=True)
class WriteContext:
    user_id: str
    # The API of the write path as Salesforce names it in changeOrigin: rest, soap, bulk.
    api: str = "rest"
    api_version: str = "59.0"
    client: str | None = None
    at: datetime = field(default_factory=clock.now)
    transaction_key: str = field(default_factory=lambda: _transaction_key())
    sequence: int = 0
    # Sforce-Duplicate-Rule-Header: allowSave=true saves past duplicate alerts.
    allow_save: bool = False
    # Whose access applies (org.security); None writes in the org's own context, for
    # the org's internal writers.
    principal: Principal | None = None

    @property
    def change_origin(self) -> str:
        origin = f"com/salesforce/api/{self.api}/{self.api_version}"
        return f"{origin};client={self.client}" if self.client else origin

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def fresh(self) -> WriteContext:
        """The same writer for a new transaction (new key, new time, sequence from 1)."""
        return WriteContext(
            self.user_id,
            self.api,
            self.api_version,
            self.client,
            allow_save=self.allow_save,
            principal=self.principal,
        )


__all__ = ["WriteContext"]
