"""The ``connections:`` and ``syncs:`` sections' meaning: ``check(project, org)``, one of
``SECTION_CHECKERS``. Each mistake at the line of its key (``switchboard.yaml:LINE:``):

* a sync's ``from.connection`` is declared under ``connections:``; a connection's name
  is not also a credential's (a client is found by name);
* with an org: a connection's password secret is set; ``to.object`` is an object of the
  org; every key of ``fields`` is one of its fields that a sync may write;
  ``to.external_id`` is one of its External ID fields and is mapped in ``fields`` (the
  upsert needs its value on every row).

Source columns are checked when a sync runs (the check does not connect to the source
database: it may be unreachable from where the project is checked).
"""

from __future__ import annotations

import difflib
from typing import Any

from ..project.errors import ProjectError

Path = tuple[Any, ...]


def check(project: Any, org: Any) -> list[ProjectError]:
    out: list[ProjectError] = []

    def error(path: Path, message: str) -> None:
        out.append(ProjectError(project.line_of(path), f"{'.'.join(map(str, path))}: {message}"))

    connections = getattr(project, "connections", {}) or {}
    syncs = getattr(project, "syncs", {}) or {}
    credentials = getattr(project, "credentials", {}) or {}
    for name in connections:
        if name in credentials:
            error(("connections", name), f"'{name}' is also a credential's name; rename one "
                                         "(clients are found by name)")  # fmt: skip
    secrets: set[str] | None = None
    if org is not None:
        from ...org.secrets import SecretStore

        secrets = set(SecretStore.names_in(org.store))
        for name, conn in connections.items():
            for ref in conn.secret_names():
                if ref not in secrets:
                    error(("connections", name, "password"),
                          f"secret '{ref}' is not set in the org; run `switchboard secret set "
                          f"{ref}` (it reads the value from stdin)")  # fmt: skip
    declared = sorted(connections)
    for name, sync in syncs.items():
        base: Path = ("syncs", name)
        ref = sync.source.connection
        if ref not in connections:
            close = difflib.get_close_matches(ref, declared, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            error((*base, "from", "connection"),
                  f"unknown connection '{ref[:80]}'; {hint}declare it under connections: "
                  f"(declared: {', '.join(declared) or 'none'})")  # fmt: skip
        if org is not None:
            _target(org, sync, base, error)
    return out


def _target(org: Any, sync: Any, base: Path, error: Any) -> None:
    obj = org.schema.get(sync.to.object)
    if obj is None:
        names = sorted(o.name for o in org.schema.objects())
        close = difflib.get_close_matches(sync.to.object, names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        error((*base, "to", "object"), f"unknown object '{sync.to.object[:80]}'{hint}")
        return
    field_names = sorted(f.name for f in obj.fields.values())
    for target in sync.fields:
        f = org.schema.field(obj, target)
        if f is None:
            close = difflib.get_close_matches(target, field_names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            error((*base, "fields", target), f"{obj.name} has no field '{target[:80]}'{hint}")
        elif f.calculated or not (f.createable or f.updateable) or f.name == "Id":
            error((*base, "fields", target), f"{obj.name}.{f.name} is read-only; a sync "
                                             "cannot write it")  # fmt: skip
    key = org.schema.field(obj, sync.to.external_id)
    externals = sorted(f.name for f in obj.fields.values() if f.external_id)
    if key is None or not key.external_id:
        what = "has no field" if key is None else "is not an External ID field:"
        shown = sync.to.external_id[:80] if key is None else key.name
        error((*base, "to", "external_id"),
              f"{obj.name} {what} '{shown}'; upsert needs an External ID field "
              f"(externalId true in its field metadata; {obj.name} has: "
              f"{', '.join(externals) or 'none'})")  # fmt: skip
    elif key.name.lower() not in {t.lower() for t in sync.fields}:
        error((*base, "fields"), f"map the external id {key.name} to its source column "
                                 f"(e.g. {key.name}: {sync.source.key}): every row is upserted by it")  # fmt: skip


__all__ = ["check"]
