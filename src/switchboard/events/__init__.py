"""The event log: change and platform events appended in the writer's transaction."""

from __future__ import annotations

from typing import Any

from .hub import EventHub


def open_hub(store: Any, settings: Any) -> EventHub:
    """A new, started event hub of ``store`` configured from ``settings``.

    A factory, not a registry: the caller owns the hub and closes it. In ``switchboard
    up`` the Runtime holds the one hub and hands it to whoever needs it.
    """
    return EventHub.from_settings(store, settings).start()


__all__ = ["EventHub", "open_hub"]
