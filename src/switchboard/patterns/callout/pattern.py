"""The call-out pattern: what the Runtime builds from the project's ``callouts:``.

It compiles every callout's templates and trigger conditions when a project is applied
and hands the whole set to its delivery engine in one step, so a reload either swaps
every callout or (when one fails to compile) none. Its routes are C2's: the
request-reply action and the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...org.errors import OrgError
from .config import CalloutConfig, ChangeTrigger
from .engine import DeliveryEngine
from .errors import TemplateInvalid, UnknownCallout
from .templates import Callout, compile_callout
from .triggers import ChangeMatcher

if TYPE_CHECKING:
    from ...runtime.service import Service


def compile_callouts(org: Any, configs: Mapping[str, CalloutConfig]) -> dict[str, Callout]:
    """Every callout compiled, or :class:`TemplateInvalid` naming the first that is not
    (a ``when`` that does not compile is reported the same way)."""
    out = {}
    for name, config in configs.items():
        callout = compile_callout(name, config)
        on = config.on
        if isinstance(on, ChangeTrigger):
            try:
                ChangeMatcher(org, name, on, ordered=config.ordered, fields=callout.record_fields)
            except OrgError as exc:  # a bad condition, an unknown object or field
                raise TemplateInvalid(f"callouts.{name}: {exc.message}") from exc
        out[name] = callout
    return out


class CalloutPattern:
    name = "callout"

    def __init__(self, runtime: Any, *, worker: bool = False) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.engine = DeliveryEngine(
            runtime,
            claim_on_insert=not worker,
            concurrency=settings.callout_concurrency,
            claim_batch=settings.callout_claim_batch,
            poll_interval=settings.callout_poll_interval,
            lease_margin=settings.callout_lease_margin,
            dispatch=settings.callout_dispatch,
            nats_url=settings.nats_url,
            nats_stream=settings.callout_nats_stream,
            sweep_interval=settings.callout_nats_sweep_interval,
        )
        project = getattr(runtime, "project", None)
        if project is not None:
            self.apply(project)

    @property
    def callouts(self) -> dict[str, Callout]:
        return self.engine.callouts

    def callout(self, name: str) -> Callout:
        found = self.engine.callouts.get(name)
        if found is None:
            raise UnknownCallout(f"No callout named {name} in the loaded project")
        return found

    def apply(self, project: Any) -> None:
        """Compile the project's callouts, then swap them all at once."""
        configs = getattr(project, "callouts", None) or {}
        self.engine.set_callouts(compile_callouts(self.runtime.org, configs))

    def services(self) -> Sequence[Service]:
        return [self.engine]

    def routes(self) -> Sequence[Any]:
        """The request-reply action and the dead-letter queue over REST (C2's)."""
        from . import dlq, invoke

        return [*invoke.routes(self), *dlq.routes(self)]


__all__ = ["CalloutPattern", "compile_callouts"]
