"""LoginHistory: every login attempt against a known user, successful or not.

Salesforce records a row per attempt with the user, the time, how (LoginType), from
where (SourceIp, LoginUrl), with what (Browser, Application: the connected app's
name) and how it ended (Status). An attempt naming no existing user has no row, since
LoginHistory.UserId is required; such attempts still reach the Login event log.
The row is written in its own transaction after the attempt is decided, so a failed
login (whose own transaction wrote nothing) is recorded too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ....core import clock, ids
from ...schema.catalog import audit as catalog
from .tables import object_table

if TYPE_CHECKING:
    from ...runtime import Org

# LoginType of each way in (Salesforce's picklist values).
OAUTH = "Remote Access 2.0"
OAUTH_CLIENT = "Remote Access Client"
SOAP = "Other Apex API"
UI = "Application"

SUCCESS = catalog.LOGIN_SUCCESS
INVALID_PASSWORD = catalog.LOGIN_INVALID_PASSWORD
LOCKED_OUT = catalog.LOGIN_LOCKED_OUT
INACTIVE = catalog.LOGIN_INACTIVE
FAILED = catalog.LOGIN_FAILED


@dataclass(frozen=True, slots=True)
class LoginSource:
    """Where an attempt came from, as the API edge saw it."""

    source_ip: str | None = None
    login_url: str | None = None
    user_agent: str | None = None


def _platform(agent: str) -> str | None:
    low = agent.lower()
    for needle, name in (("windows", "Windows"), ("mac os", "Mac OSX"), ("linux", "Linux"),
                         ("android", "Android"), ("iphone", "iOS")):  # fmt: skip
        if needle in low:
            return name
    return "Unknown" if agent else None


def record_login(
    org: Org,
    *,
    user_id: str | None,
    status: str,
    login_type: str,
    source: LoginSource,
    application: str | None = None,
    api_type: str | None = None,
    api_version: str | None = None,
    username: str | None = None,
) -> str | None:
    """Write the attempt's LoginHistory row (when the user is known) and hand it to the
    event capture; the row's id, or None when no user was named."""
    now = clock.now()
    agent = (source.user_agent or "")[:64] or None
    capture = getattr(org, "event_capture", None)
    if capture is not None:
        capture.login(
            at=now,
            user_id=user_id,
            username=username,
            status=status,
            login_type=login_type,
            source=source,
            api_type=api_type,
            api_version=api_version,
        )
    if not user_id:
        return None
    row: dict[str, Any] = {
        "id": ids.new_id("0Ya"),
        "isdeleted": False,
        "createddate": now,
        "createdbyid": user_id,
        "lastmodifieddate": now,
        "lastmodifiedbyid": user_id,
        "systemmodstamp": now,
        "userid": user_id,
        "logintime": now,
        "logintype": login_type,
        "sourceip": source.source_ip,
        "loginurl": (source.login_url or "")[:255] or None,
        "browser": agent,
        "platform": _platform(source.user_agent or ""),
        "status": status,
        "application": (application or "")[:64] or None,
        "apitype": api_type,
        "apiversion": api_version,
    }
    table = object_table("LoginHistory")
    org.store.write(lambda c: c.execute(table.insert().values(**row)))
    return str(row["id"])


__all__ = [
    "FAILED",
    "INACTIVE",
    "INVALID_PASSWORD",
    "LOCKED_OUT",
    "OAUTH",
    "OAUTH_CLIENT",
    "SOAP",
    "SUCCESS",
    "UI",
    "LoginSource",
    "record_login",
]


# -- deciding what an attempt was ---------------------------------------------------------
# The web server flow's user logged in on the authorize page (recorded there), so its
# code exchange is not a second login.
_GRANT_TYPES = {"password", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"}


def failure_status(org: Org, username: str | None, error: BaseException) -> tuple[str | None, str]:
    """(the user's id if the username names one, LoginHistory.Status) of a failed attempt."""
    from ...identity import users
    from ...identity.errors import LoginFailed

    user = None
    if username:
        with org.store.read() as conn:
            user = users.find(conn, org.schema, username=username)
    if user is None:
        return None, FAILED
    if not user.is_active:
        return user.id, INACTIVE
    if isinstance(error, LoginFailed) and getattr(error, "locked", False):
        return user.id, LOCKED_OUT
    return user.id, INVALID_PASSWORD


def record_grant(
    org: Org,
    params: dict[str, str],
    source: LoginSource,
    *,
    user_id: str | None = None,
    client_id: str | None = None,
    error: BaseException | None = None,
) -> None:
    """The LoginHistory of one OAuth token request. Refreshing a session is not a login
    and records nothing; neither does a request whose grant type is unknown."""
    from ...identity import apps, jwt

    grant = params.get("grant_type", "")
    if grant not in _GRANT_TYPES:
        return
    client_id = client_id or params.get("client_id")
    username = params.get("username")
    if grant.endswith("jwt-bearer"):
        try:
            _, claims, _, _ = jwt.parse(params.get("assertion", ""))
            username, client_id = claims.sub, client_id or claims.iss
        except Exception:  # an unreadable assertion names nobody
            username = None
    with org.store.read() as conn:
        app = apps.get(conn, client_id) if client_id else None
    if error is None:
        status = SUCCESS
    elif grant == "client_credentials" and app is not None:
        user_id, status = app.run_as_user_id, FAILED
    else:
        user_id, status = failure_status(org, username, error)
    record_login(
        org,
        user_id=user_id,
        status=status,
        login_type=OAUTH,
        source=source,
        application=app.name if app is not None else None,
        api_type="REST",
        username=username,
    )


__all__ += ["failure_status", "record_grant"]
