"""An HTTP credential (Salesforce's named credential): a base URL, how to authenticate,
and how hard the hub may push the endpoint.

As written under ``credentials:`` in ``switchboard.yaml``::

    erp:
      url: https://erp.example.com/api
      auth: {type: bearer, token: {secret: erp_token}}
      max_in_flight: 32                  # bulkhead: calls in flight at once
      rate_limit: {per_second: 50, burst: 100}
      breaker: {failure_rate: 0.5, window: 100, min_calls: 20, open_for: 60s, trial_calls: 10}
      tls: {ca: {file: certs/erp-ca.pem}, cert: {file: certs/me.pem}, key: {secret: me_key}}

A secret (a token, a password, a client secret, a private key) is always a reference,
``{secret: NAME}``, to the org's encrypted secret store (``switchboard secret set NAME``);
writing one in clear is a validation error. Certificates may also come from files
(``{file: PATH}``, relative to the project folder).

Auth types: ``none``; ``basic`` (username, password); ``bearer`` (token); ``api_key``
(a header carrying the key); ``oauth2`` (client credentials grant: the token is cached
and fetched again ``refresh_before`` ahead of its expiry, and once on a 401); ``hmac``
(request signing, see :mod:`.auth`); ``mtls`` (the client certificate of ``tls`` is the
only proof of identity).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ...core.durations import parse_duration

SECRET_NAME = r"^[A-Za-z][A-Za-z0-9_.\-]{0,254}$"
LITERAL_SECRET = (
    "a secret is never written in switchboard.yaml: write {secret: NAME} here and store "
    "the value with `switchboard secret set NAME`"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Model):
    """A value kept in the org's secret store, by name."""

    secret: str = Field(pattern=SECRET_NAME)


class FileRef(_Model):
    """A file's content (certificates), relative to the project folder."""

    file: str


def _no_literal(value: Any) -> Any:
    if isinstance(value, str | bytes | int | float) and not isinstance(value, bool):
        # The message never repeats the value: it is the secret.
        raise PydanticCustomError("literal_secret", LITERAL_SECRET)
    return value


Secret = Annotated[SecretRef, BeforeValidator(_no_literal)]
Material = Annotated[SecretRef | FileRef, BeforeValidator(_no_literal)]


def _seconds(value: Any) -> float:
    return parse_duration(value)


Seconds = Annotated[float, BeforeValidator(_seconds)]


class NoAuth(_Model):
    type: Literal["none"] = "none"


class BasicAuth(_Model):
    type: Literal["basic"]
    username: str
    password: Secret


class BearerAuth(_Model):
    type: Literal["bearer"]
    token: Secret


class ApiKeyAuth(_Model):
    type: Literal["api_key"]
    header: str = "X-API-Key"
    value: Secret
    prefix: str = ""  # e.g. "ApiKey " when the header wants a scheme before the key


class OAuth2ClientCredentials(_Model):
    type: Literal["oauth2"]
    token_url: str  # absolute, or a path on the credential's url
    client_id: str
    client_secret: Secret
    scope: str | None = None
    audience: str | None = None
    # client_secret_basic (RFC 6749 2.3.1, the recommended one) or client_secret_post.
    client_auth: Literal["basic", "body"] = "basic"
    refresh_before: Seconds = 30.0  # fetch a new token this long before the old expires


class HmacAuth(_Model):
    type: Literal["hmac"]
    secret: Secret
    algorithm: Literal["sha256", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    header: str = "X-Signature"
    timestamp_header: str = "X-Signature-Timestamp"
    key_id: str | None = None  # sent in ``key_id_header`` so the receiver picks the key
    key_id_header: str = "X-Signature-Key-Id"


class MtlsAuth(_Model):
    type: Literal["mtls"]


Auth = Annotated[
    NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuth2ClientCredentials | HmacAuth | MtlsAuth,
    Field(discriminator="type"),
]
AUTH_TYPES = ("none", "basic", "bearer", "api_key", "oauth2", "hmac", "mtls")


class TlsConfig(_Model):
    ca: Material | None = None  # trust only this CA (PEM) instead of the system's
    cert: Material | None = None  # client certificate (PEM) for mTLS
    key: Material | None = None  # its private key (PEM): a secret or a file
    verify: bool = True

    @model_validator(mode="after")
    def _pair(self) -> TlsConfig:
        if (self.cert is None) != (self.key is None):
            raise ValueError("tls: a client certificate needs both cert and key")
        return self


class RateLimitConfig(_Model):
    per_second: float = Field(gt=0)
    burst: int | None = Field(default=None, ge=1)  # tokens saved up; per_second when unset


class BreakerConfig(_Model):
    """Resilience4j's defaults (50% over 100 calls, 60 s open, 10 trials), except that
    the rate is judged from ``min_calls`` calls on: a dead endpoint opens the breaker
    after 20 failed attempts, not 100."""

    failure_rate: float = Field(default=0.5, gt=0, le=1)
    window: int = Field(default=100, ge=1)
    min_calls: int = Field(default=20, ge=1)
    open_for: Seconds = 60.0
    trial_calls: int = Field(default=10, ge=1)
    enabled: bool = True

    @field_validator("failure_rate", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().endswith("%"):
            return float(value.strip()[:-1]) / 100
        return value


class CredentialConfig(_Model):
    url: str
    auth: Auth = Field(default_factory=NoAuth)
    tls: TlsConfig | None = None
    headers: dict[str, str] = Field(default_factory=dict)  # sent on every call (no secrets)
    connect_timeout: Seconds = 5.0
    # Longest silence while reading a reply; the call's own timeout bounds the whole call.
    read_timeout: Seconds | None = None
    max_in_flight: int = Field(default=64, ge=1)
    rate_limit: RateLimitConfig | None = None
    breaker: BreakerConfig = Field(default_factory=BreakerConfig)

    @field_validator("auth", mode="before")
    @classmethod
    def _auth_shorthand(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise PydanticCustomError("literal_secret", LITERAL_SECRET)
        if parts.query or parts.fragment:
            raise ValueError("url takes no query or fragment; put them in the request path")
        return value.rstrip("/")

    @field_validator("headers")
    @classmethod
    def _no_secret_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in ("authorization", "proxy-authorization", "cookie", "x-api-key"):
                raise PydanticCustomError("literal_secret", LITERAL_SECRET)
        return value

    @model_validator(mode="after")
    def _mtls(self) -> CredentialConfig:
        if isinstance(self.auth, MtlsAuth) and (self.tls is None or self.tls.cert is None):
            raise ValueError("auth type mtls needs tls: {cert: ..., key: ...}")
        return self

    def secret_names(self) -> list[str]:
        """Every secret this credential references (checked to exist by project check)."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, SecretRef):
                found.append(node.secret)
            elif isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    walk(getattr(node, name))

        walk(self)
        return found


__all__ = [
    "AUTH_TYPES",
    "ApiKeyAuth",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "BreakerConfig",
    "CredentialConfig",
    "FileRef",
    "HmacAuth",
    "MtlsAuth",
    "NoAuth",
    "OAuth2ClientCredentials",
    "RateLimitConfig",
    "SecretRef",
    "TlsConfig",
]
