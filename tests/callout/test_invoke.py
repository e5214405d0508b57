"""Request-reply callouts as Invocable Actions, through the REST app of a real Runtime
(in process, httpx over ASGI) against real ERP endpoint processes (one fast, one slow)."""

from __future__ import annotations

import asyncio
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

from callout.harness import open_runtime, writer
from support.app import asgi_app
from switchboard.org.identity.tokens import mint
from switchboard.patterns.callout import deliveries

V = "/services/data/v59.0/actions/custom/callout"


def _project(fast: str, slow: str) -> str:
    return textwrap.dedent(f"""\
        credentials:
          erp: {{url: "{fast}", auth: {{type: none}}}}
          slow: {{url: "{slow}", auth: {{type: none}}}}
        callouts:
          credit_check:
            on: invoke
            request:
              credential: erp
              path: /customers
              body: {{name: "{{{{ input.name }}}}", amount: "{{{{ input.amount }}}}"}}
            timeout: 5s
          slow_check:
            on: invoke
            request: {{credential: slow, path: /customers, body: {{name: x}}}}
            timeout: 1s
          number_account:
            on: invoke
            request:
              credential: erp
              path: /customers
              body: {{name: "{{{{ record.Name }}}}"}}
            reply:
              update: {{AccountNumber: "{{{{ response.json.erp_id }}}}"}}
        """)  # fmt: skip


class Api:
    def __init__(self, runtime: Any) -> None:
        org = runtime.org
        boot = org.boot
        token = org.store.write(lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None,
                                               lifetime_seconds=3600))  # fmt: skip
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=asgi_app(runtime)), base_url="http://sb",
            headers={"Authorization": f"Bearer {token}"}, timeout=30,
        )  # fmt: skip


async def test_invocable_actions(tmp_path: Path, erp_factory: Any) -> None:
    fast = erp_factory()
    slow = erp_factory("--latency", "4")
    runtime = open_runtime(tmp_path, "", _project(fast.url, slow.url))
    await runtime.start()
    api = Api(runtime).client
    try:
        # Two inputs, two calls, answered in the Invocable Actions shape, in order.
        r = await api.post(f"{V}/credit_check",
                           json={"inputs": [{"name": "Acme", "amount": 10}, {"name": "Beta", "amount": 20}]})  # fmt: skip
        assert r.status_code == 200, r.text
        out = r.json()
        assert [o["actionName"] for o in out] == ["credit_check", "credit_check"]
        assert all(o["isSuccess"] and o["errors"] is None for o in out)
        ids = sorted(o["outputValues"]["body"]["erp_id"] for o in out)
        assert ids == ["ERP-000001", "ERP-000002"]
        assert out[0]["outputValues"]["statusCode"] == 201
        stats = fast.stats(bodies="1")
        assert stats["effects"] == 2
        assert sorted(b["name"] for b in stats["bodies"].values()) == ["Acme", "Beta"]
        assert sorted(b["amount"] for b in stats["bodies"].values()) == [10, 20]
        rows = deliveries.recent(runtime.org.store, "credit_check")
        assert sorted((d["trigger"], d["state"], d["attempts"]) for d in rows) == [
            ("invoke", "delivered", 1), ("invoke", "delivered", 1)]  # fmt: skip

        # A slow endpoint: the answer comes within the timeout, as Apex reports it.
        t0 = time.perf_counter()
        r = await api.post(f"{V}/slow_check", json={"inputs": [{}]})
        took = time.perf_counter() - t0
        assert took < 2.5, took
        assert r.status_code == 400, r.text
        (res,) = r.json()
        assert res["isSuccess"] is False and res["outputValues"] is None
        (err,) = res["errors"]
        assert err["message"] == "System.CalloutException: Read timed out"
        assert err["statusCode"] == "UNKNOWN_EXCEPTION"
        (row,) = deliveries.recent(runtime.org.store, "slow_check")
        assert row["state"] == "dead" and "Timeout" in row["last_error"]
        full = deliveries.get(runtime.org.store, row["id"])
        assert full is not None and full["attempts_log"][0]["outcome"] == "timeout"

        # recordId: the record is read now, the reply lands on it.
        acct = await asyncio.to_thread(runtime.org.create, writer(runtime), "Account",
                                       {"Name": "Gamma"})  # fmt: skip
        r = await api.post(f"{V}/number_account", json={"inputs": [{"recordId": acct}]})
        assert r.status_code == 200, r.text
        number = runtime.org.retrieve("Account", acct, ["AccountNumber"], "59.0")["AccountNumber"]
        assert number == r.json()[0]["outputValues"]["body"]["erp_id"]
        assert fast.stats(bodies="1")["effects"] == 3

        # A recordId naming no record fails that input alone.
        r = await api.post(f"{V}/number_account",
                           json={"inputs": [{"recordId": "001000000000000AAA"}, {"recordId": acct}]})  # fmt: skip
        assert r.status_code == 200, r.text
        bad, good = r.json()
        assert bad["isSuccess"] is False and bad["errors"][0]["statusCode"] == "NOT_FOUND"
        assert good["isSuccess"] is True
        assert fast.stats()["effects"] == 4

        # The listing, and the errors: unknown action, bad body, too many inputs, no token.
        listing = (await api.get(V)).json()["actions"]
        assert [a["name"] for a in listing] == ["credit_check", "number_account", "slow_check"]
        r = await api.post(f"{V}/nope", json={"inputs": [{}]})
        assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"
        r = await api.post(f"{V}/credit_check", json={"inputs": "x"})
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
        r = await api.post(f"{V}/credit_check", json={"inputs": [{}] * 101})
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
        r = await api.post(f"{V}/credit_check", json={"inputs": [{}]},
                           headers={"Authorization": "Bearer nope"})  # fmt: skip
        assert r.status_code == 401
        assert fast.stats()["effects"] == 4  # none of the refused requests called out
    finally:
        await api.aclose()
        await runtime.stop()
