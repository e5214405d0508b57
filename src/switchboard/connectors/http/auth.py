"""How a credential proves who is calling: the headers each auth type adds.

* ``basic``: ``Authorization: Basic base64(username:password)`` (RFC 7617).
* ``bearer``: ``Authorization: Bearer TOKEN``.
* ``api_key``: ``HEADER: PREFIX + KEY``.
* ``oauth2``: the client credentials grant (RFC 6749 4.4): ``POST token_url`` with
  ``grant_type=client_credentials`` (and ``scope``/``audience`` when set), the client
  authenticated by HTTP Basic or in the body; the token is cached and fetched again
  ``refresh_before`` seconds before ``expires_in`` ends, and once more when the
  endpoint answers 401 (a token revoked early). Concurrent callers share one fetch.
* ``hmac``: request signing. The signed bytes are::

      METHOD "\\n" PATH "\\n" TIMESTAMP "\\n" BODY

  where METHOD is upper case, PATH is the request path with its query string exactly
  as sent (``/customers?x=1``, without the credential URL's scheme and host but with
  its path prefix), TIMESTAMP is Unix seconds as decimal digits (also sent in
  ``timestamp_header``) and BODY the raw body bytes (empty when none). The signature,
  HMAC-SHA256 (or SHA512) of those bytes keyed with the secret's UTF-8 bytes, is sent
  hex (or base64) encoded in ``header``; ``key_id`` goes in ``key_id_header``. A
  receiver recomputes it over the raw bytes it received and rejects stale timestamps.
* ``mtls`` and ``none``: no header (mTLS proves identity in the TLS handshake).

Secret values are read from the secret store when first needed and kept in memory for
``SECRET_TTL`` seconds, so a ``switchboard secret set`` reaches a running hub within
that time; they never leave this module except inside the outgoing request.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote_plus, urlsplit

import orjson

from .configuration import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    HmacAuth,
    OAuth2ClientCredentials,
    SecretRef,
)
from .errors import AuthFailed, CredentialInvalid

if TYPE_CHECKING:
    import aiohttp

SECRET_TTL = 60.0


class SecretSource(Protocol):
    def get(self, name: str) -> str: ...


class Secrets:
    """A credential's view of the secret store: values cached for ``SECRET_TTL``."""

    def __init__(self, credential: str, source: SecretSource | None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.credential = credential
        self.source = source
        self.clock = clock
        self._cache: dict[str, tuple[float, str]] = {}

    async def get(self, ref: SecretRef) -> str:
        hit = self._cache.get(ref.secret)
        if hit is not None and self.clock() - hit[0] < SECRET_TTL:
            return hit[1]
        if self.source is None:
            raise CredentialInvalid(f"credential {self.credential}: no secret store to read "
                                    f"secret {ref.secret} from")  # fmt: skip
        try:
            value = await asyncio.to_thread(self.source.get, ref.secret)
        except Exception as exc:
            if getattr(exc, "transient", False):
                raise
            raise CredentialInvalid(
                f"credential {self.credential}: secret {ref.secret} is not set; "
                f"run `switchboard secret set {ref.secret}`"
            ) from None
        self._cache[ref.secret] = (self.clock(), value)
        return value


class Authenticator:
    """Adds no header (``none``, ``mtls``)."""

    retry_on_401 = False

    async def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        return {}

    def unauthorized(self) -> None:
        """The endpoint answered 401: forget what may be stale."""


class StaticHeader(Authenticator):
    def __init__(self, secrets: Secrets, ref: SecretRef, header: str,
                 render: Callable[[str], str]) -> None:  # fmt: skip
        self.secrets, self.ref, self.header, self.render = secrets, ref, header, render

    async def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        return {self.header: self.render(await self.secrets.get(self.ref))}


class HmacSigner(Authenticator):
    def __init__(self, secrets: Secrets, config: HmacAuth,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.secrets, self.config, self.clock = secrets, config, clock

    async def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        key = (await self.secrets.get(self.config.secret)).encode()
        stamp = str(int(self.clock()))
        out = {
            self.config.header: sign(key, method, path, stamp, body,
                                     self.config.algorithm, self.config.encoding),  # fmt: skip
            self.config.timestamp_header: stamp,
        }
        if self.config.key_id:
            out[self.config.key_id_header] = self.config.key_id
        return out


def sign(key: bytes, method: str, path: str, timestamp: str, body: bytes,
         algorithm: str = "sha256", encoding: str = "hex") -> str:  # fmt: skip
    """The ``hmac`` auth type's signature (see the module docstring)."""
    message = f"{method.upper()}\n{path}\n{timestamp}\n".encode() + body
    digest = hmac.new(key, message, getattr(hashlib, algorithm)).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()


class OAuth2Token(Authenticator):
    """Client credentials: a cached token, fetched again before it expires or on 401."""

    retry_on_401 = True

    def __init__(self, name: str, secrets: Secrets, config: OAuth2ClientCredentials,
                 base_url: str, session: Callable[[], aiohttp.ClientSession],
                 timeout: float, clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.name, self.secrets, self.config = name, secrets, config
        self.session, self.timeout, self.clock = session, timeout, clock
        url = config.token_url
        self.token_url = url if urlsplit(url).scheme else base_url + "/" + url.lstrip("/")
        self._token: str | None = None
        self._expires = 0.0
        self._fetch: asyncio.Task[None] | None = None
        self.fetches = 0  # tokens fetched (observability and tests)

    async def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        if self._token is None or self.clock() >= self._expires:
            await self._refresh()
        assert self._token is not None
        return {"Authorization": f"Bearer {self._token}"}

    def unauthorized(self) -> None:
        self._token = None

    async def _refresh(self) -> None:
        task = self._fetch
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            task = self._fetch = asyncio.ensure_future(self._fetch_token())
        await asyncio.shield(task)

    async def _fetch_token(self) -> None:
        import aiohttp

        cfg = self.config
        secret = await self.secrets.get(cfg.client_secret)
        form = {"grant_type": "client_credentials"}
        if cfg.scope:
            form["scope"] = cfg.scope
        if cfg.audience:
            form["audience"] = cfg.audience
        headers = {"Accept": "application/json"}
        if cfg.client_auth == "basic":
            # RFC 6749 2.3.1: each part form-urlencoded, then HTTP Basic.
            pair = f"{quote_plus(cfg.client_id)}:{quote_plus(secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form.update(client_id=cfg.client_id, client_secret=secret)
        where = f"credential {self.name}: token endpoint {self.token_url}"
        try:
            async with self.session().post(
                self.token_url, data=form, allow_redirects=False, headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:  # fmt: skip
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AuthFailed(f"{where} unreachable ({type(exc).__name__})", transient=True) from None
        reply = _json_object(raw)
        if status != 200 or not isinstance(reply.get("access_token"), str):
            # The OAuth error code is safe to show; the body may echo what we sent.
            code = reply.get("error") if isinstance(reply.get("error"), str) else None
            raise AuthFailed(
                f"{where} answered {status}" + (f" {code}" if code else "") +
                "; check client_id and the client secret",
                transient=status >= 500 or status == 429, status=status,
            )  # fmt: skip
        try:  # expires_in is RECOMMENDED, not required (RFC 6749 5.1): an hour if absent
            seconds = max(1.0, float(reply.get("expires_in", 3600)))
        except (TypeError, ValueError):
            seconds = 3600.0
        self._token = reply["access_token"]
        # Refresh early, but never so early that a short-lived token is never used.
        margin = min(cfg.refresh_before, seconds / 2)
        self._expires = self.clock() + seconds - margin
        self.fetches += 1


def _json_object(raw: bytes) -> Mapping[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _basic(username: str) -> Callable[[str], str]:
    def render(password: str) -> str:
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    return render


def authenticator(name: str, auth: Any, secrets: Secrets, base_url: str,
                  session: Callable[[], aiohttp.ClientSession], timeout: float) -> Authenticator:  # fmt: skip
    """The authenticator of a credential's ``auth`` model."""
    if isinstance(auth, BasicAuth):
        return StaticHeader(secrets, auth.password, "Authorization", _basic(auth.username))
    if isinstance(auth, BearerAuth):
        return StaticHeader(secrets, auth.token, "Authorization", lambda v: f"Bearer {v}")
    if isinstance(auth, ApiKeyAuth):
        return StaticHeader(secrets, auth.value, auth.header, lambda v: auth.prefix + v)
    if isinstance(auth, OAuth2ClientCredentials):
        return OAuth2Token(name, secrets, auth, base_url, session, timeout)
    if isinstance(auth, HmacAuth):
        return HmacSigner(secrets, auth)
    return Authenticator()


__all__ = ["SECRET_TTL", "Authenticator", "OAuth2Token", "SecretSource", "Secrets",
           "authenticator", "sign"]  # fmt: skip
