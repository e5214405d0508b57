"""Where a call's reply goes: fields of the triggering record, or a platform event.

``reply.update`` writes through the org's one DML path (validation, field history and
change events apply as for any write) with a :class:`WriteContext` whose client marks it
as this callout's own (:func:`triggers.reply_client`): its change event then carries that
mark in ``changeOrigin`` and the callout's trigger skips it, so a reply never fires the
callout that made it. ``reply.publish`` publishes a platform event through the org's
publishing API. A DML refusal is :class:`ReplyFailed` (terminal): the call itself
succeeded, so the delivery is dead-lettered with the reason rather than called again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from ...core.errors import SwitchboardError
from ...org.dml.context import WriteContext
from .errors import ReplyFailed
from .templates import Callout, render_tree, template_context
from .triggers import reply_client

if TYPE_CHECKING:
    from ...org.runtime import Org


def response_context(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """``response`` as templates see it: status, headers, json (None if not JSON), text."""
    text = body.decode("utf-8", "replace")
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        parsed = None
    return {"status": status, "headers": dict(headers), "json": parsed, "text": text}


def _org_of(runtime: Any) -> Org:
    return runtime.org if hasattr(runtime, "org") else runtime


def has_reply(callout: Callout) -> bool:
    return bool(callout.reply_update) or bool(callout.config.reply and callout.config.reply.publish)


async def apply_reply(
    runtime: Any, callout: Callout, context: Mapping[str, Any], response: Any
) -> dict[str, Any]:
    """Apply ``callout``'s reply mapping for ``response`` (an ``HttpResponse``); returns
    what was written (``{"update": {...}, "published": id}``)."""
    org = _org_of(runtime)
    ctx = template_context(**context)
    ctx["response"] = response_context(response.status, response.headers, response.body)
    done: dict[str, Any] = {}
    record = context.get("record") or {}
    if callout.reply_update:
        values = {field: t.render(ctx) for field, t in callout.reply_update.items()}
        obj_name = (record.get("attributes") or {}).get("type") or _trigger_object(callout)
        record_id = record.get("Id")
        if not record_id or not obj_name:
            raise ReplyFailed("reply.update needs a record: the trigger gave none")
        writer = WriteContext(
            org.boot.admin_user_id if org.boot else "", client=reply_client(callout.name)
        )
        try:
            await asyncio.to_thread(org.update, writer, obj_name, record_id, values)
        except SwitchboardError as exc:
            raise ReplyFailed(
                f"reply.update of {obj_name} {record_id} failed: {exc.message}"
            ) from exc
        done["update"] = values
    reply = callout.config.reply
    if reply is not None and reply.publish is not None:
        fields = render_tree(callout.publish_fields, ctx)
        done["published"] = await asyncio.to_thread(_publish, org, reply.publish.event, fields)
    return done


def _trigger_object(callout: Callout) -> str | None:
    return getattr(callout.config.on, "change", None)


def _publish(org: Org, event: str, fields: dict[str, Any]) -> str | None:
    from ...org import platform_events  # type: ignore[attr-defined]  # moved into org by A

    obj = org.schema.object(event)
    user = org.boot.admin_user_id if org.boot else ""
    out = platform_events.publish(org, user, obj, [fields])[0]
    if out.errors:
        raise ReplyFailed(f"reply.publish of {event} failed: {out.errors[0].message}")
    return out.id  # type: ignore[no-any-return]


__all__ = ["apply_reply", "has_reply", "response_context"]
