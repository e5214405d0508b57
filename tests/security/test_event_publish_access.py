"""Publishing a platform event needs Create on the event object, as Salesforce's
permission sets grant it: a user over Minimum Access with a set granting it publishes
over REST; one whose set does not gets INSUFFICIENT_ACCESS_OR_READONLY and no event is
appended."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from switchboard.events.tables import event as event_log
from switchboard.org.identity import users
from switchboard.org.identity.tokens import mint
from switchboard.org.schema.sfdx import read_project
from switchboard.org.security import assignments
from switchboard.org.security.deploy import deploy_permissions

V = "/services/data/v59.0"
META = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
EVENT = f"""{META}<CustomObject {NS}><deploymentStatus>Deployed</deploymentStatus>
<eventType>HighVolume</eventType><label>Lead Scored</label><pluralLabel>Leads Scored</pluralLabel>
<publishBehavior>PublishAfterCommit</publishBehavior></CustomObject>"""
SCORE = f"""{META}<CustomField {NS}><fullName>Score__c</fullName><label>Score</label>
<precision>3</precision><scale>0</scale><type>Number</type><required>false</required>
</CustomField>"""


def _permset(name: str, obj: str, create: bool) -> str:
    return f"""{META}<PermissionSet {NS}><label>{name}</label>
<objectPermissions><allowCreate>{str(create).lower()}</allowCreate><allowDelete>false</allowDelete>
<allowEdit>false</allowEdit><allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords>
<object>{obj}</object><viewAllRecords>false</viewAllRecords></objectPermissions>
<userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>
</PermissionSet>"""


def _project(root: Path) -> Path:
    base = root / "force-app" / "main" / "default"
    fields = base / "objects" / "Lead_Scored__e" / "fields"
    fields.mkdir(parents=True)
    (fields.parent / "Lead_Scored__e.object-meta.xml").write_text(EVENT)
    (fields / "Score__c.field-meta.xml").write_text(SCORE)
    sets = base / "permissionsets"
    sets.mkdir()
    (sets / "Publish_Scores.permissionset-meta.xml").write_text(
        _permset("Publish Scores", "Lead_Scored__e", create=True))  # fmt: skip
    (sets / "Read_Scores.permissionset-meta.xml").write_text(
        _permset("Read Scores", "Lead_Scored__e", create=False))  # fmt: skip
    (root / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "force-app", "default": true}], '
        '"sourceApiVersion": "59.0"}'
    )
    return root


def _user_token(org, name: str, permset: str) -> str:  # type: ignore[no-untyped-def]
    boot = org.boot
    admin = boot.admin_user_id

    def work(c):  # type: ignore[no-untyped-def]
        uid, _ = users.add(c, org.schema, f"{name}@pe.test", "Pw-12345678!", last_name=name,
                           created_by=admin)  # fmt: skip
        assignments.set_profile(c, org.schema, uid, "Minimum Access - Salesforce")
        assignments.assign(c, org.schema, uid, permset, admin)
        return mint(c, boot.org_id, uid, client_id=None, lifetime_seconds=3600)

    return str(org.store.write(work))


def _events(org) -> int:  # type: ignore[no-untyped-def]
    with org.store.read() as conn:
        return int(conn.execute(
            sa.select(sa.func.count()).select_from(event_log)
            .where(event_log.c.channel == "/event/Lead_Scored__e")
        ).scalar_one())  # fmt: skip


def test_publish_needs_create_on_the_event(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    org = served.org
    project = read_project(_project(tmp_path / "proj"))
    org.schema.deploy(project.objects, project.extensions)
    admin = org.boot.admin_user_id
    org.store.write(lambda c: deploy_permissions(org.schema, c, project.permissions, admin))
    publisher = _user_token(org, "Pub", "Publish_Scores")
    reader = _user_token(org, "Rea", "Read_Scores")

    ok = served.client.post(f"{V}/sobjects/Lead_Scored__e", json={"Score__c": 90},
                            headers={"Authorization": f"Bearer {publisher}"})  # fmt: skip
    assert ok.status_code == 201, ok.text
    assert ok.json()["success"] is True
    refused = served.client.post(f"{V}/sobjects/Lead_Scored__e", json={"Score__c": 10},
                                 headers={"Authorization": f"Bearer {reader}"})  # fmt: skip
    assert refused.status_code == 403, refused.text  # as an sObject create refused
    assert refused.json() == [{
        "message": "insufficient access rights on object id",
        "errorCode": "INSUFFICIENT_ACCESS_OR_READONLY",
        "fields": [],
    }]  # fmt: skip
    assert _events(org) == 1  # the refused publish appended nothing
    # The administrator (Modify All Data) publishes without a grant of its own.
    admin_ok = served.client.post(f"{V}/sobjects/Lead_Scored__e", json={"Score__c": 50},
                                  headers=served.auth())  # fmt: skip
    assert admin_ok.status_code == 201, admin_ok.text
    assert _events(org) == 2
