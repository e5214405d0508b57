"""``switchboard events tail CHANNEL``: print a channel's events as they arrive."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from . import options

app = typer.Typer(help="Watch the org's event channels.", no_args_is_help=True)


@app.command("tail")
def tail(
    channel: str = typer.Argument(..., help="/data/AccountChangeEvent, /event/Name__e, ..."),
    replay_from: str = typer.Option(
        "latest", "--replay", help="earliest, latest, or a replay id to resume after."
    ),
    limit: int = typer.Option(0, "--limit", help="Stop after this many events (0: never)."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Print each event of CHANNEL as one JSON line: replayId, channel, payload."""
    from ..core.errors import SwitchboardError
    from ..events import open_hub, replay
    from ..store import open_store

    settings = options.existing(data_dir, db)
    store = open_store(settings.database_url)
    hub = open_hub(store, settings)
    try:
        if replay_from == "earliest":
            after = replay.purged_through(store)
        elif replay_from == "latest":
            after = hub.safe
        else:
            after = int(replay_from)
            replay.check_replay(store, after)
    except (ValueError, SwitchboardError) as exc:
        typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        raise typer.Exit(1) from None
    shown = 0
    try:
        while True:
            seen = hub.safe
            events = hub.read(channel, after, 500)
            for e in events:
                line = {"replayId": e.id, "channel": e.channel, "payload": e.payload}
                typer.echo(orjson.dumps(line, default=str).decode())
                shown += 1
                if limit and shown >= limit:
                    return
            if events:
                after = events[-1].id
            else:
                after = max(after, seen)
                hub.wait_beyond_sync(seen, 1.0)
    except KeyboardInterrupt:
        pass
    finally:
        hub.close()
        store.dispose()
