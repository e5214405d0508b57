"""The quick start's promise: a real server, the unmodified simple-salesforce client."""

from __future__ import annotations


def test_create_get_update_delete(sf) -> None:  # type: ignore[no-untyped-def]
    created = sf.Account.create({"Name": "Acme", "BillingCity": "Lyon"})
    assert created["success"] is True and created["id"].startswith("001")
    got = sf.Account.get(created["id"])
    assert got["Name"] == "Acme"
    assert got["BillingAddress"]["city"] == "Lyon"
    assert sf.Account.update(created["id"], {"Name": "Acme 2"}) == 204
    assert sf.Account.get(created["id"])["Name"] == "Acme 2"
    assert sf.Account.delete(created["id"]) == 204
