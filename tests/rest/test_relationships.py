"""sObject Relationships (``sobjects/T/{id}/{relationship}``) through simple-salesforce:
the parent record a lookup names, a child relationship's records as a query result,
and Salesforce's 404 and 400 answers."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound


def test_parent_and_children(sf: Any) -> None:
    acct = sf.Account.create({"Name": "Rel parent", "Phone": "555"})["id"]
    kids = [sf.Contact.create({"LastName": f"Rel {i}", "AccountId": acct})["id"] for i in (1, 2)]
    orphan = sf.Contact.create({"LastName": "Rel orphan"})["id"]

    parent = sf.restful(f"sobjects/Contact/{kids[0]}/Account")
    assert parent["Id"] == acct and parent["Name"] == "Rel parent" and parent["Phone"] == "555"
    assert parent["attributes"]["type"] == "Account"
    slim = sf.restful(f"sobjects/Contact/{kids[0]}/Account", params={"fields": "Name"})
    assert set(slim) == {"attributes", "Name"}

    children = sf.restful(f"sobjects/Account/{acct}/Contacts", params={"fields": "LastName"})
    assert children["totalSize"] == 2 and children["done"] is True
    assert sorted(r["LastName"] for r in children["records"]) == ["Rel 1", "Rel 2"]
    assert set(children["records"][0]) == {"attributes", "LastName"}
    whole = sf.restful(f"sobjects/Account/{acct}/Contacts")["records"][0]
    assert {"Id", "LastName", "AccountId", "MailingAddress"} <= set(whole)
    # A relationship with no records is an empty set; a lookup with none is 404.
    none = sf.restful(f"sobjects/Account/{acct}/Opportunities")
    assert none["totalSize"] == 0 and none["records"] == []
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful(f"sobjects/Contact/{orphan}/Account")
    with pytest.raises(SalesforceResourceNotFound):  # a record that does not exist
        sf.restful(f"sobjects/Account/{acct[:3]}000000000000AAA/Contacts")
    with pytest.raises(SalesforceMalformedRequest) as err:  # a field the child lacks
        sf.restful(f"sobjects/Account/{acct}/Contacts", params={"fields": "Nope__c"})
    assert err.value.content[0]["errorCode"] == "INVALID_FIELD"
