"""The ``callouts:`` section's meaning, checked against the org: ``check(project, org)``.

Called by ``patterns.project.check`` (``SECTION_CHECKERS``) once the file's shape is
valid, so every mistake here is about names and code, each reported at the line of the
key that holds it (``switchboard.yaml:LINE: message``):

* every template compiles (a Jinja2 syntax error names its line within the template)
  and reads only names it is given (``record``, ``event``, ``credential``, ``now``, and
  ``response`` in a reply);
* ``on.change`` names an object, ``on.changed`` its fields, ``on.when`` compiles with the
  org's SOQL compiler against that object (the SOQL error text is the message);
* ``on.event`` and ``reply.publish.event`` name platform events, with their fields;
* the record fields templates read (``record.Name``), ``reply.update``'s keys and
  ``outbound_message.fields`` exist on the object (and a reply's are updateable);
* a reply that updates a record, and an Outbound Message, have a record to work on.

Credentials and secrets are ``check_credentials``' (``patterns.project.check``). Without
an org only the templates are checked. No message quotes a value that could be a secret:
templates are quoted only by their key path.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from jinja2 import TemplateSyntaxError, meta

from ...core.errors import SwitchboardError
from ..project.errors import ProjectError
from .config import CalloutConfig, ChangeTrigger, EventTrigger, InvokeTrigger
from .templates import _ENV, _record_paths

_NAMES = {"record", "event", "credential", "now"}
_REPLY_NAMES = _NAMES | {"response"}

Path = tuple[Any, ...]


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def _templates(name: str, c: CalloutConfig) -> Iterator[tuple[Path, str, set[str]]]:
    """Every template of a callout: its path in the file, source, the names it may use."""
    base: Path = ("callouts", name)
    req = c.request
    yield (*base, "request", "path"), req.path, _NAMES
    for key, value in req.headers.items():
        yield (*base, "request", "headers", key), value, _NAMES
    for path, value in _strings(req.body, (*base, "request", "body")):
        yield path, value, _NAMES
    if c.reply is not None:
        for key, value in c.reply.update.items():
            yield (*base, "reply", "update", key), value, _REPLY_NAMES
        if c.reply.publish is not None:
            fields = c.reply.publish.fields
            for path, value in _strings(fields, (*base, "reply", "publish", "fields")):
                yield path, value, _REPLY_NAMES


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


class _Checker:
    def __init__(self, project: Any, org: Any) -> None:
        self.project = project
        self.org = org
        self.errors: list[ProjectError] = []

    def error(self, path: Path, message: str, offset: int = 0) -> None:
        self.errors.append(ProjectError(self.project.line_of(path) + offset, message))

    # -- templates ------------------------------------------------------------------------
    def template(self, path: Path, source: str, names: set[str]) -> set[str] | None:
        """Check one template; the record paths it reads (None: the whole record)."""
        if "{" not in source:
            return set()
        try:
            tree = _ENV.parse(source)
        except TemplateSyntaxError as exc:
            # A block scalar's template starts on the line after its key.
            offset = (exc.lineno or 1) - 1 + (1 if "\n" in source else 0)
            self.error(path, f"{_dotted(path)}: bad template: {exc.message} (line "
                       f"{exc.lineno} of the template); fix the Jinja2 syntax", offset)  # fmt: skip
            return set()
        unknown = sorted(meta.find_undeclared_variables(tree) - names - set(_ENV.globals))
        for bad in unknown:
            close = difflib.get_close_matches(bad, sorted(names), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.error(path, f"{_dotted(path)}: the template uses '{bad}', which is not "
                       f"defined; {hint}templates here see {', '.join(sorted(names))}")  # fmt: skip
        return _record_paths(source)

    # -- the org's schema -----------------------------------------------------------------
    def obj(self, path: Path, name: str, what: str = "object") -> Any:
        try:
            return self.org.schema.object(name)
        except SwitchboardError:
            known = [o.name for o in self.org.schema.objects()]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.error(path, f"{_dotted(path)}: no {what} '{name}' in the org{hint} (deploy "
                       "it with `switchboard org deploy`, or fix the name)")  # fmt: skip
            return None

    def field(self, path: Path, obj: Any, name: str, *, updateable: bool = False) -> None:
        f = self.org.schema.field(obj, name)
        if f is None:
            close = difflib.get_close_matches(name.lower(), list(obj.fields), n=1)
            hint = f"; did you mean '{obj.fields[close[0]].name}'?" if close else ""
            self.error(path, f"{_dotted(path)}: no field '{name}' on {obj.name}{hint}")
        elif updateable and (not f.updateable or f.calculated):
            self.error(path, f"{_dotted(path)}: {obj.name}.{f.name} is not updateable; "
                       "map the reply onto a field the record can be updated with")  # fmt: skip

    def soql(self, path: Path, obj: Any, select: str, where: str | None) -> None:
        from ...org.soql.compiler import compile_query
        from ...org.soql.dialects import dialect_for
        from ...org.soql.parser import parse

        # SOQL for the org's own parser (the project's condition), never SQL.
        where_clause = f" WHERE ({where})" if where else ""
        text = f"SELECT {select} FROM {obj.name}{where_clause}"  # noqa: S608
        try:
            compile_query(self.org.schema, parse(text), dialect_for(self.org.store.dialect))
        except SwitchboardError as exc:
            what = "condition" if where else "record field"
            self.error(path, f"{_dotted(path)}: the {what} does not compile against "
                       f"{obj.name}: {exc.message}")  # fmt: skip

    # -- one callout ----------------------------------------------------------------------
    def callout(self, name: str, c: CalloutConfig) -> None:
        base: Path = ("callouts", name)
        record_paths: list[tuple[Path, str]] = []
        invoked = isinstance(c.on, InvokeTrigger)
        for path, source, names in _templates(name, c):
            if invoked:  # the action's input map
                names = names | {"input"}
            paths = self.template(path, source, names)
            for p in sorted(paths or ()):
                record_paths.append((path, p))
        if self.org is None:
            return
        on = c.on
        obj = None
        if isinstance(on, ChangeTrigger):
            obj = self.obj((*base, "on", "change"), on.change)
            if obj is not None:
                for i, f in enumerate(on.changed):
                    self.field((*base, "on", "changed", i), obj, f)
                if on.when:
                    self.soql((*base, "on", "when"), obj, "Id", on.when)
                for path, p in record_paths:
                    self.soql(path, obj, p, None)
        elif isinstance(on, EventTrigger):
            event = self.obj((*base, "on", "event"), on.event, "platform event")
            if event is not None and event.kind != "platform_event":
                self.error((*base, "on", "event"), f"callouts.{name}.on.event: {event.name} "
                           "is not a platform event")  # fmt: skip
        self.reply(base, c, on, obj)
        self.outbound(base, c, on, obj)

    def reply(self, base: Path, c: CalloutConfig, on: Any, obj: Any) -> None:
        if c.reply is None:
            return
        if c.reply.update:
            if not isinstance(on, ChangeTrigger | InvokeTrigger):
                self.error((*base, "reply", "update"), f"{_dotted((*base, 'reply', 'update'))}"
                           ": only a callout triggered by a record change (or an invocation "
                           "with a record) has a record to update; use reply.publish")  # fmt: skip
            elif obj is not None:
                for key in c.reply.update:
                    self.field((*base, "reply", "update", key), obj, key, updateable=True)
        publish = c.reply.publish
        if publish is not None:
            path = (*base, "reply", "publish", "event")
            event = self.obj(path, publish.event, "platform event")
            if event is not None:
                for key in publish.fields:
                    self.field((*base, "reply", "publish", "fields", key), event, key)

    def outbound(self, base: Path, c: CalloutConfig, on: Any, obj: Any) -> None:
        om = c.outbound_message
        if om is None:
            return
        where = (*base, "outbound_message")
        target = self.obj((*where, "object"), om.object)
        if not isinstance(on, ChangeTrigger):
            self.error(
                (*base, "on"),
                f"{_dotted((*base, 'on'))}: an outbound_message is "
                f"sent for a changed record; trigger it with on: {{change: {om.object}}}",
            )
        else:
            if obj is not None and target is not None and obj.name != target.name:
                self.error((*where, "object"), f"{_dotted((*where, 'object'))}: the message "
                           f"is about {target.name} but the callout fires on {obj.name} "
                           "changes; use the same object")  # fmt: skip
            if "DELETE" in on.types:
                self.error((*base, "on", "types"), f"{_dotted((*base, 'on', 'types'))}: an "
                           "outbound_message carries the record's values when it is sent, "
                           "and a deleted record has none; drop DELETE")  # fmt: skip
        if target is not None:
            for i, f in enumerate(om.fields):
                self.field((*where, "fields", i), target, f)


def check(project: Any, org: Any) -> list[ProjectError]:
    """Every semantic mistake of ``project``'s callouts (see the module docstring)."""
    checker = _Checker(project, org)
    for name, config in project.callouts.items():
        checker.callout(name, config)
    return sorted(set(checker.errors))


__all__ = ["check"]
