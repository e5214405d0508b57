"""Who is writing and through which API: stamped on records and change events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ...core import clock


@dataclass(slots=True)
class WriteContext:
    user_id: str
    # The API of the write path as Salesforce names it in changeOrigin: rest, soap, bulk.
    api: str = "rest"
    api_version: str = "59.0"
    client: str | None = None
    at: datetime = field(default_factory=clock.now)
    transaction_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    sequence: int = 0

    @property
    def change_origin(self) -> str:
        origin = f"com/salesforce/api/{self.api}/{self.api_version}"
        return f"{origin};client={self.client}" if self.client else origin

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def fresh(self) -> WriteContext:
        """The same writer for a new transaction (new key, new time, sequence from 1)."""
        return WriteContext(self.user_id, self.api, self.api_version, self.client)


__all__ = ["WriteContext"]
