"""The SFDX reader against a retrieved-style project, and against broken ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from switchboard.core.ids import prefix_for_name
from switchboard.org.schema.errors import SchemaError
from switchboard.org.schema.model import FieldType
from switchboard.org.schema.sfdx import SfdxError, SfdxProject, read_project

REALTY = Path(__file__).parent.parent / "fixtures" / "sfdx-realty"
OBJECTS = REALTY / "force-app" / "main" / "default" / "objects"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


@pytest.fixture(scope="module")
def realty() -> SfdxProject:
    return read_project(REALTY)


def obj(project: SfdxProject, name: str):
    found = project.object(name)
    assert found is not None, name
    return found


def test_objects_and_kinds(realty: SfdxProject) -> None:
    kinds = {o.name: o.kind for o in realty.objects}
    assert kinds == {
        "Broker__c": "custom",
        "Property__c": "custom",
        "Offer__c": "custom",
        "Price_Change__e": "platform_event",
    }
    broker = obj(realty, "broker__c")
    assert (broker.label, broker.label_plural) == ("Broker", "Brokers")
    assert broker.custom and broker.key_prefix == prefix_for_name("Broker__c")
    assert list(broker.fields)[0] == "id"
    for name in ("OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp"):
        assert broker.field(name) is not None, name


def test_text_fields_and_external_ids(realty: SfdxProject) -> None:
    broker = obj(realty, "Broker__c")
    name = broker.name_field
    assert name is not None and name.name == "Name" and name.label == "Broker Name"
    assert not name.auto_number and name.required
    email, phone = broker.field("Email__c"), broker.field("Phone__c")
    assert (email.type, email.length) == (FieldType.EMAIL, 80)
    assert (phone.type, phone.length) == (FieldType.PHONE, 40)
    key = broker.field("Broker_Id__c")
    assert (key.type, key.length) == (FieldType.STRING, 20)
    assert key.external_id and key.id_lookup and key.unique and not key.nillable
    assert all(f.custom for f in broker.fields.values() if f.name.endswith("__c"))
    prop = obj(realty, "Property__c")
    assert prop.field("state__c").length == 2
    assert prop.field("Property_Code__c").external_id


def test_picklists(realty: SfdxProject) -> None:
    title = obj(realty, "Broker__c").field("Title__c")
    assert title.type == FieldType.PICKLIST and title.restricted_picklist
    assert [(v.value, v.label) for v in title.picklist][-1] == (
        "Managing_Broker",
        "Managing Broker",
    )
    status = obj(realty, "Property__c").field("Status__c")
    assert [v.value for v in status.picklist] == ["Available", "Under Agreement", "Sold"]
    assert [v.default for v in status.picklist] == [True, False, False]
    assert status.default_value == "Available" and status.defaulted_on_create
    tags = obj(realty, "Property__c").field("Tags__c")
    assert tags.type == FieldType.MULTIPICKLIST and len(tags.picklist) == 4
    assert tags.default_value is None


def test_numbers_dates_and_text_areas(realty: SfdxProject) -> None:
    prop = obj(realty, "Property__c")
    price = prop.field("Price__c")
    assert (price.type, price.precision, price.scale) == (FieldType.CURRENCY, 16, 2)
    beds, baths = prop.field("Beds__c"), prop.field("Baths__c")
    assert (beds.type, beds.precision, beds.scale, beds.digits) == (FieldType.DOUBLE, 3, 0, 0)
    assert (baths.precision, baths.scale) == (3, 1)
    assert prop.field("Listed_Date__c").type == FieldType.DATE
    desc = prop.field("Description__c")
    assert (desc.type, desc.length, desc.extra_type_info) == (
        FieldType.TEXTAREA,
        32000,
        "plaintextarea",
    )


def test_formula_is_calculated_and_read_only(realty: SfdxProject) -> None:
    prop = obj(realty, "Property__c")
    ppb = prop.field("Price_Per_Bed__c")
    assert ppb.type == FieldType.CURRENCY and ppb.calculated
    assert ppb.formula == "IF(Beds__c > 0, Price__c / Beds__c, null)"
    assert not ppb.createable and not ppb.updateable and not ppb.stored
    assert ppb not in prop.stored_fields()


def test_lookup_relationship(realty: SfdxProject) -> None:
    broker = obj(realty, "Property__c").field("Broker__c")
    assert broker.type == FieldType.REFERENCE and broker.length == 18
    assert broker.reference_to == ("Broker__c",)
    assert broker.relationship_name == "Broker__r"
    assert broker.child_relationship_name == "Properties__r"
    assert broker.delete_constraint == "SetNull" and not broker.master_detail
    assert broker.nillable


def test_compound_location(realty: SfdxProject) -> None:
    prop = obj(realty, "Property__c")
    loc = prop.field("Location__c")
    assert loc.type == FieldType.LOCATION and not loc.stored
    lat, lon = prop.field("Location__Latitude__s"), prop.field("Location__Longitude__s")
    for part in (lat, lon):
        assert part.type == FieldType.DOUBLE and part.scale == 7 and part.stored
        assert part.compound_field_name == "Location__c"
    assert lat.label == "Location (Latitude)"
    assert lat.precision < lon.precision


def test_master_detail_and_auto_number(realty: SfdxProject) -> None:
    offer = obj(realty, "Offer__c")
    assert offer.field("OwnerId") is None  # detail records are owned by their master
    assert offer.field("CreatedById") is not None
    md = offer.field("Property__c")
    assert md.master_detail and md.delete_constraint == "Cascade"
    assert not md.nillable and md.required and not md.updateable  # not reparentable
    assert md.reference_to == ("Property__c",) and md.child_relationship_name == "Offers__r"
    name = offer.name_field
    assert name.auto_number and name.display_format == "OFR-{0000}" and not name.createable
    assert not offer.field("Amount__c").nillable and offer.field("Amount__c").required
    accepted = offer.field("Accepted__c")
    assert accepted.type == FieldType.BOOLEAN and accepted.default_value is False
    assert not accepted.nillable and not accepted.required
    assert obj(realty, "Property__c").field("OwnerId") is not None


def test_platform_event(realty: SfdxProject) -> None:
    event = obj(realty, "Price_Change__e")
    assert event.key_prefix == "e00" and not event.queryable
    assert realty.publish_behavior == {"Price_Change__e": "PublishAfterCommit"}
    names = [f.name for f in event.fields.values()]
    assert names[:4] == ["ReplayId", "CreatedDate", "CreatedById", "EventUuid"]
    assert {"Name", "OwnerId", "LastModifiedDate"}.isdisjoint(names)
    assert event.field("EventUuid").length == 36 and not event.field("ReplayId").createable
    price = event.field("New_Price__c")
    assert (price.type, price.precision, price.scale) == (FieldType.DOUBLE, 16, 2)
    assert not event.field("Property_Code__c").nillable


def test_extensions_of_standard_objects(realty: SfdxProject) -> None:
    assert realty.object("Account") is None
    assert list(realty.extensions) == ["Account"]
    fields = {f.name: f for f in realty.extensions["Account"]}
    assert set(fields) == {"Customer_Number__c", "Tier__c"}
    number = fields["Customer_Number__c"]
    assert (number.length, number.external_id, number.unique) == (20, True, True)
    tier = fields["Tier__c"]
    assert tier.restricted_picklist and [v.value for v in tier.picklist] == [
        "Gold",
        "Silver",
        "Bronze",
    ]


def test_warnings_name_file_and_element(realty: SfdxProject) -> None:
    where = "force-app/main/default/objects/Property__c/fields/Listed_Date__c.field-meta.xml"
    assert f"{where}: ignored element <someFutureElement>" in realty.warnings
    listed = obj(realty, "Property__c").field("Listed_Date__c")
    # A formula default is kept to be evaluated on create, not warned about.
    assert listed.default_value is None and listed.default_formula == "TODAY()"
    # Known elements that change nothing (inlineHelpText, ...) stay quiet.
    assert len(realty.warnings) == 1, realty.warnings


def test_objects_folder_without_project_file() -> None:
    project = read_project(OBJECTS)
    assert {o.name for o in project.objects} == {
        "Broker__c",
        "Property__c",
        "Offer__c",
        "Price_Change__e",
    }
    assert project.warnings[0].startswith("Property__c/fields/Listed_Date__c")


# -- broken and unusual projects ---------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def field_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField {NS}>\n{body}\n</CustomField>\n'


def test_malformed_xml_names_the_file(tmp_path: Path) -> None:
    shutil.copytree(REALTY, tmp_path / "p")
    bad = tmp_path / "p/force-app/main/default/objects/Broker__c/fields/Email__c.field-meta.xml"
    bad.write_text(field_xml("<fullName>Email__c</fullName><label>Email</type>"))
    with pytest.raises(SfdxError) as err:
        read_project(tmp_path / "p")
    assert "objects/Broker__c/fields/Email__c.field-meta.xml" in str(err.value)
    assert "line" in str(err.value)
    assert isinstance(err.value, SchemaError) and err.value.error_code == "DEPLOY_FAILED"


def test_path_without_objects(tmp_path: Path) -> None:
    write(tmp_path / "sfdx-project.json", '{"packageDirectories": [{"path": "force-app"}]}')
    write(tmp_path / "force-app/main/default/classes/Foo.cls", "public class Foo {}")
    with pytest.raises(SfdxError, match="no objects folder"):
        read_project(tmp_path)
    with pytest.raises(SfdxError, match="no such file"):
        read_project(tmp_path / "missing")


def test_unknown_type_loads_read_only_with_warning(tmp_path: Path) -> None:
    objects = tmp_path / "src/objects"
    write(
        objects / "Lead/fields/Score__c.field-meta.xml",
        field_xml("<fullName>Score__c</fullName><label>Score</label><type>Hologram</type>"),
    )
    project = read_project(tmp_path)
    (score,) = project.extensions["Lead"]
    assert score.type == FieldType.STRING and score.calculated and not score.createable
    assert project.warnings == [
        "src/objects/Lead/fields/Score__c.field-meta.xml: unknown field type 'Hologram' "
        "for Score__c, loaded as read-only text"
    ]


def test_metadata_api_format_summaries_and_value_sets(tmp_path: Path) -> None:
    write(
        tmp_path / "globalValueSets/Regions.globalValueSet-meta.xml",
        f"<GlobalValueSet {NS}><customValue><fullName>East</fullName><default>true</default>"
        "<label>East</label></customValue><customValue><fullName>West</fullName>"
        "<default>false</default><label>West</label></customValue>"
        "<masterLabel>Regions</masterLabel><sorted>false</sorted></GlobalValueSet>",
    )
    write(
        tmp_path / "objects/Team__c.object",
        f"""<CustomObject {NS}>
        <fields><fullName>Region__c</fullName><label>Region</label><type>Picklist</type>
            <valueSet><valueSetName>Regions</valueSetName></valueSet></fields>
        <fields><fullName>Top_Score__c</fullName><label>Top Score</label>
            <summarizedField>Member__c.Score__c</summarizedField>
            <summaryForeignKey>Member__c.Team__c</summaryForeignKey>
            <summaryOperation>max</summaryOperation><type>Summary</type></fields>
        <fields><fullName>Members__c</fullName><label>Members</label>
            <summaryForeignKey>Member__c.Team__c</summaryForeignKey>
            <summaryOperation>count</summaryOperation><type>Summary</type></fields>
        <fields><fullName>Motto__c</fullName><defaultValue>"Go \\"team\\""</defaultValue>
            <label>Motto</label><length>40</length><type>Text</type></fields>
        <label>Team</label><nameField><label>Team Name</label><type>Text</type></nameField>
        <pluralLabel>Teams</pluralLabel></CustomObject>""",
    )
    write(
        tmp_path / "objects/Member__c.object",
        f"""<CustomObject {NS}><fields><fullName>Score__c</fullName><label>Score</label>
        <precision>5</precision><scale>1</scale><type>Percent</type></fields>
        <fields><fullName>Team__c</fullName><label>Team</label><referenceTo>Team__c</referenceTo>
        <relationshipName>Members</relationshipName><type>MasterDetail</type></fields>
        <label>Member</label><pluralLabel>Members</pluralLabel></CustomObject>""",
    )
    project = read_project(tmp_path)
    assert project.warnings == []
    team = obj(project, "Team__c")
    region = team.field("Region__c")
    assert region.restricted_picklist and [v.value for v in region.picklist] == ["East", "West"]
    assert region.default_value == "East"
    top = team.field("Top_Score__c")
    assert (top.type, top.precision, top.scale, top.calculated) == (FieldType.PERCENT, 5, 1, True)
    count = team.field("Members__c")
    assert (count.type, count.scale, count.createable) == (FieldType.DOUBLE, 0, False)
    assert team.field("Motto__c").default_value == 'Go "team"'
    member = obj(project, "Member__c")
    assert member.name_field.label == "Member Name" and member.field("OwnerId") is None


def test_external_object(tmp_path: Path) -> None:
    write(
        tmp_path / "objects/Invoice__x/Invoice__x.object-meta.xml",
        f"<CustomObject {NS}><externalDataSource>Billing</externalDataSource>"
        "<externalName>invoices</externalName><label>Invoice</label>"
        "<pluralLabel>Invoices</pluralLabel></CustomObject>",
    )
    write(
        tmp_path / "objects/Invoice__x/fields/Total__c.field-meta.xml",
        field_xml(
            "<fullName>Total__c</fullName><externalName>total</externalName>"
            "<label>Total</label><precision>18</precision><scale>2</scale><type>Number</type>"
        ),
    )
    project = read_project(tmp_path / "objects")
    inv = obj(project, "Invoice__x")
    assert inv.kind == "external" and inv.key_prefix.startswith("x")
    assert [f.name for f in inv.fields.values()] == ["Id", "ExternalId", "DisplayUrl", "Total__c"]
    assert inv.field("ExternalId").external_id and inv.field("DisplayUrl").type == FieldType.URL
    assert project.warnings == []
