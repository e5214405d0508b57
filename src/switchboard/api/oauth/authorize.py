"""``/services/oauth2/authorize``: the web server flow's plain login page.

GET checks the app and its callback, then shows a username/password form; POST checks
the credentials (with the lockout) and redirects to the callback with a one-time code
(PKCE's code_challenge is kept with it). Nothing is redirected to a URL the app has not
registered, so the page cannot be used as an open redirect.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ...org.identity import apps, grants, users
from ...org.identity.errors import LoginFailed, OAuthError
from ...org.security.trail import logins as trail_logins
from ...org.security.trail.logins import failure_status, record_login
from ._common import form, login_source, org_of, run

_CARRIED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


def _page(params: dict[str, str], app_name: str, message: str = "", status: int = 200) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(params[k])}">'
        for k in _CARRIED
        if params.get(k)
    )
    note = f'<p class="error">{html.escape(message)}</p>' if message else ""
    body = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Log in | Switchboard</title>
<style>body{{font-family:sans-serif;max-width:22em;margin:4em auto}}
label,input{{display:block;width:100%;margin:.3em 0}}.error{{color:#b00}}</style></head>
<body><h1>Log in</h1><p>{html.escape(app_name)} asks to access the org.</p>{note}
<form method="post" action="/services/oauth2/authorize">{hidden}
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<input type="submit" value="Log In"></form></body></html>"""
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _error_page(message: str) -> Response:
    body = f"<!doctype html><title>Error</title><h1>Error</h1><p>{html.escape(message)}</p>"
    return HTMLResponse(body, status_code=400, headers=_HEADERS)


def _redirect(uri: str, values: dict[str, str]) -> Response:
    sep = "&" if "?" in uri else "?"
    return RedirectResponse(uri + sep + urlencode(values), status_code=302, headers=_HEADERS)


async def authorize(request: Request) -> Response:
    try:
        params = await form(request)
    except OAuthError as exc:
        return _error_page(exc.description)
    params.pop("client_secret", None)  # never carried into the page
    org = org_of(request)
    posted = request.method == "POST"
    source = login_source(request)

    def work() -> Response:
        with org.store.read() as conn:
            app = apps.get(conn, params.get("client_id") or "")
        if app is None:
            return _error_page("invalid_client_id: client identifier invalid")
        try:
            redirect_uri = grants.check_redirect(app, params.get("redirect_uri"))
        except OAuthError as exc:
            return _error_page(f"{exc.error}: {exc.description}")
        state = {"state": params["state"]} if params.get("state") else {}
        if params.get("response_type") != "code":
            return _redirect(
                redirect_uri,
                {
                    "error": "unsupported_response_type",
                    "error_description": "response type not supported",
                    **state,
                },
            )
        if not posted:
            return _page(params, app.name)
        try:
            user = users.check_password(
                org.store,
                org.schema,
                org.settings,
                params.get("username", ""),
                params.get("password", ""),
            )
        except LoginFailed as exc:
            user_id, status = failure_status(org, params.get("username"), exc)
            record_login(org, user_id=user_id, status=status, login_type=trail_logins.OAUTH,
                         source=source, application=app.name, username=params.get("username"))
            return _page(
                params,
                app.name,
                "Please check your username and password. If you still can't log in, "
                "contact your Salesforce administrator.",
                status=200,
            )
        record_login(org, user_id=user.id, status=trail_logins.SUCCESS,
                     login_type=trail_logins.OAUTH, source=source, application=app.name,
                     username=user.username)
        try:
            code = grants.new_code(
                org,
                app,
                user.id,
                redirect_uri,
                params.get("code_challenge"),
                params.get("code_challenge_method"),
            )
        except OAuthError as exc:
            return _redirect(
                redirect_uri, {"error": exc.error, "error_description": exc.description, **state}
            )
        return _redirect(redirect_uri, {"code": code, **state})

    return await run(work)


__all__ = ["authorize"]
