"""Reloading a running hub's project: a valid change applies whole, a bad one keeps the old."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from switchboard.core.settings import load
from switchboard.org.runtime import Org
from switchboard.org.secrets import SecretStore
from switchboard.patterns.project import ProjectWatcher
from switchboard.runtime import Runtime

EXAMPLE = (Path(__file__).parent / "test_loader.py").read_text().split('EXAMPLE = """\\\n')[1]
EXAMPLE = EXAMPLE.split('"""')[0]


def write(folder: Path, text: str) -> None:
    path = folder / "switchboard.yaml"
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a new mtime even within one tick


@pytest.fixture
def runtime(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "proj"
    folder.mkdir()
    write(folder, EXAMPLE)
    settings = load(data_dir=tmp_path / "data")
    org = Org.open(settings)  # the secret first: a project missing one refuses to load
    SecretStore.from_settings(org.store, settings).set("erp_token", "t")
    org.close()
    rt = Runtime(settings, project_dir=folder).open()
    yield rt
    asyncio.run(rt.stop())


def test_valid_change_reloads_patterns_and_credentials(runtime: Runtime) -> None:
    folder = runtime.project_dir
    watcher = ProjectWatcher(runtime, folder, interval=0.05)
    assert runtime.connectors.credential("erp").url == "http://127.0.0.1:9000"
    write(folder, EXAMPLE.replace("timeout: 5s", "timeout: 7s").replace(":9000", ":9001"))
    assert asyncio.run(watcher.poll())
    assert runtime.project.callouts["account_to_erp"].timeout == 7.0
    assert runtime.connectors.credential("erp").url == "http://127.0.0.1:9001"
    pattern = next(p for p in runtime.patterns if p.name == "callout")
    assert pattern.callouts["account_to_erp"].config.timeout == 7.0
    assert watcher.reloads == 1
    assert not asyncio.run(watcher.poll())  # nothing changed since


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (("timeout: 5s", "timeuot: 5s"), 13),  # a model error
        (("credential: erp", "credential: nope"), 9),  # a semantic error, found with the org
        (("{secret: erp_token}", "{secret: not_set}"), 4),  # a secret the org lacks
        (("    retry:", "   retry:"), 14),  # bad YAML
    ],
)
def test_refused_change_keeps_the_old_project_whole(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, change: tuple[str, str], line: int
) -> None:
    folder = runtime.project_dir
    old = runtime.project
    pattern = next(p for p in runtime.patterns if p.name == "callout")
    compiled = pattern.callouts
    watcher = ProjectWatcher(runtime, folder, interval=0.05)
    bad = EXAMPLE.replace(*change).replace(":9000", ":9002")  # the url change must not land
    write(folder, bad)
    caplog.set_level(logging.ERROR, logger="switchboard.project")
    assert not asyncio.run(watcher.poll())
    assert runtime.project is old and pattern.callouts is compiled
    assert runtime.connectors.credential("erp").url == "http://127.0.0.1:9000"
    assert watcher.refusals == 1
    assert any(m.startswith(f"switchboard.yaml:{line}: ") for m in caplog.messages), caplog.messages
    # Fixing the file applies it.
    write(folder, EXAMPLE.replace(":9000", ":9003"))
    assert asyncio.run(watcher.poll())
    assert runtime.connectors.credential("erp").url == "http://127.0.0.1:9003"


def test_the_runtime_watches_its_project(runtime: Runtime) -> None:
    watchers = [s for s in runtime.services if isinstance(s, ProjectWatcher)]
    assert len(watchers) == 1 and watchers[0].path == runtime.project_dir / "switchboard.yaml"


def test_watcher_service_polls_on_its_own(runtime: Runtime) -> None:
    async def scenario() -> int:
        watcher = ProjectWatcher(runtime, runtime.project_dir, interval=0.05)
        await watcher.start()
        write(runtime.project_dir, EXAMPLE.replace("timeout: 5s", "timeout: 9s"))
        for _ in range(100):
            if watcher.reloads:
                break
            await asyncio.sleep(0.05)
        await watcher.stop()
        return watcher.reloads

    assert asyncio.run(scenario()) == 1
    assert runtime.project.callouts["account_to_erp"].timeout == 9.0
