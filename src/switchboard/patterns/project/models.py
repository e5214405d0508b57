"""The models of ``switchboard.yaml``: one section per pattern, each its own pydantic model.

::

    credentials:   name -> connectors.http.CredentialConfig (Salesforce's named credentials)
    callouts:      name -> patterns.callout.config.CalloutConfig
    files:         patterns.files.config.FilesSection (stores and routes of file bytes)
    connections:   name -> connectors.sql.ConnectionConfig (databases syncs read)
    syncs:         name -> patterns.sync.config.SyncConfig

Database connections are a section of their own rather than ``credentials:``: those
are HTTP named credentials (auth schemes, rate limits, breakers, the org's deployed
named credentials as fallback), none of which a SQLAlchemy URL and a password have.

Later patterns (virtualization, call-in) add their section here the same
way. Every model forbids unknown keys, so a misspelt key is an error, not ignored.
A :class:`Project` also carries where it came from: its folder and its
:class:`~.source.ProjectSource` (the line of each key, for semantic checks' errors).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ...connectors.http.configuration import CredentialConfig
from ...connectors.sql.configuration import ConnectionConfig
from ..callout.config import CalloutConfig
from ..files.config import FilesSection
from ..sync.config import SyncConfig
from .source import ProjectSource

NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
Name = Annotated[str, Field(pattern=NAME)]


class Project(BaseModel):
    """A validated ``switchboard.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credentials: dict[Name, CredentialConfig] = Field(
        default_factory=dict, description="Named credentials: base URL and auth."
    )
    callouts: dict[Name, CalloutConfig] = Field(
        default_factory=dict, description="Remote call-outs: trigger, request, retry, reply."
    )

    files: FilesSection | None = Field(
        None, description="Where file bytes go: named stores and routes choosing one."
    )
    connections: dict[Name, ConnectionConfig] = Field(
        default_factory=dict, description="Databases: a SQLAlchemy URL and a password secret."
    )
    syncs: dict[Name, SyncConfig] = Field(
        default_factory=dict, description="Batch syncs: a SQL table into an org object."
    )

    _source: ProjectSource = PrivateAttr(default_factory=lambda: ProjectSource(""))
    _directory: Path = PrivateAttr(default_factory=Path)

    @property
    def source(self) -> ProjectSource:
        return self._source

    @property
    def directory(self) -> Path:
        return self._directory

    def line_of(self, path: tuple[object, ...]) -> int:
        return self._source.line_of(path)


SECTIONS = tuple(Project.model_fields)

__all__ = ["SECTIONS", "ConnectionConfig", "CredentialConfig", "Project"]
