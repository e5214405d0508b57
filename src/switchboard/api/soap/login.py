"""``POST /services/Soap/u/{version}``: the partner API's ``login`` and ``logout``.

LoginResult's children come in the WSDL's order, and so do userInfo's (organizationId
is the 9th): some clients read them by position rather than by name.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...core import ids
from ...core.errors import InvalidSession, SwitchboardError
from ...org.identity import grants, users
from ...org.identity.errors import LoginFailed
from ...org.identity.tokens import mint
from ...org.runtime import Org
from ...org.security.trail import LoginSource
from ...org.security.trail import logins as trail_logins
from ...org.security.trail.logins import failure_status, record_login
from ..call import authenticate
from .envelope import SoapFault, SoapRequest, envelope, esc, fault, parse

log = logging.getLogger("switchboard.api.soap")

_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


def _el(name: str, value: object) -> str:
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{esc(value)}</{name}>"


def _user_info(org: Org, user: users.User) -> str:
    org18 = ids.to18(org.org_id[:15])
    fields: list[tuple[str, object]] = [
        ("accessibilityMode", False),
        ("chatterExternal", False),
        ("currencySymbol", "$"),
        ("orgAttachmentFileSizeLimit", 5242880),
        ("orgDefaultCurrencyIsoCode", "USD"),
        ("orgDefaultCurrencyLocale", "en_US"),
        ("orgDisallowHtmlAttachments", False),
        ("orgHasPersonAccounts", False),
        ("organizationId", org18),
        ("organizationMultiCurrency", False),
        ("organizationName", "Switchboard"),
        ("profileId", user.profile_id),
        ("roleId", None),
        ("sessionSecondsValid", org.settings.session_timeout),
        ("userDefaultCurrencyIsoCode", None),
        ("userEmail", user.email),
        ("userFullName", user.name),
        ("userId", user.id),
        ("userLanguage", user.language or "en_US"),
        ("userLocale", user.locale or "en_US"),
        ("userName", user.username),
        ("userTimeZone", user.time_zone or "GMT"),
        ("userType", user.user_type or "Standard"),
        ("userUiSkin", "Theme3"),
    ]
    return "<userInfo>" + "".join(_el(k, v) for k, v in fields) + "</userInfo>"


def _login(
    org: Org, req: SoapRequest, base: str, version: str, source: LoginSource
) -> Response:
    username = req.args.get("username", "")

    def logged(user_id: str | None, status: str) -> None:
        record_login(org, user_id=user_id, status=status, login_type=trail_logins.SOAP,
                     source=source, api_type="SOAP Partner", api_version=version,
                     username=username)  # fmt: skip

    try:
        user = users.check_password(
            org.store,
            org.schema,
            org.settings,
            username,
            req.args.get("password", ""),
        )
    except LoginFailed as exc:
        logged(*failure_status(org, username, exc))
        raise SoapFault("INVALID_LOGIN", _INVALID_LOGIN, "LoginFault") from None
    logged(user.id, trail_logins.SUCCESS)
    token = org.store.write(
        lambda c: mint(
            c, org.org_id, user.id, client_id=None, lifetime_seconds=org.settings.session_timeout
        )
    )
    org15 = org.org_id[:15]
    result = (
        _el("metadataServerUrl", f"{base}/services/Soap/m/{version}/{org15}")
        + _el("passwordExpired", False)
        + _el("sandbox", False)
        + _el("serverUrl", f"{base}/services/Soap/u/{version}/{org15}")
        + _el("sessionId", token)
        + _el("userId", user.id)
        + _user_info(org, user)
    )
    return envelope(f"<loginResponse><result>{result}</result></loginResponse>")


def _logout(org: Org, req: SoapRequest) -> Response:
    session_id = req.headers.get("sessionId", "")
    try:
        authenticate(org, session_id)
    except InvalidSession:
        raise SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader") from None
    grants.revoke(org, session_id)
    return envelope("<logoutResponse/>")


async def soap(request: Request) -> Response:
    org: Org = request.app.state.org
    version = request.path_params.get("version", "59.0")
    base = str(request.base_url).rstrip("/")
    client = request.client
    source = LoginSource(
        client.host if client else None, str(request.url), request.headers.get("user-agent")
    )
    try:
        body = await request.body()
    except SwitchboardError as exc:  # over the SOAP size limit (api/limits.py)
        return fault(SoapFault(exc.error_code, exc.message))

    def work() -> Response:
        try:
            req = parse(body)
            if req.operation == "login":
                return _login(org, req, base, version, source)
            if req.operation == "logout":
                return _logout(org, req)
            raise SoapFault(
                "INVALID_OPERATION",
                f"This server only serves login and logout, not {req.operation}",
            )
        except SoapFault as exc:
            return fault(exc)
        except Exception as exc:  # a SOAP client gets a SOAP fault, never a JSON 500
            log.exception("SOAP request failed", exc_info=exc)
            return fault(SoapFault("UNKNOWN_EXCEPTION", "An unexpected error occurred"))

    return await run_in_threadpool(work)


__all__ = ["soap"]
