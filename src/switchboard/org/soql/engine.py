"""The query service of one org: text in, a Salesforce query reply out.

Parse and compile go through the plan cache; execution reads through one connection;
replies longer than a page get a query locator. The Runtime builds one engine for its
org and hands it to the API and the bulk worker (no module-level registry: two orgs in
one process, as in tests, never share a plan cache or kept groups).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from ..security.sharing.predicate import ROLE_PARAM, subordinates_probe
from . import locators
from .cache import PlanCache
from .compiler import Params, compile_query
from .dialects import dialect_for
from .executor import Access, Plan, Statement, prepare, run_page
from .explain import explain
from .parser import parse
from .restrictions import check_restrictions

if TYPE_CHECKING:
    from ..runtime import Org
    from ..security.principal import Principal

DEFAULT_BATCH = 2000
# The most users below a caller's role that are bound into the query as a list of owners
# (sharing.predicate); past it the database reads them itself, through the subquery.
LISTED_OWNERS = 500
# How long a role seen with more users below it than that is trusted to still have them,
# and how many such roles are kept (sharing.predicate: a no only ever costs speed).
_RANKED_TTL = 30.0
_RANKED_KEPT = 4096
MIN_BATCH = 200


def _slots(n: int) -> int:
    """The owner list's slots for ``n`` owners: 1 for the caller alone, else the next
    power of two, so that a few statement texts (and plans) serve every list length."""
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def batch_size(header: str | None) -> int:
    """``Sforce-Query-Options: batchSize=N``, held to Salesforce's 200..2000."""
    for part in (header or "").split(","):
        name, _, value = part.partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(DEFAULT_BATCH, int(value.strip())))
    return DEFAULT_BATCH


class QueryEngine:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.dialect = dialect_for(org.store.dialect)
        self.cache: PlanCache[Plan] = PlanCache()
        self.groups = locators.KeptGroups(org.settings.query_locator_ttl)
        self._probe: Statement | None = None
        # Roles found to have more users below them than LISTED_OWNERS, with when: the
        # general predicate is right for any caller, so trusting this a while only ever
        # costs speed (a role that lost them keeps the general plan until the entry ages).
        self._ranked: dict[str, float] = {}

    def plan(
        self,
        text: str,
        all_rows: bool,
        principal: Principal | None = None,
        *,
        owners: int = 0,
    ) -> Plan:
        """The cached plan; ``owners`` compiles the sharing predicate for a list of that
        many owners (1: the caller alone, OwnerId = :user; sharing.predicate), each
        length kept apart from the general plan."""
        schema = self.org.schema
        schema.refresh()

        def build() -> Plan:
            parsed = parse(text)
            check_restrictions(parsed)
            compiled = compile_query(
                schema,
                parsed,
                self.dialect,
                all_rows=all_rows,
                principal=principal,
                alone=owners == 1,
                owners=owners if owners > 1 else 0,
            )
            return prepare(compiled, self.org.store.engine.dialect)

        access = "" if principal is None else principal.fingerprint
        if owners:
            access += "/alone" if owners == 1 else f"/owners{owners}"
        # Plans hold the ciphertexts of literals compared with encrypted fields: a new key
        # version (a rotation) makes them stale as a deploy does.
        version = schema.version + (schema.keyring.poll() << 32)
        return self.cache.get(text, all_rows, version, build, access)

    def query(
        self,
        text: str,
        *,
        version: str,
        all_rows: bool = False,
        batch: int = DEFAULT_BATCH,
        user_id: str = "",
        position: int = 0,
        locator: str | None = None,
        today: dt.date | None = None,
        principal: Principal | None = None,
    ) -> dict[str, Any]:
        """Run one page; ``today`` (UTC) pins relative date literals, for tests.

        ``principal`` is the caller whose access applies (:mod:`org.security`); None
        runs in the org's own context, for internal readers."""
        plan = self.plan(text, all_rows, principal)
        kept = None
        if locator is not None and plan.mode == "aggregate":
            kept = self.groups.get(locator, plan)
        with self.org.store.read() as conn:
            plan, access, slots = self.bind(conn, plan, text, all_rows, principal)
            while True:
                page = run_page(
                    plan,
                    conn,
                    self.org.schema,
                    position=position,
                    batch=batch,
                    version=version,
                    today=today,
                    groups=kept,
                    access=access,
                )
                # A plan compares encrypted fields with literals sealed under the versions
                # known when it was built. A rotation committed since, and a re-seal
                # moving rows to the new version before this page was read, would hide
                # them; the re-seal commits after the rotation, so a version newer than
                # the plan's, read after the page, is the sign: plan again and re-read.
                moved = plan.sealed_under is not None and self.org.schema.keyring.moved_past(
                    conn, plan.sealed_under
                )
                if not moved:
                    break
                plan = self.plan(text, all_rows, principal, owners=slots)
                kept = None  # groups read under the old plan are read again
        reply: dict[str, Any] = {"totalSize": page.total, "done": True, "records": page.records}
        if plan.mode != "count" and page.next_position < page.total:
            ttl = self.org.settings.query_locator_ttl
            if locator is None:
                locator = locators.create(self.org.store, text, all_rows, batch, user_id, ttl)
            if page.groups is not None and kept is None:
                self.groups.put(locator, plan, page.groups)
            reply["done"] = False
            reply["nextRecordsUrl"] = (
                f"/services/data/v{version}/query/{locator}-{page.next_position}"
            )
        elif kept is not None and locator is not None:
            # The last page has been read; an earlier page may still be asked for again,
            # and is then recomputed.
            self.groups.discard(locator)
        return reply

    def bind(
        self, conn: Any, plan: Plan, text: str, all_rows: bool, principal: Principal | None
    ) -> tuple[Plan, Access, int]:
        """The plan and the access values for ``principal``'s query, decided in ``conn``'s
        transaction (the owner list is read there), with the owner slots it compiled for.
        Every reader of SOQL pages (REST query, Bulk query jobs) binds through here."""
        if principal is None:
            return plan, None, 0
        access: Access = (principal.user_id, principal.role_id)
        owners = self._owners(conn, principal) if plan.main.ranked else None
        if owners is None:
            return plan, access, 0
        slots = _slots(len(owners))
        plan = self.plan(text, all_rows, principal, owners=slots)
        return plan, (principal.user_id, principal.role_id, owners), slots

    def _owners(self, conn: Any, principal: Principal) -> tuple[str, ...] | None:
        """The caller and the users below their role, when those are at most
        ``LISTED_OWNERS``: one indexed read of the role closure, in the query's own
        transaction, so the list is never stale (a stale one would hide a new
        subordinate's records, or show a departed one's). None when there are more; that
        is kept for ``_RANKED_TTL`` seconds."""
        role = principal.role_id
        if role is None:
            return (principal.user_id,)
        seen = self._ranked.get(role)
        if seen is not None and time.monotonic() - seen < _RANKED_TTL:
            return None
        probe = self._probe
        if probe is None:  # the SQL never changes: User's table and the closure's are fixed
            schema = self.org.schema
            probe = Statement.build(
                subordinates_probe(schema, LISTED_OWNERS + 1),
                self.org.store.engine.dialect,
                Params(self.dialect),
            )
            self._probe = probe
        below = probe.fetch(conn, {**probe.static, ROLE_PARAM: role})
        if len(below) <= LISTED_OWNERS:
            return (principal.user_id, *(r[0] for r in below))
        if len(self._ranked) >= _RANKED_KEPT:
            self._ranked.clear()
        self._ranked[role] = time.monotonic()
        return None

    def more(
        self, token: str, *, version: str, principal: Principal | None = None
    ) -> dict[str, Any]:
        """The next page of a locator; ``principal`` must be the caller's, so that the
        page is cut from the same visible records as the first."""
        loc = locators.load(self.org.store, token, self.org.settings.query_locator_ttl)
        return self.query(
            loc.query,
            version=version,
            all_rows=loc.all_rows,
            batch=loc.batch_size,
            position=loc.position,
            locator=loc.id,
            principal=principal,
        )

    def explain(self, text: str) -> dict[str, Any]:
        """The query's plans (see :mod:`.explain`); an invalid query raises as it would
        when run."""
        self.plan(text, False)
        return explain(self.org, self.dialect, parse(text))


__all__ = ["QueryEngine", "batch_size"]
