"""Failures of the ``switchboard`` command, each printed as one line (what, where, what
to do) with a non-zero exit; ``--debug`` shows the traceback::

    SwitchboardError
    └── CliError            a command cannot go on (exit 1)
        ├── NoOrg           the data directory holds no org (never created implicitly)
        ├── PortInUse       a port `switchboard up` needs is taken
        └── BadDatabase     --db is unsupported, unreachable or carries a secret
"""

from __future__ import annotations

from ..core.errors import SwitchboardError


class CliError(SwitchboardError):
    """A command cannot go on; terminal (retrying the same command fails the same way)."""

    error_code = "CLI_ERROR"
    transient = False


class NoOrg(CliError):
    """The data directory does not exist or holds no org."""


class PortInUse(CliError):
    """Another process listens on a port the server needs."""


class BadDatabase(CliError):
    """The database URL cannot be used."""


__all__ = ["BadDatabase", "CliError", "NoOrg", "PortInUse"]
