"""Relays: workers that copy the event log into an external event mesh.

Each relay reads the log through :mod:`events.replay` (never beyond the watermark, so an
event that commits late is still relayed) and keeps a durable checkpoint in the org's
database, written only after the mesh has acknowledged everything up to it.
"""

from __future__ import annotations

__all__: list[str] = []
