"""DML under sharing: writes to records the caller cannot edit or see are refused with
Salesforce's errors and change nothing; lookups to invisible parents are refused;
ownership transfer and delete need full access (owner or above)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sharing_support import SharedOrg, shared_org

from support.databases import BACKENDS
from switchboard.org.security.errors import InsufficientAccess, InsufficientAccessOnCrossReference
from switchboard.org.security.sharing.deploy import deploy_sharing
from switchboard.org.security.sharing.rules import SharingRule


@pytest.fixture(params=BACKENDS)
def so(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedOrg]:
    with shared_org(str(request.param), tmp_path) as s:
        yield s


def _name(s: SharedOrg, rid: str) -> str:
    reply = s.query(f"SELECT Name FROM Account WHERE Id = '{rid}'", None)  # noqa: S608
    return str(reply["records"][0]["Name"])


def test_update_of_an_invisible_record_is_refused(so: SharedOrg) -> None:
    peer = so.accounts["east2"][0]
    with pytest.raises(InsufficientAccess) as caught:
        so.org.update(so.ctx("east1"), "Account", peer, {"Name": "taken"})
    assert caught.value.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert caught.value.message == "insufficient access rights on object id"
    assert _name(so, peer) == "east2-00"  # nothing changed


def test_manager_edits_subordinates_records_but_not_the_reverse(so: SharedOrg) -> None:
    so.org.update(so.ctx("vp"), "Account", so.accounts["east1"][0], {"Name": "by vp"})
    assert _name(so, so.accounts["east1"][0]) == "by vp"
    with pytest.raises(InsufficientAccess):
        so.org.update(so.ctx("east1"), "Account", so.accounts["vp"][0], {"Name": "by east1"})


def test_read_only_share_allows_reading_not_editing(so: SharedOrg) -> None:
    deploy_sharing(so.org, rules=[
        SharingRule("Account", "EastReadsWest", "Read", ("role", "East"), ("role", "West"))
    ])  # fmt: skip
    west = so.accounts["west1"][0]
    assert so.query("SELECT COUNT() FROM Account", "east1")["totalSize"] == 6
    with pytest.raises(InsufficientAccess):
        so.org.update(so.ctx("east1"), "Account", west, {"Name": "nope"})
    deploy_sharing(so.org, rules=[
        SharingRule("Account", "EastReadsWest", "Edit", ("role", "East"), ("role", "West"))
    ])  # fmt: skip
    so.org.update(so.ctx("east1"), "Account", west, {"Name": "edited via rule"})
    assert _name(so, west) == "edited via rule"
    # Edit through a share is no ownership: transfer and delete still need full access.
    with pytest.raises(InsufficientAccess):
        so.org.update(so.ctx("east1"), "Account", west, {"OwnerId": so.users["east1"]})
    with pytest.raises(InsufficientAccess):
        so.org.delete(so.ctx("east1"), "Account", west)


def test_owner_transfers_and_deletes_own_record(so: SharedOrg) -> None:
    mine = so.accounts["east1"][1]
    so.org.update(so.ctx("east1"), "Account", mine, {"OwnerId": so.users["west1"]})
    # Now west1's: east1 no longer sees it, west1 and the VP do.
    assert so.query("SELECT COUNT() FROM Account", "east1")["totalSize"] == 2
    assert so.query("SELECT COUNT() FROM Account", "west1")["totalSize"] == 4
    so.org.delete(so.ctx("vp"), "Account", mine)
    assert so.query("SELECT COUNT() FROM Account", "west1")["totalSize"] == 3


def test_lookup_to_an_invisible_parent_is_refused(so: SharedOrg) -> None:
    hidden = so.accounts["west1"][0]
    with pytest.raises(InsufficientAccessOnCrossReference) as caught:
        so.org.create(so.ctx("east1"), "Contact", {"LastName": "X", "AccountId": hidden})
    assert caught.value.error_code == "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
    assert hidden in caught.value.message
    assert so.query("SELECT COUNT() FROM Contact", None)["totalSize"] == 0
    so.org.create(
        so.ctx("east1"), "Contact", {"LastName": "Y", "AccountId": so.accounts["east1"][0]}
    )


def test_no_principal_and_view_all_bypass_sharing(so: SharedOrg) -> None:
    peer = so.accounts["east2"][0]
    so.org.update(so.admin, "Account", peer, {"Name": "internal"})  # principal None
    from dataclasses import replace

    admin_like = replace(so.principal("east1"), modify_all_data=True, view_all_data=True)
    ctx = replace(so.ctx("east1"), principal=admin_like)
    so.org.update(ctx, "Account", peer, {"Name": "modify all"})
    assert _name(so, peer) == "modify all"
    assert so.query("SELECT COUNT() FROM Account", None)["totalSize"] == 15
