"""``/services/oauth2/userinfo`` (OpenID Connect) and the identity URL ``/id/ORG/USER``.

The Salesforce CLI reads user_id, organization_id and preferred_username from userinfo
when it logs in with an access token; both answer with Salesforce's field names.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...core import ids
from ...core.errors import InvalidSession
from ...org.identity import users
from ..call import authenticate, bearer
from ..errors import render_error
from ..responses import json_response
from ._common import base_url, org_of
from .token import identity_url


def _urls(base: str, org15: str, user18: str) -> dict[str, str]:
    data = f"{base}/services/data/v{{version}}"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org15}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{org15}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org15}",
        "rest": data + "/",
        "sobjects": data + "/sobjects/",
        "search": data + "/search/",
        "query": data + "/query/",
        "recent": data + "/recent/",
        "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org15}",
        "tooling_rest": data + "/tooling/",
        "profile": f"{base}/{user18}",
        "feeds": data + "/chatter/feeds",
        "groups": data + "/chatter/groups",
        "users": data + "/chatter/users",
        "feed_items": data + "/chatter/feed-items",
        "feed_elements": data + "/chatter/feed-elements",
        "custom_domain": base,
    }


def _common(request: Request) -> tuple[Any, users.User, str, str] | Response:
    org = org_of(request)
    try:
        session = authenticate(org, bearer(request.headers))
        with org.store.read() as conn:
            user = users.find(conn, org.schema, user_id=session.user_id)
        if user is None:
            raise InvalidSession()
    except Exception as exc:
        return render_error(exc, {"WWW-Authenticate": "Token"})
    return org, user, base_url(request), ids.to18(org.org_id[:15])


def _userinfo(request: Request) -> Response:
    got = _common(request)
    if isinstance(got, Response):
        return got
    org, user, base, org18 = got
    urls = _urls(base, org18[:15], user.id)
    photos = {"picture": f"{base}/profilephoto/005/F", "thumbnail": f"{base}/profilephoto/005/T"}
    updated = user.last_modified.replace(tzinfo=UTC) if user.last_modified else None
    return json_response(
        {
            "sub": identity_url(base, org18, user.id),
            "user_id": user.id,
            "organization_id": org18,
            "preferred_username": user.username,
            "nickname": user.username.split("@")[0],
            "name": user.name,
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": user.time_zone or "GMT",
            "photos": photos,
            "profile": f"{base}/{user.id}",
            "picture": photos["picture"],
            "address": {},
            "is_salesforce_integration_user": False,
            "urls": urls,
            "active": user.is_active,
            "user_type": (user.user_type or "Standard").upper(),
            "language": user.language or "en_US",
            "locale": user.locale or "en_US",
            "utcOffset": 0,
            "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ") if updated else None,
            "is_app_installed": True,
        }
    )


def _identity(request: Request) -> Response:
    got = _common(request)
    if isinstance(got, Response):
        return got
    org, user, base, org18 = got
    if request.path_params.get("user", "")[:15] != user.id[:15]:
        return render_error(InvalidSession("Bad_Id"), None)
    urls = _urls(base, org18[:15], user.id)
    updated = user.last_modified.replace(tzinfo=UTC) if user.last_modified else None
    return json_response(
        {
            "id": identity_url(base, org18, user.id),
            "asserted_user": True,
            "user_id": user.id,
            "organization_id": org18,
            "username": user.username,
            "nick_name": user.username.split("@")[0],
            "display_name": user.name,
            "email": user.email,
            "email_verified": True,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": user.time_zone or "GMT",
            "urls": urls,
            "active": user.is_active,
            "user_type": (user.user_type or "Standard").upper(),
            "language": user.language or "en_US",
            "locale": user.locale or "en_US",
            "utcOffset": 0,
            "last_modified_date": updated.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            if updated
            else None,
            "is_app_installed": True,
        }
    )


async def userinfo(request: Request) -> Response:
    return await run_in_threadpool(_userinfo, request)


async def identity(request: Request) -> Response:
    return await run_in_threadpool(_identity, request)


__all__ = ["identity", "userinfo"]
