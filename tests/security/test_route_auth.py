"""Every route of the app refuses a caller without a valid session, except the few
Salesforce serves without one: a test that walks the route table, so a route added
later without authentication fails here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route

# Public in Salesforce too: the OAuth endpoints authenticate the client or the user by
# what the request carries, the SOAP login is how a session starts, and the version
# list answers anyone.
PUBLIC = {
    "/services/data",
    "/services/oauth2/token",
    "/services/oauth2/authorize",
    "/services/oauth2/revoke",
    "/services/oauth2/introspect",
    "/services/Soap/u/{version}",
    "/services/Soap/u/{version}/{org}",
}
BAD_TOKENS = [None, "00D000000000001!not-a-real-session", "Bearer-less"]


def _starlette(app: Any) -> Any:
    while not hasattr(app, "routes"):
        app = app.app
    return app


def _path(template: str) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        return {"version": "v59.0", "type": "Account", "id": "001000000000001AAA"}.get(name, "x")

    return re.sub(r"\{([^}]+)\}", fill, template)


def _routes(served) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for route in _starlette(served.client.app).routes:
        assert isinstance(route, Route), route
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                out.append((route.path, method))
    return out


def test_the_walk_covers_the_apis(served) -> None:  # type: ignore[no-untyped-def]
    paths = {p for p, _ in _routes(served)}
    for expected in ("/services/data/{version}/query", "/services/data/{version}/jobs/ingest",
                     "/services/data/{version}/composite", "/services/async/{version}/job",
                     "/services/data/{version}/sobjects/EventLogFile/{id}/LogFile",
                     "/cometd/{version}", "/services/oauth2/userinfo"):  # fmt: skip
        assert expected in paths, expected
    assert PUBLIC <= paths  # a public route that disappears must leave this list too


def _refused(template: str, resp: Any) -> bool:
    """401 in the refusal shape of the route's API, as Salesforce words it there."""
    if resp.status_code != 401:
        return False
    if template.startswith("/services/async/"):  # Bulk API 1.0
        return '"exceptionCode":"InvalidSessionId"' in resp.text.replace(" ", "")
    if template.startswith("/cometd/"):  # Bayeux: the reply names the 401
        return all(m["successful"] is False and m["error"].startswith("401::")
                   for m in resp.json())  # fmt: skip
    body = resp.json()
    return isinstance(body, list) and body[0]["errorCode"] == "INVALID_SESSION_ID"


@pytest.mark.parametrize("token", BAD_TOKENS, ids=["none", "forged", "malformed"])
def test_every_private_route_refuses_without_a_valid_session(served, token) -> None:  # type: ignore[no-untyped-def]
    before = served.query("SELECT COUNT() FROM Account")["totalSize"]
    open_doors = []
    for template, method in _routes(served):
        if template in PUBLIC:
            continue
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}" if "!" in token else token
            headers["X-SFDC-Session"] = token
        resp = served.client.request(
            method, _path(template), headers=headers, content=b'{"Name": "Intruder"}'
        )
        if not _refused(template, resp):
            open_doors.append((method, template, resp.status_code, resp.text[:120]))
    assert open_doors == [], "\n".join(map(str, open_doors))
    assert served.query("SELECT COUNT() FROM Account")["totalSize"] == before
