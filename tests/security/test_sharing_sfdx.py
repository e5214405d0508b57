"""Sharing deployed from SFDX source: roles, an object's sharingModel and a sharing
rules file, read and put into an org, then enforced in SOQL."""

from __future__ import annotations

from pathlib import Path

from sharing_support import shared_org

from switchboard.org.security.sharing.deploy import deploy_roles, deploy_sharing
from switchboard.org.security.sharing.sfdx import read_sharing

_NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
_ROLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<Role {_NS}><name>Auditors</name><parentRole>CEO</parentRole></Role>"""
_ACCOUNT = f"""<?xml version="1.0" encoding="UTF-8"?>
<CustomObject {_NS}><sharingModel>Read</sharingModel></CustomObject>"""
_RULES = f"""<?xml version="1.0" encoding="UTF-8"?>
<SharingRules {_NS}>
  <sharingCriteriaRules>
    <fullName>BankingToWest</fullName><accessLevel>Edit</accessLevel><label>B</label>
    <sharedTo><roleAndSubordinates>West</roleAndSubordinates></sharedTo>
    <criteriaItems><field>Industry</field><operation>equals</operation><value>Banking</value></criteriaItems>
  </sharingCriteriaRules>
  <sharingOwnerRules>
    <fullName>EastToGroup</fullName><accessLevel>Read</accessLevel><label>G</label>
    <sharedFrom><role>East</role></sharedFrom><sharedTo><group>Everyone</group></sharedTo>
  </sharingOwnerRules>
</SharingRules>"""


def test_sfdx_roles_models_and_rules_deploy(tmp_path: Path) -> None:
    src = tmp_path / "src" / "force-app" / "main" / "default"
    for sub, name, text in (("roles", "Auditors.role-meta.xml", _ROLE),
                            ("objects/Account", "Account.object-meta.xml", _ACCOUNT),
                            ("sharingRules", "Account.sharingRules-meta.xml", _RULES)):  # fmt: skip
        (src / sub).mkdir(parents=True, exist_ok=True)
        (src / sub / name).write_text(text)
    found = read_sharing(tmp_path / "src")
    assert [(r.developer_name, r.parent) for r in found.roles] == [("Auditors", "CEO")]
    assert found.models == {"Account": "Read"}
    assert [r.name for r in found.rules] == ["BankingToWest"]
    assert any("EastToGroup" in w for w in found.warnings)  # groups are not modelled
    with shared_org("sqlite", tmp_path / "org") as s:
        assert s.org.boot is not None
        ids = deploy_roles(s.org, s.org.boot.admin_user_id, found.roles)
        assert "auditors" in ids
        deploy_sharing(s.org, models=found.models, rules=found.rules)
        # Public Read Only: east1 reads everything but edits only what it may.
        assert s.query("SELECT COUNT() FROM Account", "east1")["totalSize"] == 15
        bank = s.accounts["east2"][0]
        s.org.update(s.admin, "Account", bank, {"Industry": "Banking"})
        s.org.update(s.ctx("west1"), "Account", bank, {"Name": "edited by west"})
