"""The org's named credentials, as deployed from SFDX ``namedCredentials/`` sources.

Only what a legacy named credential's source holds is kept: its endpoint, label,
principal type, protocol and (for ``Password``) the username. Passwords are never in
source; for a ``Password`` credential the hub reads the secret ``<Name>.password``.
The org only stores them: what they mean for an HTTP call is the HTTP connector's
business (``connectors.http.named``), since the org does not import connectors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from ...core import clock
from ...store.engine import Store
from .tables import named_credential


@dataclass(frozen=True)
class NamedCredentialDef:
    name: str
    label: str
    endpoint: str
    principal_type: str = "NamedUser"
    protocol: str = "NoAuthentication"
    username: str | None = None


class NamedCredentials:
    def __init__(self, store: Store) -> None:
        self.store = store

    def deploy(self, credentials: list[NamedCredentialDef]) -> int:
        """Create or replace each credential (all in one transaction); how many."""

        def work(conn: sa.Connection) -> int:
            now = clock.now()
            for cred in credentials:
                values = {**asdict(cred), "deployed_at": now}
                conn.execute(sa.delete(named_credential).where(named_credential.c.name == cred.name))
                conn.execute(sa.insert(named_credential).values(**values))
            return len(credentials)

        return self.store.write(work) if credentials else 0

    def get(self, name: str) -> dict[str, Any] | None:
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(named_credential).where(named_credential.c.name == name)
            ).mappings().first()  # fmt: skip
        return dict(row) if row is not None else None

    def names(self) -> list[str]:
        with self.store.read() as conn:
            return [r[0] for r in conn.execute(
                sa.select(named_credential.c.name).order_by(named_credential.c.name))]  # fmt: skip

    def delete(self, name: str) -> bool:
        return bool(self.store.write(lambda conn: conn.execute(
            sa.delete(named_credential).where(named_credential.c.name == name)).rowcount))  # fmt: skip


__all__ = ["NamedCredentialDef", "NamedCredentials"]
