"""An org and its Runtime loading a sync project, in process, for the sync tests."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from support.rest import FIXTURES
from support.server import BIN
from switchboard.core.settings import Settings
from switchboard.events.tables import event
from switchboard.org.dml.changes import channel_for
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project
from switchboard.patterns.sync.pattern import SyncPattern
from switchboard.runtime import Runtime

SYNC_SFDX = FIXTURES / "sfdx-sync"


def cli(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``switchboard ARGS --data-dir D --db URL`` in a subprocess."""
    return subprocess.run(
        [str(BIN / "switchboard"), *args, "--data-dir", str(settings.data_dir),
         "--db", settings.database_url],
        capture_output=True, text=True, check=check, timeout=120,
    )  # fmt: skip


def project_yaml(url: str, *, password: bool = False, batch_size: int = 2,
                 fields: str = "{Name: name, Phone: phone, ERP_Id__c: id}",
                 external_id: str = "ERP_Id__c") -> str:  # fmt: skip
    secret = "\n    password: {secret: erp_password}" if password else ""
    return f"""connections:
  erp_db:
    url: "{url}"{secret}
syncs:
  customers_in:
    from: {{connection: erp_db, table: customers, cursor: updated_at, key: id}}
    to: {{object: Account, external_id: {external_id}}}
    fields: {fields}
    batch_size: {batch_size}
"""


def prepare_org(data_dir: Path, db: str, sfdx: Path = SYNC_SFDX,
                secrets: dict[str, str] | None = None) -> Settings:  # fmt: skip
    """Create the org, deploy ``sfdx`` and set ``secrets``; the org is closed again. The
    data directory records the org's database, as ``switchboard org init`` leaves it, so
    CLI commands given ``--data-dir`` find it."""
    from switchboard.cli.orgdir import record

    settings = Settings(data_dir=data_dir, db=db)
    record(settings)
    org = Org.open(settings)
    try:
        p = read_project(sfdx)
        org.schema.deploy(p.objects, p.extensions, p.validation_rules, p.duplicate_rules)
        if secrets:
            from switchboard.org.secrets import SecretStore

            store = SecretStore.from_settings(org.store, settings)
            for name, value in secrets.items():
                store.set(name, value)
    finally:
        org.close()
    return settings


@contextmanager
def hub(settings: Settings, project: Path) -> Iterator[tuple[Runtime, SyncPattern]]:
    runtime = Runtime(settings, project_dir=project).open()
    try:
        yield runtime, next(p for p in runtime.patterns if isinstance(p, SyncPattern))
    finally:
        asyncio.run(runtime.connectors.stop())
        asyncio.run(runtime.stop())


def accounts(org: Org) -> dict[str, dict[str, Any]]:
    """Live Accounts by ERP_Id__c."""
    obj = org.schema.object("Account")
    t = org.schema.table(obj)
    with org.store.read() as conn:
        rows = conn.execute(sa.select(t.c.id, t.c.name, t.c.phone, t.c.erp_id__c)
                            .where(t.c.isdeleted.is_(False))).all()  # fmt: skip
    return {r.erp_id__c: {"Id": r.id, "Name": r.name, "Phone": r.phone} for r in rows}


def change_types(org: Org, type_name: str = "Account") -> list[tuple[str, str]]:
    """(changeType, changeOrigin) of every change event of ``type_name``, oldest first."""
    obj = org.schema.object(type_name)
    with org.store.read() as conn:
        payloads = conn.execute(sa.select(event.c.payload)
                                .where(event.c.channel == channel_for(obj))
                                .order_by(event.c.id)).scalars().all()  # fmt: skip
    out = []
    for p in payloads:
        header = orjson.loads(p)["ChangeEventHeader"]
        out.append((header["changeType"], header.get("changeOrigin", "")))
    return out
