"""Every grant type's happy path and failures, over HTTPS, with unmodified clients."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from support.identity import CALLBACK, Idp, pkce_pair


def _client(idp: Idp, token: str) -> Salesforce:
    return Salesforce(
        instance_url=idp.url, session_id=token, session=requests.Session(), version="59.0"
    )


def _assert_reply(idp: Idp, body: dict, user_id: str | None = None) -> None:
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == idp.url  # the scheme, host and port we came in on
    org18, uid = body["id"].rsplit("/", 2)[-2:]
    assert body["id"] == f"{idp.url}/id/{org18}/{uid}"
    assert body["access_token"].startswith(org18[:15] + "!")
    assert body["issued_at"].isdigit() and abs(int(body["issued_at"]) / 1000 - time.time()) < 60
    assert "api" in body["scope"].split()
    if user_id:
        assert uid == user_id


def test_password_grant_works_with_simple_salesforce(idp: Idp) -> None:
    r = idp.password_grant()
    assert r.status_code == 200, r.text
    body = r.json()
    _assert_reply(idp, body)
    assert "refresh_token" not in body  # as Salesforce: no refresh token from this flow
    # The signature is HMAC-SHA256(id + issued_at) keyed by the client secret.
    mac = hmac.new(
        idp.server.client_secret.encode(),
        (body["id"] + body["issued_at"]).encode(),
        hashlib.sha256,
    )
    assert body["signature"] == base64.b64encode(mac.digest()).decode()
    uid = body["id"].rsplit("/", 1)[1]
    assert _client(idp, body["access_token"]).User.get(uid)["Username"] == idp.server.username


def test_password_with_security_token_appended(idp: Idp) -> None:
    r = idp.token(
        grant_type="password",
        client_id=idp.server.client_id,
        client_secret=idp.server.client_secret,
        username=idp.user,
        password=idp.password + idp.security_token,
    )
    assert r.status_code == 200, r.text
    _assert_reply(idp, r.json(), idp.user_id)
    # A wrong token appended is a wrong password.
    bad = idp.password_grant(idp.user, idp.password + "X" * len(idp.security_token))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "wrong"}, ("invalid_grant", "authentication failure")),
        ({"username": "nobody@nowhere.test"}, ("invalid_grant", "authentication failure")),
        ({"client_secret": "wrong"}, ("invalid_client", "invalid client credentials")),
        ({"client_id": "3MVGnope"}, ("invalid_client_id", "client identifier invalid")),
        ({"grant_type": "magic"}, ("unsupported_grant_type", "grant type not supported")),
    ],
)
def test_password_grant_failures(idp: Idp, change: dict, error: tuple[str, str]) -> None:
    s = idp.server
    data = {
        "grant_type": "password",
        "client_id": s.client_id,
        "client_secret": s.client_secret,
        "username": s.username,
        "password": s.password,
        **change,
    }
    r = idp.token(**data)
    assert r.status_code == 400
    assert r.json() == {"error": error[0], "error_description": error[1]}


def test_client_credentials_with_http_basic_runs_as_the_app_user(idp: Idp) -> None:
    r = idp.http.post(
        f"{idp.url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(idp.app_id, idp.app_secret),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    _assert_reply(idp, body, idp.user_id)
    assert _client(idp, body["access_token"]).User.get(idp.user_id)["Username"] == idp.user
    wrong = idp.token(grant_type="client_credentials", client_id=idp.app_id, client_secret="x")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"


def test_jwt_bearer(idp: Idp) -> None:
    r = idp.token(grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=idp.jwt())
    assert r.status_code == 200, r.text
    body = r.json()
    _assert_reply(idp, body, idp.user_id)
    assert "signature" not in body  # no client secret was presented to sign with
    assert _client(idp, body["access_token"]).User.get(idp.user_id)["Username"] == idp.user


@pytest.mark.parametrize(
    "case", ["expired", "tampered", "audience", "issuer", "unknown_user", "alg_none"]
)
def test_jwt_bearer_failures(idp: Idp, case: str) -> None:
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    if case == "expired":
        assertion = idp.jwt(exp=int(time.time()) - 600)
    elif case == "tampered":
        head, _, sig = idp.jwt().split(".")
        other = idp.jwt(sub=idp.server.username).split(".")[1]  # someone else's claims
        assertion = f"{head}.{other}.{sig}"
    elif case == "audience":
        assertion = idp.jwt(aud="https://login.salesforce.com")
    elif case == "issuer":
        assertion = idp.jwt(iss=idp.server.client_id)  # an app without this certificate
    elif case == "unknown_user":
        assertion = idp.jwt(sub="ghost@switchboard.test")
    else:
        head = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        assertion = head + "." + idp.jwt().split(".")[1] + "."
    r = idp.token(grant_type=grant, assertion=assertion)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant", r.text


def test_web_server_flow_with_pkce_and_refresh_rotation(idp: Idp) -> None:
    verifier, challenge = pkce_pair()
    code = idp.authorize(challenge)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": idp.app_id,
        "client_secret": idp.app_secret,
        "redirect_uri": CALLBACK,
    }
    bad = idp.token(**exchange, code_verifier="not-the-verifier")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    # The failed attempt spent the code: codes are single-use whatever happens.
    again = idp.token(**exchange, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    code = idp.authorize(challenge)
    r = idp.token(**{**exchange, "code": code}, code_verifier=verifier)
    assert r.status_code == 200, r.text
    body = r.json()
    _assert_reply(idp, body, idp.user_id)
    refresh = body["refresh_token"]
    assert _client(idp, body["access_token"]).User.get(idp.user_id)["Username"] == idp.user

    # The app asks for rotation: each use returns a new refresh token and spends the old.
    r2 = idp.token(
        grant_type="refresh_token",
        refresh_token=refresh,
        client_id=idp.app_id,
        client_secret=idp.app_secret,
    )
    assert r2.status_code == 200, r2.text
    rotated = r2.json()["refresh_token"]
    assert rotated != refresh
    assert _client(idp, r2.json()["access_token"]).User.get(idp.user_id)["Username"] == idp.user
    reused = idp.token(
        grant_type="refresh_token",
        refresh_token=refresh,
        client_id=idp.app_id,
        client_secret=idp.app_secret,
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_authorize_refuses_unregistered_callback(idp: Idp) -> None:
    r = idp.http.get(
        f"{idp.url}/services/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": idp.app_id,
            "redirect_uri": "https://evil.example/cb",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 400 and "redirect_uri" in r.text


def test_refresh_token_from_cli_and_revocation(idp: Idp) -> None:
    s = idp.server
    refresh = s.cli("app", "refresh-token", s.client_id, idp.user).stdout.strip()
    grant = {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": s.client_id,
        "client_secret": s.client_secret,
    }
    r = idp.token(**grant)
    assert r.status_code == 200, r.text
    body = r.json()
    _assert_reply(idp, body, idp.user_id)
    assert "refresh_token" not in body  # the bootstrap app does not rotate
    access = body["access_token"]
    sf = _client(idp, access)
    assert sf.User.get(idp.user_id)["Username"] == idp.user

    revoked = idp.http.post(f"{idp.url}/services/oauth2/revoke", data={"token": refresh})
    assert revoked.status_code == 200
    after = idp.token(**grant)
    assert after.status_code == 400
    assert after.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }
    # Revoking a refresh token takes the access tokens it minted along.
    with pytest.raises(SalesforceExpiredSession):
        sf.User.get(idp.user_id)


def test_revoked_access_token_gets_invalid_session(idp: Idp) -> None:
    access = idp.password_grant().json()["access_token"]
    assert idp.get("/services/data/v59.0/limits", access).status_code == 200
    assert idp.http.get(f"{idp.url}/services/oauth2/revoke", params={"token": access}).ok
    r = idp.get("/services/data/v59.0/limits", access)
    assert r.status_code == 401
    assert r.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    unknown = idp.http.post(f"{idp.url}/services/oauth2/revoke", data={"token": "nope"})
    assert unknown.status_code == 400


def test_userinfo_identity_and_introspect(idp: Idp) -> None:
    body = idp.password_grant(idp.user, idp.password).json()
    access = body["access_token"]
    info = idp.get("/services/oauth2/userinfo", access).json()
    org18 = body["id"].rsplit("/", 2)[-2]
    assert info["user_id"] == idp.user_id
    assert info["organization_id"] == org18
    assert info["preferred_username"] == idp.user
    assert info["sub"] == body["id"]
    assert info["urls"]["rest"] == f"{idp.url}/services/data/v{{version}}/"
    ident = idp.get(body["id"].removeprefix(idp.url), access).json()
    assert (ident["username"], ident["user_id"]) == (idp.user, idp.user_id)
    assert idp.get("/services/oauth2/userinfo", "00Dbogus!x").status_code == 401

    def introspect(token: str, client_id: str, secret: str) -> dict:
        r = idp.http.post(
            f"{idp.url}/services/oauth2/introspect",
            data={"token": token, "client_id": client_id, "client_secret": secret},
        )
        assert r.status_code == 200, r.text
        return r.json()

    s = idp.server
    seen = introspect(access, s.client_id, s.client_secret)  # the app it was issued to
    assert seen["active"] is True and seen["username"] == idp.user
    assert seen["client_id"] == s.client_id and seen["exp"] > time.time()
    assert introspect("00Dnothing!here", s.client_id, s.client_secret) == {"active": False}
    # Another app does not get to see this app's tokens.
    assert introspect(access, idp.app_id, idp.app_secret) == {"active": False}


def test_disabled_user_loses_access_at_once(idp: Idp) -> None:
    s = idp.server
    name = f"temp{int(time.time() * 1000)}@switchboard.test"
    s.cli("user", "add", name, "--last-name", "Temp", "--password", "Temp-Pass-123")
    access = idp.password_grant(name, "Temp-Pass-123").json()["access_token"]
    assert idp.get("/services/data/v59.0/limits", access).status_code == 200
    s.cli("user", "disable", name)
    r = idp.get("/services/data/v59.0/limits", access)
    assert r.status_code == 401 and r.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    again = idp.password_grant(name, "Temp-Pass-123")
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
