"""The standard-object catalog: prefixes, references, compounds and the fields clients use."""

from __future__ import annotations

from collections import Counter

import pytest

from switchboard.org.schema import FieldType, ObjectDef
from switchboard.org.schema.catalog import OPPORTUNITY_STAGES, standard_objects

EXPECTED_PREFIXES = {
    "User": "005",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "Case": "500",
    "Task": "00T",
    "Event": "00U",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Product2": "01t",
    "Pricebook2": "01s",
    "PricebookEntry": "01u",
    "Order": "801",
    "OrderItem": "802",
    "Contract": "800",
    "Asset": "02i",
    "Organization": "00D",
    "Profile": "00e",
    "ContentDocument": "069",
    "ContentVersion": "068",
    "ContentDocumentLink": "06A",
    "Attachment": "00P",
    "PermissionSetGroup": "0PG",
    "PermissionSet": "0PS",
    "MutingPermissionSet": "0QM",
    "PermissionSetGroupComponent": "0PH",
    "PermissionSetAssignment": "0Pa",
    "ObjectPermissions": "110",
    "FieldPermissions": "01k",
    "UserRole": "00E",
    "SetupAuditTrail": "0Ym",
    "LoginHistory": "0Ya",
    "EventLogFile": "0AT",
}
WITHOUT_OWNER = {
    "User",
    "UserRole",
    "CampaignMember",
    "PricebookEntry",
    "OrderItem",
    "Organization",
    "Profile",
    "ContentDocumentLink",
    "PermissionSetGroup", "PermissionSet", "MutingPermissionSet",  # fmt: skip
    "PermissionSetGroupComponent", "PermissionSetAssignment", "ObjectPermissions",
    "FieldPermissions",
    "SetupAuditTrail",
    "LoginHistory",
    "EventLogFile",
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, ObjectDef]:
    return {o.name: o for o in standard_objects()}


def test_objects_and_key_prefixes(catalog):
    assert {n: o.key_prefix for n, o in catalog.items()} == EXPECTED_PREFIXES
    prefixes = Counter(o.key_prefix for o in catalog.values())
    assert all(len(p) == 3 and n == 1 for p, n in prefixes.items())


def test_each_call_builds_fresh_objects():
    first, second = standard_objects(), standard_objects()
    first[0].fields.clear()
    assert second[0].fields and first[0] is not second[0]


def test_id_first_then_system_fields(catalog):
    for obj in catalog.values():
        names = [f.name for f in obj.fields.values()]
        assert names[0] == "Id", obj.name
        for system in ("IsDeleted", "CreatedDate", "CreatedById", "SystemModstamp"):
            assert system in names, (obj.name, system)
        assert ("OwnerId" in names) == (obj.name not in WITHOUT_OWNER), obj.name


def test_field_keys_match_names(catalog):
    for obj in catalog.values():
        for key, f in obj.fields.items():
            assert key == f.name.lower(), (obj.name, f.name)


def test_references_point_into_the_catalog(catalog):
    for obj in catalog.values():
        for f in obj.fields.values():
            if f.type == FieldType.REFERENCE:
                assert f.reference_to, (obj.name, f.name)
                assert f.relationship_name, (obj.name, f.name)
                for target in f.reference_to:
                    assert target in catalog, (obj.name, f.name, target)
            else:
                assert not f.reference_to and not f.child_relationship_name


def test_compound_components_name_a_compound_field(catalog):
    compounds = 0
    for obj in catalog.values():
        for f in obj.fields.values():
            if f.compound_field_name is None:
                continue
            compound = obj.field(f.compound_field_name)
            assert compound is not None, (obj.name, f.name)
            assert f.stored, (obj.name, f.name)
            if compound.type in (FieldType.ADDRESS, FieldType.LOCATION):
                assert not compound.stored
            else:  # a person's Name: stored text the org keeps in step with its parts
                assert obj.person_name and compound.name == "Name", (obj.name, f.name)
            compounds += 1
    assert compounds > 0


def test_person_name_parts_name_their_compound(catalog):
    for obj, parts in [
        ("Contact", ["LastName", "FirstName", "Salutation"]),
        ("Lead", ["LastName", "FirstName", "Salutation"]),
        ("User", ["LastName", "FirstName"]),
    ]:
        o = catalog[obj]
        assert o.person_name, obj
        assert [f.name for f in o.compound_parts(o.field("Name"))] == parts, obj
        assert o.field("Name").compound_field_name is None
    # Objects whose Name is typed in (or numbered) are not person names.
    for obj in ("Account", "Opportunity", "Case"):
        assert not catalog[obj].person_name, obj


def test_child_relationship_names_unique_per_parent(catalog):
    seen: Counter[tuple[str, str]] = Counter()
    for obj in catalog.values():
        for f in obj.fields.values():
            if f.child_relationship_name:
                for parent in f.reference_to:
                    seen[(parent, f.child_relationship_name.lower())] += 1
    assert seen, "no child relationships at all"
    assert [k for k, n in seen.items() if n > 1] == []


@pytest.mark.parametrize(
    ("obj", "field", "parent", "relationship", "children"),
    [
        ("Contact", "AccountId", "Account", "Account", "Contacts"),
        ("Opportunity", "AccountId", "Account", "Account", "Opportunities"),
        ("Case", "AccountId", "Account", "Account", "Cases"),
        ("Task", "WhatId", "Account", "What", "Tasks"),
        ("Event", "WhatId", "Opportunity", "What", "Events"),
        ("Task", "WhoId", "Lead", "Who", "Tasks"),
        ("OrderItem", "OrderId", "Order", "Order", "OrderItems"),
        ("Account", "ParentId", "Account", "Parent", "ChildAccounts"),
        ("CampaignMember", "CampaignId", "Campaign", "Campaign", "CampaignMembers"),
        ("PricebookEntry", "Product2Id", "Product2", "Product2", "PricebookEntries"),
    ],
)
def test_relationships(catalog, obj, field, parent, relationship, children):
    f = catalog[obj].field(field)
    assert parent in f.reference_to
    assert f.relationship_name == relationship
    assert f.child_relationship_name == children
    assert catalog[obj].by_relationship(relationship.lower()) is f


def test_polymorphic_activity_links(catalog):
    for name in ("Task", "Event"):
        obj = catalog[name]
        assert obj.field("Name") is None
        assert obj.name_field.name == "Subject"
        assert obj.field("WhoId").reference_to == ("Contact", "Lead")
        assert obj.field("WhatId").polymorphic


def test_order_item_cascades_from_order(catalog):
    f = catalog["OrderItem"].field("OrderId")
    assert f.master_detail and f.delete_constraint == "Cascade" and f.required


def test_lookup_is_case_insensitive(catalog):
    account = catalog["Account"]
    assert account.field("billingcity") is account.field("BILLINGCITY") is not None
    assert account.field("BillingCity").name == "BillingCity"
    assert catalog["Case"].field("casenumber").name == "CaseNumber"


@pytest.mark.parametrize(
    ("obj", "required"),
    [
        ("Account", {"Name"}),
        ("Contact", {"LastName"}),
        ("Lead", {"LastName", "Company"}),
        ("Opportunity", {"Name", "StageName", "CloseDate"}),
        (
            "User",
            {
                "Username",
                "LastName",
                "Email",
                "Alias",
                "ProfileId",
                "TimeZoneSidKey",
                "LocaleSidKey",
                "EmailEncodingKey",
                "LanguageLocaleKey",
            },
        ),
        ("Contract", {"AccountId"}),
        ("Order", {"EffectiveDate"}),
        ("OrderItem", {"OrderId", "PricebookEntryId", "Quantity", "UnitPrice"}),
        ("PricebookEntry", {"Pricebook2Id", "Product2Id", "UnitPrice"}),
        ("CampaignMember", {"CampaignId"}),
    ],
)
def test_required_fields(catalog, obj, required):
    assert {f.name for f in catalog[obj].fields.values() if f.required} == required


def test_defaulted_picklists(catalog):
    status = catalog["Lead"].field("Status")
    assert not status.nillable and not status.required
    assert status.default_value == "Open - Not Contacted"
    assert [p.value for p in status.picklist if p.default] == ["Open - Not Contacted"]
    assert catalog["Case"].field("Priority").default_value == "Medium"
    assert catalog["Task"].field("Status").default_value == "Not Started"
    assert catalog["Task"].field("Priority").default_value == "Normal"


def test_stage_picklist_matches_stage_table(catalog):
    stage = catalog["Opportunity"].field("StageName")
    assert [p.value for p in stage.picklist] == list(OPPORTUNITY_STAGES)
    assert OPPORTUNITY_STAGES["Closed Won"].won and OPPORTUNITY_STAGES["Closed Lost"].closed


def test_computed_fields_are_read_only_but_stored(catalog):
    for obj, field in [
        ("Opportunity", "IsClosed"),
        ("Opportunity", "IsWon"),
        ("Opportunity", "ExpectedRevenue"),
        ("Order", "TotalAmount"),
        ("OrderItem", "TotalPrice"),
        ("Lead", "IsConverted"),
        ("Case", "IsClosed"),
        ("Contact", "Name"),
        ("User", "Name"),
    ]:
        f = catalog[obj].field(field)
        assert not f.createable and not f.updateable and f.stored, (obj, field)


def test_person_names_are_stored_name_fields(catalog):
    for obj in ("Contact", "Lead", "User"):
        f = catalog[obj].name_field
        assert (f.name, f.type, f.length, f.calculated) == ("Name", FieldType.STRING, 121, False)


def test_auto_number_name_fields(catalog):
    for obj, field in [
        ("Case", "CaseNumber"),
        ("Order", "OrderNumber"),
        ("Contract", "ContractNumber"),
        ("OrderItem", "OrderItemNumber"),
    ]:
        f = catalog[obj].name_field
        assert f.name == field and f.auto_number and f.display_format and not f.createable
    assert catalog["Case"].field("Name") is None


def test_address_components(catalog):
    account = catalog["Account"]
    assert account.field("BillingAddress").type == FieldType.ADDRESS
    assert account.field("BillingStreet").type == FieldType.TEXTAREA
    assert [account.field(f"Billing{c}").length for c in ("City", "State", "PostalCode")] == [
        40,
        80,
        20,
    ]
    lat = account.field("BillingLatitude")
    assert (lat.type, lat.precision, lat.scale) == (FieldType.DOUBLE, 18, 15)
    lead = catalog["Lead"]
    assert lead.field("Street").compound_field_name == "Address"
    assert {c.field("MailingCity").compound_field_name for c in [catalog["Contact"]]} == {
        "MailingAddress"
    }


def test_field_shapes(catalog):
    account = catalog["Account"]
    revenue = account.field("AnnualRevenue")
    assert (revenue.type, revenue.precision, revenue.scale) == (FieldType.CURRENCY, 18, 0)
    assert account.field("NumberOfEmployees").type == FieldType.INT
    assert account.field("Website").type == FieldType.URL
    assert account.field("Description").length == 32000
    prob = catalog["Opportunity"].field("Probability")
    assert (prob.type, prob.precision, prob.scale) == (FieldType.PERCENT, 3, 0)
    assert catalog["User"].field("Username").unique
    assert "Customer - Direct" in {p.value for p in account.field("Type").picklist}


def test_organization_is_read_only(catalog):
    org = catalog["Organization"]
    assert not (org.createable or org.updateable or org.deletable)
    for name in (
        "Name",
        "InstanceName",
        "IsSandbox",
        "TrialExpirationDate",
        "NamespacePrefix",
        "OrganizationType",
    ):
        f = org.field(name)
        assert f is not None and not f.createable and not f.updateable, name


def test_booleans_never_null(catalog):
    for obj in catalog.values():
        for f in obj.fields.values():
            if f.type == FieldType.BOOLEAN:
                assert not f.nillable and f.defaulted_on_create, (obj.name, f.name)
