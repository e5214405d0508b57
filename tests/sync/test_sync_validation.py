"""A sync writes through the org's one DML path: a validation rule deployed from SFDX
source refuses the bad row of a batch with Salesforce's FIELD_CUSTOM_VALIDATION_EXCEPTION
(kept in ``switchboard sync errors``), while the good rows of the same batch are written
and nothing of the bad one is; once the source row is fixed, the next run writes it and
its error is gone; after a reset a run reads every row again and duplicates none. On
each store backend."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from support.rest import FIXTURES
from sync.harness import change_types, cli, hub, prepare_org, project_yaml
from sync.sources import row, source

T1 = datetime(2026, 1, 1, 10, 0, 0)
T2 = datetime(2026, 1, 5, 10, 0, 0)
FIELDS = "{Name: name, Phone: phone, Customer_Number__c: id}"


def _accounts(org) -> dict[str, str]:  # type: ignore[no-untyped-def]
    obj = org.schema.object("Account")
    t = org.schema.table(obj)
    with org.store.read() as conn:
        return dict(conn.execute(sa.select(t.c.customer_number__c, t.c.name)).all())


def test_a_validation_rule_refuses_one_row_of_a_batch(db_url: str, tmp_path: Path) -> None:
    settings = prepare_org(tmp_path / "data", db_url, FIXTURES / "sfdx-governance")
    with source("sqlite", tmp_path) as src:
        src.insert(row(1, T1, "Acme Corp"), row(2, T1, "Test Company"), row(3, T1, "Globex"))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(
            src.url, batch_size=50, fields=FIELDS, external_id="Customer_Number__c"))  # fmt: skip
        with hub(settings, project) as (runtime, sync):
            result = sync.run("customers_in")
            assert (result.status, result.batches) == ("succeeded", 1)
            assert (result.rows_read, result.rows_written, result.rows_failed) == (3, 2, 1)
            assert _accounts(runtime.org) == {"1": "Acme Corp", "3": "Globex"}
            assert len(change_types(runtime.org)) == 2  # no event for the refused row

        out = cli(settings, "sync", "errors", "customers_in", "--json")
        assert json.loads(out.stdout)["records"] == [{
            "sourceKey": "2", "runId": result.run_id,
            "createdAt": json.loads(out.stdout)["records"][0]["createdAt"],
            "errors": [{"message": "Test accounts are not allowed.",
                        "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Name"]}],
        }]  # fmt: skip
        text = cli(settings, "sync", "errors", "customers_in").stdout
        assert text.strip() == "2: FIELD_CUSTOM_VALIDATION_EXCEPTION: Test accounts are not allowed. [Name]"
        status = json.loads(cli(settings, "sync", "status", "--json").stdout)["syncs"][0]
        assert status["failingRows"] == 1 and status["lastRun"]["rowsFailed"] == 1

        # The row is fixed at the source: its cursor moves, the next run writes it.
        src.update(2, name="Initech", updated_at=T2)
        ran = cli(settings, "sync", "run", "customers_in", "--project", str(project))
        assert "succeeded: 1 read, 1 written, 0 failed" in ran.stdout
        assert "no failed rows" in cli(settings, "sync", "errors", "customers_in").stdout
        with hub(settings, project) as (runtime, _sync):
            assert _accounts(runtime.org) == {"1": "Acme Corp", "2": "Initech", "3": "Globex"}

        # A reset reads the whole table again; upserts by external id duplicate nothing.
        assert "position reset" in cli(settings, "sync", "reset", "customers_in").stdout
        ran = cli(settings, "sync", "run", "customers_in", "--project", str(project))
        assert "succeeded: 3 read, 3 written, 0 failed" in ran.stdout
        with hub(settings, project) as (runtime, _sync):
            assert _accounts(runtime.org) == {"1": "Acme Corp", "2": "Initech", "3": "Globex"}
