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
