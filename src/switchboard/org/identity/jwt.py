"""The JWT bearer assertion: RS256, checked against the app's registered certificates.

Salesforce's rules: ``iss`` is the client id, ``sub`` the username, ``aud`` the login
URL (here: the org's URL the request came in on), ``exp`` in the future (we allow
30 seconds of clock skew). Only RS256 is accepted, whatever the header claims
otherwise, so an assertion cannot downgrade itself to ``none`` or an HMAC.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...core import clock
from .errors import invalid_client_id, invalid_grant

_SKEW_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Claims:
    iss: str
    sub: str
    aud: list[str]
    exp: float


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parse(assertion: str) -> tuple[dict[str, Any], Claims, bytes, bytes]:
    """Header, claims, signed bytes and signature; ``invalid_grant`` when malformed."""
    try:
        head, body, sig = assertion.strip().split(".")
        header = json.loads(_b64(head))
        payload = json.loads(_b64(body))
        aud = payload.get("aud")
        claims = Claims(
            str(payload["iss"]),
            str(payload["sub"]),
            [str(a) for a in (aud if isinstance(aud, list) else [aud])],
            float(payload["exp"]),
        )
        return header, claims, f"{head}.{body}".encode(), _b64(sig)
    except (ValueError, KeyError, TypeError):
        raise invalid_grant("invalid assertion") from None


def verify(assertion: str, certificates: list[str], audience: str, client_id: str) -> Claims:
    """The assertion's claims once its signature and claims check out."""
    header, claims, signed, signature = parse(assertion)
    if header.get("alg") != "RS256":
        raise invalid_grant("invalid assertion")
    if not _signed_by_any(signed, signature, certificates):
        raise invalid_grant("invalid assertion")
    if claims.iss != client_id:
        raise invalid_client_id()
    if audience.rstrip("/") not in (a.rstrip("/") for a in claims.aud):
        raise invalid_grant("audience is invalid")
    if claims.exp + _SKEW_SECONDS < clock.now().replace(tzinfo=UTC).timestamp():
        raise invalid_grant("invalid assertion: expired")
    return claims


def _signed_by_any(signed: bytes, signature: bytes, certificates: list[str]) -> bool:
    for pem in certificates:
        key = x509.load_pem_x509_certificate(pem.encode()).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        try:
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            return True
        except InvalidSignature:
            continue
    return False


__all__ = ["Claims", "parse", "verify"]
