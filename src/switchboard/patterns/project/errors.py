"""Errors of the integration project (``switchboard.yaml``)::

    SwitchboardError
    └── ProjectInvalid     terminal  the file cannot be used; ``errors`` lists every
                                     mistake as a :class:`ProjectError`

A :class:`ProjectError` prints as ``switchboard.yaml:LINE: message``, the message
naming what is wrong and how to fix it, and never a secret's value.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import SwitchboardError

FILE_NAME = "switchboard.yaml"


@dataclass(frozen=True, order=True)
class ProjectError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"{FILE_NAME}:{self.line}: {self.message}"


class ProjectInvalid(SwitchboardError):
    error_code = "INVALID_PROJECT"
    status = 400

    def __init__(self, errors: list[ProjectError]) -> None:
        self.errors = sorted(errors)
        first = str(self.errors[0]) if self.errors else f"{FILE_NAME}: invalid"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(first + more)


__all__ = ["FILE_NAME", "ProjectError", "ProjectInvalid"]
