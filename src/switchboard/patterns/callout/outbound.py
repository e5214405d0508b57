"""Outbound Messages: the SOAP ``notifications`` call, for endpoints built for Salesforce.

A callout with ``outbound_message: {object: Account, fields: [Id, Name]}`` sends, instead
of a templated body, the envelope Salesforce's outbound messaging WSDL describes: in the
namespace ``http://soap.sforce.com/2005/09/outbound`` an ``OrganizationId``, an
``ActionId`` (prefix ``04k``, stable per callout), a ``SessionId`` (nil unless
``include_session_id``), ``EnterpriseUrl``, ``PartnerUrl``, then 1–100 ``Notification``
elements, each an ``Id`` (prefix ``04l``, stable across every attempt of one delivery, so
a receiver dedupes on it) and an ``sObject`` of ``xsi:type="sf:Account"`` holding the
configured fields. The fields are read when the message is *sent*, not when it was
queued, as Salesforce does: a retry carries the record's current values, and a record
deleted meanwhile sends nothing (:class:`RecordDeleted`, terminal).

Success is only a ``notificationsResponse`` whose ``Ack`` is ``true``; any other reply —
a 2xx with ``false``, a fault, HTML — is :class:`AckRefused` (transient). Retries follow
:func:`outbound_policy`: backoff capped at 2 hours, dropped (dead-lettered) 24 hours
after the first try.

Errors::

    patterns.callout.errors.CalloutError
    ├── AckRefused      transient  the endpoint answered without <Ack>true</Ack>
    └── RecordDeleted   terminal   the record is gone: no message is sent for it
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ...core import ids
from ...core.errors import NotFound
from ...core.retry import RetryPolicy
from .errors import CalloutError

if TYPE_CHECKING:
    from .config import CalloutConfig
    from .templates import Callout

OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOBJECT_NS = "urn:sobject.enterprise.soap.sforce.com"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MAX_NOTIFICATIONS = 100
MAX_BACKOFF = 2 * 3600.0  # Salesforce's cap between tries
DEADLINE = 24 * 3600.0  # dropped after a day
API_VERSION = "59.0"


class AckRefused(CalloutError):
    error_code = "OUTBOUND_NOT_ACKNOWLEDGED"
    transient = True

    def __init__(self, message: str, response: Any = None) -> None:
        super().__init__(message)
        self.response = response
        self.remote_status = getattr(response, "status", None)


class RecordDeleted(CalloutError):
    error_code = "ENTITY_IS_DELETED"


def outbound_policy(config: CalloutConfig) -> RetryPolicy:
    """The callout's retry policy bounded as Outbound Messages are: the written
    ``retry`` (or 100 tries from 15 s when none is written), waits at most 2 h, stopping
    24 h after the first try."""
    written = "retry" in config.model_fields_set
    retry = config.retry
    backoff = retry.backoff if written else 15.0
    return RetryPolicy(
        attempts=retry.attempts if written else 100,
        backoff=backoff,
        max_backoff=max(backoff, min(retry.max_backoff if written else MAX_BACKOFF, MAX_BACKOFF)),
        deadline=min(retry.deadline or DEADLINE, DEADLINE),
    )


def action_id(callout: str) -> str:
    """The ``04k`` ActionId of a callout: the same on every message it sends."""
    return ids.stable_id("04k", _number(f"action:{callout}"))


def notification_id(idempotency_key: str) -> str:
    """The ``04l`` Notification Id of one delivery: the same on every attempt."""
    return ids.stable_id("04l", _number(f"notification:{idempotency_key}"))


def _number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:9], "big")


@dataclass(frozen=True, slots=True)
class Notification:
    id: str  # 04l...
    sobject_type: str
    fields: Mapping[str, Any]  # field name -> value, in the configured order


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.endswith("+0000") and "T" in text:  # REST's dateTime form; SOAP writes Z
        text = text[:-5] + "Z"
    return escape(text)


def _sobject(n: Notification) -> str:
    parts = [f'<sObject xsi:type="sf:{n.sobject_type}" xmlns:sf="{SOBJECT_NS}">']
    for name, value in n.fields.items():
        if isinstance(value, Mapping | list):
            continue  # compound fields (addresses) and relationships are not sent flat
        if value is None:
            parts.append(f'<sf:{name} xsi:nil="true"/>')
        else:
            parts.append(f"<sf:{name}>{_value(value)}</sf:{name}>")
    parts.append("</sObject>")
    return "".join(parts)


def build_envelope(*, organization_id: str, action: str, session_id: str | None,
                   enterprise_url: str, partner_url: str,
                   notifications: Sequence[Notification]) -> bytes:  # fmt: skip
    """The SOAP request of one ``notifications`` call (1–100 notifications)."""
    if not 1 <= len(notifications) <= MAX_NOTIFICATIONS:
        raise ValueError(f"a notifications call holds 1 to {MAX_NOTIFICATIONS} notifications")
    session = (
        f"<SessionId>{escape(session_id)}</SessionId>" if session_id
        else '<SessionId xsi:nil="true"/>'
    )  # fmt: skip
    body = "".join(
        f"<Notification><Id>{n.id}</Id>{_sobject(n)}</Notification>" for n in notifications
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="{XSI_NS}"><soapenv:Body>'
        f'<notifications xmlns="{OUTBOUND_NS}">'
        f"<OrganizationId>{organization_id}</OrganizationId><ActionId>{action}</ActionId>"
        f"{session}<EnterpriseUrl>{escape(enterprise_url)}</EnterpriseUrl>"
        f"<PartnerUrl>{escape(partner_url)}</PartnerUrl>{body}"
        "</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


def acknowledged(body: bytes) -> bool:
    """Whether ``body`` is a SOAP ``notificationsResponse`` with ``<Ack>true</Ack>``."""
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return False
    reply = root.find(f"{{{SOAP_NS}}}Body/{{{OUTBOUND_NS}}}notificationsResponse")
    if reply is None:
        return False
    ack = reply.find(f"{{{OUTBOUND_NS}}}Ack")
    return ack is not None and (ack.text or "").strip().lower() in ("true", "1")


def _urls(runtime: Any, org_id: str) -> tuple[str, str]:
    settings = runtime.settings
    base = f"http://{settings.host}:{settings.port}"
    org15 = org_id[:15]
    return (f"{base}/services/Soap/c/{API_VERSION}/{org15}",
            f"{base}/services/Soap/u/{API_VERSION}/{org15}")  # fmt: skip


def _session(org: Any, lifetime: int | None) -> str:
    from ...org.identity.tokens import mint

    boot = org.boot
    return str(org.store.write(lambda c: mint(c, boot.org_id, boot.admin_user_id,
                                              client_id=None, lifetime_seconds=lifetime)))  # fmt: skip


async def envelope_for(runtime: Any, callout: Callout, record_id: str,
                       idempotency_key: str) -> bytes:  # fmt: skip
    """The envelope of one delivery, the record's fields read now."""
    om = callout.config.outbound_message
    assert om is not None
    org = runtime.org
    try:
        record = await asyncio.to_thread(org.retrieve, om.object, record_id, list(om.fields),
                                         API_VERSION)  # fmt: skip
    except NotFound:
        raise RecordDeleted(
            f"{om.object} {record_id} was deleted before its outbound message was sent; "
            "nothing was sent"
        ) from None
    obj = org.schema.object(om.object)
    fields = {}
    for name in om.fields:
        field = org.schema.field(obj, name)
        key = field.name if field is not None else name
        fields[key] = record.get(key)
    session = None
    if om.include_session_id:
        session = await asyncio.to_thread(_session, org, runtime.settings.session_timeout)
    enterprise, partner = _urls(runtime, org.org_id)
    return build_envelope(
        organization_id=org.org_id, action=action_id(callout.name), session_id=session,
        enterprise_url=enterprise, partner_url=partner,
        notifications=[Notification(notification_id(idempotency_key), obj.name, fields)],
    )  # fmt: skip


async def send_outbound(runtime: Any, callout: Callout, context: Mapping[str, Any],
                        timeout: float, idempotency_key: str | None = None) -> Any:  # fmt: skip
    """One attempt of an Outbound Message; the ``HttpResponse`` when it was acked, else
    :class:`AckRefused` (or the transport's error)."""
    from .templates import render_request

    record = context.get("record") or {}
    record_id = record.get("Id")
    if not record_id:
        raise RecordDeleted("an outbound message needs a record; the trigger gave none")
    key = idempotency_key or f"{callout.name}:{record_id}"
    body = await envelope_for(runtime, callout, str(record_id), key)
    client = runtime.connectors.http(callout.credential)
    req = render_request(callout, {**context, "credential": client.template_context()})
    headers = {**req.headers, "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    response = await client.send("POST", req.path, headers=headers, body=body, timeout=timeout,
                                 idempotency_key=idempotency_key)  # fmt: skip
    if not acknowledged(response.body):
        raise AckRefused(
            f"POST {callout.credential}{req.path} answered {response.status} without "
            "<Ack>true</Ack> in a notificationsResponse",
            response,
        )
    return response


__all__ = [
    "DEADLINE", "MAX_BACKOFF", "MAX_NOTIFICATIONS", "OUTBOUND_NS", "AckRefused", "Notification",
    "RecordDeleted", "acknowledged", "action_id", "build_envelope", "envelope_for",
    "notification_id", "outbound_policy", "send_outbound",
]  # fmt: skip
