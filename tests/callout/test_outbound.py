"""Outbound Messages end to end: Accounts created over REST reach a receiver written the
way Salesforce documents one (it parses the SOAP envelope with an XML parser, dedupes on
the Notification Id, answers Ack); a receiver answering Ack false is retried; a retry
carries the record's values at send time, and a record deleted meanwhile sends nothing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from defusedxml import ElementTree

from callout.harness import open_runtime, project_yaml, wait_until, writer
from support.app import asgi_app
from support.server import free_port
from switchboard.org.identity.tokens import mint
from switchboard.patterns.callout import deliveries
from switchboard.patterns.callout.config import CalloutConfig
from switchboard.patterns.callout.outbound import DEADLINE, MAX_BACKOFF

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OM = "http://soap.sforce.com/2005/09/outbound"
SF = "urn:sobject.enterprise.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

NOTIFY = """\
notify:
  on: {change: Account, types: [CREATE]}
  request: {credential: erp, path: /soap/accounts}
  outbound_message: {object: Account, fields: [Id, Name, AccountNumber]}
  timeout: 5s
  retry: {attempts: 6, backoff: 50ms, max_backoff: 200ms}
"""


class Receiver:
    """An Outbound Message listener: Ack true, unless ``refuse`` says otherwise."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.envelopes: list[dict[str, Any]] = []
        self.notifications: dict[str, dict[str, Any]] = {}  # Notification Id -> last sObject
        self.seen: dict[str, int] = defaultdict(int)
        self.refuse: Callable[[dict[str, Any]], bool] = lambda fields: False  # Ack false?
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        root = ElementTree.fromstring(await request.read())
        call = root.find(f"{{{SOAP}}}Body/{{{OM}}}notifications")
        assert call is not None, "not a notifications envelope"
        head = {t: call.find(f"{{{OM}}}{t}") for t in
                ("OrganizationId", "ActionId", "SessionId", "EnterpriseUrl", "PartnerUrl")}  # fmt: skip
        env = {t: (e.text if e is not None else None) for t, e in head.items()}
        env["SessionNil"] = head["SessionId"] is not None and head["SessionId"].get(f"{{{XSI}}}nil")
        env["soapAction"] = request.headers.get("SOAPAction")
        env["contentType"] = request.headers.get("Content-Type")
        ack = True
        for n in call.findall(f"{{{OM}}}Notification"):
            nid = n.findtext(f"{{{OM}}}Id")
            obj = n.find(f"{{{OM}}}sObject")
            assert nid and obj is not None
            fields: dict[str, Any] = {"xsi:type": obj.get(f"{{{XSI}}}type")}
            for child in obj:
                name = child.tag.removeprefix(f"{{{SF}}}")
                fields[name] = None if child.get(f"{{{XSI}}}nil") == "true" else child.text
            self.seen[nid] += 1
            if self.refuse(fields):
                ack = False
            if ack:
                self.notifications[nid] = fields  # deduped on the Notification Id
        self.envelopes.append(env)
        body = (f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>'
                f'<notificationsResponse xmlns="{OM}"><Ack>{str(ack).lower()}</Ack>'
                "</notificationsResponse></soapenv:Body></soapenv:Envelope>")  # fmt: skip
        return web.Response(text=body, content_type="text/xml")

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/soap/accounts", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def _api(runtime: Any) -> httpx.AsyncClient:
    boot = runtime.org.boot
    token = runtime.org.store.write(lambda c: mint(c, boot.org_id, boot.admin_user_id,
                                                   client_id=None, lifetime_seconds=3600))  # fmt: skip
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app(runtime)),
                             base_url="http://sb", headers={"Authorization": f"Bearer {token}"})  # fmt: skip


async def test_accounts_created_over_rest_reach_the_receiver(tmp_path: Path) -> None:
    rx = await Receiver().start()
    runtime = open_runtime(tmp_path, "", project_yaml(rx.url, NOTIFY))
    await runtime.start()
    api = _api(runtime)
    try:
        created = []
        for name in ("Acme", "Beta & Sons", "Gamma"):
            r = await api.post("/services/data/v59.0/sobjects/Account", json={"Name": name})
            assert r.status_code == 201, r.text
            created.append(r.json()["id"])
        await wait_until(lambda: len(rx.notifications) == 3, 20, "three notifications")
        by_record = {f["Id"]: f for f in rx.notifications.values()}
        assert sorted(by_record) == sorted(created)
        assert by_record[created[1]]["Name"] == "Beta & Sons"  # escaped and parsed back
        assert by_record[created[0]]["AccountNumber"] is None  # nil, and present
        assert all(f["xsi:type"] == "sf:Account" for f in by_record.values())
        assert all(nid.startswith("04l") and len(nid) == 18 for nid in rx.notifications)
        org_id = runtime.org.org_id
        for env in rx.envelopes:
            assert env["OrganizationId"] == org_id
            assert env["ActionId"].startswith("04k") and len(env["ActionId"]) == 18
            assert env["SessionNil"] == "true" and env["SessionId"] is None
            assert env["EnterpriseUrl"].endswith(f"/services/Soap/c/59.0/{org_id[:15]}")
            assert env["PartnerUrl"].endswith(f"/services/Soap/u/59.0/{org_id[:15]}")
            assert env["soapAction"] == '""' and env["contentType"].startswith("text/xml")
        assert len({env["ActionId"] for env in rx.envelopes}) == 1
        # The receiver answered before the engine wrote the outcomes (they are flushed
        # in batches): wait for the rows, then check that each was sent once.
        store = runtime.org.store
        states = lambda: [r["state"] for r in deliveries.recent(store, "notify")]  # noqa: E731
        await wait_until(lambda: states() == ["delivered"] * 3, 20, "delivered rows", states)
        assert max(rx.seen.values()) == 1
    finally:
        await api.aclose()
        await runtime.stop()
        await rx.stop()


async def test_ack_false_is_retried_with_values_at_send_time(tmp_path: Path) -> None:
    rx = await Receiver().start()
    # Refused while the record still has its first name (so only a retry that reads the
    # record anew can be acked), and always for the record that will be deleted.
    rx.refuse = lambda fields: fields.get("Name") in ("Slow", "Gone")
    text = NOTIFY.replace("backoff: 50ms, max_backoff: 200ms", "backoff: 1s, max_backoff: 1s")
    runtime = open_runtime(tmp_path, "", project_yaml(rx.url, text))
    await runtime.start()
    org, ctx = runtime.org, writer(runtime)
    try:
        slow = await asyncio.to_thread(org.create, ctx, "Account", {"Name": "Slow"})
        gone = await asyncio.to_thread(org.create, ctx, "Account", {"Name": "Gone"})
        await wait_until(lambda: len(rx.seen) == 2, 20, "first tries")
        # Between tries: the record changes (the retry must carry it), the other is deleted.
        await asyncio.to_thread(org.update, ctx, "Account", slow, {"Name": "Slow (renamed)"})
        await asyncio.to_thread(org.delete, ctx, "Account", gone)
        await wait_until(lambda: len(rx.notifications) == 1, 30, "the acked retry")
        (nid, fields) = next(iter(rx.notifications.items()))
        assert fields["Id"] == slow and fields["Name"] == "Slow (renamed)"
        assert rx.seen[nid] >= 2  # refused, then acked: one Notification Id throughout
        store = org.store

        def states() -> dict[str | None, str]:
            return {r["record_id"]: r["state"] for r in deliveries.recent(store, "notify")}

        await wait_until(lambda: states().get(gone) == "dead", 30, "the deleted record's letter")
        assert states()[slow] == "delivered"
        letters = deliveries.list_dead(store, "notify")
        assert len(letters) == 1 and "RecordDeleted" in letters[0]["last_error"]
        full = deliveries.get(store, letters[0]["id"])
        assert full is not None
        outcomes = [a["outcome"] for a in full["attempts_log"]]
        assert outcomes[-1] == "terminal" and set(outcomes[:-1]) == {"transient"}
        sends_of_gone = sum(n for i, n in rx.seen.items() if i != nid)
        assert sends_of_gone == len(outcomes) - 1  # nothing sent once it was gone
    finally:
        await runtime.stop()
        await rx.stop()


def test_outbound_policy_caps_backoff_at_2h_and_drops_after_24h() -> None:
    base = {"on": {"change": "Account"}, "request": {"credential": "erp", "path": "/s"},
            "outbound_message": {"object": "Account", "fields": ["Id"]}}  # fmt: skip
    default = CalloutConfig.model_validate(base).policy
    assert (default.max_backoff, default.deadline, default.attempts) == (MAX_BACKOFF, DEADLINE, 100)
    written = CalloutConfig.model_validate(
        {**base, "retry": {"attempts": 50, "backoff": "1m", "max_backoff": "5h", "deadline": "3d"}}
    ).policy
    assert (written.max_backoff, written.deadline, written.backoff) == (7200.0, 86400.0, 60.0)
    plain = CalloutConfig.model_validate({k: v for k, v in base.items() if k != "outbound_message"})
    assert plain.policy.deadline is None
