"""EventLogFile rows: captured events rolled into one CSV per event type and period.

Each closed hour gives an ``Hourly`` file and each closed day a ``Daily`` one, per event
type, with Salesforce's column names for that type (LogFileFieldNames) and their types
(LogFileFieldTypes). Values are all quoted, TIMESTAMP is ``yyyyMMddHHmmss.SSS`` and
TIMESTAMP_DERIVED ISO 8601 in UTC, as in Salesforce's files. Rolling an open period
(``include_open``) makes a file now; events arriving later in that period make
another with the next ``Sequence``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....core import clock, ids
from .tables import api_event, log_content, object_table

if TYPE_CHECKING:
    from ....store.engine import Store

_COMMON = [("EVENT_TYPE", "String"), ("TIMESTAMP", "String"), ("REQUEST_ID", "String"),
           ("ORGANIZATION_ID", "Id"), ("USER_ID", "Id")]  # fmt: skip
_DERIVED = [("TIMESTAMP_DERIVED", "DateTime"), ("USER_ID_DERIVED", "Id")]
_REQUEST = [("RUN_TIME", "Number"), ("CPU_TIME", "Number"), ("URI", "String"),
            ("METHOD", "String"), ("STATUS_CODE", "Number"), ("USER_AGENT", "String"),
            ("REQUEST_SIZE", "Number"), ("RESPONSE_SIZE", "Number"), ("CLIENT_IP", "IP")]  # fmt: skip
_LOGIN = [("URI", "String"), ("USER_NAME", "String"), ("LOGIN_TYPE", "String"),
          ("LOGIN_STATUS", "String"), ("BROWSER_TYPE", "String"), ("API_TYPE", "String"),
          ("API_VERSION", "String"), ("SOURCE_IP", "IP"), ("CLIENT_IP", "IP")]  # fmt: skip

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "RestApi": _COMMON + _REQUEST + _DERIVED,
    "API": _COMMON + _REQUEST + _DERIVED,
    "BulkApi": _COMMON + _REQUEST + _DERIVED,
    "BulkApi2": _COMMON + _REQUEST + _DERIVED,
    "Login": _COMMON + _LOGIN + _DERIVED,
}
API_VERSION = 59.0
_CHUNK = 5000


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _day(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


_PERIODS = {"Hourly": (_hour, "in_hourly"), "Daily": (_day, "in_daily")}


def render_csv(event_type: str, events: list[tuple[datetime, dict[str, Any]]]) -> bytes:
    """The file's bytes: a header of the type's columns, then one row per event."""
    names = [n for n, _ in COLUMNS[event_type]]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(names)
    for at, values in events:
        row = dict(values)
        row["EVENT_TYPE"] = event_type
        row["TIMESTAMP"] = at.strftime("%Y%m%d%H%M%S.") + f"{at.microsecond // 1000:03d}"
        row["TIMESTAMP_DERIVED"] = (
            at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
        )
        uid = row.get("USER_ID") or ""
        row["USER_ID_DERIVED"] = ids.to18(uid) if len(uid) == 15 else uid
        writer.writerow(["" if row.get(n) is None else row[n] for n in names])
    return out.getvalue().encode()


def _write_file(
    conn: Connection, event_type: str, interval: str, start: datetime, content: bytes
) -> str:
    elf = object_table("EventLogFile")
    seq = (
        conn.execute(
            sa.select(sa.func.count())
            .select_from(elf)
            .where(
                elf.c.eventtype == event_type, elf.c.interval == interval, elf.c.logdate == start
            )
        ).scalar()
        or 0
    )
    now = clock.now()
    file_id = ids.new_id("0AT")
    admin = None
    cols = COLUMNS[event_type]
    conn.execute(
        elf.insert().values(
            id=file_id,
            isdeleted=False,
            createddate=now,
            createdbyid=admin,
            lastmodifieddate=now,
            lastmodifiedbyid=admin,
            systemmodstamp=now,
            eventtype=event_type,
            logdate=start,
            logfilelength=float(len(content)),
            logfilecontenttype="CSV",
            logfilefieldnames=",".join(n for n, _ in cols),
            logfilefieldtypes=",".join(t for _, t in cols),
            interval=interval,
            sequence=int(seq) + 1 if interval == "Hourly" else int(seq),
            apiversion=API_VERSION,
        )
    )
    conn.execute(log_content.insert().values(file_id=file_id, content=content))
    return file_id


def roll(
    store: Store, org_id: str = "", *, now: datetime | None = None, include_open: bool = False
) -> list[str]:
    """Make the EventLogFile rows of every closed period (every period, with
    ``include_open``) from events not yet in one; the new files' ids."""
    now = now or clock.now()
    made: list[str] = []
    for interval, (floor, flag) in _PERIODS.items():
        column = api_event.c[flag]

        def work(
            conn: Connection,
            interval: str = interval,
            floor: Any = floor,
            flag: str = flag,
            column: Any = column,
        ) -> list[str]:
            stmt = sa.select(api_event.c.id, api_event.c.event_type, api_event.c.at,
                             api_event.c.payload).where(column.is_(False))  # fmt: skip
            if not include_open:
                stmt = stmt.where(api_event.c.at < floor(now))
            groups: dict[tuple[str, datetime], list[tuple[datetime, dict[str, Any]]]] = defaultdict(
                list
            )
            taken: list[int] = []
            for row in conn.execute(stmt.order_by(api_event.c.at, api_event.c.id)):
                if row.event_type not in COLUMNS:
                    continue
                groups[(row.event_type, floor(row.at))].append((row.at, orjson.loads(row.payload)))
                taken.append(row.id)
            files = [
                _write_file(conn, kind, interval, start, render_csv(kind, events))
                for (kind, start), events in sorted(groups.items())
            ]
            for i in range(0, len(taken), _CHUNK):
                conn.execute(
                    api_event.update()
                    .where(api_event.c.id.in_(taken[i : i + _CHUNK]))
                    .values({flag: True})
                )
            return files

        made += store.write(work)
    return made


def content(conn: Connection, file_id: str) -> bytes | None:
    """The CSV of one EventLogFile, or None when there is no such file."""
    found = conn.execute(
        sa.select(log_content.c.content).where(log_content.c.file_id == file_id)
    ).scalar()
    return bytes(found) if found is not None else None


__all__ = ["API_VERSION", "COLUMNS", "content", "render_csv", "roll"]
