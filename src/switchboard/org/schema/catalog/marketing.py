"""Campaigns and the leads and contacts they reach."""

from __future__ import annotations

from typing import Any

from ..model import ObjectDef
from ._builders import (
    boolean,
    currency,
    date,
    double,
    integer,
    long_text,
    lookup,
    master_detail,
    name,
    percent,
    picklist,
    sobject,
)

CAMPAIGN_TYPE = (
    "Conference",
    "Webinar",
    "Trade Show",
    "Public Relations",
    "Partners",
    "Referral Program",
    "Advertisement",
    "Banner Ads",
    "Direct Mail",
    "Email",
    "Telemarketing",
    "Other",
)
CAMPAIGN_STATUS = ("Planned", "In Progress", "Completed", "Aborted")
# A new campaign gets these two member statuses; "Sent" is the default.
MEMBER_STATUS = ("Sent", "Responded")


def campaign() -> ObjectDef:
    ro: dict[str, Any] = {"read_only": True, "nillable": False, "defaulted_on_create": True}
    return sobject(
        "Campaign",
        "Campaign",
        "Campaigns",
        "701",
        [
            name(80, label="Campaign Name"),
            lookup("ParentId", "Campaign", "Parent", "ChildCampaigns"),
            picklist("Type", CAMPAIGN_TYPE),
            picklist("Status", CAMPAIGN_STATUS),
            date("StartDate"),
            date("EndDate"),
            currency("ExpectedRevenue", 18, 0, label="Expected Revenue in Campaign"),
            currency("BudgetedCost", 18, 0, label="Budgeted Cost in Campaign"),
            currency("ActualCost", 18, 0, label="Actual Cost in Campaign"),
            percent("ExpectedResponse", 10, 2, label="Expected Response (%)"),
            double("NumberSent", 18, 0, label="Num Sent in Campaign"),
            boolean("IsActive", label="Active"),
            long_text(),
            integer("NumberOfLeads", 9, label="Leads in Campaign", **ro),
            integer("NumberOfConvertedLeads", 9, label="Converted Leads in Campaign", **ro),
            integer("NumberOfContacts", 9, label="Contacts in Campaign", **ro),
            integer("NumberOfResponses", 9, label="Responses in Campaign", **ro),
            integer("NumberOfOpportunities", 9, label="Opportunities in Campaign", **ro),
            integer("NumberOfWonOpportunities", 9, label="Won Opportunities in Campaign", **ro),
            currency(
                "AmountAllOpportunities", 18, 0, label="Value Opportunities in Campaign", **ro
            ),
            currency(
                "AmountWonOpportunities", 18, 0, label="Value Won Opportunities in Campaign", **ro
            ),
            date("LastActivityDate", read_only=True),
        ],
    )


def campaign_member() -> ObjectDef:
    return sobject(
        "CampaignMember",
        "Campaign Member",
        "Campaign Members",
        "00v",
        [
            # Not master-detail in Salesforce's describe, but required, fixed after create,
            # and its members go when the campaign is deleted.
            master_detail("CampaignId", "Campaign", "Campaign", "CampaignMembers").with_(
                master_detail=False
            ),
            lookup(
                "LeadId",
                "Lead",
                child_relationship="CampaignMembers",
                updateable=False,
                delete_constraint="Cascade",
            ),
            lookup(
                "ContactId",
                "Contact",
                child_relationship="CampaignMembers",
                updateable=False,
                delete_constraint="Cascade",
            ),
            picklist("Status", MEMBER_STATUS, default="Sent"),
            boolean("HasResponded", label="Responded", read_only=True),
            date("FirstRespondedDate", read_only=True),
        ],
        owner=False,
    )


OBJECTS = (campaign, campaign_member)
