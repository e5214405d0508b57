"""The event log: change and platform events appended in the writer's transaction."""

from __future__ import annotations

from typing import Any

from .hub import EventHub, hub_for


def open_hub(store: Any, settings: Any) -> EventHub:
    """The process's event hub of ``store``, configured from ``settings``."""
    return hub_for(
        store,
        poll_interval=settings.event_poll_interval,
        gap_timeout=settings.event_gap_timeout,
        retention_hours=settings.event_retention_hours,
    )


__all__ = ["EventHub", "hub_for", "open_hub"]
