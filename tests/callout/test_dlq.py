"""Dead letters over REST and the CLI: a dead endpoint fills the DLQ, show is redacted
(credential headers and the org's secret values masked), discard sets one aside, and
after recovery `switchboard callout dlq retry --all` re-drives every letter exactly once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from callout.harness import insert_accounts, open_runtime, project_yaml, wait_until
from support.app import asgi_app
from support.databases import database_url
from switchboard.core.settings import Settings
from switchboard.org.identity.tokens import mint
from switchboard.org.runtime import Org
from switchboard.org.secrets import SecretStore
from switchboard.patterns.callout import deliveries

BIN = Path(sys.executable).with_name("switchboard")
SECRET = "tok-Very-Secret-0xC0FFEE-42"
BASE = "/services/data/v59.0/hub/callouts"
COUNT = 20

CALLOUT = """\
to_erp:
  on: {change: Account, types: [CREATE]}
  request:
    credential: erp
    path: /customers
    headers: {X-Api-Key: "{{ record.Description }}"}
    body: {sfid: "{{ record.Id }}", note: "{{ record.Description }}"}
  timeout: 2s
  retry: {attempts: 4, backoff: 10ms, max_backoff: 50ms}
"""


def _state(store: Any) -> Any:
    rows = deliveries.recent(store, "to_erp", 3)
    return deliveries.counts(store), [
        (r["state"], r["attempts"], r["next_attempt_at"], r["lease_until"], r["last_error"])
        for r in rows
    ]


def cli(db: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), "callout", *args, "--db", db, "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


async def test_dead_letters_shown_redacted_discarded_and_redriven_once(
    tmp_path: Path, erp_factory: Any
) -> None:
    erp = erp_factory()
    erp.control(down=True)
    data = tmp_path / "data"
    with database_url("sqlite", tmp_path) as db:
        org = Org.open(Settings(data_dir=data, db=db))  # the secret is set before the hub starts
        SecretStore.from_settings(org.store, org.settings).set("erp_token", SECRET)
        org.close()
        breaker = (
            "max_in_flight: 256\nbreaker: {min_calls: 10, window: 20, open_for: 1s, trial_calls: 2}"
        )
        text = project_yaml(erp.url, CALLOUT, breaker).replace(
            "auth: {type: none}", "auth: {type: bearer, token: {secret: erp_token}}"
        )
        runtime = open_runtime(tmp_path, db, text)
        await runtime.start()
        boot = runtime.org.boot
        assert boot is not None
        token = runtime.org.store.write(lambda c: mint(c, boot.org_id, boot.admin_user_id,
                                                       client_id=None, lifetime_seconds=3600))  # fmt: skip
        api = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app(runtime)),
                                base_url="http://sb", headers={"Authorization": f"Bearer {token}"},
                                timeout=30)  # fmt: skip
        store = runtime.org.store
        try:
            rows = [{"Name": f"D{i}", "Description": SECRET} for i in range(COUNT)]
            await asyncio.to_thread(insert_accounts, runtime, rows)
            await wait_until(lambda: deliveries.counts(store).get("dead", 0) == COUNT, 60, "DLQ")

            # REST: the list, one letter in full, redacted.
            r = await api.get(f"{BASE}/dlq")
            assert r.status_code == 200, r.text
            assert r.json()["totalSize"] == COUNT
            first = r.json()["records"][0]["id"]
            r = await api.get(f"{BASE}/dlq/{first}")
            assert r.status_code == 200
            shown = r.json()
            assert SECRET not in r.text
            assert shown["lastRequest"]["headers"]["X-Api-Key"] == "********"
            assert shown["lastRequest"]["body"] and "********" in shown["lastRequest"]["body"]
            assert shown["lastError"] and len(shown["attemptsLog"]) == 4
            assert (await api.get(f"{BASE}/dlq/999999")).status_code == 404
            assert (await api.get(f"{BASE}/dlq/abc")).json()[0]["errorCode"] == "NOT_FOUND"

            # The CLI sees the same queue, and prints no secret either.
            out = cli(db, data, "dlq", "list", "--json")
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["totalSize"] == COUNT
            for args in (["dlq", "show", str(first)], ["dlq", "show", str(first), "--json"],
                         ["dlq", "list"], ["deliveries", "to_erp"]):  # fmt: skip
                out = cli(db, data, *args)
                assert out.returncode == 0, (args, out.stderr)
                assert SECRET not in out.stdout + out.stderr
            assert "X-Api-Key" in cli(db, data, "dlq", "show", str(first)).stdout

            # Discard one (REST); a second discard is refused, an unknown id is not found.
            r = await api.delete(f"{BASE}/dlq/{first}")
            assert r.status_code == 204
            r = await api.delete(f"{BASE}/dlq/{first}")
            assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_OPERATION"
            assert (await api.delete(f"{BASE}/dlq/999999")).status_code == 404

            # Recovery: retry --all re-drives the other letters once each; a second retry
            # finds nothing dead, so nothing is sent twice.
            erp.control(down=False)
            await asyncio.sleep(1.2)  # the breaker may be open; let it half-open
            before = erp.stats()["requests"]
            out = cli(db, data, "dlq", "retry", "--all", "--json")
            assert out.returncode == 0, out.stderr
            assert len(json.loads(out.stdout)["requeued"]) == COUNT - 1
            again = json.loads(cli(db, data, "dlq", "retry", "--all", "--json").stdout)
            assert again == {"requeued": [], "skipped": []}
            await wait_until(lambda: deliveries.counts(store).get("delivered", 0) == COUNT - 1,
                             60, "the re-drive", lambda: _state(store))  # fmt: skip
            await asyncio.sleep(0.5)
            stats = erp.stats()
            assert stats["effects"] == COUNT - 1
            assert stats["requests"] - before == COUNT - 1  # one call per letter, none repeated
            out = cli(db, data, "deliveries", "to_erp", "--json")
            assert json.loads(out.stdout)["counts"] == {"delivered": COUNT - 1, "discarded": 1}

            # REST retry of a delivered letter skips it; the discarded one is not dead either.
            r = await api.post(f"{BASE}/dlq/retry", json={"ids": [first]})
            assert r.json() == {"requeued": [], "skipped": [first]}
            r = await api.post(f"{BASE}/dlq/retry", json={"ids": "all"})
            assert r.status_code == 400 and r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
            r = await api.get(f"{BASE}/to_erp/deliveries?limit=5")
            assert r.status_code == 200 and len(r.json()["records"]) == 5
            assert SECRET not in r.text
            assert (await api.get(f"{BASE}/dlq", headers={"Authorization": "Bearer x"})
                    ).status_code == 401  # fmt: skip
        finally:
            await api.aclose()
            await runtime.stop()
