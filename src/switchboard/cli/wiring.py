"""Which implementations back an open org: today the fsspec file stores.

One small function, so that the Runtime can take the wiring over as it is built.
"""

from __future__ import annotations

from ..core.settings import Settings
from ..org.runtime import Org


def attach_file_stores(org: Org) -> Org:
    """Back ``org.files`` with fsspec stores, opened by URL as files are written or read."""
    from ..connectors.files import opener

    org.files.attach(opener(org.files.config))
    return org


def open_org(settings: Settings) -> Org:
    """``Org.open`` with its file stores attached."""
    return attach_file_stores(Org.open(settings))


__all__ = ["attach_file_stores", "open_org"]
