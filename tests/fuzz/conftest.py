"""One org per backend for each fuzz module, its app in process (support.hostile), and
the number of requests each backend was sent, printed at the end of the run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from support.databases import BACKENDS
from support.hostile import Hostile, hostile_org

_SENT: Counter[str] = Counter()
_STATUSES: dict[str, Counter[int]] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hostile]:
    backend = str(request.param)
    tmp = tmp_path_factory.mktemp(f"fuzz-{backend}")
    with hostile_org(backend, tmp, bulk_worker=True) as h:
        try:
            yield h
        finally:
            _SENT[backend] += h.sent
            _STATUSES.setdefault(backend, Counter()).update(h.statuses)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for backend, sent in sorted(_SENT.items()):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(_STATUSES[backend].items()))
        terminalreporter.write_line(f"fuzz {backend}: {sent} generated requests ({statuses})")
