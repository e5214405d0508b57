"""Loading ``switchboard.yaml`` into a :class:`Project`, every mistake at its line.

:func:`load_project` returns a whole validated project or raises
:class:`ProjectInvalid` listing every mistake; nothing is ever half-loaded. Pydantic's
errors are translated: each location maps to the line of the key (union tags in the
location are skipped), each message says how to fix it, and no message quotes an input
value (the value might be a secret written in clear — itself one of the mistakes).
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import FILE_NAME, ProjectError, ProjectInvalid
from .models import Project
from .source import ProjectSource, parse


def project_file(directory: Path) -> Path:
    return directory / FILE_NAME if directory.is_dir() or directory.suffix == "" else directory


def read_project(directory: Path) -> tuple[Project | None, list[ProjectError]]:
    """The project in ``directory`` and its syntax/model errors (``None`` if any)."""
    path = project_file(Path(directory))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [ProjectError(1, f"no {FILE_NAME} in {path.parent}; create one "
                                      "(see `switchboard project schema`)")]  # fmt: skip
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ProjectError(1, f"cannot read {path.name} ({type(exc).__name__})")]
    return parse_project(text, path.parent)


def parse_project(text: str, directory: Path) -> tuple[Project | None, list[ProjectError]]:
    data, source, errors = parse(text)
    if errors:
        return None, errors
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        return None, translate(exc, source)
    project._source = source
    project._directory = directory.resolve()
    return project, []


def load_project(directory: Path) -> Project:
    """The validated project in ``directory``; raises :class:`ProjectInvalid`."""
    project, errors = read_project(directory)
    if project is None:
        raise ProjectInvalid(errors)
    return project


# -- pydantic errors as switchboard.yaml:LINE: messages -------------------------------------
def translate(exc: ValidationError, source: ProjectSource) -> list[ProjectError]:
    out: set[ProjectError] = set()
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(err["loc"])
        where = source.data_path(loc)
        dotted = ".".join(str(p) for p in where) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            parent = ".".join(str(p) for p in where[:-1]) or "the top level"
            allowed = _allowed_keys(loc[:-1])
            hint = ""
            if allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (f"; did you mean '{close[0]}'?" if close else "") + \
                    f" (allowed: {', '.join(allowed)})"  # fmt: skip
            message = f"unknown key '{key}' in {parent}{hint}"
        elif kind == "missing":
            parent = ".".join(str(p) for p in where) or "the top level"
            message = f"{parent}: missing required key '{loc[-1]}'; add it"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
            message = f"{dotted}: {msg}"
        out.add(ProjectError(source.line_of(loc), message))
    return sorted(out)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at ``loc`` accepts (for 'did you mean' hints), best effort."""
    tp: Any = Project
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return sorted(f.alias or name for name, f in tp.model_fields.items() if not f.exclude)
    return []


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def _tags(tp: Any) -> set[str]:
    names = {getattr(a, "tag", None) for a in typing.get_args(tp)[1:]} if (
        typing.get_origin(tp) is typing.Annotated) else set()  # fmt: skip
    inner = _unwrap(tp)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        names.add(inner.__name__)
        field = inner.model_fields.get("type")
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            names.update(str(v) for v in typing.get_args(field.annotation))
    return {n for n in names if n}


def _step(tp: Any, part: Any) -> Any:
    members = _members(tp)
    if len(members) > 1:
        raw = _unwrap(tp)
        args = [a for a in typing.get_args(raw)] if typing.get_origin(raw) in (
            typing.Union, types.UnionType) else members  # fmt: skip
        for arg in args:
            if str(part) in _tags(arg):
                return arg  # a union tag: the member it names
        members = [m for m in members if m is not type(None)]
        if len(members) != 1:
            return None
    tp = members[0]
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        if field is None:  # written by its alias (a sync's ``from``)
            field = next((f for f in tp.model_fields.values() if f.alias == str(part)), None)
        return field.annotation if field is not None else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (list, tuple):
        return typing.get_args(tp)[0]
    return None


__all__ = ["load_project", "parse_project", "project_file", "read_project", "translate"]
