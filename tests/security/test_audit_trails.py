"""LoginHistory, SetupAuditTrail and EventLogFile as an org writes them: real logins
over OAuth and SOAP, real user, app and deploy changes, read back through SOQL and
REST, refused to API writers, and pruned past retention."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from switchboard.core import clock
from switchboard.org.identity import apps, users
from switchboard.org.security import assignments, trail
from switchboard.org.security.trail.tables import object_table

V = "/services/data/v59.0"
SOAP_LOGIN = """<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:urn="urn:partner.soap.sforce.com"><env:Body><urn:login>
  <urn:username>{u}</urn:username><urn:password>{p}</urn:password>
</urn:login></env:Body></env:Envelope>"""


def _password_grant(served, password: str):  # type: ignore[no-untyped-def]
    return served.client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": served.client_id,
            "client_secret": served.client_secret,
            "username": served.username,
            "password": password,
        },
        headers={"User-Agent": "simple-salesforce/1.12 (Linux)"},
    )


def test_login_history_records_failed_and_successful_logins(served) -> None:  # type: ignore[no-untyped-def]
    assert _password_grant(served, "wrong-password").status_code == 400
    assert _password_grant(served, served.password).status_code == 200
    soap = served.client.post(
        "/services/Soap/u/59.0",
        content=SOAP_LOGIN.format(u=served.username, p="nope"),
        headers={"SOAPAction": "login", "Content-Type": "text/xml"},
    )
    assert soap.status_code == 500 and "INVALID_LOGIN" in soap.text
    rows = served.query(
        "SELECT UserId, LoginType, Status, SourceIp, Application, Browser, Platform, ApiType "
        "FROM LoginHistory ORDER BY LoginTime"
    )["records"]
    admin = served.org.boot.admin_user_id
    got = [(r["UserId"], r["LoginType"], r["Status"], r["Application"]) for r in rows]
    assert got == [
        (admin, "Remote Access 2.0", "Invalid Password", "Switchboard CLI"),
        (admin, "Remote Access 2.0", "Success", "Switchboard CLI"),
        (admin, "Other Apex API", "Invalid Password", None),
    ]
    assert all(r["SourceIp"] == "testclient" for r in rows)
    assert rows[0]["Browser"].startswith("simple-salesforce") and rows[0]["Platform"] == "Linux"
    assert rows[2]["ApiType"] == "SOAP Partner"


def test_unknown_username_writes_no_login_history(served) -> None:  # type: ignore[no-untyped-def]
    r = served.client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": served.client_id,
            "client_secret": served.client_secret,
            "username": "nobody@x.test",
            "password": "x",
        },  # fmt: skip
    )
    assert r.status_code == 400
    assert served.query("SELECT COUNT() FROM LoginHistory")["totalSize"] == 0


def _new_user(org, username: str, last_name: str) -> str:  # type: ignore[no-untyped-def]
    """A user made by the admin (the ``switchboard user create`` path)."""
    admin = org.boot.admin_user_id
    user_id, _ = org.store.write(
        lambda c: users.add(c, org.schema, username, "Pw-123456789", last_name=last_name,
                            created_by=admin)  # fmt: skip
    )
    return str(user_id)


def test_setup_audit_trail_records_user_app_secret_and_assignment(served) -> None:  # type: ignore[no-untyped-def]
    org = served.org
    admin = org.boot.admin_user_id
    user_id = _new_user(org, "bo@x.test", "Bo")
    org.store.write(lambda c: users.set_active(c, org.schema, user_id, False))
    org.store.write(lambda c: apps.add(c, "Nightly ETL", run_as_user_id=user_id))
    made = served.client.post(
        f"{V}/sobjects/PermissionSet",
        json={"Name": "Read_Accounts", "Label": "Read Accounts"},
        headers=served.auth(),
    )
    assert made.status_code == 201, made.text
    # The command-line path (``switchboard permset assign``) writes the row.
    org.store.write(lambda c: assignments.assign(c, org.schema, user_id, "Read_Accounts", admin))
    from typer.testing import CliRunner

    from switchboard.cli.main import app

    settings = org.settings
    done = CliRunner().invoke(
        app,
        [
            "secret",
            "set",
            "erp.password",
            "--data-dir",
            str(settings.data_dir),
            "--db",
            settings.database_url,
        ],  # fmt: skip
        input="s3cr3t-value\n",
    )
    assert done.exit_code == 0, done.output
    rows = served.query(
        "SELECT Action, Section, Display, CreatedById, CreatedBy.Username "
        "FROM SetupAuditTrail ORDER BY CreatedDate, Id"
    )["records"]
    actions = [(r["Action"], r["Section"]) for r in rows]
    assert actions == [
        ("createduser", "Manage Users"),
        ("deactivateduser", "Manage Users"),
        ("insertConnectedApplication", "Connected Apps"),
        ("PermSetAssign", "Manage Users"),
        ("changedNamedCredential", "Named Credentials"),
    ]
    assert rows[0]["Display"] == "Created new user bo@x.test"
    assert "Read_Accounts" in rows[3]["Display"] and user_id in rows[3]["Display"]
    assert all(r["CreatedById"] == admin for r in rows)
    assert rows[0]["CreatedBy"]["Username"] == served.username
    assert "s3cr3t-value" not in str(rows)


def test_deploy_command_records_the_deploy(tmp_path: Path, served) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from switchboard.cli.main import app

    objects = Path(__file__).resolve().parents[1] / "fixtures" / "sfdx-ledger"
    settings = served.org.settings
    result = CliRunner().invoke(
        app,
        [
            "org",
            "deploy",
            str(objects),
            "--data-dir",
            str(settings.data_dir),
            "--db",
            settings.database_url,
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    rows = served.query("SELECT Action, Section, Display FROM SetupAuditTrail")["records"]
    assert [(r["Action"], r["Section"]) for r in rows] == [("deploymentDeploy", "Deployment")]
    assert rows[0]["Display"].startswith("Deployed sfdx-ledger:")


@pytest.mark.parametrize("name", ["SetupAuditTrail", "LoginHistory", "EventLogFile"])
def test_trails_are_read_only_through_the_api(served, name: str) -> None:  # type: ignore[no-untyped-def]
    r = served.client.post(f"{V}/sobjects/{name}", json={}, headers=served.auth())
    assert r.status_code == 400
    assert r.json()[0]["errorCode"] == "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"
    described = served.client.get(f"{V}/sobjects/{name}/describe", headers=served.auth()).json()
    assert (described["createable"], described["updateable"], described["deletable"]) == (
        False,
        False,
        False,
    )
    assert described["keyPrefix"] == {"SetupAuditTrail": "0Ym", "LoginHistory": "0Ya",
                                      "EventLogFile": "0AT"}[name]  # fmt: skip


def test_event_log_file_holds_rest_and_login_events_as_csv(served) -> None:  # type: ignore[no-untyped-def]
    assert _password_grant(served, served.password).status_code == 200
    made = served.client.post(f"{V}/sobjects/Account", json={"Name": "Acme"}, headers=served.auth())
    assert made.status_code == 201
    assert served.client.get(f"{V}/sobjects/Account/{made.json()['id']}",
                             headers=served.auth()).status_code == 200  # fmt: skip
    org = served.org
    org.event_capture.flush()
    assert trail.roll(org.store, org.org_id, include_open=True)
    files = served.query(
        "SELECT Id, EventType, Interval, Sequence, LogFileLength, LogFileFieldNames, "
        "LogFileFieldTypes FROM EventLogFile WHERE Interval = 'Hourly' ORDER BY EventType"
    )["records"]
    by_type = {f["EventType"]: f for f in files}
    assert set(by_type) >= {"Login", "RestApi"}
    rest = by_type["RestApi"]
    assert rest["Sequence"] == 1
    r = served.client.get(f"{V}/sobjects/EventLogFile/{rest['Id']}/LogFile", headers=served.auth())
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv"
    assert len(r.content) == rest["LogFileLength"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == rest["LogFileFieldNames"].split(",")
    assert len(rest["LogFileFieldTypes"].split(",")) == len(table[0])
    calls = [(row["METHOD"], row["URI"], row["STATUS_CODE"]) for row in table]
    assert ("POST", f"{V}/sobjects/Account", "201") in calls
    assert all(row["EVENT_TYPE"] == "RestApi" and row["USER_ID"] for row in table)
    login = served.client.get(
        f"{V}/sobjects/EventLogFile/{by_type['Login']['Id']}/LogFile", headers=served.auth()
    )
    first = next(csv.DictReader(io.StringIO(login.text)))
    assert (first["USER_NAME"], first["LOGIN_STATUS"]) == (served.username, "LOGIN_NO_ERROR")
    # Later events of the same hour make the next file of the sequence.
    served.client.get(f"{V}/limits", headers=served.auth())
    org.event_capture.flush()
    trail.roll(org.store, org.org_id, include_open=True)
    seqs = served.query(
        "SELECT Sequence FROM EventLogFile WHERE EventType = 'RestApi' AND Interval = 'Hourly' "
        "ORDER BY Sequence"
    )["records"]
    assert [s["Sequence"] for s in seqs] == [1, 2]


def test_log_file_of_no_file_is_not_found(served) -> None:  # type: ignore[no-untyped-def]
    r = served.client.get(f"{V}/sobjects/EventLogFile/0AT000000000001AAA/LogFile",
                          headers=served.auth())  # fmt: skip
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"


def test_rows_past_retention_are_pruned(served) -> None:  # type: ignore[no-untyped-def]
    org = served.org
    assert _password_grant(served, served.password).status_code == 200
    trail.record_setup(org, "changedUser", "Manage Users", "old change")
    trail.record_setup(org, "changedUser", "Manage Users", "recent change")
    old = clock.now() - timedelta(days=400)
    setup, login = object_table("SetupAuditTrail"), object_table("LoginHistory")

    def age(conn: sa.Connection) -> None:
        conn.execute(setup.update().where(setup.c.display == "old change").values(createddate=old))
        conn.execute(login.update().values(logintime=old))

    org.store.write(age)
    pruned = trail.prune(org.store, org.settings)
    assert (pruned["SetupAuditTrail"], pruned["LoginHistory"]) == (1, 1)
    left = served.query("SELECT Display FROM SetupAuditTrail")["records"]
    assert [r["Display"] for r in left] == ["recent change"]
    assert served.query("SELECT COUNT() FROM LoginHistory")["totalSize"] == 0


def test_setup_audit_trail_records_assignments_made_through_the_api(served) -> None:  # type: ignore[no-untyped-def]
    """A PermissionSetAssignment inserted and deleted over REST, as integration setup
    scripts do, leaves a PermSetAssign and a PermSetUnassign row in the same transaction."""
    org = served.org
    admin = org.boot.admin_user_id
    user_id = _new_user(org, "cy@x.test", "Cy")
    ps = served.client.post(
        f"{V}/sobjects/PermissionSet", json={"Name": "Edit_Cases", "Label": "Edit Cases"},
        headers=served.auth(),
    )  # fmt: skip
    assert ps.status_code == 201, ps.text
    psa = served.client.post(
        f"{V}/sobjects/PermissionSetAssignment",
        json={"AssigneeId": user_id, "PermissionSetId": ps.json()["id"]},
        headers=served.auth(),
    )
    assert psa.status_code == 201, psa.text
    gone = served.client.delete(
        f"{V}/sobjects/PermissionSetAssignment/{psa.json()['id']}", headers=served.auth()
    )
    assert gone.status_code == 204, gone.text
    rows = served.query(
        "SELECT Action, Display, CreatedById FROM SetupAuditTrail "
        "WHERE Section = 'Manage Users' ORDER BY CreatedDate, Id"
    )["records"]
    perm = [(r["Action"], r["Display"]) for r in rows if r["Action"].startswith("PermSet")]
    assert perm == [
        ("PermSetAssign",
         f"Permission set Edit_Cases: assigned to user cy@x.test (UserId: {user_id})"),
        ("PermSetUnassign",
         f"Permission set Edit_Cases: unassigned from user cy@x.test (UserId: {user_id})"),
    ]  # fmt: skip
    assert all(r["CreatedById"] == admin for r in rows)
    # A refused assignment (no such user) writes no trail row: one transaction.
    bad = served.client.post(
        f"{V}/sobjects/PermissionSetAssignment",
        json={"AssigneeId": "005000000000099AAA", "PermissionSetId": ps.json()["id"]},
        headers=served.auth(),
    )
    assert bad.status_code == 400, bad.text
    again = served.query("SELECT COUNT() FROM SetupAuditTrail WHERE Action = 'PermSetAssign'")
    assert again["totalSize"] == 1
