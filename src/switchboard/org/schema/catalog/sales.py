"""Sales Cloud core: Account, Contact, Lead and Opportunity."""

from __future__ import annotations

from ..model import ObjectDef
from . import _values as v
from ._builders import (
    address,
    boolean,
    currency,
    date,
    datetime,
    double,
    email,
    integer,
    long_text,
    lookup,
    name,
    percent,
    person_name,
    phone,
    picklist,
    sobject,
    text,
    url,
)


def account() -> ObjectDef:
    return sobject(
        "Account",
        "Account",
        "Accounts",
        "001",
        [
            lookup("MasterRecordId", "Account", read_only=True),
            name(255, label="Account Name"),
            picklist("Type", v.ACCOUNT_TYPE, label="Account Type"),
            lookup("ParentId", "Account", "Parent", "ChildAccounts"),
            address("Billing"),
            address("Shipping"),
            phone(label="Account Phone"),
            phone("Fax", label="Account Fax"),
            text("AccountNumber", 40),
            url("Website"),
            url("PhotoUrl", read_only=True),
            text("Sic", 20, label="SIC Code"),
            picklist("Industry", v.INDUSTRY),
            currency("AnnualRevenue", 18, 0),
            integer("NumberOfEmployees", 8, label="Employees"),
            picklist("Ownership", v.OWNERSHIP),
            text("TickerSymbol", 20),
            long_text(label="Account Description"),
            picklist("Rating", v.RATING, label="Account Rating"),
            text("Site", 80, label="Account Site"),
            picklist("AccountSource", v.LEAD_SOURCE),
            text("SicDesc", 80, label="SIC Description"),
            date("LastActivityDate", read_only=True),
        ],
    )


def contact() -> ObjectDef:
    return sobject(
        "Contact",
        "Contact",
        "Contacts",
        "003",
        [
            lookup("MasterRecordId", "Contact", read_only=True),
            lookup(
                "AccountId", "Account", child_relationship="Contacts", delete_constraint="Cascade"
            ),
            person_name(),
            address("Other"),
            address("Mailing"),
            phone(label="Business Phone"),
            phone("Fax", label="Business Fax"),
            phone("MobilePhone", label="Mobile Phone"),
            phone("HomePhone", label="Home Phone"),
            phone("OtherPhone", label="Other Phone"),
            phone("AssistantPhone", label="Asst. Phone"),
            lookup("ReportsToId", "Contact", "ReportsTo"),
            email(),
            text("Title", 128),
            text("Department", 80),
            text("AssistantName", 40, label="Assistant's Name"),
            picklist("LeadSource", v.LEAD_SOURCE),
            date("Birthdate"),
            long_text(label="Contact Description"),
            boolean("HasOptedOutOfEmail", label="Email Opt Out"),
            boolean("HasOptedOutOfFax", label="Fax Opt Out"),
            boolean("DoNotCall"),
            text("EmailBouncedReason", 255),
            datetime("EmailBouncedDate"),
            url("PhotoUrl", read_only=True),
            date("LastActivityDate", read_only=True),
        ],
    )


def lead() -> ObjectDef:
    return sobject(
        "Lead",
        "Lead",
        "Leads",
        "00Q",
        [
            lookup("MasterRecordId", "Lead", read_only=True),
            person_name(),
            text("Title", 128),
            text("Company", 255, required=True),
            address(),
            phone(),
            phone("MobilePhone", label="Mobile Phone"),
            phone("Fax"),
            email(),
            url("Website"),
            url("PhotoUrl", read_only=True),
            long_text(),
            picklist("LeadSource", v.LEAD_SOURCE),
            picklist(
                "Status",
                v.LEAD_STATUS,
                default=v.LEAD_STATUS[0],
                label="Lead Status",
                required=True,
            ),
            picklist("Industry", v.INDUSTRY),
            picklist("Rating", v.RATING),
            currency("AnnualRevenue", 18, 0),
            integer("NumberOfEmployees", 8, label="Employees"),
            boolean("HasOptedOutOfEmail", label="Email Opt Out"),
            boolean("HasOptedOutOfFax", label="Fax Opt Out"),
            boolean("DoNotCall"),
            boolean("IsConverted", label="Converted", read_only=True),
            date("ConvertedDate", read_only=True),
            lookup("ConvertedAccountId", "Account", read_only=True),
            lookup("ConvertedContactId", "Contact", read_only=True),
            lookup("ConvertedOpportunityId", "Opportunity", read_only=True),
            boolean("IsUnreadByOwner", label="Unread By Owner"),
            date("LastActivityDate", read_only=True),
        ],
    )


def opportunity() -> ObjectDef:
    return sobject(
        "Opportunity",
        "Opportunity",
        "Opportunities",
        "006",
        [
            lookup(
                "AccountId",
                "Account",
                child_relationship="Opportunities",
                delete_constraint="Cascade",
            ),
            boolean("IsPrivate", label="Private"),
            name(120),
            long_text(),
            picklist("StageName", tuple(v.OPPORTUNITY_STAGES), label="Stage", required=True),
            currency("Amount"),
            percent("Probability", label="Probability (%)", defaulted_on_create=True),
            currency("ExpectedRevenue", label="Expected Amount", read_only=True),
            double("TotalOpportunityQuantity", 18, 2, label="Quantity"),
            date("CloseDate", required=True),
            picklist(
                "Type",
                (
                    "Existing Customer - Upgrade",
                    "Existing Customer - Replacement",
                    "Existing Customer - Downgrade",
                    "New Customer",
                ),
                label="Opportunity Type",
            ),
            text("NextStep", 255),
            picklist("LeadSource", v.LEAD_SOURCE),
            boolean("IsClosed", label="Closed", read_only=True),
            boolean("IsWon", label="Won", read_only=True),
            picklist(
                "ForecastCategory",
                v.FORECAST_CATEGORY,
                True,
                length=40,
                read_only=True,
                defaulted_on_create=True,
            ),
            picklist(
                "ForecastCategoryName",
                v.FORECAST_CATEGORY_NAME,
                True,
                label="Forecast Category",
                defaulted_on_create=True,
            ),
            lookup("CampaignId", "Campaign", child_relationship="Opportunities"),
            boolean("HasOpportunityLineItem", label="Has Line Item", read_only=True),
            lookup("Pricebook2Id", "Pricebook2", child_relationship="Opportunities"),
            lookup("ContactId", "Contact", child_relationship="Opportunities"),
            date("LastActivityDate", read_only=True),
            integer("FiscalQuarter", 8, label="Fiscal Quarter", read_only=True),
            integer("FiscalYear", 8, label="Fiscal Year", read_only=True),
            text("Fiscal", 6, label="Fiscal Period", read_only=True),
        ],
    )


OBJECTS = (account, contact, lead, opportunity)
