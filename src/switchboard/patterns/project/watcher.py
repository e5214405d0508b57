"""Reloading a running hub when ``switchboard.yaml`` changes, or keeping the old project.

:class:`ProjectWatcher` is a Service: it polls the file (its size and mtime, then a hash
of its bytes, so a touch without a change does nothing and an edit within the same
mtime tick is still seen), and on a change validates the **whole** new file — syntax,
models and every section's semantic checks against the org — before anything is
swapped. A file with any mistake is refused whole: each mistake is logged as
``switchboard.yaml:LINE: message`` and the old project keeps running. A valid file goes
to ``runtime.apply_project(new)``; should a pattern still fail to take it, the old
project is applied again so no pattern is left on the new one alone.

Polling rather than inotify: it works the same on every platform and on network and
container-mounted folders, and one ``stat`` a second costs nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import Any

from ...core.ticker import Ticker
from .check import semantic_errors
from .errors import FILE_NAME, ProjectError
from .loader import project_file, read_project

log = logging.getLogger("switchboard.project")


class ProjectWatcher:
    name = "project-watcher"

    def __init__(self, runtime: Any, directory: Path, *, interval: float = 1.0) -> None:
        self.runtime = runtime
        self.path = project_file(Path(directory))
        self.interval = interval
        self.reloads = 0  # projects applied (observability and tests)
        self.refusals = 0  # changed files refused
        self.last_errors: list[ProjectError] = []
        self._stamp = self._stat()
        self._digest = self._hash()
        self._ticker = Ticker(
            self.poll,
            interval,
            logger=log,
            first=False,
            failed=f"reloading {FILE_NAME} failed; the running project is kept",
        )

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _hash(self) -> str | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None

    async def start(self) -> None:
        self._ticker.start()

    async def stop(self) -> None:
        await self._ticker.stop()

    async def poll(self) -> bool:
        """Check once; returns whether a new project was applied."""
        stamp = self._stat()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        digest = await asyncio.to_thread(self._hash)
        if digest == self._digest or digest is None:
            return False
        self._digest = digest
        project, errors = await asyncio.to_thread(read_project, self.path)
        if project is not None:
            errors = await asyncio.to_thread(semantic_errors, project, self.runtime.org)
        if errors or project is None:
            self.refusals += 1
            self.last_errors = errors
            log.error("%s changed but is refused; the running project is kept:", FILE_NAME)
            for err in errors:
                log.error("%s", err)
            return False
        old = self.runtime.project
        try:
            self.runtime.apply_project(project)
        except Exception:
            log.exception("applying the new %s failed; restoring the running project", FILE_NAME)
            if old is not None:
                self.runtime.apply_project(old)
            self.refusals += 1
            return False
        self.reloads += 1
        self.last_errors = []
        log.info("%s reloaded", FILE_NAME)
        return True


__all__ = ["ProjectWatcher"]
