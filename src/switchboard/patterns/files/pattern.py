"""The files section applied to the running org: where new file bytes go.

Not a pattern with deliveries of its own: it contributes no route and no service, it
only swaps the org's :class:`~org.files.config.FilesConfig` when a project is applied
or reloaded (``Runtime.apply_project``), so a reload that another pattern refuses puts
the old routes back like every other part of the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .config import files_config

if TYPE_CHECKING:
    from ...runtime.service import ApiRoute, Service


class FilesPattern:
    name = "files"

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        from ...org.files.config import FilesConfig

        # What the settings say, whatever an earlier project left: every reload's fallback.
        self.base = FilesConfig.from_settings(runtime.settings)
        project = getattr(runtime, "project", None)
        if project is not None:
            self.apply(project)

    def apply(self, project: Any) -> None:
        """Build the whole new configuration first, then swap it in one step."""
        config = files_config(self.base, getattr(project, "files", None))
        for store in self.runtime.org.files.configure(config):
            close = getattr(store, "close", None)  # a store whose options changed
            if close is not None:
                close()

    def routes(self) -> Sequence[ApiRoute]:
        return []

    def services(self) -> Sequence[Service]:
        return []


__all__ = ["FilesPattern"]
