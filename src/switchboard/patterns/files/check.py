"""The ``files:`` section's meaning: ``check(project, org)``, one of ``SECTION_CHECKERS``.

Each mistake at the line of its key (``switchboard.yaml:LINE: message``):

* ``default`` and every route's ``store`` name a store under ``files.stores``;
* a route's ``object`` is ContentVersion or Attachment, its ``linked`` types are
  objects of the org (with an org at hand);
* an option that is a key, a password or a token is ``{secret: NAME}``, never the
  value, and (with an org) that secret is set.

No message quotes an option's value.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ...connectors.http.configuration import LITERAL_SECRET, SECRET_NAME
from ..project.errors import ProjectError
from .config import FilesSection

FILE_OBJECTS = ("ContentVersion", "Attachment")
# fsspec option names that hold credentials (s3fs, adlfs, gcsfs).
SECRET_OPTIONS = {
    "key", "secret", "token", "password", "session_token", "account_key", "sas_token",
    "connection_string", "client_secret", "aws_access_key_id", "aws_secret_access_key",
    "aws_session_token", "credential",
}  # fmt: skip

Path = tuple[Any, ...]


def check(project: Any, org: Any) -> list[ProjectError]:
    section: FilesSection | None = getattr(project, "files", None)
    if section is None:
        return []
    out: list[ProjectError] = []

    def error(path: Path, message: str) -> None:
        out.append(ProjectError(project.line_of(path), f"{'.'.join(map(str, path))}: {message}"))

    declared = sorted(section.stores)
    if section.default is not None and section.default not in section.stores:
        error(("files", "default"), _unknown_store(section.default, declared))
    objects: set[str] | None = None
    if org is not None:
        objects = {o.name.lower() for o in org.schema.objects()}
    for i, route in enumerate(section.routes):
        here: Path = ("files", "routes", i)
        if route.store not in section.stores:
            error((*here, "store"), _unknown_store(route.store, declared))
        for name in route.object:
            if name.lower() not in {o.lower() for o in FILE_OBJECTS}:
                error((*here, "object"), f"'{name[:80]}' holds no files; use "
                                         f"{' or '.join(FILE_OBJECTS)}")  # fmt: skip
        for name in route.linked:
            if objects is not None and name.lower() not in objects:
                close = difflib.get_close_matches(name.lower(), sorted(objects), n=1)
                hint = f"; did you mean '{_proper(org, close[0])}'?" if close else ""
                error((*here, "linked"), f"unknown object '{name[:80]}'{hint}")
    secrets = None
    if org is not None:
        from ...org.secrets import SecretStore

        secrets = set(SecretStore.names_in(org.store))
    for name, store in section.stores.items():
        for key, value in store.options.items():
            _option(("files", "stores", name, "options", key), key, value, secrets, error)
    return out


def _option(path: Path, key: str, value: Any, secrets: set[str] | None, error: Any) -> None:
    if isinstance(value, dict) and "secret" in value:
        ref = value["secret"]
        if set(value) != {"secret"} or not isinstance(ref, str) or not re.match(SECRET_NAME, ref):
            error(path, "write a secret as {secret: NAME} (a letter, then letters, digits, "
                        "_ . -)")  # fmt: skip
        elif secrets is not None and ref not in secrets:
            error(path, f"secret '{ref}' is not set in the org; run `switchboard secret set "
                        f"{ref}` (it reads the value from stdin)")  # fmt: skip
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _option((*path, k), str(k), v, secrets, error)
        return
    if key.lower() in SECRET_OPTIONS and value is not None:
        error(path, LITERAL_SECRET)


def _unknown_store(name: str, declared: list[str]) -> str:
    close = difflib.get_close_matches(name, declared, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (f"unknown store '{name[:80]}'; {hint}declare it under files.stores "
            f"(declared: {', '.join(declared) or 'none'})")  # fmt: skip


def _proper(org: Any, lower: str) -> str:
    found = org.schema.get(lower)
    return found.name if found is not None else lower


__all__ = ["FILE_OBJECTS", "SECRET_OPTIONS", "check"]
