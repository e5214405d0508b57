"""SFDX ``namedCredentials/*.namedCredential-meta.xml``: named credentials to deploy.

A legacy named credential's source holds ``endpoint``, ``label``, ``principalType``
(``Anonymous``, ``NamedUser``, ``PerUser``) and ``protocol`` (``NoAuthentication``,
``Password``, ``Oauth``, ...), and for ``Password`` a ``username``. Newer ones
(``namedCredentialType`` ``SecuredEndpoint``) give the URL as a parameter of type ``Url``
and their auth through an external credential, which Switchboard does not model: they
deploy with protocol ``ExternalCredential`` and a warning, and a callout using one is
told to declare the credential in ``switchboard.yaml`` instead.

Salesforce never retrieves a password into source; one found there anyway is not
stored with the credential: it is handed back (``passwords``) for the caller to seal in
the org's secret store as ``<Name>.password``, with a warning to remove it from source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...secrets.credentials import NamedCredentialDef
from ..errors import SfdxError
from ._xml import Node, load

SUFFIX = ".namedCredential-meta.xml"
PRINCIPAL_TYPES = ("Anonymous", "NamedUser", "PerUser")


@dataclass
class NamedCredentialSource:
    credentials: list[NamedCredentialDef] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)  # name -> password found in source
    warnings: list[str] = field(default_factory=list)


def _endpoint(node: Node) -> str | None:
    url = node.text("endpoint")
    if url:
        return url
    for param in node.children("namedCredentialParameters"):
        if param.text("parameterType") == "Url":
            return param.text("parameterValue")
    return None


def read_named_credential(path: Path, shown: str, out: NamedCredentialSource) -> None:
    node = load(path, shown)
    name = path.name[: -len(SUFFIX)]
    endpoint = _endpoint(node)
    if not endpoint:
        raise SfdxError(f"{shown}: a named credential needs an endpoint", path=shown)
    kind = node.text("namedCredentialType") or "Legacy"
    protocol = node.text("protocol") or "NoAuthentication"
    if kind != "Legacy":
        protocol = "ExternalCredential"
        out.warnings.append(f"{shown}: {kind} named credentials authenticate through an "
                            "external credential, which is not supported; deployed without "
                            "auth: declare it in switchboard.yaml to call it")  # fmt: skip
    principal = node.text("principalType") or "NamedUser"
    if principal not in PRINCIPAL_TYPES:
        raise SfdxError(f"{shown}: principalType must be one of {', '.join(PRINCIPAL_TYPES)}",
                        path=shown)  # fmt: skip
    if principal == "PerUser":
        out.warnings.append(f"{shown}: PerUser credentials are used as NamedUser (one identity)")
    password = node.text("password")
    if password:
        out.passwords[name] = password
        out.warnings.append(f"{shown}: the password is sealed in the org's secret store as "
                            f"{name}.password; remove it from source")  # fmt: skip
    out.credentials.append(NamedCredentialDef(
        name=name, label=node.text("label") or name, endpoint=endpoint,
        principal_type=principal, protocol=protocol, username=node.text("username"),
    ))  # fmt: skip


def read_named_credentials(folders: list[Path], shown: object) -> NamedCredentialSource:
    """Every ``*.namedCredential-meta.xml`` in ``folders``; ``shown(path)`` names files."""
    out = NamedCredentialSource()
    for folder in folders:
        for path in sorted(folder.glob("*" + SUFFIX)):
            read_named_credential(path, shown(path), out)  # type: ignore[operator]
    return out


__all__ = ["SUFFIX", "NamedCredentialSource", "read_named_credential", "read_named_credentials"]
