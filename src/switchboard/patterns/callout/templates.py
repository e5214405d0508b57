"""Sandboxed templates of a call-out: path, headers, body and reply mapping.

Every string in a callout's request and reply is a Jinja2 template run in a
:class:`~jinja2.sandbox.SandboxedEnvironment`: no attribute starting with ``_``, no
``mro``/``func_globals`` escapes, no unsafe callables. Templates are compiled once,
when the project loads (:func:`compile_callout`), so a bad one is a load error and
rendering a delivery only runs compiled code.

A string that is exactly one expression (``"{{ record.Amount }}"``) keeps its value's
type (a number stays a number in a JSON body and in a reply's field update); anything
else renders to text. Undefined names fail (``StrictUndefined``): a typo must dead-letter
loudly, not send an empty field.

Context names: ``record`` (the record after the change), ``event`` (a change's
``ChangeEventHeader``, or the platform event), ``credential`` (the credential's non-secret fields), ``response``
(``status``, ``headers``, ``json``, ``text``; reply mapping only), ``now``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from ...core.retry import RetryPolicy
from .config import CalloutConfig
from .errors import TemplateFailed, TemplateInvalid


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with a plain dict's keys read first: records and events are dicts,
    and the sandbox's attribute-then-item lookup raised and caught an AttributeError
    for every ``record.Name`` (a third of rendering). A dict's own values are data, so
    returning them is safe; anything else takes the sandbox's checked path."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False)
_SINGLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}|\{\{).)*)\}\}\s*$", re.S)
_MISSING = object()


def _lookup_path(expr: str) -> tuple[str, ...] | None:
    """``("record", "Owner", "Name")`` for an expression that is only a name and its
    attributes (``record.Owner.Name``), else None."""
    node = _ENV.parse(f"{{% set result = ({expr}) %}}").body[0]
    value = getattr(node, "node", None)
    chain: list[str] = []
    while isinstance(value, nodes.Getattr):
        chain.append(value.attr)
        value = value.node
    if not isinstance(value, nodes.Name):
        return None
    return (value.name, *reversed(chain))


def _record_paths(source: str) -> set[str] | None:
    """The ``record.X`` (and ``record.Owner.Name``) paths a template reads, or None when
    it uses ``record`` some other way (``record | tojson``, ``record[name]``)."""
    tree = _ENV.parse(source)
    paths: set[str] = set()
    claimed: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        chain, inner = [node.attr], node.node
        while isinstance(inner, nodes.Getattr):
            chain.append(inner.attr)
            claimed.add(id(inner))
            inner = inner.node
        if isinstance(inner, nodes.Name) and inner.name == "record":
            claimed.add(id(inner))
            if id(node) not in claimed:
                paths.add(".".join(reversed(chain)))
    for name in tree.find_all(nodes.Name):
        if name.name == "record" and id(name) not in claimed:
            return None
    return paths


class Template:
    """One compiled string: a native-valued expression or a text template."""

    __slots__ = ("_expr", "_path", "_text", "record_paths", "source")

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self._expr: Any = None
        self._path: tuple[str, ...] | None = None
        self._text: Any = None
        self.record_paths: set[str] | None = set()
        try:
            if "{" in source:
                self.record_paths = _record_paths(source)
            single = _SINGLE.match(source)
            if single:
                _ENV.compile_expression(single.group("expr"))  # a clear error if it is not one
                # The value comes back through a top-level assignment, as Jinja's own
                # compile_expression does, but rendered in a shared context (below).
                self._expr = _ENV.from_string(f"{{% set result = ({single.group('expr')}) %}}")
                self._path = _lookup_path(single.group("expr"))
            elif "{{" in source or "{%" in source:
                self._text = _ENV.from_string(source)
        except TemplateError as exc:
            raise TemplateInvalid(f"{where}: bad template {source!r}: {exc}") from exc

    def render(self, context: Mapping[str, Any]) -> Any:
        """The value (an expression) or text; ``context`` should come from
        :func:`template_context`. Rendering in a shared context skips Jinja's merge of
        globals into a fresh dict per template, which was most of a delivery's cost.

        A name with attributes (``record.Name``) whose every step is a plain dict's key
        is read straight from the dicts: the value the sandbox's own lookup returns for
        a dict's key (see :class:`_Sandbox`), without a Jinja context per template (rendering
        was about 8% of the engine's CPU in ``bench/callouts.py``). Any other step (a missing
        key, a non-dict) takes the compiled template, so errors stay Jinja's."""
        path = self._path
        if path is not None:
            value = context.get(path[0], _MISSING)
            for attr in path[1:]:
                if type(value) is not dict or attr not in value:
                    value = _MISSING
                    break
                value = value[attr]
            if value is not _MISSING:
                return value
        try:
            if self._expr is not None:
                ctx = self._expr.new_context(context, shared=True)
                for _ in self._expr.root_render_func(ctx):
                    pass
                value = ctx.vars["result"]
                if isinstance(value, StrictUndefined):
                    str(value)  # raises UndefinedError with the missing name
                return value
            if self._text is not None:
                ctx = self._text.new_context(context, shared=True)
                return "".join(self._text.root_render_func(ctx))
        except TemplateError as exc:
            raise TemplateFailed(f"template {self.source!r} failed: {exc}") from exc
        return self.source

    def render_text(self, context: Mapping[str, Any]) -> str:
        value = self.render(context)
        return "" if value is None else str(value)


def template_context(**names: Any) -> dict[str, Any]:
    """The names templates see, with the environment's globals (``range``, ...)."""
    return {**_ENV.globals, **names}


def compile_tree(value: Any, where: str) -> Any:
    """The same structure with every string replaced by its :class:`Template`."""
    if isinstance(value, str):
        return Template(value, where)
    if isinstance(value, dict):
        return {k: compile_tree(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [compile_tree(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _templates(tree: Any) -> list[Template]:
    if isinstance(tree, Template):
        return [tree]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in _templates(v)]
    if isinstance(tree, list):
        return [t for v in tree for t in _templates(v)]
    return []


def render_tree(tree: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(tree, Template):
        return tree.render(context)
    if isinstance(tree, dict):
        return {k: render_tree(v, context) for k, v in tree.items()}
    if isinstance(tree, list):
        return [render_tree(v, context) for v in tree]
    return tree


@dataclass(frozen=True, slots=True)
class Callout:
    """A callout as it runs: its configuration with every template compiled."""

    name: str
    config: CalloutConfig
    path: Template
    headers: dict[str, Template]
    body: Any
    reply_update: dict[str, Template]
    publish_fields: dict[str, Any]
    policy: RetryPolicy
    # Record fields the templates read (paths such as ``Owner.Name``), None for all.
    record_fields: frozenset[str] | None = None

    @property
    def credential(self) -> str:
        return self.config.request.credential


def compile_callout(name: str, config: CalloutConfig) -> Callout:
    """Compile every template of ``config``; raises :class:`TemplateInvalid`."""
    where = f"callouts.{name}"
    req = config.request
    reply = config.reply
    callout = Callout(
        name=name,
        config=config,
        path=Template(req.path, f"{where}.request.path"),
        headers={k: Template(v, f"{where}.request.headers.{k}") for k, v in req.headers.items()},
        body=compile_tree(req.body, f"{where}.request.body"),
        reply_update={
            k: Template(v, f"{where}.reply.update.{k}")
            for k, v in (reply.update if reply else {}).items()
        },
        publish_fields=compile_tree(
            dict(reply.publish.fields) if reply and reply.publish else {},
            f"{where}.reply.publish.fields",
        ),
        policy=config.policy,
    )
    everything = [callout.path, *callout.headers.values(), *_templates(callout.body),
                  *callout.reply_update.values(), *_templates(callout.publish_fields)]  # fmt: skip
    fields: set[str] | None = set()
    for template in everything:
        if fields is None or template.record_paths is None:
            fields = None
            break
        fields |= template.record_paths
    if config.outbound_message is not None:  # C2's envelope names its own fields
        fields = None if fields is None else fields | set(config.outbound_message.fields)
    return dataclasses.replace(callout, record_fields=None if fields is None else frozenset(fields))


@dataclass(frozen=True, slots=True)
class RenderedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None

    def redacted(self) -> dict[str, Any]:
        """For ``last_request``: credential headers are added by the transport, never
        here, so the rendered request holds no secret; the body is kept as text."""
        text = None if self.body is None else self.body.decode("utf-8", "replace")[:10_000]
        return {"method": self.method, "path": self.path, "headers": self.headers, "body": text}


_CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "text": "text/plain; charset=utf-8",
}


def render_request(callout: Callout, context: Mapping[str, Any]) -> RenderedRequest:
    """The HTTP request of one delivery; raises :class:`TemplateFailed` (terminal)."""
    cfg = callout.config.request
    context = template_context(**context)
    headers = {k: t.render_text(context) for k, t in callout.headers.items()}
    body: bytes | None = None
    if callout.body is not None:
        value = render_tree(callout.body, context)
        if cfg.format == "json":
            body = orjson.dumps(value, default=str)
        elif cfg.format == "form":
            if not isinstance(value, dict):
                raise TemplateFailed("a form body must be a mapping of fields")
            body = urlencode({k: "" if v is None else v for k, v in value.items()}).encode()
        else:
            body = ("" if value is None else str(value)).encode()
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = _CONTENT_TYPES[cfg.format]
    return RenderedRequest(cfg.method, callout.path.render_text(context), headers, body)


__all__ = [
    "Callout",
    "RenderedRequest",
    "Template",
    "compile_callout",
    "compile_tree",
    "render_request",
    "render_tree",
    "template_context",
]
