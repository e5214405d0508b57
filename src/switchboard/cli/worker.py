"""``switchboard worker ...``: background workers of the scaled-out shape."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import typer

from . import options

app = typer.Typer(help="Run background workers beside the API processes.", no_args_is_help=True)


@app.command("relay-nats")
def relay_nats(
    nats_url: str = typer.Option(None, "--nats-url", help="NATS server (SWITCHBOARD_NATS_URL)."),
    stream: str = typer.Option(
        None, "--stream", help="JetStream stream to publish into (SWITCHBOARD_NATS_STREAM)."
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Publish the org's event log into a JetStream stream, exactly once per event.

    Resumes from its checkpoint in the org's database; prints `ready` once connected.
    """
    from ..core.errors import SwitchboardError
    from ..events import open_hub
    from ..events.relays.nats import NatsRelay
    from ..store import open_store

    settings = options.existing(data_dir, db, nats_url=nats_url, nats_stream=stream)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    store = open_store(settings.database_url)
    hub = open_hub(store, settings)

    def ready() -> None:
        typer.echo(
            f"relaying events of org {relay.org_id} to {settings.nats_url} "
            f"stream {settings.nats_stream}"
        )
        typer.echo("ready")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, relay.stop)
        await relay.run()

    try:
        relay = NatsRelay(
            store, hub, url=settings.nats_url, stream=settings.nats_stream, on_ready=ready
        )
        asyncio.run(main())
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        hub.close()
        store.dispose()


@app.command("callouts")
def callouts(
    project: Path = typer.Option(
        None, "--project", help="Integration project folder (SWITCHBOARD_PROJECT)."
    ),
    dispatch: str = typer.Option(
        None,
        "--dispatch",
        help="How workers share due deliveries: database (row leases) or nats (a JetStream "
        "work queue at SWITCHBOARD_NATS_URL) (SWITCHBOARD_CALLOUT_DISPATCH).",
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Deliver the project's call-outs beside other workers and API processes.

    Builds a Runtime with only the event hub and the delivery engine (no HTTP server):
    new deliveries are recorded unleased so every worker takes a share, and rows are
    leased with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so two workers never make the
    same attempt. With ``--dispatch nats`` the workers learn which rows are due from a
    JetStream work queue instead of polling for them (the rows stay the record).
    Prints `ready` once delivering; SIGINT/SIGTERM stop it after the calls in flight
    finish.
    """
    from ..core.errors import SwitchboardError
    from ..patterns.callout.pattern import CalloutPattern
    from ..runtime import Runtime
    from ..runtime.heap import freeze_startup_heap

    if dispatch not in (None, "database", "nats"):
        typer.echo(f"error: --dispatch is database or nats, not {dispatch}", err=True)
        raise typer.Exit(2)
    settings = options.existing(data_dir, db, callout_dispatch=dispatch)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    project_dir = project or getattr(settings, "project", None)
    try:
        runtime = Runtime(settings, project_dir=project_dir).open()
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    engines = [p.engine for p in runtime.patterns if isinstance(p, CalloutPattern)]
    for engine in engines:
        engine.claim_on_insert = False  # share new deliveries with the other workers
    keep = {"event-hub", *(e.name for e in engines)}
    runtime.services[:] = [s for s in runtime.services if s.name in keep]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        try:
            await runtime.start()
            freeze_startup_heap()  # the process's one Runtime (see runtime/heap.py)
            names = sorted({n for e in engines for n in e.callouts})
            typer.echo(f"delivering callouts: {', '.join(names) or '(none)'}")
            typer.echo("ready")
            await stopping.wait()
        finally:
            await runtime.stop()

    asyncio.run(main())
