"""Facts derived from an object's fields, worked out once per object, not once per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..schema.model import ObjectDef

T = TypeVar("T")
_LIMIT = 1000  # objects remembered per fact; past it the cache starts over


def per_object(build: Callable[[ObjectDef], T]) -> Callable[[ObjectDef], T]:
    """``build(obj)``, remembered for each object.

    A deploy replaces an object rather than mutating it, so the cache is keyed by the
    object's identity and a hit is checked with ``is``: a redeployed object is built
    afresh, and a recycled ``id`` can never return another object's facts.
    """
    cache: dict[int, tuple[ObjectDef, T]] = {}

    def get(obj: ObjectDef) -> T:
        hit = cache.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = build(obj)
        if len(cache) >= _LIMIT:
            cache.clear()
        cache[id(obj)] = (obj, value)
        return value

    return get


__all__ = ["per_object"]
