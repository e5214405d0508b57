"""Helpers shared by the test suite: database backends and real servers."""
