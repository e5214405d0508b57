"""``switchboard project check``: the file's syntax and models, then each section's meaning.

A section's semantic checks need the org (does the object exist, does the SOQL
``when`` compile, is the secret set?), so they run only once the whole file validated.
Each pattern contributes a checker ``check(project, org) -> list[ProjectError]`` in
``SECTION_CHECKERS``; this module's own is :func:`check_credentials`:

* a callout's ``request.credential`` names a credential of the project or a named
  credential deployed to the org;
* every ``{secret: NAME}`` a credential references is set in the org's secret store
  (by name only: checking reads no value, and prints none);
* certificate files (``{file: PATH}``) exist;
* no callout header carries a literal secret (``Authorization``, API keys): the
  credential's ``auth`` adds it.

With ``org`` ``None`` (no org at hand) only what the file alone can show is checked.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...connectors.http.configuration import LITERAL_SECRET, FileRef, SecretRef
from .errors import ProjectError, ProjectInvalid
from .loader import read_project
from .models import Project

Checker = Callable[[Project, Any], list[ProjectError]]
_SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie")


def check_credentials(project: Project, org: Any) -> list[ProjectError]:
    errors: list[ProjectError] = []
    named: dict[str, Any] = {}
    secrets: set[str] | None = None
    if org is not None:
        from ...org.secrets import NamedCredentials, SecretStore

        deployed = NamedCredentials(org.store)
        named = {n: deployed.get(n) for n in deployed.names()}
        secrets = set(SecretStore.names_in(org.store))
    known = sorted(set(project.credentials) | set(named))
    for name, callout in project.callouts.items():
        ref = callout.request.credential
        if ref not in project.credentials and ref in named:
            problem = _named_problem(ref, named[ref], secrets)
            if problem:
                errors.append(ProjectError(
                    project.line_of(("callouts", name, "request", "credential")),
                    f"callouts.{name}.request.credential: {problem}"))  # fmt: skip
        elif ref not in project.credentials:
            close = difflib.get_close_matches(ref, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            errors.append(ProjectError(
                project.line_of(("callouts", name, "request", "credential")),
                f"callouts.{name}.request.credential: unknown credential '{ref}'; {hint}"
                "declare it under credentials: or deploy it as a named credential "
                f"(known: {', '.join(known) or 'none'})",
            ))  # fmt: skip
        for header, value in callout.request.headers.items():
            if header.lower() in _SECRET_HEADERS and "{{" not in value:
                errors.append(ProjectError(
                    project.line_of(("callouts", name, "request", "headers", header)),
                    f"callouts.{name}.request.headers.{header}: {LITERAL_SECRET}, and let "
                    "the credential's auth add the header",
                ))  # fmt: skip
    for name, cred in project.credentials.items():
        errors.extend(_references(project, name, cred, ("credentials", name), secrets))
    return errors


def _named_problem(name: str, record: Any, secrets: set[str] | None) -> str | None:
    """Why an org's named credential cannot be called as it is, if it cannot."""
    from ...connectors.http.named import credential_of, password_secret

    try:
        credential_of(record)
    except Exception as exc:  # terminal CredentialInvalid: its message says what to do
        return str(getattr(exc, "message", exc))
    if record.get("protocol") == "Password" and secrets is not None:
        needed = password_secret(name)
        if needed not in secrets:
            return (f"named credential {name} uses a password: run `switchboard secret set "
                    f"{needed}` (it reads the value from stdin)")
    return None


def _references(project: Project, cred_name: str, node: Any, path: tuple[Any, ...],
                secrets: set[str] | None) -> list[ProjectError]:  # fmt: skip
    out: list[ProjectError] = []
    if isinstance(node, SecretRef):
        if secrets is not None and node.secret not in secrets:
            out.append(ProjectError(
                project.line_of(path),
                f"{'.'.join(map(str, path))}: secret '{node.secret}' is not set in the org; "
                f"run `switchboard secret set {node.secret}` (it reads the value from stdin)",
            ))  # fmt: skip
        return out
    if isinstance(node, FileRef):
        file = Path(node.file)
        if not file.is_absolute():
            file = project.directory / file
        if not file.is_file():
            out.append(ProjectError(project.line_of(path),
                                    f"{'.'.join(map(str, path))}: no file {node.file} "
                                    "(paths are relative to the project folder)"))  # fmt: skip
        return out
    fields = getattr(type(node), "model_fields", None)
    if fields:
        for field in fields:
            out.extend(_references(project, cred_name, getattr(node, field), (*path, field),
                                   secrets))  # fmt: skip
    return out


def _callout_checks(project: Project, org: Any) -> list[ProjectError]:
    """The ``callouts:`` section's own checks (``patterns.callout.check``); imported on
    call because that module imports this package's errors."""
    from ..callout.check import check

    return list(check(project, org))


def _files_checks(project: Project, org: Any) -> list[ProjectError]:
    """The ``files:`` section's checks (``patterns.files.check``)."""
    from ..files.check import check

    return check(project, org)


def _sync_checks(project: Project, org: Any) -> list[ProjectError]:
    """The ``connections:`` and ``syncs:`` sections' checks (``patterns.sync.check``)."""
    from ..sync.check import check

    return check(project, org)


SECTION_CHECKERS: list[Checker] = [check_credentials, _callout_checks, _files_checks,
                                   _sync_checks]  # fmt: skip


def check_project(directory: Path, org: Any = None) -> list[ProjectError]:
    """Every mistake in the project at ``directory``, syntax first, sorted by line."""
    project, errors = read_project(directory)
    if project is None:
        return errors
    return semantic_errors(project, org)


def load_checked_project(directory: Path, org: Any) -> Project:
    """The project at ``directory`` if it has no mistake at all; else
    :class:`ProjectInvalid` listing them (what the Runtime loads at start)."""
    project, errors = read_project(directory)
    if project is not None:
        errors = semantic_errors(project, org)
    if project is None or errors:
        raise ProjectInvalid(errors)
    return project


def semantic_errors(project: Project, org: Any) -> list[ProjectError]:
    """The section checks of an already validated ``project`` (the watcher's reload)."""
    found: set[ProjectError] = set()
    for checker in SECTION_CHECKERS:
        found.update(checker(project, org))
    return sorted(found)


__all__ = ["SECTION_CHECKERS", "Checker", "check_credentials", "check_project",
           "load_checked_project", "semantic_errors"]  # fmt: skip
