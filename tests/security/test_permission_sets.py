"""The must-show of issue 16 (object and field security): the fixture project's four
kinds of permission set deployed, each held by one user over Minimum Access; through
simple-salesforce on a real server (SQLite and PostgreSQL) each user can do exactly what
its XML grants and gets Salesforce's errors for the rest, on REST, SOQL (plain,
WITH SECURITY_ENFORCED, WITH USER_MODE) and Bulk API 2.0.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from support.rest import Raw, deploy
from support.server import Server

MINIMUM = "Minimum Access - Salesforce"
PASSWORD = "Perm1ssion-Sets!"


@dataclass
class User:
    sf: Salesforce
    raw: Raw
    token: str


def _login(server: Server, username: str, token: str) -> str:
    r = requests.post(
        f"{server.instance_url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": server.client_id,
            "client_secret": server.client_secret,
            "username": username,
            "password": PASSWORD + token,
        },
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _user(server: Server, name: str, permset: str | None) -> User:
    username = f"{name.lower()}@perm.test"
    out = server.cli(
        "user", "create", username, "--last-name", name, "--profile", MINIMUM,
        "--password", PASSWORD,
    )  # fmt: skip
    token = next(
        line.split(": ", 1)[1]
        for line in out.stdout.splitlines()
        if line.startswith("security_token")
    )
    if permset is not None:
        server.cli("permset", "assign", username, permset)
    access = _login(server, username, token)
    sf = Salesforce(
        instance_url=server.instance_url, session_id=access, session=requests.Session(),
        version="59.0",
    )  # fmt: skip
    return User(sf, Raw(server, access), access)


@pytest.fixture(scope="module")
def org(server: Server, sf: Salesforce) -> dict[str, Any]:
    deploy(server, "sfdx-permissions")
    account = sf.Account.create({"Name": "Acme", "Phone": "555-0100", "BillingCity": "Lyon",
                                 "BillingStreet": "1 rue", "BillingCountry": "France"})["id"]  # fmt: skip
    contact = sf.Contact.create({"LastName": "Reader", "Email": "r@example.test"})["id"]
    opp = sf.Opportunity.create({"Name": "Deal", "StageName": "Prospecting",
                                 "CloseDate": "2030-01-01", "Amount": 10})["id"]  # fmt: skip
    return {
        "account": account,
        "contact": contact,
        "opportunity": opp,
        "reader": _user(server, "Reader", "Contact_Read_Only"),
        "editor": _user(server, "Editor", "Opportunity_Edit_Except_Amount"),
        "address": _user(server, "Address", "Account_Billing_Address_Read"),
        "creator": _user(server, "Creator", "Lead_Create_With_Phone"),
    }


def _error(exc: pytest.ExceptionInfo[SalesforceError]) -> dict[str, Any]:
    content = exc.value.content
    assert isinstance(content, list) and len(content) == 1, content
    return dict(content[0])


def test_read_only_object_and_all_fields(org: dict[str, Any]) -> None:
    sf = org["reader"].sf
    rows = sf.query(f"SELECT Id, LastName, Email FROM Contact WHERE Id = '{org['contact']}'")  # noqa: S608 (an id the org issued)
    assert rows["records"][0]["Email"] == "r@example.test"
    assert sf.Contact.get(org["contact"])["Email"] == "r@example.test"
    with pytest.raises(SalesforceError) as exc:
        sf.Contact.create({"LastName": "New"})
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    with pytest.raises(SalesforceError) as exc:
        sf.Contact.update(org["contact"], {"LastName": "Changed"})
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    with pytest.raises(SalesforceError) as exc:
        sf.Contact.delete(org["contact"])
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    described = sf.Contact.describe()
    assert not described["createable"] and not described["updateable"]
    assert not any(f["createable"] or f["updateable"] for f in described["fields"])
    # Another object does not exist for this user, in SOQL and in REST.
    with pytest.raises(SalesforceError) as exc:
        sf.query("SELECT Id FROM Account")
    err = _error(exc)
    assert err["errorCode"] == "INVALID_TYPE"
    assert err["message"].startswith("sObject type 'Account' is not supported.")
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert "Contact" in names and "Account" not in names and "Opportunity" not in names
    assert org["reader"].raw("GET", f"/sobjects/Account/{org['account']}").status_code == 404


def test_edit_object_except_one_field(org: dict[str, Any]) -> None:
    sf = org["editor"].sf
    new = sf.Opportunity.create(
        {"Name": "Mine", "StageName": "Prospecting", "CloseDate": "2030-02-01"}
    )
    assert new["success"]
    sf.Opportunity.update(new["id"], {"StageName": "Qualification"})
    for write in (
        lambda: sf.Opportunity.create(
            {"Name": "X", "StageName": "Prospecting", "CloseDate": "2030-02-01", "Amount": 5}
        ),
        lambda: sf.Opportunity.update(org["opportunity"], {"Amount": 99}),
    ):
        with pytest.raises(SalesforceError) as exc:
            write()
        err = _error(exc)
        assert err["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
        assert err["fields"] == ["Amount"] and "Amount" in err["message"]
    # Amount stays readable; the record kept it.
    row = sf.query(f"SELECT Amount FROM Opportunity WHERE Id = '{org['opportunity']}'")  # noqa: S608
    assert row["records"][0]["Amount"] == 10
    amount = next(f for f in sf.Opportunity.describe()["fields"] if f["name"] == "Amount")
    assert not amount["createable"] and not amount["updateable"]
    with pytest.raises(SalesforceError) as exc:  # no Delete in the set
        sf.Opportunity.delete(new["id"])
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def _bulk_insert(raw: Raw, obj: str, csv: str) -> tuple[dict[str, Any], str, str]:
    job = raw("POST", "/jobs/ingest", json={"object": obj, "operation": "insert"}).json()
    put = raw("PUT", f"/jobs/ingest/{job['id']}/batches", data=csv.encode(),
              headers={"Content-Type": "text/csv"})  # fmt: skip
    assert put.status_code == 201, put.text
    raw("PATCH", f"/jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    deadline = time.monotonic() + 60
    while True:
        info = raw("GET", f"/jobs/ingest/{job['id']}").json()
        if info["state"] in ("JobComplete", "Failed", "Aborted") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    ok = raw("GET", f"/jobs/ingest/{job['id']}/successfulResults").text
    bad = raw("GET", f"/jobs/ingest/{job['id']}/failedResults").text
    return info, ok, bad


def test_bulk2_as_the_job_creator(org: dict[str, Any]) -> None:
    raw = org["editor"].raw
    info, ok, bad = _bulk_insert(
        raw, "Opportunity",
        "Name,StageName,CloseDate\nB1,Prospecting,2030-03-01\nB2,Prospecting,2030-03-01\n",
    )  # fmt: skip
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == 2, info
    assert info["numberRecordsFailed"] == 0 and ok.count("\n") >= 3
    info, ok, bad = _bulk_insert(
        raw, "Opportunity", "Name,StageName,CloseDate,Amount\nB3,Prospecting,2030-03-01,7\n"
    )
    assert info["numberRecordsFailed"] == 1
    assert "INVALID_FIELD_FOR_INSERT_UPDATE" in bad
    query = raw("POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Lead"})
    assert query.status_code == 400 and query.json()[0]["errorCode"] == "INVALID_TYPE"


def test_read_one_compound_address_only(org: dict[str, Any]) -> None:
    sf = org["address"].sf
    row = sf.query(
        f"SELECT Name, BillingAddress, BillingCity FROM Account WHERE Id = '{org['account']}'"  # noqa: S608
    )
    record = row["records"][0]
    assert record["BillingCity"] == "Lyon" and record["BillingAddress"]["city"] == "Lyon"
    for text, code in (
        ("SELECT Phone FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Phone != null", "INVALID_FIELD"),
        ("SELECT Phone FROM Account WITH USER_MODE", "INVALID_FIELD"),
        ("SELECT Phone FROM Account WITH SECURITY_ENFORCED", "INSUFFICIENT_ACCESS_OR_READONLY"),
        ("SELECT ShippingAddress FROM Account", "INVALID_FIELD"),
    ):
        with pytest.raises(SalesforceError) as exc:
            sf.query(text)
        err = _error(exc)
        assert err["errorCode"] == code, (text, err)
        assert "Phone" in err["message"] or "ShippingAddress" in err["message"]
    got = sf.Account.get(org["account"])
    assert got["BillingCity"] == "Lyon" and "Phone" not in got and "Industry" not in got
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert {"Id", "Name", "BillingCity", "BillingAddress"} <= fields
    assert "Phone" not in fields and "ShippingCity" not in fields
    assert "Phone" not in sf.query("SELECT FIELDS(STANDARD) FROM Account LIMIT 1")["records"][0]
    with pytest.raises(SalesforceError) as exc:
        sf.Account.update(org["account"], {"BillingCity": "Paris"})
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_create_object_and_one_field(org: dict[str, Any]) -> None:
    sf = org["creator"].sf
    new = sf.Lead.create({"LastName": "Lead", "Company": "Co", "Phone": "555-0199"})
    assert new["success"]
    assert sf.Lead.get(new["id"])["Phone"] == "555-0199"
    with pytest.raises(SalesforceError) as exc:
        sf.Lead.create({"LastName": "Lead", "Company": "Co", "Email": "x@example.test"})
    assert _error(exc)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceError) as exc:
        sf.Lead.update(new["id"], {"Phone": "555-0100"})
    assert _error(exc)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    with pytest.raises(SalesforceError) as exc:
        sf.query("SELECT Email FROM Lead")
    assert _error(exc)["errorCode"] == "INVALID_FIELD"


def test_minimum_access_alone_cannot_call_the_api(server: Server, org: dict[str, Any]) -> None:
    nobody = _user(server, "Nobody", None)
    r = nobody.raw("GET", "/sobjects")
    assert r.status_code == 403
    assert r.json()[0] == {
        "message": "API is not enabled for this Organization or Partner",
        "errorCode": "API_DISABLED_FOR_ORG",
        "fields": [],
    }
    # Streaming is an API too: the CometD handshake is denied with the reason.
    r = requests.post(
        f"{server.instance_url}/cometd/59.0",
        json=[{"channel": "/meta/handshake", "version": "1.0", "id": "1",
               "supportedConnectionTypes": ["long-polling"]}],
        headers={"Authorization": f"Bearer {nobody.token}"}, timeout=30,
    )  # fmt: skip
    assert r.status_code == 403
    reply = r.json()[0]
    assert reply["successful"] is False and reply["error"] == "403::Handshake denied"
    assert reply["ext"]["sfdc"]["failureReason"] == (
        "403::API is not enabled for this Organization or Partner"
    )


def test_admin_is_unchanged(sf: Salesforce, org: dict[str, Any]) -> None:
    assert sf.Account.get(org["account"])["Phone"] == "555-0100"
    rows = sf.query("SELECT Name FROM PermissionSet WHERE IsOwnedByProfile = false")["records"]
    assert sorted(r["Name"] for r in rows) == [
        "Account_Billing_Address_Read",
        "Contact_Read_Only",
        "Lead_Create_With_Phone",
        "Opportunity_Edit_Except_Amount",
    ]
    held = sf.query(
        "SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE Assignee.Username = "
        "'editor@perm.test'"
    )["records"]
    assert [r["PermissionSet"]["Name"] for r in held] == ["Opportunity_Edit_Except_Amount"]
    profiles = {r["Name"] for r in sf.query("SELECT Name FROM Profile")["records"]}
    assert {"System Administrator", "Standard User", MINIMUM,
            "Salesforce API Only System Integrations"} <= profiles  # fmt: skip


class Bayeux:
    """Raw Bayeux long-polling, as a CometD client sends it."""

    def __init__(self, server: Server, tok: str) -> None:
        self.url = f"{server.instance_url}/cometd/59.0"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {tok}"
        reply = self.send({"channel": "/meta/handshake", "version": "1.0",
                           "supportedConnectionTypes": ["long-polling"]})[0]  # fmt: skip
        self.client_id = reply["clientId"]

    def send(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        for m in messages:
            if getattr(self, "client_id", None):
                m.setdefault("clientId", self.client_id)
        return list(self.http.post(self.url, json=list(messages), timeout=30).json())

    def subscribe(self, channel: str) -> dict[str, Any]:
        return self.send({"channel": "/meta/subscribe", "subscription": channel,
                          "ext": {"replay": {channel: -1}}})[0]  # fmt: skip

    def events(self, wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _ in range(10):
            replies = self.send({"channel": "/meta/connect", "connectionType": "long-polling",
                                 "advice": {"timeout": 2000}})  # fmt: skip
            out += [m for m in replies if not m["channel"].startswith("/meta/")]
            if any(wanted(m) for m in out):
                break
        return out


def test_change_events_carry_only_readable_fields(
    server: Server, sf: Salesforce, org: dict[str, Any]
) -> None:
    comet = Bayeux(server, org["address"].token)
    assert comet.subscribe("/data/AccountChangeEvent")["successful"]
    everything = Bayeux(server, org["address"].token)
    assert everything.subscribe("/data/ChangeEvents")["successful"]
    sf.Contact.create({"LastName": "Unseen", "Email": "u@example.test"})
    rid = sf.Account.create({"Name": "Streamed", "Phone": "555-0111", "Industry": "Energy",
                             "BillingCity": "Nantes"})["id"]  # fmt: skip

    def mine(m: dict[str, Any]) -> bool:
        return rid in m["data"]["payload"]["ChangeEventHeader"]["recordIds"]

    for client in (comet, everything):
        got = client.events(mine)
        [event] = [m for m in got if mine(m)]
        payload = event["data"]["payload"]
        assert payload["Name"] == "Streamed"
        assert payload["BillingAddress"]["City"] == "Nantes"
        assert "Phone" not in payload and "Industry" not in payload
        changed = payload["ChangeEventHeader"]["changedFields"]
        assert "Phone" not in changed and "Industry" not in changed
        # A Contact event never reaches a user who cannot read Contact.
        assert not any(m["data"]["payload"].get("LastName") == "Unseen" for m in got)
    refused = Bayeux(server, org["reader"].token).subscribe("/data/AccountChangeEvent")
    assert not refused["successful"] and "does not exist" in refused["error"]
