"""switchboard.yaml: the issue's example loads; each mistake is reported at its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.connectors.http.configuration import BearerAuth, CredentialConfig
from switchboard.patterns.callout.config import CalloutConfig, ChangeTrigger
from switchboard.patterns.project import (
    Project,
    ProjectInvalid,
    check_project,
    load_project,
    project_schema,
)

EXAMPLE = """\
credentials:
  erp:
    url: http://127.0.0.1:9000
    auth: {type: bearer, token: {secret: erp_token}}
callouts:
  account_to_erp:
    on: {change: Account, types: [CREATE, UPDATE], when: "Type = 'Customer'"}
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


def write(tmp: Path, text: str) -> Path:
    (tmp / "switchboard.yaml").write_text(text)
    return tmp


def errors_of(tmp: Path, text: str) -> list[str]:
    return [str(e) for e in check_project(write(tmp, text))]


def test_the_issue_example_loads(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, EXAMPLE))
    assert isinstance(project, Project)
    erp = project.credentials["erp"]
    assert isinstance(erp, CredentialConfig) and erp.url == "http://127.0.0.1:9000"
    assert isinstance(erp.auth, BearerAuth) and erp.auth.token.secret == "erp_token"
    callout = project.callouts["account_to_erp"]
    assert isinstance(callout, CalloutConfig) and isinstance(callout.on, ChangeTrigger)
    assert callout.on.when == "Type = 'Customer'" and callout.timeout == 5.0
    assert callout.retry.attempts == 6 and callout.retry.max_backoff == 60.0
    assert callout.reply is not None and callout.reply.update == {
        "AccountNumber": "{{ response.json.erp_id }}"}
    assert project.directory == tmp_path.resolve()
    assert project.line_of(("callouts", "account_to_erp", "request", "path")) == 11
    assert project.line_of(("callouts", "account_to_erp", "reply", "update")) == 16
    assert check_project(tmp_path) == []


def replace(old: str, new: str) -> str:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, new)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # unknown credential (needs no org: not in the project)
        (replace("credential: erp", "credential: epr"), 9,
         ["unknown credential 'epr'", "did you mean 'erp'"]),
        # wrong type
        (replace("attempts: 6", "attempts: six"), 14, ["retry.attempts", "integer"]),
        (replace("timeout: 5s", "timeout: soon"), 13, ["timeout", "duration"]),
        (replace("method: POST", "method: FETCH"), 10, ["request.method", "'POST'"]),
        # unknown key, with a suggestion
        (replace("    timeout: 5s", "    timeuot: 5s"), 13, ["unknown key 'timeuot'",
                                                            "did you mean 'timeout'"]),
        (replace("    url: http", "    uri: http"), 3, ["unknown key 'uri'", "'url'"]),
        (replace("auth: {type: bearer,", "auth: {type: bearer, scope: x,"), 4,
         ["unknown key 'scope'"]),
        # an unknown auth type
        (replace("type: bearer", "type: kerberos"), 4, ["auth", "'oauth2'"]),
        # bad YAML
        # an unclosed quote runs on to the next line's quote, where the parser stops
        (replace('      path: /customers', '      path: "/customers'), 12, ["not valid YAML"]),
        (replace("  account_to_erp:", "  account_to_erp:\n   bad indent: 1"), 8,
         ["not valid YAML"]),
        # duplicate key
        (replace("      method: POST", "      method: POST\n      method: PUT"), 11,
         ["duplicate key 'method'", "line 10"]),
        # a section that does not exist
        ("credentails: {}\n", 1, ["unknown key 'credentails'", "'credentials'"]),
    ],
)
def test_each_mistake_at_its_line(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    errors = errors_of(tmp_path, text)
    assert errors, "the mistake went unreported"
    at_line = [e for e in errors if e.startswith(f"switchboard.yaml:{line}: ")]
    assert any(all(w in e for w in words) for e in at_line), errors


@pytest.mark.parametrize(
    ("snippet", "line"),
    [
        ("auth: {type: bearer, token: hunter2-TOKEN}", 4),
        ("auth: {type: basic, username: u, password: hunter2-TOKEN}", 4),
        ("auth: {type: api_key, value: hunter2-TOKEN}", 4),
        ("auth: {type: oauth2, token_url: /t, client_id: c, client_secret: hunter2-TOKEN}", 4),
        ("auth: {type: hmac, secret: hunter2-TOKEN}", 4),
    ],
)
def test_a_secret_in_clear_is_refused_and_never_repeated(tmp_path: Path, snippet: str,
                                                        line: int) -> None:  # fmt: skip
    text = replace("auth: {type: bearer, token: {secret: erp_token}}", snippet)
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and errors[0].startswith(f"switchboard.yaml:{line}: ")
    assert "switchboard secret set" in errors[0]
    assert "hunter2" not in errors[0]
    with pytest.raises(ProjectInvalid) as info:
        load_project(tmp_path)
    assert "hunter2" not in str(info.value) + repr(info.value.errors)


def test_secrets_in_urls_and_headers_are_refused(tmp_path: Path) -> None:
    text = replace("url: http://127.0.0.1:9000", "url: http://admin:hunter2@127.0.0.1:9000")
    text = text.replace("      path: /customers",
                        "      path: /customers\n      headers: {Authorization: Bearer hunter2}")
    errors = errors_of(tmp_path, text)
    assert [e.split(":")[1] for e in errors] == ["3"], errors  # the url first: model error
    text = replace("      path: /customers",
                   "      path: /customers\n      headers: {Authorization: Bearer hunter2}")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and errors[0].startswith("switchboard.yaml:12: ")
    assert all("hunter2" not in e for e in errors)


def test_every_mistake_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = replace("attempts: 6", "attempts: six").replace("timeout: 5s", "timeout: soon")
    text = text.replace("    url: http", "    uri: http")
    lines = [int(e.split(":")[1]) for e in errors_of(tmp_path, text)]
    assert lines == [2, 3, 13, 14]  # url missing (at its mapping), uri unknown, timeout, attempts


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    assert "no switchboard.yaml" in str(check_project(tmp_path)[0])
    assert check_project(write(tmp_path, "")) == []
    assert "mapping" in str(check_project(write(tmp_path, "- a\n- b\n"))[0])


def test_schema_describes_the_file(tmp_path: Path) -> None:
    schema = project_schema()
    assert schema["title"] == "switchboard.yaml"
    assert set(schema["properties"]) == {"credentials", "callouts", "files", "connections",
                                         "syncs"}  # fmt: skip
    assert schema["additionalProperties"] is False
    text = json.dumps(schema)
    assert "oauth2" in text and "SecretRef" in text
    erp = schema["$defs"]["CredentialConfig"]
    assert erp["required"] == ["url"] and erp["additionalProperties"] is False
    assert schema["$defs"]["FileRoute"]["required"] == ["store"]
    # A sync's source is written ``from:`` (a Python keyword, hence an alias in the model).
    assert schema["$defs"]["SyncConfig"]["required"] == ["from", "to", "fields"]


def test_recursive_and_exponential_aliases_are_refused(tmp_path: Path) -> None:
    recursive = "credentials: &a\n  erp: *a\n"
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    for text in (recursive, laughs):
        errors = errors_of(tmp_path, text)
        assert len(errors) == 1 and "alias" in errors[0], errors
