"""The README runs as written, on a fresh clone (as datasette tests its docs).

The repository is cloned into a temp dir (its committed HEAD) and reuses this checkout's
``.venv`` through a symlink, so nothing is installed. Each ``sh`` and ``python`` block
runs in order: ``make run`` in the background until it prints ``ready``, ``make test``
skipped (it is what runs this test), every other line in one bash session, python
blocks with the venv's Python. The server listens on free ports given through
``SWITCHBOARD_PORT``/``SWITCHBOARD_GRPC_PORT`` (and 8443 in the snippets is replaced
by that port), so a developer's own ``make run`` on 8443 does not clash.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from support.server import free_port

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
RUNNABLE = {"sh", "python"}


def blocks() -> list[tuple[str, str]]:
    found = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    # An unlabelled block could hide a command from this test: every block says its kind.
    assert all(lang in RUNNABLE | {"text"} for lang, _ in found), [x for x, _ in found]
    return [(lang, body) for lang, body in found if lang in RUNNABLE]


def test_readme_blocks_are_found() -> None:
    langs = [lang for lang, _ in blocks()]
    assert langs.count("python") >= 1 and langs.count("sh") >= 2


def _clone(tmp: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the README test clones the repository with git")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    (clone / ".venv").symlink_to((ROOT / ".venv").resolve())
    return clone


def test_readme_runs_as_written(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    port, grpc = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(SWITCHBOARD_PORT=str(port), SWITCHBOARD_GRPC_PORT=str(grpc))
    script = ["set -euo pipefail"]
    server: subprocess.Popen[str] | None = None
    output: list[str] = []
    ready = threading.Event()
    try:
        for lang, body in blocks():
            body = body.replace("8443", str(port))
            if lang == "python":
                script.append(f".venv/bin/python - <<'PY'\n{body}PY")
                continue
            for line in body.splitlines():
                command = line.split("#", 1)[0].strip()
                if command == "make run":
                    assert len(script) == 1, "make run comes before the commands that use it"
                    # `-o STAMP`: never (re)install into the shared venv from the clone
                    # (an install there would point this checkout's venv at a temp dir).
                    server = subprocess.Popen(
                        ["make", "-o", ".venv/.installed-stamp", "run"], cwd=clone, env=env, text=True, start_new_session=True,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    )  # fmt: skip

                    def pump(proc: subprocess.Popen[str] = server) -> None:
                        assert proc.stdout is not None
                        for out in proc.stdout:
                            output.append(out)
                            if out.strip() == "ready":
                                ready.set()

                    threading.Thread(target=pump, daemon=True).start()
                    assert ready.wait(90), "make run did not print ready:\n" + "".join(output)
                elif command == "make test":
                    continue  # this suite is what `make test` runs
                elif command:
                    script.append(line)
        assert server is not None, "the README's quick start runs `make run`"
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)], cwd=clone, env=env,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr + "".join(output)
        assert "Deployed 0 objects" in done.stdout and "1 columns added" in done.stdout
        assert "('city', 'Lyon')" in done.stdout  # the compound BillingAddress
        assert done.stdout.strip().endswith("201"), done.stdout
        assert any("admin_password" in line for line in output)  # credentials shown once
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make and the server it started
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(5)
    assert not (clone / "data" / "server.json").exists()  # the server cleaned up after itself
