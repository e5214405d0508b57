"""Batch sync throughput: rows/s of a sync from a SQLite or PostgreSQL source table into
Accounts, against the DML path alone.

Two fresh orgs (SQLite files) get an Account external id ``ERP_Id__c``:

- ``dml``: the same records, already mapped, upserted in transactions of ``--batch``
  rows straight through ``Dml.upsert`` (what the sync cannot do with less);
- ``sync``: ``SyncRunner.run`` reading the source in pages, mapping, upserting, keeping
  error rows and moving its position in each batch's transaction.

Both first insert the rows, then (timed) apply a change to every row, so each write is
an update with a change event, the sync's steady state. The ratio is sync/dml;
``--rounds`` repeats in alternating order and prints the median.

    .venv/bin/python bench/sync.py [--rows 20000] [--batch 200] [--rounds 3] [--source sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from switchboard.core.settings import Settings
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project
from switchboard.patterns.sync.pattern import SyncPattern
from switchboard.runtime import Runtime

SFDX = Path(__file__).resolve().parents[1] / "tests/fixtures/sfdx-sync"
T0 = datetime(2026, 1, 1)
meta = sa.MetaData()
customers = sa.Table("customers", meta, sa.Column("id", sa.Integer, primary_key=True,
                     autoincrement=False), sa.Column("name", sa.String(80)),
                     sa.Column("phone", sa.String(40)), sa.Column("updated_at", sa.DateTime),
                     sa.Index("ix_cursor", "updated_at", "id"))  # fmt: skip


def rows(n: int, bump: int) -> list[dict[str, object]]:
    return [{"id": i, "name": f"Customer {i}", "phone": f"555-{i + bump:07d}",
             "updated_at": T0 + timedelta(seconds=i // 4 + bump * n)} for i in range(1, n + 1)]  # fmt: skip


def make_org(where: Path) -> Settings:
    settings = Settings(data_dir=where / "data", db=f"sqlite:///{where / 'org.db'}")
    org = Org.open(settings)
    p = read_project(SFDX)
    org.schema.deploy(p.objects, p.extensions, p.validation_rules, p.duplicate_rules)
    org.close()
    return settings


def dml(where: Path, n: int, batch: int) -> float:
    org = Org.open(make_org(where))
    try:
        obj = org.schema.object("Account")
        key = org.schema.field(obj, "ERP_Id__c")
        assert org.boot is not None
        ctx = WriteContext(org.boot.admin_user_id, "sync", client="sync:bench")

        def apply(data: list[dict[str, object]]) -> None:
            for i in range(0, n, batch):
                records = [{"Name": r["name"], "Phone": r["phone"], "ERP_Id__c": str(r["id"])}
                           for r in data[i : i + batch]]  # fmt: skip
                org.store.write(lambda c, rs=records: org.dml.upsert(c, ctx.fresh(), obj, key, rs))

        apply(rows(n, 0))
        started = time.perf_counter()
        apply(rows(n, 1))
        return n / (time.perf_counter() - started)
    finally:
        org.close()


def sync(where: Path, n: int, batch: int, source_url: str) -> float:
    engine = sa.create_engine(source_url)
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(customers.insert(), rows(n, 0))
    project = where / "project"
    project.mkdir()
    (project / "switchboard.yaml").write_text(
        f'connections:\n  erp: {{url: "{source_url}"}}\nsyncs:\n  bench:\n'
        "    from: {connection: erp, table: customers, cursor: updated_at, key: id}\n"
        "    to: {object: Account, external_id: ERP_Id__c}\n"
        f"    fields: {{Name: name, Phone: phone, ERP_Id__c: id}}\n    batch_size: {batch}\n"
    )
    runtime = Runtime(make_org(where), project_dir=project).open()
    try:
        pattern = next(p for p in runtime.patterns if isinstance(p, SyncPattern))
        assert pattern.run("bench").rows_written == n
        with engine.begin() as conn:
            for r in rows(n, 1):
                conn.execute(customers.update().where(customers.c.id == r["id"])
                             .values(phone=r["phone"], updated_at=r["updated_at"]))  # fmt: skip
        started = time.perf_counter()
        result = pattern.run("bench")
        elapsed = time.perf_counter() - started
        assert result.rows_written == n, result
        return n / elapsed
    finally:
        asyncio.run(runtime.connectors.stop())
        asyncio.run(runtime.stop())
        meta.drop_all(engine)
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--source", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                    help="PostgreSQL source database (a table 'customers' is made and dropped)")
    args = ap.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory(prefix="sb-bench-sync-") as tmp_name:
        tmp = Path(tmp_name)
        for r in range(args.rounds):
            url = f"sqlite:///{tmp / f'erp{r}.db'}" if args.source == "sqlite" else args.pg
            order = ["dml", "sync"] if r % 2 == 0 else ["sync", "dml"]
            rates = {}
            for label in order:
                where = tmp / f"r{r}-{label}"
                where.mkdir()
                rates[label] = (dml(where, args.rows, args.batch) if label == "dml"
                                else sync(where, args.rows, args.batch, url))  # fmt: skip
            ratios.append(rates["sync"] / rates["dml"])
            print(f"round {r + 1}: dml {rates['dml']:,.0f} rows/s, sync {rates['sync']:,.0f} "
                  f"rows/s, sync/dml = {ratios[-1]:.2f}", flush=True)  # fmt: skip
    print(f"{args.source} source, {args.rows:,} updates in batches of {args.batch}: median "
          f"sync/dml = {statistics.median(ratios):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
