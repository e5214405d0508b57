"""The one HTTP transport for every outbound call: :class:`HttpClient`, one per credential.

:meth:`HttpClient.send` is **one attempt**, through, in this order:

1. the endpoint's circuit breaker (an open breaker fails at once: the endpoint is not
   called);
2. the credential's rate limit (token bucket) and bulkhead (calls in flight), both
   waiting at most the call's timeout;
3. auth (headers, a cached OAuth token, an HMAC signature; mTLS in the connection);
4. aiohttp with a connect timeout and a total timeout covering the whole reply, body
   included; redirects are not followed (a 3xx is a failure, as Standard Webhooks says).

A non-2xx reply raises :class:`HttpStatusError` (with the reply); connect failures and
timeouts raise their own transient errors (see :mod:`.errors`). The same idempotency
key goes out on every attempt of one delivery (``Idempotency-Key``), so an endpoint
that deduplicates sees one effect however many times a delivery is retried.
:meth:`HttpClient.call` retries transient failures in process through
:func:`core.retry.retry_async` for callers that do not record attempts durably.

Measured on this machine (the issue's figure): aiohttp makes about 26 times httpx's
calls per second at 100 in flight, so the transport is aiohttp, one ``ClientSession``
per client and event loop, closed by the registry's stop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from ...core.retry import RetryPolicy, parse_retry_after, retry_async
from ..errors import ConnectorTerminal
from .auth import Secrets, SecretSource, authenticator
from .breaker import CircuitBreaker
from .configuration import BasicAuth, CredentialConfig
from .errors import (
    ConnectError,
    ConnectTimeout,
    HttpStatusError,
    ReadTimeout,
)
from .limits import Bulkhead, TokenBucket
from .tls import ssl_context

if TYPE_CHECKING:
    import aiohttp

USER_AGENT = "Switchboard"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    elapsed: float  # seconds from sending to the last byte

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpClient:
    """A credential's outbound HTTP client (see the module docstring)."""

    def __init__(
        self,
        name: str,
        config: CredentialConfig,
        *,
        secrets: SecretSource | None = None,
        breaker: CircuitBreaker | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.base_url = config.url
        self._prefix = urlsplit(config.url).path.rstrip("/")
        self.breaker = breaker or CircuitBreaker(_origin(config.url), config.breaker)
        self.bulkhead = Bulkhead(name, config.max_in_flight)
        limit = config.rate_limit
        self.bucket = TokenBucket(name, limit.per_second, limit.burst) if limit else None
        self._secrets = Secrets(name, secrets)
        self._base_dir = base_dir
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
        self._template_context: dict[str, Any] | None = None
        self.auth = authenticator(name, config.auth, self._secrets, config.url,
                                  self._current_session, config.connect_timeout + 10.0)  # fmt: skip

    # -- what templates may see -----------------------------------------------------------
    def template_context(self) -> dict[str, Any]:
        """The credential's non-secret fields, for request templates (``credential.url``).

        Built once (the configuration is frozen) and copied per call, so a template
        that changes its dict changes only its own."""
        if self._template_context is None:
            self._template_context = self._non_secret_fields()
        return dict(self._template_context)

    def _non_secret_fields(self) -> dict[str, Any]:
        auth = self.config.auth
        out: dict[str, Any] = {"name": self.name, "url": self.base_url, "auth": auth.type}
        if isinstance(auth, BasicAuth):
            out["username"] = auth.username
        for key in ("client_id", "key_id", "header"):
            if hasattr(auth, key):
                out[key] = getattr(auth, key)
        return out

    # -- sessions -------------------------------------------------------------------------
    def _current_session(self) -> aiohttp.ClientSession:
        return self._sessions[asyncio.get_running_loop()]

    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is not None and not session.closed:
            return session
        # The first call on this loop: build its session (and the TLS context).
        import aiohttp

        ctx = await ssl_context(self.name, self.config.tls, self._secrets, self._base_dir)
        connector = aiohttp.TCPConnector(
            limit=0,  # the bulkhead bounds calls in flight, per credential
            ssl=ctx if ctx is not None else True,
            enable_cleanup_closed=True,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": USER_AGENT},
            auto_decompress=True,
            # Calls are stateless: a Set-Cookie of one delivery's reply must never ride
            # on the next (another record's, another caller's). The dummy jar also
            # spares every request the jar's filtering and every reply its parsing.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self._sessions = {lp: s for lp, s in self._sessions.items() if not lp.is_closed()}
        self._sessions[loop] = session
        return session

    async def close(self) -> None:
        """Close this loop's session (others' loops are gone or close their own)."""
        loop = asyncio.get_running_loop()
        session = self._sessions.pop(loop, None)
        if session is not None:
            await session.close()

    # -- calling --------------------------------------------------------------------------
    def url_for(self, path: str) -> str:
        if not path.startswith("/") or path.startswith("//"):
            # A rendered path is joined to the credential's host, never replaces it.
            raise ConnectorTerminal(
                f"credential {self.name}: path must start with a single /, got an "
                "absolute or relative reference"
            )
        return self.base_url + path

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
        idempotency_key: str | None = None,
    ) -> HttpResponse:
        """One attempt; a non-2xx reply or a transport failure raises (see :mod:`.errors`)."""
        url = self.url_for(path)
        method = method.upper()
        start = time.monotonic()
        permit = self.breaker.acquire()
        try:
            if self.bucket is not None:
                await self.bucket.take(timeout)
            slot = await self.bulkhead.enter(timeout - (time.monotonic() - start))
            try:
                response = await self._exchange(method, url, path, headers, body,
                                                timeout - (time.monotonic() - start),
                                                idempotency_key)  # fmt: skip
            finally:
                self.bulkhead.leave(slot)
        except (ConnectError, ConnectTimeout, ReadTimeout):
            permit.failure()
            raise
        except BaseException:
            permit.release()  # ours (auth, bulkhead, rate limit) or cancelled: no verdict
            raise
        if response.status >= 500 or response.status == 429:
            permit.failure()
        else:
            permit.success()  # a 4xx is the endpoint answering: it is up
        if not 200 <= response.status < 300:
            raise HttpStatusError(
                f"{method} {self.name}{path} answered {response.status}",
                response,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return response

    async def _exchange(self, method: str, url: str, path: str,
                        headers: Mapping[str, str] | None, body: bytes | None,
                        timeout: float, idempotency_key: str | None) -> HttpResponse:  # fmt: skip
        import aiohttp  # already loaded by _session; deferred so the registry stays light

        session = await self._session()
        sent = {**self.config.headers, **(headers or {})}
        if idempotency_key is not None:
            sent["Idempotency-Key"] = idempotency_key
        signed_path = self._prefix + path
        budget = max(timeout, 0.001)
        # Connect, read (silence between bytes) and total (the caller's timeout, reply
        # body included): the total always bounds the others.
        limits = aiohttp.ClientTimeout(
            total=budget, sock_connect=min(self.config.connect_timeout, budget),
            sock_read=min(self.config.read_timeout, budget) if self.config.read_timeout else None,
        )  # fmt: skip
        for retry_auth in (self.auth.retry_on_401, False):
            auth_headers = await self.auth.headers(method, signed_path, body or b"")
            t0 = time.monotonic()
            try:
                async with session.request(
                    method, url, headers={**sent, **auth_headers}, data=body,
                    timeout=limits, allow_redirects=False,
                ) as resp:  # fmt: skip
                    raw = await resp.read()
                    # The reply's own read-only, case-insensitive headers (no copy).
                    response = HttpResponse(resp.status, resp.headers, raw,
                                            time.monotonic() - t0)  # fmt: skip
            except aiohttp.ClientConnectorCertificateError:
                raise ConnectError(f"{method} {self.name}{path}: the server's TLS certificate "
                                   "is not trusted", transient=False) from None  # fmt: skip
            except (aiohttp.ConnectionTimeoutError, aiohttp.ServerTimeoutError) as exc:
                kind = ConnectTimeout if isinstance(exc, aiohttp.ConnectionTimeoutError) else ReadTimeout
                raise kind(f"{method} {self.name}{path}: no reply within {budget:.3g}s") from None
            except TimeoutError:
                raise ReadTimeout(f"{method} {self.name}{path}: no reply within {budget:.3g}s") from None
            except aiohttp.ClientConnectorError as exc:
                raise ConnectError(f"{method} {self.name}{path}: cannot connect "
                                   f"({exc.os_error.__class__.__name__})") from None  # fmt: skip
            except (aiohttp.ClientError, OSError) as exc:
                raise ConnectError(f"{method} {self.name}{path}: connection failed "
                                   f"({type(exc).__name__})") from None  # fmt: skip
            if response.status == 401 and retry_auth:
                self.auth.unauthorized()  # a token revoked early: fetch one and try once more
                continue
            return response
        return response

    async def call(self, method: str, path: str, *, policy: RetryPolicy | None = None,
                   **kwargs: Any) -> HttpResponse:  # fmt: skip
        """:meth:`send` with in-process retries of transient failures (one key for all)."""
        return await retry_async(policy or RetryPolicy(),
                                 lambda: self.send(method, path, **kwargs))  # fmt: skip


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname}:{port}"


__all__ = ["HttpClient", "HttpResponse"]
