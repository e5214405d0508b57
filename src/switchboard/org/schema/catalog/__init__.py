"""The catalog of Salesforce standard objects a new org starts with.

Each area module (``sales``, ``marketing``, ``activities``, ``service``, ``commerce``,
``identity``, ``files``) lists builder functions in ``OBJECTS``; every call builds fresh ``ObjectDef``
values, because objects are mutable (custom fields get added to them).
"""

from __future__ import annotations

from ..model import ObjectDef
from . import (
    activities,
    audit,
    commerce,
    files,
    identity,
    marketing,
    permissions,
    sales,
    service,
    sharing,
)
from ._values import (
    CLOSED_CASE_STATUSES,
    CLOSED_TASK_STATUSES,
    CONVERTED_LEAD_STATUS,
    OPPORTUNITY_STAGES,
    Stage,
)

_AREAS = (
    identity, sales, marketing, activities, service, commerce, files, permissions, sharing, audit,
)


def standard_objects() -> list[ObjectDef]:
    """Fresh definitions of every standard object, in a stable order."""
    return [build() for area in _AREAS for build in area.OBJECTS]


__all__ = [
    "CLOSED_CASE_STATUSES",
    "CLOSED_TASK_STATUSES",
    "CONVERTED_LEAD_STATUS",
    "OPPORTUNITY_STAGES",
    "Stage",
    "standard_objects",
]
