"""Identity test helpers: OAuth as clients speak it (form posts, HTTP Basic, RS256
assertions), PKCE pairs, and the Idp handle the identity fixtures build."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from support.server import Server

CALLBACK = "http://localhost:1717/OauthRedirect"


def _kv(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_key_and_cert(tmp: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "switchboard-jwt-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    path = tmp / "jwt.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, path


def sign_jwt(key: rsa.RSAPrivateKey, claims: dict[str, Any], alg: str = "RS256") -> str:
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64url(json.dumps(claims).encode())
    sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64url(sig)}"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge


@dataclass
class Idp:
    server: Server
    user: str
    password: str
    security_token: str
    user_id: str
    app_id: str
    app_secret: str
    key: rsa.RSAPrivateKey
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return self.server.instance_url

    def token(self, **data: str) -> requests.Response:
        return self.http.post(f"{self.url}/services/oauth2/token", data=data, timeout=30)

    def password_grant(
        self, username: str | None = None, password: str | None = None
    ) -> requests.Response:
        s = self.server
        return self.token(
            grant_type="password",
            client_id=s.client_id,
            client_secret=s.client_secret,
            username=username or s.username,
            password=s.password if password is None else password,
        )

    def jwt(self, **overrides: Any) -> str:
        claims = {
            "iss": self.app_id,
            "sub": self.user,
            "aud": self.url,
            "exp": int(time.time()) + 180,
        }
        claims.update(overrides)
        return sign_jwt(self.key, claims)

    def get(self, path: str, token: str) -> requests.Response:
        return self.http.get(
            self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def authorize(self, challenge: str | None = None, state: str = "st4te") -> str:
        """The web server flow up to the code, as a browser would drive the login page."""
        params = {
            "response_type": "code",
            "client_id": self.app_id,
            "redirect_uri": CALLBACK,
            "state": state,
        }
        if challenge:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        page = self.http.get(f"{self.url}/services/oauth2/authorize", params=params, timeout=30)
        assert page.status_code == 200 and "<form" in page.text
        posted = self.http.post(
            f"{self.url}/services/oauth2/authorize",
            data={**params, "username": self.user, "password": self.password},
            allow_redirects=False,
            timeout=30,
        )
        assert posted.status_code == 302, posted.text
        location = posted.headers["location"]
        assert location.startswith(CALLBACK + "?")
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(location).query)
        assert query["state"] == [state]
        return query["code"][0]
