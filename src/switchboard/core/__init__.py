"""Core: ids, errors, settings and the clock, shared by every layer."""
