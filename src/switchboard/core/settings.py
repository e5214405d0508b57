"""Every setting, declared once with its default and help text.

Values come from ``SWITCHBOARD_*`` environment variables, then ``switchboard.toml`` in
the working directory (or the file named by ``SWITCHBOARD_CONFIG``), then the defaults
below. ``docs/settings.md`` is generated from these declarations
(``switchboard settings-doc``) and a test fails when it falls out of date.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8443, description="HTTP (or HTTPS with --tls) port of the org's APIs.")
    grpc_port: int = Field(7443, description="Port of the Pub/Sub API gRPC server.")
    data_dir: Path = Field(
        Path("./data"), description="Directory holding the embedded database and org files."
    )
    db: str = Field(
        "",
        description="Database URL (sqlite:///... or postgresql://...). "
        "Empty means an SQLite file `org.db` in the data directory.",
    )
    admin_username: str = Field(
        "", description="Username of the bootstrapped admin user; generated when empty."
    )
    admin_password: str = Field(
        "",
        description="Password of the bootstrapped admin user; generated and printed once when empty.",
    )
    client_id: str = Field(
        "", description="Client id of the bootstrapped connected app; generated when empty."
    )
    client_secret: str = Field(
        "", description="Client secret of the bootstrapped connected app; generated when empty."
    )
    session_timeout: int = Field(
        7200, description="Seconds an access token stays valid after it is issued."
    )
    login_max_attempts: int = Field(
        10,
        description="Failed logins in a row after which a username is locked out "
        "(OAuth, SOAP login and the login page alike); 0 disables the lockout.",
    )
    login_lockout_seconds: int = Field(
        900, description="Seconds a locked-out username stays locked."
    )
    daily_api_requests: int = Field(
        100_000,
        description="DailyApiRequests limit over a rolling 24 hours, as reported by `limits`.",
    )
    data_storage_mb: int = Field(
        1024,
        description="DataStorageMB capacity reported by `limits`; records count 2 KB each "
        "against it, deleted ones in the recycle bin included, as Salesforce counts them.",
    )
    app_daily_api_requests: int = Field(
        0,
        description="Requests each connected app may make over the same rolling 24 hours "
        "(403 REQUEST_LIMIT_EXCEEDED past it); 0 means no per-app quota. An app's own "
        "quota (`switchboard app add --daily-api-requests`) overrides it. Sessions "
        "without an app (`switchboard token`) count only towards the org's limit.",
    )
    schema_poll_interval: float = Field(
        1.0,
        description="Seconds between checks for schema changes made by another process "
        "(a lookup of an unknown object or field always checks at once).",
    )
    cdc_objects: str = Field(
        "*",
        description="Objects whose record changes publish Change Data Capture events: `*` "
        "for every object that supports it (the embedded default), a comma-separated list "
        "of API names to enable only those, or empty to disable CDC.",
    )
    event_retention_hours: int = Field(
        72, description="Hours change and platform events are kept for replay."
    )
    event_poll_interval: float = Field(
        0.1,
        description="Seconds between checks for events committed by other processes "
        "(this process's commits, and any on PostgreSQL, wake subscribers at once).",
    )
    event_gap_timeout: float = Field(
        60.0,
        description="Seconds an event id may stay allocated but uncommitted before readers "
        "go on without it (only a transaction held open that long after writing delays them).",
    )
    pubsub_keepalive: float = Field(
        270.0,
        description="Seconds an idle Pub/Sub API subscription waits before an empty "
        "FetchResponse carrying the latest replay id (Salesforce uses 270).",
    )
    nats_url: str = Field(
        "nats://127.0.0.1:4222",
        description="NATS server the JetStream relay (`switchboard worker relay-nats`) "
        "publishes events to.",
    )
    nats_stream: str = Field(
        "SWITCHBOARD",
        description="JetStream stream the relay publishes into (created when missing), "
        "one subject per channel: `switchboard.<org id>.data.AccountChangeEvent`.",
    )
    bulk_chunk_rows: int = Field(
        5000,
        description="Rows of a Bulk API job applied per transaction; progress is committed "
        "with each chunk, so a job resumes after a crash from the last chunk.",
    )
    bulk_lease_seconds: int = Field(
        10,
        description="Seconds a bulk worker's claim on a job lasts without progress; after "
        "that (a crashed worker) another worker, or the restarted one, resumes the job.",
    )
    bulk_max_upload_mb: int = Field(
        150, description="Largest CSV upload accepted per Bulk API job, in MB."
    )
    rest_max_body_mb: int = Field(
        50,
        description="Largest request body of the REST, composite and streaming APIs, in MB; "
        "a larger one is refused (413) before it is read.",
    )
    query_locator_ttl: int = Field(
        900,
        description="Seconds a query's nextRecordsUrl stays usable after its last use; "
        "later it answers INVALID_QUERY_LOCATOR.",
    )
    files_store: str = Field(
        "",
        description="URL of the store file bytes (ContentVersion, Attachment) go to: "
        "file://, s3://, az://, gs:// (any fsspec URL). Empty means `file://<data_dir>/files`.",
    )
    files_stores: str = Field(
        "",
        description='Named stores as a JSON object, `{"archive": {"url": "s3://bucket/x", '
        '"options": {...fsspec storage options...}}}`; a name or URL serves `--to` and '
        "`files_object_stores`.",
    )
    files_object_stores: str = Field(
        "",
        description="Store by object or by the type of the record a file is first linked "
        "to, comma-separated: `Contract=archive,Attachment=s3://bucket/att`.",
    )
    files_max_version_mb: float = Field(
        2048.0, description="Largest ContentVersion upload through multipart, in MB (2 GB)."
    )
    files_max_base64_mb: float = Field(
        37.5, description="Largest file sent as base64 in a JSON body, in MB."
    )
    callout_concurrency: int = Field(
        256,
        description="Call-out deliveries in flight at once per process (each credential's "
        "bulkhead may hold fewer).",
    )
    callout_claim_batch: int = Field(
        200, description="Due call-out deliveries leased per claim transaction."
    )
    callout_poll_interval: float = Field(
        0.5,
        description="Seconds between looks for due call-out deliveries (retries, expired "
        "leases, other processes' rows); this process's own new deliveries go out at once.",
    )
    callout_lease_margin: float = Field(
        10.0,
        description="Seconds a delivery's lease outlasts its callout's timeout; a worker "
        "killed mid-call leaves the row to others once the lease runs out.",
    )
    callout_dispatch: Literal["database", "nats"] = Field(
        "database",
        description="How call-out workers share due deliveries: `database` (each worker "
        "leases due rows with `FOR UPDATE SKIP LOCKED`) or `nats` (work items on a "
        "JetStream work-queue stream at `nats_url`; the delivery rows stay the record, "
        "ordered callouts still go through the database). `switchboard worker callouts "
        "--dispatch` sets it too.",
    )
    callout_nats_stream: str = Field(
        "SWITCHBOARD_CALLOUTS",
        description="JetStream work-queue stream (subject `<stream>.due`, durable consumer "
        "`workers`) of the `nats` call-out dispatch; created when missing.",
    )
    callout_nats_sweep_interval: float = Field(
        5.0,
        description="Seconds between sweeps of the `nats` call-out dispatch that publish "
        "work items again for due deliveries whose item may have been lost (a crash "
        "between a commit and its publish); JetStream drops the duplicates.",
    )
    project: Path | None = Field(
        None,
        description="Folder of the integration project (`switchboard.yaml`) that `switchboard "
        "up` loads and watches; empty for none (`--project` sets it too).",
    )
    project_poll_interval: float = Field(
        1.0,
        description="Seconds between checks of `switchboard.yaml` for changes; a valid change "
        "reloads the running hub, a refused one is logged and the old project kept.",
    )
    secret_key: str = Field(
        "",
        description="Key sealing secrets at rest (AES-256-GCM): 32 random bytes in URL-safe "
        "base64. Empty means a key generated into `secret.key` (mode 0600) in the data "
        "directory; set it when several processes share one database.",
    )
    encryption_key: str = Field(
        "",
        description="Root key of field encryption at rest (fields with an encryptionScheme): "
        "32 random bytes in base64; it seals the org's data keys. Empty means a key generated "
        "into `encryption.key` (mode 0600) in the data directory; set it when several "
        "processes share one database.",
    )
    log_level: str = Field("info", description="Log level of the server: debug, info, warning.")
    debug: bool = Field(
        False,
        description="Print a failing `switchboard` command's traceback instead of its "
        "one-line error (as `--debug` does).",
    )
    audit_retention_days: int = Field(
        180, description="Days SetupAuditTrail entries are kept (Salesforce keeps 180)."
    )
    login_history_retention_days: int = Field(
        180, description="Days LoginHistory rows are kept (Salesforce keeps six months)."
    )
    event_log_retention_days: int = Field(
        30,
        description="Days EventLogFile files and the API events they are made of are kept "
        "(Salesforce keeps event log files 30 days).",
    )
    event_log_capture: bool = Field(
        True,
        description="Capture REST, Bulk API and login events for EventLogFile; off, API "
        "calls record nothing (LoginHistory and SetupAuditTrail are always written).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("SWITCHBOARD_CONFIG", "switchboard.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{(self.data_dir / 'org.db').resolve()}"


def load(**overrides: object) -> Settings:
    """Settings from the environment and the config file, with explicit overrides on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


def markdown() -> str:
    """The settings reference, generated from the declarations above."""
    lines = [
        "# Settings",
        "",
        "Generated from `src/switchboard/core/settings.py` by `switchboard settings-doc`.",
        "Each setting is read from the environment variable, then `switchboard.toml`",
        "(the key is the lower-case name without the prefix), then the default.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = f"`{default}`" if default not in ("", None) else "(empty)"
        lines.append(f"| `SWITCHBOARD_{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(lines) + "\n"


__all__ = ["Settings", "load", "markdown"]
