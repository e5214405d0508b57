"""principal_for on a real org (SQLite and PostgreSQL): profiles, assigned sets, a
group minus its muting set, and the cache dropped when an assignment or profile changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.core.settings import load
from switchboard.org.identity import users
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project
from switchboard.org.security import assignments
from switchboard.org.security.deploy import deploy_permissions

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sfdx-permissions"


@pytest.fixture
def org(db_url: str, tmp_path: Path) -> Iterator[Org]:
    o = Org.open(load(data_dir=tmp_path, db=db_url))
    assert o.boot is not None
    admin = o.boot.admin_user_id
    source = read_project(FIXTURE).permissions
    o.store.write(lambda c: deploy_permissions(o.schema, c, source, admin))
    try:
        yield o
    finally:
        o.close()


def _new_user(org: Org, name: str, profile: str) -> str:
    assert org.boot is not None
    admin = org.boot.admin_user_id

    def work(c):  # type: ignore[no-untyped-def]
        uid, _ = users.add(c, org.schema, f"{name}@p.test", "Pw-12345678!", last_name=name,
                           created_by=admin)  # fmt: skip
        assignments.set_profile(c, org.schema, uid, profile)
        return uid

    return str(org.store.write(work))


def test_admin_keeps_everything(org: Org) -> None:
    assert org.boot is not None
    p = org.permissions.principal_for(org.boot.admin_user_id)
    assert p.modify_all_data and p.view_all_data and p.api_enabled
    assert p.field("Account", "Phone").edit


def test_minimum_access_then_a_group_minus_its_muting_set(org: Org) -> None:
    assert org.boot is not None
    admin = org.boot.admin_user_id
    uid = _new_user(org, "grouped", "Minimum Access - Salesforce")
    p = org.permissions.principal_for(uid)
    assert not p.api_enabled and not p.object("Account").read and not p.object("Contact").read
    org.store.write(lambda c: assignments.assign(c, org.schema, uid, "Sales_Ops", admin))
    p = org.permissions.principal_for(uid)  # the assignment dropped the cached principal
    assert p.api_enabled
    assert p.object("Contact").read and not p.object("Contact").edit
    assert p.field("Contact", "Phone").read
    assert not p.field("Contact", "Email").read  # muted by Sales_Ops_Muted
    assert p.object("Opportunity").edit and not p.object("Opportunity").delete
    assert p.field("Opportunity", "Amount").read and not p.field("Opportunity", "Amount").edit
    held = org.store.write(lambda c: assignments.assignments(c, org.schema, uid))
    assert [(a.name, a.kind) for a in held] == [("Sales_Ops", "PermissionSetGroup")]
    assert org.store.write(lambda c: assignments.unassign(c, org.schema, uid, "Sales_Ops"))
    assert not org.permissions.principal_for(uid).object("Contact").read


def test_standard_user_profile_and_fingerprints(org: Org) -> None:
    one = _new_user(org, "one", "Standard User")
    two = _new_user(org, "two", "Standard User")
    p1, p2 = org.permissions.principal_for(one), org.permissions.principal_for(two)
    assert p1.fingerprint == p2.fingerprint  # same grants: plans are shared
    assert p1.object("Account").delete and not p1.object("Product2").edit
    assert p1.field("Account", "Phone").edit and not p1.modify_all_data
    org.store.write(lambda c: assignments.set_profile(c, org.schema, two, "System Administrator"))
    assert org.permissions.principal_for(two).modify_all_data
    with pytest.raises(assignments.UnknownGrant):
        org.store.write(lambda c: assignments.set_profile(c, org.schema, one, "No Such Profile"))
