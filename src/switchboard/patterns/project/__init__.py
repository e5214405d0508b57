"""The integration project: ``switchboard.yaml`` loaded, checked and watched.

* :func:`load_project` / :func:`read_project` (:mod:`.loader`): the file into a
  :class:`Project` (:mod:`.models`), every mistake as ``switchboard.yaml:LINE: message``;
* :func:`check_project` (:mod:`.check`): that plus the semantic checks each section
  contributes (``SECTION_CHECKERS``), with the org at hand;
* :func:`project_schema` (:mod:`.schema`): its JSON Schema;
* :class:`ProjectWatcher` (:mod:`.watcher`): reloads a running hub when the file changes,
  or keeps the old project whole when the new one is refused.
"""

from .check import SECTION_CHECKERS, check_project, load_checked_project
from .errors import FILE_NAME, ProjectError, ProjectInvalid
from .loader import load_project, read_project
from .models import Project
from .schema import project_schema
from .source import ProjectSource
from .watcher import ProjectWatcher

__all__ = [
    "FILE_NAME",
    "SECTION_CHECKERS",
    "Project",
    "ProjectError",
    "ProjectInvalid",
    "ProjectSource",
    "ProjectWatcher",
    "check_project",
    "load_checked_project",
    "load_project",
    "project_schema",
    "read_project",
]
