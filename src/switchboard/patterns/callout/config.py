"""The ``callouts:`` section of ``switchboard.yaml``: what triggers a call, what it sends,
how long it may take, how it retries and where the reply goes.

Models only: they check shape and units (``5s``, ``100ms``, ``2h``). Whether a field,
a credential or a ``when`` condition exists in the org is a semantic check
(:mod:`patterns.callout.check`), run with the org at hand.

``on`` is written as a mapping whose one distinguishing key names the trigger::

    on: {change: Account, types: [CREATE, UPDATE], when: "Type = 'Customer'", changed: [Type]}
    on: {event: Order_Shipped__e}
    on: {cron: "*/5 * * * *"}
    on: invoke                      # only POST .../actions/custom/callout/{name}

A YAML 1.1 loader reads the bare key ``on`` as the boolean true; it is taken as ``on``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from ...core.retry import RetryPolicy

DEFAULT_TIMEOUT = 10.0  # seconds, as an Apex callout
MAX_TIMEOUT = 120.0
CHANGE_TYPES = ("CREATE", "UPDATE", "DELETE", "UNDELETE")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: Any) -> float:
    """Seconds from ``"5s"``, ``"100ms"``, ``"2h"``, or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5s, 100ms or 2h")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; write e.g. 5s, 100ms, 2m or 2h")
        seconds = float(match.group(1)) * _UNIT[match.group(2)]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChangeTrigger(_Model):
    """Change Data Capture of one object: fires per changed record."""

    change: str
    types: tuple[Literal["CREATE", "UPDATE", "DELETE", "UNDELETE"], ...] = ("CREATE", "UPDATE")
    when: str | None = None  # a SOQL condition on the record after the change
    changed: tuple[str, ...] = ()  # fire only when one of these fields changed

    @field_validator("types", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return [v.upper() if isinstance(v, str) else v for v in value]

    @property
    def kind(self) -> str:
        return "change"


class EventTrigger(_Model):
    """A platform event (``Name__e``): fires per published event."""

    event: str

    @field_validator("event")
    @classmethod
    def _platform_event(cls, value: str) -> str:
        if not value.endswith("__e"):
            raise ValueError(f"{value!r} is not a platform event; its name ends in __e")
        return value

    @property
    def kind(self) -> str:
        return "event"


class ScheduleTrigger(_Model):
    """A cron schedule (five fields, UTC)."""

    cron: str

    @field_validator("cron")
    @classmethod
    def _valid(cls, value: str) -> str:
        from croniter import croniter  # deferred: only projects with schedules need it

        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (minute hour day month weekday)")
        return value

    @property
    def kind(self) -> str:
        return "schedule"


class InvokeTrigger(_Model):
    """Only the request-reply action route runs it."""

    invoke: Literal[True] = True

    @property
    def kind(self) -> str:
        return "invoke"


_TRIGGER_KEYS = ("change", "event", "cron", "invoke")


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return str(getattr(value, "kind", None))
    if isinstance(value, dict):
        for key in _TRIGGER_KEYS:
            if key in value:
                return "schedule" if key == "cron" else key
    return None


# Tagged by the key present, so a mistake is reported against that trigger alone.
Trigger = Annotated[
    Annotated[ChangeTrigger, Tag("change")]
    | Annotated[EventTrigger, Tag("event")]
    | Annotated[ScheduleTrigger, Tag("schedule")]
    | Annotated[InvokeTrigger, Tag("invoke")],
    Discriminator(_trigger_kind),
]


class RequestConfig(_Model):
    credential: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    path: str = "/"  # a template, joined to the credential's URL
    headers: dict[str, str] = Field(default_factory=dict)  # values are templates
    body: dict[str, Any] | list[Any] | str | None = None  # strings within are templates
    format: Literal["json", "form", "text"] = "json"

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class RetryConfig(_Model):
    attempts: int = Field(default=6, ge=1, le=100)
    backoff: float = 1.0
    max_backoff: float = 60.0
    deadline: float | None = None

    @field_validator("backoff", "max_backoff", "deadline", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> float | None:
        return None if value is None else parse_duration(value)

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            attempts=self.attempts,
            backoff=self.backoff,
            max_backoff=max(self.max_backoff, self.backoff),
            deadline=self.deadline,
        )


class PublishReply(_Model):
    event: str  # Name__e
    fields: dict[str, Any] = Field(default_factory=dict)  # Field: template


class ReplyConfig(_Model):
    update: dict[str, str] = Field(default_factory=dict)  # Field: template on the record
    publish: PublishReply | None = None


class OutboundMessageConfig(_Model):
    """An Outbound Message (SOAP ``notifications``) instead of a templated body: the
    record's ``fields`` of ``object`` are sent to the request's credential and path;
    retried until the endpoint acks, backoff capped at 2 h, dead after 24 h."""

    object: str
    fields: tuple[str, ...] = ("Id",)
    include_session_id: bool = False


class CalloutConfig(_Model):
    on: Trigger
    request: RequestConfig
    timeout: float = DEFAULT_TIMEOUT
    retry: RetryConfig = Field(default_factory=RetryConfig)
    ordered: bool = False
    reply: ReplyConfig | None = None
    outbound_message: OutboundMessageConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml11_on(cls, data: Any) -> Any:
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @field_validator("on", mode="before")
    @classmethod
    def _trigger(cls, value: Any) -> Any:
        if value == "invoke":
            return {"invoke": True}
        if isinstance(value, dict):
            keys = set(_TRIGGER_KEYS) & set(value)
            if len(keys) != 1:
                raise ValueError("on: name exactly one of change, event, cron or invoke")
        return value

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, value: Any) -> float:
        seconds = parse_duration(value)
        if not 0 < seconds <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be above 0 and at most {MAX_TIMEOUT:g}s (as Apex)")
        return seconds

    @model_validator(mode="after")
    def _outbound(self) -> CalloutConfig:
        if self.outbound_message is not None:
            if self.request.body is not None:
                raise ValueError("an outbound_message sends its own SOAP body; remove request.body")
            if self.request.method != "POST":
                raise ValueError("an outbound_message is always sent with POST")
        return self

    @property
    def policy(self) -> RetryPolicy:
        if self.outbound_message is not None:  # capped at 2 h, dropped after 24 h
            from .outbound import outbound_policy

            return outbound_policy(self)
        return self.retry.policy()


__all__ = [
    "CHANGE_TYPES",
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "CalloutConfig",
    "ChangeTrigger",
    "EventTrigger",
    "InvokeTrigger",
    "OutboundMessageConfig",
    "PublishReply",
    "ReplyConfig",
    "RequestConfig",
    "RetryConfig",
    "ScheduleTrigger",
    "Trigger",
    "parse_duration",
]
