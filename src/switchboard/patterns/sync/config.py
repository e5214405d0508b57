"""The ``syncs:`` section of ``switchboard.yaml``: inbound syncs from a SQL table into
an object of the org, upserting by an external id::

    connections:
      erp_db: {url: "sqlite:///erp.db"}
    syncs:
      customers_in:
        from: {connection: erp_db, table: customers, cursor: updated_at, key: id}
        to: {object: Account, external_id: ERP_Id__c}
        fields: {Name: name, Phone: phone, ERP_Id__c: id}   # org field: source column
        batch_size: 200
        schedule: 5m        # optional; absent: only `switchboard sync run NAME`

``cursor`` is the column that grows when a row changes (``updated_at``, a version
number); ``key`` a unique column breaking ties between equal cursor values. Models
check shape and units only; whether the connection, the object and its fields exist,
and whether ``external_id`` is an External ID field mapped in ``fields``, is
:mod:`.check`'s.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ...core.durations import parse_duration

NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
# A source name may be schema-qualified (sales.customers); it is quoted by SQLAlchemy.
SOURCE_NAME = r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$"
COLUMN = r"^[A-Za-z_][A-Za-z0-9_$]*$"
MIN_SCHEDULE = 1.0  # seconds: a tighter loop is a poll, not a schedule
MAX_BATCH = 10_000  # a Bulk API 2.0 batch's size; more only lengthens one transaction


def _interval(value: Any) -> float:
    if isinstance(value, str) and len(value.split()) >= 5:
        raise ValueError("schedule is an interval such as 30s, 5m or 1h (cron expressions "
                         "are not supported by syncs yet)")  # fmt: skip
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ValueError("schedule is an interval such as 30s, 5m or 1h") from None
    if seconds < MIN_SCHEDULE:
        raise ValueError(f"schedule must be at least {MIN_SCHEDULE:g}s")
    return seconds


Interval = Annotated[float, BeforeValidator(_interval)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SyncSource(_Model):
    connection: str = Field(description="A connection under connections:.")
    table: str = Field(pattern=SOURCE_NAME, description="The table (or schema.table).")
    cursor: str = Field(pattern=COLUMN, description="Column that grows on every change.")
    key: str = Field(pattern=COLUMN, description="Unique column; orders equal cursors.")


class SyncTarget(_Model):
    object: str = Field(description="The org's object written (Account, Property__c).")
    external_id: str = Field(description="Its External ID field to upsert by.")


class SyncConfig(_Model):
    source: SyncSource = Field(alias="from", description="Where rows are read.")
    to: SyncTarget = Field(description="Where they are written.")
    fields: dict[str, Annotated[str, Field(pattern=COLUMN)]] = Field(
        min_length=1, description="Org field: source column."
    )
    batch_size: int = Field(200, ge=1, le=MAX_BATCH, description="Rows per transaction.")
    schedule: Interval | None = Field(None, description="Run every (30s, 5m, 1h); absent: "
                                      "on demand only.")  # fmt: skip


__all__ = ["MAX_BATCH", "SyncConfig", "SyncSource", "SyncTarget"]
