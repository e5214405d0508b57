"""Per-connected-app daily quotas, on a dedicated server: an app past its quota gets 403
REQUEST_LIMIT_EXCEEDED while other apps, app-less sessions and the org go on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceRefusedRequest

from support.server import Server, free_port

DEFAULT_QUOTA = 4  # SWITCHBOARD_APP_DAILY_API_REQUESTS on this server


@pytest.fixture(scope="module")
def quota_server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("app-quota")
    srv = Server(
        data_dir=tmp,
        db=f"sqlite:///{tmp / 'org.db'}",
        port=free_port(),
        ca_dir=local_ca,
        env={
            "SWITCHBOARD_APP_DAILY_API_REQUESTS": str(DEFAULT_QUOTA),
            "SWITCHBOARD_DAILY_API_REQUESTS": "1000",
        },
    ).start()
    yield srv
    srv.stop()


def _add_app(srv: Server, name: str, *extra: str) -> tuple[str, str]:
    out = srv.cli("app", "add", name, *extra).stdout
    fields = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return fields["client_id"], fields["client_secret"]


def _login(srv: Server, client_id: str, client_secret: str) -> str:
    r = requests.post(
        f"{srv.instance_url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": srv.username,
            "password": srv.password,
        },
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _sf(srv: Server, token: str) -> Salesforce:
    return Salesforce(
        instance_url=srv.instance_url,
        session_id=token,
        session=requests.Session(),
        version="59.0",
    )


def _limits(srv: Server, token: str) -> requests.Response:
    return requests.get(
        f"{srv.instance_url}/services/data/v59.0/limits",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_app_quota_bites_for_that_app_only(quota_server: Server) -> None:
    srv = quota_server
    capped = _add_app(srv, "Capped App", "--daily-api-requests", "3")
    free = _add_app(srv, "Free App", "--daily-api-requests", "0")
    assert "daily_api_requests=3" in srv.cli("app", "list").stdout
    # The server re-reads app quotas with each usage flush, once a second.
    time.sleep(1.5)

    capped_sf = _sf(srv, _login(srv, *capped))
    free_sf = _sf(srv, _login(srv, *free))
    admin_sf = _sf(srv, _login(srv, srv.client_id, srv.client_secret))  # default quota
    app_less_sf = _sf(srv, srv.token())  # `switchboard token`: no connected app
    uid = free_sf.query("SELECT Id FROM User LIMIT 1")["records"][0]["Id"]
    # simple-salesforce keeps the parsed Sforce-Limit-Info on the SFType that called.
    capped_users, free_users, app_less_users = capped_sf.User, free_sf.User, app_less_sf.User

    for n in range(1, 4):
        assert capped_users.get(uid)["Id"] == uid
        per_app = capped_users.api_usage["per-app-api-usage"]
        assert (per_app.used, per_app.total, per_app.name) == (n, 3, "Capped App")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        capped_users.get(uid)
    error = refused.value.content[0]
    assert error["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert "Capped App" in error["message"] and "Limit: 3" in error["message"]
    with pytest.raises(SalesforceRefusedRequest):  # and stays refused
        capped_sf.query("SELECT Id FROM User")

    # Other apps, app-less sessions and the org are unaffected.
    for _ in range(DEFAULT_QUOTA + 2):
        assert free_users.get(uid)["Id"] == uid
        assert app_less_users.get(uid)["Id"] == uid
    assert "per-app-api-usage" not in free_users.api_usage
    assert "per-app-api-usage" not in app_less_users.api_usage

    # An app without its own quota gets SWITCHBOARD_APP_DAILY_API_REQUESTS.
    for _ in range(DEFAULT_QUOTA):
        assert admin_sf.User.get(uid)["Id"] == uid
    with pytest.raises(SalesforceRefusedRequest) as refused:
        admin_sf.User.get(uid)
    assert f"Limit: {DEFAULT_QUOTA}" in refused.value.content[0]["message"]

    # The org-wide count went on through all of it: 1 query + 3 (capped) +
    # 2 * 6 (free, app-less) + 4 (admin) = 20 counted calls, refusals not counted.
    limits = _limits(srv, srv.token())
    assert limits.status_code == 200
    assert limits.json()["DailyApiRequests"] == {"Max": 1000, "Remaining": 1000 - 20}
    # `limits` still answers the capped app, reporting its spent quota.
    capped_limits = _limits(srv, capped_sf.session_id)
    assert capped_limits.status_code == 200
    assert capped_limits.headers["Sforce-Limit-Info"] == (
        "api-usage=20/1000; per-app-api-usage=3/3(appName=Capped App)"
    )
