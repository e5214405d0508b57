"""Policies that need their own server: session expiry, lockout, the daily API limit,
and nothing secret in clear in the logs or the database file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceRefusedRequest

from support.server import Server, free_port


def _start(tmp: Path, ca: Path, **env: str) -> Server:
    return Server(
        data_dir=tmp, db=f"sqlite:///{tmp / 'org.db'}", port=free_port(), ca_dir=ca, env=env
    ).start()


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    srv = _start(
        tmp_path_factory.mktemp("strict"),
        local_ca,
        SWITCHBOARD_SESSION_TIMEOUT="2",
        SWITCHBOARD_LOGIN_MAX_ATTEMPTS="3",
        SWITCHBOARD_LOGIN_LOCKOUT_SECONDS="600",
        SWITCHBOARD_LOG_LEVEL="debug",
    )
    yield srv
    srv.stop()


def _password(srv: Server, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{srv.instance_url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": srv.client_id,
            "client_secret": srv.client_secret,
            "username": username,
            "password": password,
        },
        timeout=30,
    )


def test_expired_access_token_gets_invalid_session(strict: Server) -> None:
    body = _password(strict, strict.username, strict.password).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    url = f"{strict.instance_url}/services/data/v59.0/limits"
    assert requests.get(url, headers=headers, timeout=30).status_code == 200
    # The session lasts 2 s from its issue (a use does not extend it): poll for the
    # refusal for at most the 2.5 s this test used to sleep.
    deadline = time.monotonic() + 2.5
    while (r := requests.get(url, headers=headers, timeout=30)).status_code == 200:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status_code == 401
    assert r.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_lockout_after_repeated_failures(strict: Server) -> None:
    victim, password = "victim@switchboard.test", "Victim-Pass-1"
    strict.cli("user", "add", victim, "--last-name", "Victim", "--password", password)
    assert _password(strict, victim, password).status_code == 200
    for _ in range(3):
        r = _password(strict, victim, "guess")
        assert r.json() == {"error": "invalid_grant", "error_description": "authentication failure"}
    # Locked: the right password now fails the same way, over OAuth and SOAP alike.
    locked = _password(strict, victim, password)
    assert locked.status_code == 400
    assert locked.json() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }
    soap = requests.post(
        f"{strict.instance_url}/services/Soap/u/59.0",
        data=(
            '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
            f'<login xmlns="urn:partner.soap.sforce.com"><username>{victim}</username>'
            f"<password>{password}</password></login></env:Body></env:Envelope>"
        ),
        headers={"SOAPAction": "login", "Content-Type": "text/xml"},
        timeout=30,
    )
    assert soap.status_code == 500
    assert "INVALID_LOGIN" in soap.text and "locked out" in soap.text
    # Another username is not affected.
    assert _password(strict, strict.username, strict.password).status_code == 200


def test_nothing_secret_in_logs_or_database(strict: Server) -> None:
    app_out = strict.cli("app", "add", "Secretive", "--run-as", strict.username).stdout
    app_secret = app_out.split("client_secret: ")[1].split()[0]
    app_id = app_out.split("client_id: ")[1].split()[0]
    access = _password(strict, strict.username, strict.password).json()["access_token"]
    cc = requests.post(
        f"{strict.instance_url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(app_id, app_secret),
        timeout=30,
    ).json()["access_token"]
    # Failures too: a wrong password must not be echoed in a log line either.
    _password(strict, strict.username, strict.password + "-typo")
    refresh = strict.cli("app", "refresh-token", app_id, strict.username).stdout.strip()
    requests.post(
        f"{strict.instance_url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": app_id,
            "client_secret": app_secret,
        },
        timeout=30,
    )
    time.sleep(0.3)
    logs = "".join(strict.output)
    files = [p for p in strict.data_dir.glob("org.db*") if p.is_file()]
    assert files
    blob = b"".join(p.read_bytes() for p in files)
    for secret in (
        strict.password,
        strict.client_secret,
        app_secret,
        access,
        cc,
        refresh,
        strict.password + "-typo",
    ):
        assert secret not in logs
        assert secret.encode() not in blob


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    srv = _start(tmp_path_factory.mktemp("capped"), local_ca, SWITCHBOARD_DAILY_API_REQUESTS="5")
    yield srv
    srv.stop()


def test_daily_limit_bites(capped: Server) -> None:
    body = _password(capped, capped.username, capped.password).json()
    uid = body["id"].rsplit("/", 1)[1]
    sf = Salesforce(
        instance_url=capped.instance_url,
        session_id=body["access_token"],
        session=requests.Session(),
        version="59.0",
    )
    for _ in range(5):  # the OAuth call above did not count; these five do
        assert sf.User.get(uid)["Id"] == uid
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.User.get(uid)
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    # `limits` reports the spent limit rather than being refused by it.
    r = requests.get(
        f"{capped.instance_url}/services/data/v59.0/limits",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=30,
    )
    assert r.status_code == 200
    assert r.json()["DailyApiRequests"] == {"Max": 5, "Remaining": 0}
    assert r.headers["Sforce-Limit-Info"] == "api-usage=5/5"
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 0
