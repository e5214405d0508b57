# ruff: noqa: S608 - SOQL text filtered by ids the org itself issued, never SQL
"""``switchboard erase``: a person's data leaves the record, the change events kept for
replay and the files only they had; the erasure itself is in the SetupAuditTrail."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from switchboard.cli.main import app
from switchboard.events.tables import event as event_table

V = "/services/data/v59.0"
EMAIL = "ada.lovelace@example.test"


def _erase(served, *args: str):  # type: ignore[no-untyped-def]
    s = served.org.settings
    return CliRunner().invoke(
        app, ["erase", *args, "--data-dir", str(s.data_dir), "--db", s.database_url]
    )


def _file(served, parent: str, title: str) -> str:  # type: ignore[no-untyped-def]
    r = served.client.post(
        f"{V}/sobjects/ContentVersion",
        json={
            "Title": title,
            "PathOnClient": f"{title}.txt",
            "FirstPublishLocationId": parent,
            "VersionData": base64.b64encode(b"passport scan").decode(),
        },  # fmt: skip
        headers=served.auth(),
    )
    assert r.status_code == 201, r.text
    return served.query(
        f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = '{r.json()['id']}'"
    )["records"][0]["ContentDocumentId"]


@pytest.mark.started
def test_erase_contact(served) -> None:  # type: ignore[no-untyped-def]
    h = served.auth()
    account = served.client.post(f"{V}/sobjects/Account", json={"Name": "Acme"}, headers=h)
    made = served.client.post(
        f"{V}/sobjects/Contact",
        json={
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "Email": EMAIL,
            "Phone": "555-0100",
            "MailingCity": "London",
            "AccountId": account.json()["id"],
        },  # fmt: skip
        headers=h,
    )
    cid = made.json()["id"]
    other = served.client.post(f"{V}/sobjects/Contact", json={"LastName": "Babbage"}, headers=h)
    private_doc = _file(served, cid, "passport")
    shared_doc = _file(served, cid, "contract")
    link = served.client.post(
        f"{V}/sobjects/ContentDocumentLink",
        json={
            "ContentDocumentId": shared_doc,
            "LinkedEntityId": other.json()["id"],
            "ShareType": "V",
        },  # fmt: skip
        headers=h,
    )
    assert link.status_code == 201, link.text

    result = _erase(served, "--contact", cid)
    assert result.exit_code == 0, result.output
    assert "1 files" in result.output

    row = served.client.get(f"{V}/sobjects/Contact/{cid}", headers=h).json()
    assert (row["FirstName"], row["Email"], row["Phone"], row["MailingCity"]) == (
        None, None, None, None,
    )  # fmt: skip
    assert row["LastName"] == "Erased" and row["AccountId"] == account.json()["id"]
    docs = {r["Id"] for r in served.query("SELECT Id FROM ContentDocument")["records"]}
    assert shared_doc in docs and private_doc not in docs
    with served.org.store.read() as conn:
        payloads = [p for (p,) in conn.execute(sa.select(event_table.c.payload))]
    assert payloads and not any(EMAIL in p or "555-0100" in p for p in payloads)
    audit = served.query(
        "SELECT Action, Section, Display FROM SetupAuditTrail WHERE Action = 'personalDataErased'"
    )["records"]
    assert len(audit) == 1 and cid in audit[0]["Display"]
    assert EMAIL not in audit[0]["Display"]


def test_erase_user_scrubs_login_trail(served) -> None:  # type: ignore[no-untyped-def]
    from switchboard.org.identity import users

    org = served.org
    uid, _ = org.store.write(
        lambda c: users.add(
            c,
            org.schema,
            "gone@x.test",
            "Pw-123456789abc",
            last_name="Gone",
            created_by=org.boot.admin_user_id,
        )  # fmt: skip
    )
    r = served.client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": served.client_id,
            "client_secret": served.client_secret,
            "username": "gone@x.test",
            "password": "Pw-123456789abc",
        },  # fmt: skip
        headers={"User-Agent": "curl/8.0"},
    )
    assert r.status_code == 200, r.text
    result = _erase(served, "--user", uid)
    assert result.exit_code == 0, result.output
    login = served.query(
        f"SELECT SourceIp, Browser, Status FROM LoginHistory WHERE UserId = '{uid}'"
    )
    assert [(x["SourceIp"], x["Browser"], x["Status"]) for x in login["records"]] == [
        (None, None, "Success")
    ]
    user = served.query(f"SELECT Username, Email, LastName FROM User WHERE Id = '{uid}'")
    got = user["records"][0]
    assert "gone@x.test" not in (got["Username"], got["Email"]) and got["LastName"] == "Erased"


def test_erase_refuses_other_objects_and_bad_ids(served) -> None:  # type: ignore[no-untyped-def]
    assert _erase(served).exit_code == 2
    bad = _erase(served, "--contact", "001000000000001AAA")
    assert bad.exit_code == 1 and "no Contact" in bad.output
