"""An org's named credential (deployed from SFDX ``namedCredentials/``) as an HTTP credential.

The legacy named credential's ``protocol`` decides the auth:

* ``NoAuthentication`` -> ``none``;
* ``Password`` -> ``basic`` with the file's ``username`` and the password kept as the
  secret ``<Name>.password`` (``switchboard secret set <Name>.password``; Salesforce
  never retrieves a password into source, and neither do we read one from it);
* ``Oauth``, ``AwsSv4``, ``Jwt``, ``JwtExchange`` and the rest need an auth provider or
  an external credential Switchboard does not model yet: using one is a terminal
  :class:`CredentialInvalid` that says so; declare it in ``switchboard.yaml`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .configuration import BasicAuth, CredentialConfig, NoAuth, SecretRef
from .errors import CredentialInvalid

SUPPORTED_PROTOCOLS = ("NoAuthentication", "Password")


def password_secret(name: str) -> str:
    """The secret holding a Password named credential's password."""
    return f"{name}.password"


def credential_of(record: Mapping[str, Any]) -> CredentialConfig:
    name = str(record["name"])
    protocol = str(record.get("protocol") or "NoAuthentication")
    auth: Any
    if protocol == "NoAuthentication":
        auth = NoAuth()
    elif protocol == "Password":
        auth = BasicAuth(type="basic", username=str(record.get("username") or ""),
                         password=SecretRef(secret=password_secret(name)))  # fmt: skip
    else:
        raise CredentialInvalid(
            f"named credential {name}: protocol {protocol} is not supported (only "
            f"{', '.join(SUPPORTED_PROTOCOLS)}); declare {name} under credentials: in "
            "switchboard.yaml instead"
        )
    try:
        return CredentialConfig(url=str(record["endpoint"]), auth=auth)
    except ValueError:
        raise CredentialInvalid(f"named credential {name}: endpoint is not an http(s) URL") from None


__all__ = ["SUPPORTED_PROTOCOLS", "credential_of", "password_secret"]
