"""The store on both backends: concurrent writers, versioned migrations, record ids."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from switchboard.core import ids
from switchboard.core.errors import MalformedId, NotFound
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org


@pytest.fixture
def org(db_url: str, tmp_path: Path) -> Iterator[Org]:
    o = Org.open(load(data_dir=tmp_path, db=db_url))
    yield o
    o.close()


def _ctx(org: Org) -> WriteContext:
    assert org.boot is not None
    return WriteContext(org.boot.admin_user_id)


def _live(org: Org, name: str) -> int:
    table = org.schema.table(org.schema.object(name))
    with org.store.read() as conn:
        q = sa.select(sa.func.count()).select_from(table).where(table.c.isdeleted.is_(False))
        return int(conn.execute(q).scalar() or 0)


def _hammer(
    orgs: list[Org], threads: int, per_thread: int
) -> tuple[list[str], list[BaseException]]:
    created: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        org = orgs[n % len(orgs)]
        ctx = _ctx(org)
        start.wait()
        try:
            for i in range(per_thread):
                org.usage.hit()
                rid = org.create(ctx, "Account", {"Name": f"T{n}-{i}", "NumberOfEmployees": i})
                # Interleave updates and a child insert that reads its parent in the
                # same transaction, the patterns most likely to deadlock.
                org.update(ctx, "account", rid, {"Site": f"s{i}"})
                org.create(ctx, "Contact", {"LastName": f"C{n}-{i}", "AccountId": rid})
                with lock:
                    created.append(rid)
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            with lock:
                failures.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert not any(t.is_alive() for t in pool), "a writer hung (deadlock?)"
    return created, failures


def test_sixteen_concurrent_writers_never_fail(org: Org) -> None:
    before = _live(org, "Account")
    created, failures = _hammer([org], threads=16, per_thread=15)
    assert failures == [], failures[:3]
    assert len(created) == len(set(created)) == 16 * 15
    assert _live(org, "Account") == before + 16 * 15
    assert _live(org, "Contact") >= 16 * 15
    org.usage.flush()
    assert org.usage.used() >= 16 * 15


def test_two_org_instances_writing_at_once(org: Org, db_url: str, tmp_path: Path) -> None:
    """Two Org objects on one database stand in for two processes (each has its own
    in-process write lock, so only the database's own locking keeps them apart)."""
    other = Org.open(load(data_dir=tmp_path, db=db_url))
    try:
        created, failures = _hammer([org, other], threads=8, per_thread=10)
    finally:
        other.close()
    assert failures == [], failures[:3]
    assert len(set(created)) == 80


def test_case_safe_suffix() -> None:
    assert ids.suffix("001D000000IqhSL") == "IAZ"
    assert ids.to18("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert ids.normalize("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert ids.normalize("001D000000IqhSLIAZ") == "001D000000IqhSLIAZ"
    assert ids.normalize("001D000000IqhSLiaz") == "001D000000IqhSLIAZ"
    # Ids differing only in case are different records, with different suffixes.
    assert ids.to18("001d000000iqhsl") != ids.to18("001D000000IqhSL")
    for bad in ("001D000000IqhSLAAA", "001D000000Iqh", "001D000000IqhS!", "", 12):
        with pytest.raises(MalformedId):
            ids.normalize(bad)


def test_new_ids_have_prefix_suffix_and_are_unique() -> None:
    made = {ids.new_id("001") for _ in range(20_000)}
    assert len(made) == 20_000
    for rid in list(made)[:500]:
        assert len(rid) == 18 and rid.startswith("001") and rid == ids.to18(rid[:15])


def test_fifteen_character_ids_work_everywhere(org: Org) -> None:
    ctx = _ctx(org)
    rid = org.create(ctx, "Account", {"Name": "Short"})
    short = rid[:15]
    assert org.retrieve("Account", short, None, "59.0")["Id"] == rid
    org.update(ctx, "Account", short, {"Name": "Short 2"})
    assert org.retrieve("Account", rid, ["Name"], "59.0")["Name"] == "Short 2"
    contact = org.create(ctx, "Contact", {"LastName": "Kid", "AccountId": short})
    assert org.retrieve("Contact", contact, ["AccountId"], "59.0")["AccountId"] == rid
    org.delete(ctx, "Account", short)
    with pytest.raises(NotFound):
        org.retrieve("Account", rid, None, "59.0")
