"""The one place time is read, so tests and Salesforce formatting agree."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Current UTC time, naive (the stored form), truncated to milliseconds.

    Salesforce keeps datetimes to the millisecond; storing naive UTC keeps SQLite and
    PostgreSQL ``timestamp`` columns identical.
    """
    t = datetime.now(UTC)
    # One replace, not two: read several times per call-out delivery (2.2 against 3.5 us).
    return t.replace(tzinfo=None, microsecond=t.microsecond - t.microsecond % 1000)


def epoch_ms(value: datetime) -> int:
    """Milliseconds since the epoch of a naive-UTC or aware datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def format_datetime(value: datetime) -> str:
    """Salesforce's REST datetime form: ``2024-01-02T03:04:05.000+0000``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


__all__ = ["epoch_ms", "format_datetime", "now"]
