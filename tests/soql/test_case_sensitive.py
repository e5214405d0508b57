# ruff: noqa: S608  (SOQL text, not SQL; its filters are the test's own)
"""SOQL compares a unique case-sensitive text field exactly, and every other text field
case-insensitively, as Salesforce documents: =, IN and LIKE alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.databases import database_url
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.org.schema.sfdx import read_project
from switchboard.org.soql.engine import QueryEngine

_OBJECT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <label>Code</label>
    <nameField><label>Code Name</label><type>Text</type></nameField>
    <pluralLabel>Codes</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
"""
_FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Key__c</fullName>
    <caseSensitive>true</caseSensitive>
    <externalId>true</externalId>
    <label>Key</label>
    <length>20</length>
    <type>Text</type>
    <unique>true</unique>
</CustomField>
"""
KEYS = ["Ab-1", "AB-1", "ab-1", "x*y", "x_y", "Ab%2"]


@pytest.fixture(params=["sqlite", "postgresql"])
def org(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Org]:
    project = tmp_path / "project"
    objects = project / "force-app" / "main" / "default" / "objects" / "Code__c"
    (objects / "fields").mkdir(parents=True)
    (project / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    (objects / "Code__c.object-meta.xml").write_text(_OBJECT)
    (objects / "fields" / "Key__c.field-meta.xml").write_text(_FIELD)
    with database_url(str(request.param), tmp_path) as url:
        o = Org.open(load(data_dir=tmp_path / "data", db=url))
        try:
            parsed = read_project(project)
            o.schema.deploy(parsed.objects, parsed.extensions)
            assert o.boot is not None
            ctx = WriteContext(o.boot.admin_user_id)
            for k in KEYS:  # three keys that differ only in case may coexist
                o.create(ctx, "Code__c", {"Name": k.lower(), "Key__c": k})
            yield o
        finally:
            o.close()


def _keys(org: Org, where: str) -> list[str]:
    reply: dict[str, Any] = QueryEngine(org).query(
        f"SELECT Key__c FROM Code__c WHERE {where} ORDER BY Key__c", version="59.0"
    )
    return sorted(r["Key__c"] for r in reply["records"])


def test_case_sensitive_field_compares_exactly(org: Org) -> None:
    assert _keys(org, "Key__c = 'AB-1'") == ["AB-1"]
    assert _keys(org, "Key__c IN ('ab-1', 'Zz')") == ["ab-1"]
    assert _keys(org, "Key__c != 'Ab-1'") == sorted(set(KEYS) - {"Ab-1"})
    assert _keys(org, "Key__c LIKE 'A%'") == ["AB-1", "Ab%2", "Ab-1"]
    assert _keys(org, "Key__c LIKE 'a_-1'") == ["ab-1"]
    # Escaped wildcards and GLOB's own wildcards match themselves.
    assert _keys(org, "Key__c LIKE 'Ab\\%%'") == ["Ab%2"]
    assert _keys(org, "Key__c LIKE 'x*y'") == ["x*y"]
    assert _keys(org, "Key__c LIKE 'x\\_y'") == ["x_y"]


def test_other_text_compares_ignoring_case(org: Org) -> None:
    assert _keys(org, "Name = 'AB-1'") == ["AB-1", "Ab-1", "ab-1"]
    assert _keys(org, "Name LIKE 'A%'") == ["AB-1", "Ab%2", "Ab-1", "ab-1"]
