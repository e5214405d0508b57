"""The org's migration chains, in the order ``Org.open`` runs them.

Each chain is declared with its layer's tables (see :mod:`store.migrations`); the
store's own chain (``sb_meta``) always runs first. A layer below the org that owns
tables (events) is listed here too, since the org is what opens the database.
"""

from __future__ import annotations

from ..events.tables import CHAIN as EVENTS
from ..store.migrations import Chain
from .bulk.tables import CHAIN as BULK
from .dml.tables import CHAIN as DML
from .duplicates.tables import CHAIN as DUPLICATES
from .files.tables import CHAIN as FILES
from .identity.tables import CHAIN as IDENTITY
from .schema.tables import CHAIN as SCHEMA
from .secrets.tables import CHAIN as SECRETS
from .security.encryption.tables import CHAIN as ENCRYPTION
from .security.sharing.tables import CHAIN as SHARING
from .security.trail.tables import CHAIN as TRAIL
from .soql.tables import CHAIN as SOQL
from .usage_tables import CHAIN as USAGE

ORG_CHAINS: list[Chain] = [
    SCHEMA, IDENTITY, DML, USAGE, EVENTS, SOQL, BULK, SECRETS, FILES, SHARING, ENCRYPTION, TRAIL,
    DUPLICATES,
]

# The step that began the delete log: deletions before it were never logged.
DELETE_LOG = (DML.name, 2)

__all__ = ["DELETE_LOG", "ORG_CHAINS"]
