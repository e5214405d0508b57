# ruff: noqa: S608  (SOQL text built from the test's own ids)
"""Private sharing as Salesforce enforces it in SOQL: a user sees own records and those
of users in roles below; peers and superiors stay hidden; a sharing rule opens a set;
COUNT(), GROUP BY, child subqueries and paging agree with what is visible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sharing_support import SharedOrg, shared_org

from support.databases import BACKENDS
from switchboard.org.security.sharing.deploy import deploy_sharing
from switchboard.org.security.sharing.rules import Criterion, SharingRule


@pytest.fixture(params=BACKENDS)
def so(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedOrg]:
    with shared_org(str(request.param), tmp_path) as s:
        yield s


def _names(s: SharedOrg, who: str | None, where: str = "") -> list[str]:
    reply = s.query(f"SELECT Name FROM Account {where} ORDER BY Name", who)
    return [r["Name"] for r in reply["records"]]


def _owned(*owners: str) -> list[str]:
    return sorted(f"{o}-{i:02d}" for o in owners for i in range(3))


def test_user_sees_own_and_subordinates_records(so: SharedOrg) -> None:
    assert _names(so, "east1") == _owned("east1")  # not east2's: same role is no hierarchy
    assert _names(so, "vp") == _owned("east1", "east2", "vp", "west1")
    assert _names(so, "ceo") == _owned("ceo", "east1", "east2", "vp", "west1")
    assert _names(so, None) == _owned("ceo", "east1", "east2", "vp", "west1")  # the org itself


def test_count_group_by_and_paging_agree_with_visibility(so: SharedOrg) -> None:
    assert so.query("SELECT COUNT() FROM Account", "vp")["totalSize"] == 12
    assert so.query("SELECT COUNT() FROM Account", "west1")["totalSize"] == 3
    groups = so.query("SELECT OwnerId, COUNT(Id) n FROM Account GROUP BY OwnerId", "vp")
    assert sorted(r["n"] for r in groups["records"]) == [3, 3, 3, 3]
    page = so.query("SELECT Name FROM Account ORDER BY Name LIMIT 5 OFFSET 4", "vp")
    assert [r["Name"] for r in page["records"]] == _owned("east1", "east2", "vp", "west1")[4:9]
    # queryMore: pages of 200 over a set cut by sharing lose and repeat nothing.
    first = so.query("SELECT Name FROM Account ORDER BY Name", "vp", batch=200)
    assert first["totalSize"] == 12 and first["done"]


def test_paging_with_query_more_keeps_the_principal(tmp_path: Path) -> None:
    with shared_org("sqlite", tmp_path, per_user=250) as s:
        from switchboard.org.soql.engine import QueryEngine

        engine = QueryEngine(s.org)
        p = s.principal("east1")
        reply = engine.query("SELECT Name FROM Account ORDER BY Name", version="59.0",
                             batch=200, principal=p)  # fmt: skip
        assert reply["totalSize"] == 250 and not reply["done"]
        token = reply["nextRecordsUrl"].rsplit("/", 1)[-1]
        rest = engine.more(token, version="59.0", principal=p)
        names = [r["Name"] for r in reply["records"] + rest["records"]]
        assert names == sorted(f"east1-{i:02d}" for i in range(250))
        assert rest["done"]


def test_child_subquery_and_semi_join_apply_sharing(so: SharedOrg) -> None:
    deploy_sharing(so.org, models={"Contact": "Private"})
    east2_account = so.accounts["east2"][0]
    for who in ("east1", "east2"):
        so.org.create(so.admin, "Contact", {"LastName": f"c-{who}", "AccountId": east2_account,
                                            "OwnerId": so.users[who]})  # fmt: skip
    vp = so.query(
        f"SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account "
        f"WHERE Id = '{east2_account}'",
        "vp",
    )
    assert [c["LastName"] for c in vp["records"][0]["Contacts"]["records"]] == [
        "c-east1",
        "c-east2",
    ]
    # east2 may see the account (own) but of its contacts only its own.
    own = so.query(
        f"SELECT (SELECT LastName FROM Contacts) FROM Account WHERE Id = '{east2_account}'",
        "east2",
    )
    assert [c["LastName"] for c in own["records"][0]["Contacts"]["records"]] == ["c-east2"]
    semi = so.query("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)", "east1")
    assert semi["records"] == []  # east1's contact is on an account east1 cannot see


def test_owner_based_rule_opens_a_role_s_records(so: SharedOrg) -> None:
    rule = SharingRule("Account", "EastToWest", "Read", ("role", "West"), ("role", "East"))
    deploy_sharing(so.org, rules=[rule])
    assert _names(so, "west1") == _owned("east1", "east2", "west1")
    assert so.query("SELECT COUNT() FROM Account", "west1")["totalSize"] == 9
    # A record created later by an East owner is shared at once (the DML path).
    so.org.create(so.admin, "Account", {"Name": "east1-new", "OwnerId": so.users["east1"]})
    assert "east1-new" in _names(so, "west1")


def test_criteria_rule_opens_matching_records_and_follows_updates(so: SharedOrg) -> None:
    rule = SharingRule(
        "Account",
        "BigOnes",
        "Read",
        ("subs", "East"),
        criteria=(
            Criterion("Industry", "equals", "Banking,Energy"),
            Criterion("NumberOfEmployees", "greaterThan", "100"),
        ),  # fmt: skip
        boolean_filter="1 AND 2",
    )
    deploy_sharing(so.org, rules=[rule])
    west_account = so.accounts["west1"][0]
    so.org.update(so.admin, "Account", west_account, {"Industry": "banking",
                                                       "NumberOfEmployees": 500})  # fmt: skip
    assert _names(so, "east1") == sorted([*_owned("east1"), "west1-00"])
    so.org.update(so.admin, "Account", west_account, {"NumberOfEmployees": 5})
    assert _names(so, "east1") == _owned("east1")


def test_bulk_query_job_sees_what_its_creator_sees(
    so: SharedOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Bulk API 2.0 query job runs as its creator: the sharing predicate is bound with
    their user, role and visible owners, as for a REST query. (The fixture's users hold
    the admin's profile; their principal here is the one the other tests query with.)"""
    by_id = {uid: who for who, uid in so.users.items()}
    monkeypatch.setattr(so.org.permissions, "principal_for", lambda uid: so.principal(by_id[uid]))
    import csv
    import io

    from switchboard.org.bulk import jobs
    from switchboard.org.bulk.files import JobFiles
    from switchboard.org.bulk.worker import BulkWorker

    worker = BulkWorker(so.org)
    for who, owners in (("vp", ("east1", "east2", "vp", "west1")), ("west1", ("west1",))):
        job = so.org.store.write(
            lambda conn, who=who: jobs.create(
                conn, user_id=so.users[who], operation="query", object_name="Account",
                api_version="59.0", query="SELECT Name FROM Account", state="UploadComplete",
            )  # fmt: skip
        )
        claimed = worker.claim()
        assert claimed is not None and claimed.id == job.id
        worker.process(claimed)
        text = JobFiles(so.org.settings.data_dir, job.id).query.read_text()
        assert sorted(r["Name"] for r in csv.DictReader(io.StringIO(text))) == _owned(*owners)
