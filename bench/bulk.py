"""Bulk API 2.0 upsert throughput of the org against a raw upsert into the same database.

Starts ``switchboard up`` (plain HTTP) on a fresh data directory and database, deploys
the realty fixture (Account with the external id ``Customer_Number__c``), loads half of
the rows with a Bulk API insert job, then times an upsert job of all rows (10 columns,
half of them existing) from upload to JobComplete. The baseline upserts the same rows
into an equivalent table of a database of the same kind in the same run: executemany of
``INSERT ... ON CONFLICT (ext) DO UPDATE`` on SQLite; COPY into a staging table, then
``INSERT ... SELECT ... ON CONFLICT`` on PostgreSQL. Prints rows/s of both, the ratio and
the server's peak RSS (VmHWM). A second raw upsert into a copy of the org's own Account
table (all its columns and indexes, audit columns set) shows how much of the gap is the
table's shape and how much the org's own work. A third, the floor, makes only the reads
and writes the org itself must make for the upsert: per ``--chunk`` rows, one transaction
(the org commits its progress with each chunk) that looks the chunk's keys up, reading
the current values of the rows it updates with them (an UPDATE change event names only
the fields that changed), then makes that shaped upsert and one change event row per
changed record in a copy of the event log table, with each chunk's rows and event JSON
built off the clock. Its ratio to the minimal table is the best any implementation
could reach.

    .venv/bin/python bench/bulk.py [--rows 1000000] [--db sqlite|postgresql] [--chunk 5000]
    .venv/bin/python bench/bulk.py --garbage-mb 50   # a random-bytes upload instead

Targets: at least 0.4 of the raw rate on both backends, peak RSS under 400 MB. For
PostgreSQL (``--pg`` is an admin URL) a fresh database ``sb_bench_<hex>`` is created and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import orjson

from switchboard.events import tables as event_tables

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
REALTY = HERE.parent / "tests" / "fixtures" / "sfdx-realty"
API = "/services/data/v59.0/jobs/ingest"
COLUMNS = [
    "Customer_Number__c",
    "Name",
    "AccountNumber",
    "Phone",
    "Website",
    "Industry",
    "AnnualRevenue",
    "NumberOfEmployees",
    "BillingCity",
    "Description",
]
RAW_COLUMNS = ["ext", "name", "accountnumber", "phone", "website", "industry",
               "annualrevenue", "numberofemployees", "billingcity", "description"]  # fmt: skip


def _row(i: int, gen: int) -> list[str]:
    return [
        f"CN{i:09d}",
        f"Account {i} v{gen}",
        f"AN-{i}",
        f"+1 555 {i % 10_000_000:07d}",
        f"https://example{i % 1000}.com",
        ("Energy", "Banking", "Retail", "Media")[i % 4],
        str((i * 37) % 1_000_000),
        str(i % 5000),
        ("Paris", "Lyon", "Oslo", "Lima")[(i + gen) % 4],
        f"Row {i}, generation {gen}",
    ]


def write_csv(path: Path, rows: Iterator[list[str]]) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)


def preload_rows(n: int) -> Iterator[list[str]]:
    """The existing half: even-numbered keys."""
    return (_row(i, 0) for i in range(0, n, 2))


def upsert_rows(n: int) -> Iterator[list[str]]:
    """Every key, in order: the even ones exist, the odd ones are new."""
    return (_row(i, 1) for i in range(n))


# -- the org --------------------------------------------------------------------------
def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Org:
    def __init__(self, data_dir: Path, db: str, *, cdc: bool = True) -> None:
        self.common = ["--data-dir", str(data_dir), "--db", db]
        self.env = dict(os.environ, SWITCHBOARD_LOG_LEVEL="warning")
        if not cdc:
            self.env["SWITCHBOARD_CDC_OBJECTS"] = ""
        self.port = _port()
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def cli(self, *args: str) -> str:
        return subprocess.run(
            [str(BIN / "switchboard"), *args, *self.common],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(BIN / "switchboard"), "up", "--port", str(self.port), *self.common],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()

        def pump() -> None:
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                self.output.append(line)
                if line.strip() == "ready":
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(60):
            self.proc.kill()
            raise RuntimeError("server did not start:\n" + "".join(self.output))
        time.sleep(0.3)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self) -> httpx.Client:
        token = self.cli("token")
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        )


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            yield block


def run_job(http: httpx.Client, path: Path, operation: str, **extra: Any) -> dict[str, Any]:
    """Create, upload, close and wait for one ingest job; its final info."""
    body = {"object": "Account", "operation": operation, "lineEnding": "LF", **extra}
    job = http.post(API, json=body).raise_for_status().json()
    url = f"{API}/{job['id']}"
    started = time.perf_counter()
    http.put(
        f"{url}/batches", content=_chunks(path), headers={"Content-Type": "text/csv"}
    ).raise_for_status()
    http.patch(url, json={"state": "UploadComplete"}).raise_for_status()
    uploaded = time.perf_counter() - started
    while True:
        info: dict[str, Any] = http.get(url).raise_for_status().json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            info["upload_seconds"] = uploaded
            return info
        time.sleep(0.05)


# -- the raw baselines -----------------------------------------------------------------
# Two tables take the raw upsert. "minimal" has only the 10 columns, the audit dates and
# two indexes (id, key): the database's best case, the baseline. "org-shaped" is
# the org's own Account table (every column and index a deploy gives it, reflected from
# the org database) with the audit columns set as the org sets them: what the database
# can take for the table the org must keep, so the two ratios separate the cost of the
# table's shape from the cost of the org's own work.
_USER = "005000000000001AAA"


@dataclass
class RawTable:
    name: str
    columns: list[str]  # in the order _raw_values yields them
    updated: list[str]  # set again when the key exists
    key: str
    ddl: list[str]


def _types(c: str) -> str:
    return {"annualrevenue": "DOUBLE PRECISION", "numberofemployees": "BIGINT"}.get(c, "TEXT")


MINIMAL = RawTable(
    "bench_account",
    ["id", *RAW_COLUMNS, "createddate", "lastmodifieddate"],
    [*RAW_COLUMNS[1:], "lastmodifieddate"],
    "ext",
    [
        "CREATE TABLE bench_account (id VARCHAR(18) PRIMARY KEY, ext VARCHAR(20) NOT NULL, "
        + ", ".join(f"{c} {_types(c)}" for c in RAW_COLUMNS[1:])
        + ", createddate TIMESTAMP, lastmodifieddate TIMESTAMP)",
        "CREATE UNIQUE INDEX bench_ext ON bench_account (ext)",
    ],
)
_SHAPED_COLUMNS = ["customer_number__c", *RAW_COLUMNS[1:]]


def org_shaped(org_url: str, prefix: str = "shaped") -> RawTable:
    """The org's Account table as DDL for a table ``<prefix>_account`` (after a deploy)."""
    import sqlalchemy as sa

    name = f"{prefix}_account"
    engine = sa.create_engine(org_url)
    try:
        with warnings.catch_warnings():  # the expression indexes, copied below
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            account = sa.Table("o_account", sa.MetaData(), autoload_with=engine)
        copy = account.to_metadata(sa.MetaData(), name=name)
        for constraint in copy.constraints:  # PostgreSQL's names are per schema, not table
            if isinstance(constraint.name, str):
                constraint.name = f"{prefix}_{constraint.name}"
        ddl = [str(sa.schema.CreateTable(copy).compile(engine))]
        # Every index as the database holds it, expression indexes (lower(name)) too,
        # which SQLAlchemy's reflection leaves out.
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                catalog = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'o_account' "
                catalog += "AND type = 'index' AND sql IS NOT NULL"
            else:
                catalog = "SELECT indexname, indexdef FROM pg_indexes "
                catalog += "WHERE tablename = 'o_account' AND indexname <> 'o_account_pkey'"
            indexes = conn.exec_driver_sql(catalog).all()
        for index, definition in indexes:
            if "customer_number__c" not in definition:
                on = re.sub(r"\bON (public\.)?o_account\b", f"ON {name}", definition)
                ddl.append(on.replace(index, f"{prefix}_{index}", 1))
    finally:
        engine.dispose()
    # The org checks the key itself and indexes it as lower(key) only; ON CONFLICT needs a
    # unique index on the plain column, so the raw table has both.
    ddl.append(f"CREATE UNIQUE INDEX {prefix}_key ON {name} (customer_number__c)")
    ddl.append(f"CREATE INDEX {prefix}_key_ci ON {name} (lower(customer_number__c))")
    audit = ["createddate", "lastmodifieddate", "systemmodstamp", "isdeleted"]
    users = ["ownerid", "createdbyid", "lastmodifiedbyid"]
    return RawTable(
        name,
        ["id", *_SHAPED_COLUMNS, *audit, *users],
        [*_SHAPED_COLUMNS[1:], "lastmodifieddate", "systemmodstamp", "lastmodifiedbyid"],
        "customer_number__c",
        ddl,
    )


def _typed(r: list[str]) -> tuple[Any, ...]:
    """A CSV row's values as the org stores them (the two numbers as numbers)."""
    return (*r[:6], float(r[6]), int(r[7]), r[8], r[9])


def _raw_values(rows: Iterator[list[str]], table: RawTable) -> Iterator[tuple[Any, ...]]:
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    shaped = table is not MINIMAL
    for r in rows:
        values = (uuid.uuid4().hex[:18], *_typed(r))
        if shaped:
            yield (*values, now, now, now, False, _USER, _USER, _USER)
        else:
            yield (*values, now, now)


def _upsert_sql(table: RawTable, source: str) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in table.updated)
    return (
        f"INSERT INTO {table.name} ({', '.join(table.columns)}) {source} "
        f"ON CONFLICT ({table.key}) DO UPDATE SET {sets}"
    )


def _sqlite(path: Path | str, ddl: list[str]) -> sqlite3.Connection:
    """A connection in the org's journal mode and sync level, the tables created."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        db.execute(statement)
    return db


def raw_sqlite(path: Path, n: int, table: RawTable) -> float:
    db = _sqlite(path, table.ddl)
    sql = _upsert_sql(table, f"VALUES ({', '.join('?' * len(table.columns))})")
    db.execute("BEGIN")
    db.executemany(sql, _raw_values(preload_rows(n), table))
    db.execute("COMMIT")
    started = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(sql, _raw_values(upsert_rows(n), table))
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return n / elapsed


def _copy_upsert(db: Any, table: RawTable, values: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL's raw upsert, in the caller's transaction: COPY into a staging table,
    then ``INSERT ... SELECT ... ON CONFLICT``."""
    cols = ", ".join(table.columns)
    db.execute(f"CREATE TEMP TABLE staging (LIKE {table.name}) ON COMMIT DROP")
    with db.cursor().copy(f"COPY staging ({cols}) FROM STDIN") as cp:
        for row in values:
            cp.write_row(row)
    db.execute(_upsert_sql(table, f"SELECT {cols} FROM staging"))  # noqa: S608 (fixed names)


def raw_postgres(url: str, n: int, table: RawTable) -> float:
    import psycopg

    with psycopg.connect(url) as db:
        for statement in table.ddl:
            db.execute(statement)  # type: ignore[call-overload]
        db.commit()

        def load(rows: Iterator[list[str]]) -> None:
            _copy_upsert(db, table, _raw_values(rows, table))
            db.commit()

        load(preload_rows(n))
        started = time.perf_counter()
        load(upsert_rows(n))
        return n / (time.perf_counter() - started)


def raw_rate(kind: str, raw_url: str, n: int, table: RawTable) -> float:
    if kind == "sqlite":
        return raw_sqlite(Path(raw_url), n, table)
    return raw_postgres(raw_url, n, table)


# -- the floor ------------------------------------------------------------------------
# The reads and writes the org itself must make for the upsert, with no Python work
# between them: one lookup of the chunk's keys that also reads the current values of the
# rows it updates (one index probe per row, the cheapest form), the shaped upsert, one
# change event row per changed record in a copy of the event log table, and a commit per
# chunk (the org commits its progress so a job can resume). The rows and the events'
# JSON of each chunk are built off the clock, so the rate is the database's alone: no
# implementation making these reads and writes can be faster. (External ids need not be
# unique, and a key held by two records is a per-row error, so the org cannot leave the
# lookup to ON CONFLICT.)
_CHANNEL = "/data/AccountChangeEvent"
_ORIGIN = "com/salesforce/api/bulk/59.0"  # what the org's bulk jobs stamp
_EVENT_COLUMNS = ["channel", "payload", "created_at"]


@dataclass
class Chunk:
    rows: list[tuple[Any, ...]]  # the shaped table's values, as _raw_values yields them
    events: list[tuple[str, str, str]]  # floor_event's _EVENT_COLUMNS
    keys: list[str]  # every row's key, folded as the org looks it up


def event_ddl(kind: str) -> list[str]:
    """The org's event log table (sb_event) as ``floor_event``: same columns, indexes."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite.dialect() if kind == "sqlite" else postgresql.dialect()
    copy = event_tables.event.to_metadata(sa.MetaData(), name="floor_event")
    ddl = [str(sa.schema.CreateTable(copy).compile(dialect=dialect))]
    for ix in copy.indexes:
        cols = [c.name for c in ix.columns]
        ddl.append(f"CREATE INDEX floor_event_{'_'.join(cols)} ON floor_event ({', '.join(cols)})")
    return ddl


class ChangeEvents:
    """Each row's change event as the org's log stores it (compared with sb_event rows of
    a real job): a CREATE carries every non-null field, an UPDATE the fields that changed
    and LastModifiedDate. Remembers each key's id and row, as the table does."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[str, list[str]]] = {}

    def chunk(
        self, rows: list[list[str]], values: list[tuple[Any, ...]]
    ) -> list[tuple[str, str, str]]:
        now = datetime.now(UTC)  # one transaction: one time, one key, as the org's
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
        logged = now.replace(tzinfo=None).isoformat(" ", "microseconds")
        key, ms = str(uuid.uuid4()), int(now.timestamp() * 1000)
        events = []
        for seq, (r, v) in enumerate(zip(rows, values, strict=True), 1):
            rid, before = self.stored.get(r[0], (v[0], None))
            self.stored[r[0]] = rid, r
            if before is None:
                change, changed = "CREATE", []
                fields = dict(zip(COLUMNS, _typed(r), strict=True))
                fields.update(CreatedDate=stamp, LastModifiedDate=stamp, CreatedById=_USER,
                              LastModifiedById=_USER, OwnerId=_USER)  # fmt: skip
            else:
                change = "UPDATE"
                fields = {
                    c: new
                    for c, old, new in zip(COLUMNS, _typed(before), _typed(r), strict=True)
                    if old != new
                }
                fields["LastModifiedDate"] = stamp
                changed = list(fields)
            header = {
                "entityName": "Account",
                "recordIds": [rid],
                "changeType": change,
                "changeOrigin": _ORIGIN,
                "transactionKey": key,
                "sequenceNumber": seq,
                "commitTimestamp": ms,
                "commitNumber": 0,
                "commitUser": _USER,
                "changedFields": changed,
                "nulledFields": [],
                "diffFields": [],
            }
            payload = orjson.dumps({"ChangeEventHeader": header, **fields}).decode()
            events.append((_CHANNEL, payload, logged))
        return events


def floor_chunks(
    rows: Iterator[list[str]], table: RawTable, size: int, events: ChangeEvents | None
) -> Iterator[Chunk]:
    """The chunks of ``rows``, each built when asked for (None: CDC off, no events)."""
    while batch := list(islice(rows, size)):
        values = list(_raw_values(iter(batch), table))
        keys = [r[0].lower() for r in batch]
        yield Chunk(values, events.chunk(batch, values) if events else [], keys)


def _read(table: RawTable, mark: str) -> str:
    """The read a chunk needs before its writes, in its cheapest form: one index probe per
    row, by its key compared case-insensitively, giving the live record holding it and the
    current values of the columns an update sets (an UPDATE change event names only the
    fields that changed)."""
    current = ", ".join(["id", table.key, *table.updated])
    return (
        f"SELECT {current} FROM {table.name} "  # noqa: S608 (fixed names)
        f"WHERE lower({table.key}) {mark} AND NOT isdeleted"
    )


Writer = Callable[[Chunk], None]


@contextmanager
def _sqlite_floor(path: str, table: RawTable) -> Iterator[Writer]:
    from switchboard.store.checkpoint import Checkpointer

    db = _sqlite(path, [*table.ddl, *event_ddl("sqlite")])
    # As the org's writer connection: its page cache, and the log checkpointed by a
    # thread of its own rather than inside COMMIT (store.checkpoint).
    db.execute("PRAGMA cache_size=-65536")
    db.execute("PRAGMA wal_autocheckpoint=0")
    checkpointer = Checkpointer(path)
    upsert = _upsert_sql(table, f"VALUES ({', '.join('?' * len(table.columns))})")
    log = f"INSERT INTO floor_event ({', '.join(_EVENT_COLUMNS)}) VALUES (?, ?, ?)"  # noqa: S608
    read = _read(table, "IN (SELECT value FROM json_each(?))")

    def write(chunk: Chunk) -> None:
        db.execute("BEGIN")
        db.execute(read, (orjson.dumps(chunk.keys).decode(),)).fetchall()
        db.executemany(upsert, chunk.rows)
        db.executemany(log, chunk.events)
        db.execute("COMMIT")
        checkpointer.after_commit(db)

    try:
        yield write
    finally:
        checkpointer.close()
        db.close()


@contextmanager
def _postgres_floor(url: str, table: RawTable) -> Iterator[Writer]:
    import psycopg

    with psycopg.connect(url) as db:
        for statement in [*table.ddl, *event_ddl("postgresql")]:
            db.execute(statement)  # type: ignore[call-overload]
        db.commit()
        log = f"COPY floor_event ({', '.join(_EVENT_COLUMNS)}) FROM STDIN"
        read = _read(table, "= ANY(%s)")

        def write(chunk: Chunk) -> None:
            db.execute(read, (chunk.keys,)).fetchall()  # type: ignore[call-overload]
            _copy_upsert(db, table, chunk.rows)
            if chunk.events:
                with db.cursor().copy(log) as cp:  # type: ignore[call-overload]
                    for event in chunk.events:
                        cp.write_row(event)
                # The org wakes the log's listeners in the same transaction.
                db.execute("SELECT pg_notify('sb_event', '')")
            db.commit()

        yield write


def floor_rate(
    kind: str, raw_url: str, n: int, table: RawTable, size: int, cdc: bool
) -> tuple[float, float]:
    """(rows/s of the timed writes, mean event payload in bytes)."""
    events = ChangeEvents() if cdc else None
    writer = _sqlite_floor if kind == "sqlite" else _postgres_floor
    with writer(raw_url, table) as write:
        for chunk in floor_chunks(preload_rows(n), table, size, events):
            write(chunk)
        elapsed, payloads = 0.0, list[int]()
        # Each chunk is built off the clock, just before its transaction: only the
        # writes are timed, and only one chunk is held at a time.
        for chunk in floor_chunks(upsert_rows(n), table, size, events):
            started = time.perf_counter()
            write(chunk)
            elapsed += time.perf_counter() - started
            payloads.extend(len(e[1].encode()) for e in chunk.events)
    return n / elapsed, sum(payloads) / max(1, len(payloads))


@contextmanager
def database(kind: str, pg_admin: str, tmp: Path) -> Iterator[tuple[str, str]]:
    """(org URL, raw URL or path): two fresh databases of the same kind, dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'org.db'}", str(tmp / "raw.db")
        return
    import psycopg

    names = [f"sb_bench_{secrets.token_hex(4)}" for _ in range(2)]
    admin = psycopg.connect(pg_admin, autocommit=True)
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[call-overload]
    base = pg_admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[call-overload]
        admin.close()


def garbage(tmp: Path, db: str, megabytes: int) -> None:
    """A job of random bytes: it must fail with errorMessage, the server must stay up."""
    path = tmp / "garbage.csv"
    with open(path, "wb") as f:
        for _ in range(megabytes):
            f.write(os.urandom(1 << 20))
    org = Org(tmp / "org", db)
    org.start()
    try:
        assert org.proc is not None
        pid = org.proc.pid
        with org.client() as http:
            before = vm_hwm_mb(pid), vm_rss_mb(pid)
            started = time.perf_counter()
            info = run_job(http, path, "insert")
            elapsed = time.perf_counter() - started
            alive = http.get("/services/data/v59.0/limits").status_code
            after = vm_hwm_mb(pid), vm_rss_mb(pid)
        print(f"{megabytes} MB of random bytes: state {info['state']} in {elapsed:.1f} s")
        print(f"  errorMessage: {info.get('errorMessage')!r}")
        print(f"  server after: HTTP {alive}, process alive: {org.proc.poll() is None}")
        print(
            f"  peak RSS {before[0]:.0f} -> {after[0]:.0f} MB; RSS {before[1]:.0f} -> {after[1]:.0f} MB"
        )
    finally:
        org.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the upsert")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL admin URL (bench databases are created and dropped through it)",
    )
    parser.add_argument(
        "--chunk",
        type=int,
        default=5000,
        help="rows per transaction of the floor (the org's bulk_chunk_rows)",
    )
    parser.add_argument("--garbage-mb", type=int, default=0, help="upload random bytes instead")
    parser.add_argument(
        "--no-cdc",
        action="store_true",
        help="serve with Change Data Capture off (by default every change also writes its "
        "event to the log, as the embedded shape does), to show what the events cost",
    )
    args = parser.parse_args()
    n = args.rows
    with tempfile.TemporaryDirectory(prefix="sb-bench-bulk-") as tmp_name:
        tmp = Path(tmp_name)
        with database(args.db, args.pg, tmp) as (org_url, raw_url):
            if args.garbage_mb:
                garbage(tmp, org_url, args.garbage_mb)
                return
            preload, upsert = tmp / "preload.csv", tmp / "upsert.csv"
            write_csv(preload, preload_rows(n))
            write_csv(upsert, upsert_rows(n))

            raw = raw_rate(args.db, raw_url, n, MINIMAL)
            org = Org(tmp / "org", org_url, cdc=not args.no_cdc)
            org.cli("org", "deploy", str(REALTY))
            shaped = raw_rate(args.db, raw_url, n, org_shaped(org_url))
            floor_table = org_shaped(org_url, "floor")
            floor, payload = floor_rate(
                args.db, raw_url, n, floor_table, args.chunk, cdc=not args.no_cdc
            )
            org.start()
            try:
                assert org.proc is not None
                with org.client() as http:
                    started = time.perf_counter()
                    pre = run_job(http, preload, "insert")
                    pre_rate = pre["numberRecordsProcessed"] / (time.perf_counter() - started)
                    started = time.perf_counter()
                    info = run_job(http, upsert, "upsert", externalIdFieldName="Customer_Number__c")
                    elapsed = time.perf_counter() - started
                peak = vm_hwm_mb(org.proc.pid)
            finally:
                org.stop()
    for job in (pre, info):
        if job["state"] != "JobComplete" or job["numberRecordsFailed"]:
            print(f"JOB DID NOT COMPLETE CLEANLY: {job}")
    rate = info["numberRecordsProcessed"] / elapsed
    ratio = rate / raw
    cdc = "off" if args.no_cdc else "on"
    print(f"Bulk API 2.0 upsert of {n:,} rows (10 columns, half existing) on {args.db}, CDC {cdc}")
    print(f"  preload insert job: {pre['numberRecordsProcessed']:,} rows at {pre_rate:,.0f} rows/s")
    print(f"  org upsert:  {rate:>10,.0f} rows/s  ({elapsed:.1f} s, upload to JobComplete)")
    print(f"    of which upload and close: {info['upload_seconds']:.1f} s")
    print(f"  raw upsert:  {raw:>10,.0f} rows/s  (minimal table: 10 columns, 2 indexes)")
    print(f"  ratio:       {ratio:>10.2f}   (target >= 0.40)")
    print(f"  raw upsert:  {shaped:>10,.0f} rows/s  (the org's own Account table and indexes)")
    print(f"  ratio:       {rate / shaped:>10.2f}   (the org's work beyond its table's shape)")
    events = "a change event per row" if not args.no_cdc else "no change events (CDC off)"
    print(
        f"  floor:       {floor:>10,.0f} rows/s  (the reads and writes the org must make: a"
        f" lookup by key, shaped upsert + {events}, a commit per {args.chunk:,} rows)"
    )
    if not args.no_cdc:
        print(f"    event payloads: {payload:,.0f} bytes mean (JSON built off the clock)")
    print(
        f"  ratio:       {floor / raw:>10.2f}   (floor / minimal raw: the best any implementation could reach)"
    )
    print(f"  org/floor:   {rate / floor:>10.2f}   (how much of the floor the org reaches)")
    print(f"  peak RSS:    {peak:>10.0f} MB (target < 400 MB)")


if __name__ == "__main__":
    main()
