"""Each callout config mistake gets its `switchboard.yaml:LINE:` error from
`switchboard project check` (a real subprocess against a real org), exit 1; a refused
project is not half-loaded; no secret is printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.core.settings import Settings
from switchboard.org.runtime import Org

BIN = Path(sys.executable).with_name("switchboard")
SECRET = "s3cr3t-Do-Not-Print-4711"

GOOD = """\
credentials:
  erp:
    url: http://127.0.0.1:9
    auth: {type: none}
callouts:
  account_to_erp:
    on: {change: Account, types: [CREATE, UPDATE], when: "Type = 'Customer'", changed: [Type]}
    request:
      credential: erp
      method: POST
      path: /customers
      body: {name: "{{ record.Name }}", sfid: "{{ record.Id }}"}
    timeout: 5s
    retry: {attempts: 6, backoff: 1s, max_backoff: 60s}
    reply:
      update: {AccountNumber: "{{ response.json.erp_id }}"}
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("org") / "data"
    Org.open(Settings(data_dir=data)).close()  # an existing org for the org-side checks
    yield data


def check(tmp: Path, data: Path, text: str) -> tuple[int, list[str], str]:
    folder = tmp / "project"
    folder.mkdir(exist_ok=True)
    (folder / "switchboard.yaml").write_text(text)
    out = subprocess.run(
        [str(BIN), "project", "check", str(folder), "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("switchboard.yaml:")]
    return out.returncode, lines, out.stdout + out.stderr


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_the_good_project_passes(tmp_path: Path, data_dir: Path) -> None:
    code, lines, out = check(tmp_path, data_dir, GOOD)
    assert code == 0, out
    assert lines == ["switchboard.yaml: ok"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ("credential: erp", "credential: erp2", "credential: erp2", ["unknown credential 'erp2'"]),
        (
            '"{{ record.Name }}"',
            '"{{ record.Name "',
            "body:",
            ["request.body.name", "bad template"],
        ),
        (
            '"{{ record.Name }}"',
            '"{{ recrod.Name }}"',
            "body:",
            ["'recrod'", "did you mean 'record'"],
        ),
        ("Type = 'Customer'", "Type = = 'Customer'", "when:", ["on.when", "does not compile"]),
        ("Type = 'Customer'", "Typo__c = 'Customer'", "when:", ["on.when", "Typo__c"]),
        (
            "changed: [Type]",
            "changed: [Tpye]",
            "changed:",
            ["on.changed", "no field 'Tpye'", "'Type'"],
        ),
        (
            "change: Account",
            "change: Acount",
            "change: Acount",
            ["no object 'Acount'", "'Account'"],
        ),
        (
            "AccountNumber:",
            "AccountNumbr:",
            "AccountNumbr",
            ["reply.update.AccountNumbr", "no field"],
        ),
        ("record.Id }}", "record.Idd }}", "body:", ["request.body.sfid", "Idd"]),
        ("timeout: 5s", "timeout: soon", "timeout: soon", ["timeout"]),
        ("attempts: 6", "attempts: many", "retry:", ["attempts"]),
        ("method: POST", "method: SEND", "method: SEND", ["method"]),
    ],
    ids=[
        "credential",
        "template-syntax",
        "template-name",
        "when-syntax",
        "when-field",
        "changed-field",
        "object",
        "reply-field",
        "record-field",
        "timeout-type",
        "attempts-type",
        "method-value",
    ],  # fmt: skip
)
def test_each_mistake_at_its_line(tmp_path: Path, data_dir: Path, old: str, new: str,
                                  needle: str, words: list[str]) -> None:  # fmt: skip
    text = GOOD.replace(old, new)
    assert text != GOOD
    code, lines, out = check(tmp_path, data_dir, text)
    assert code == 1, out
    want = f"switchboard.yaml:{line_of(text, needle)}:"
    hits = [ln for ln in lines if ln.startswith(want)]
    assert hits, (want, lines)
    for word in words:
        assert any(word in ln for ln in hits), (word, hits)


def test_outbound_message_fields_and_object(tmp_path: Path, data_dir: Path) -> None:
    text = GOOD.split("callouts:")[0] + textwrap.dedent("""\
        callouts:
          notify:
            on: {change: Account, types: [CREATE, DELETE]}
            request: {credential: erp, path: /soap}
            outbound_message:
              object: Contact
              fields: [Id, Nmae]
        """)  # fmt: skip
    code, lines, out = check(tmp_path, data_dir, text)
    assert code == 1, out
    joined = "\n".join(lines)
    assert f"switchboard.yaml:{line_of(text, 'types:')}:" in joined and "drop DELETE" in joined
    assert f"switchboard.yaml:{line_of(text, 'object: Contact')}:" in joined
    assert f"switchboard.yaml:{line_of(text, 'fields: [Id, Nmae]')}:" in joined
    assert "no field 'Nmae' on Contact" in joined


def test_a_secret_is_never_printed(tmp_path: Path, data_dir: Path) -> None:
    text = GOOD.replace(
        "      path: /customers\n",
        f"      path: /customers\n      headers: {{Authorization: Bearer {SECRET}}}\n",
    ).replace("auth: {type: none}", f"auth: {{type: bearer, token: {SECRET}}}")
    code, lines, out = check(tmp_path, data_dir, text)
    assert code == 1, out
    assert lines, out
    assert SECRET not in out


def test_a_refused_project_is_not_half_loaded(tmp_path: Path, data_dir: Path) -> None:
    """Two callouts, the second broken: `up --project` refuses the whole file (exit 1,
    its line printed) and serves nothing."""
    good_and_bad = GOOD + textwrap.indent(textwrap.dedent("""\
        second:
          on: {change: Account, when: "Name LIKE"}
          request: {credential: erp, path: /x}
        """), "  ")  # fmt: skip
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "switchboard.yaml").write_text(good_and_bad)
    out = subprocess.run(
        [str(BIN), "up", "--project", str(folder), "--data-dir", str(data_dir), "--port", "0",
         "--grpc-port", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    both = out.stdout + out.stderr
    assert out.returncode == 1, both
    assert f"switchboard.yaml:{line_of(good_and_bad, 'Name LIKE')}:" in both
    assert "ready" not in out.stdout
