"""The Runtime: builds and owns everything that runs, starts it in order, stops it in reverse."""

from .runtime import Runtime
from .service import Pattern, Service

__all__ = ["Pattern", "Runtime", "Service"]
