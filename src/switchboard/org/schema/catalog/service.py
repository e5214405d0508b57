"""Service Cloud core: Case and the Asset a customer owns."""

from __future__ import annotations

from ..model import ObjectDef
from . import _values as v
from ._builders import (
    auto_number,
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
    phone,
    picklist,
    sobject,
    text,
)


def case() -> ObjectDef:
    return sobject(
        "Case",
        "Case",
        "Cases",
        "500",
        [
            lookup("MasterRecordId", "Case", read_only=True),
            auto_number("CaseNumber", "{00000000}", label="Case Number"),
            lookup("ContactId", "Contact", child_relationship="Cases"),
            lookup("AccountId", "Account", child_relationship="Cases", delete_constraint="Cascade"),
            lookup("AssetId", "Asset", child_relationship="Cases"),
            lookup("ParentId", "Case", "Parent", "Cases"),
            text("SuppliedName", 80, label="Web Name"),
            email("SuppliedEmail", label="Web Email"),
            phone("SuppliedPhone", label="Web Phone"),
            text("SuppliedCompany", 80, label="Web Company"),
            picklist(
                "Type",
                ("Mechanical", "Electrical", "Electronic", "Structural", "Other"),
                label="Case Type",
            ),
            picklist("Status", v.CASE_STATUS, default="New"),
            picklist(
                "Reason",
                (
                    "Installation",
                    "Equipment Complexity",
                    "Performance",
                    "Breakdown",
                    "Equipment Design",
                    "Feedback",
                    "Other",
                ),
                label="Case Reason",
            ),
            picklist("Origin", ("Phone", "Email", "Web"), label="Case Origin"),
            text("Subject", 255),
            picklist("Priority", ("High", "Medium", "Low"), default="Medium"),
            long_text(),
            boolean("IsClosed", label="Closed", read_only=True),
            datetime("ClosedDate", label="Closed Date", read_only=True),
            boolean("IsEscalated", label="Escalated"),
            text("ContactPhone", 40, label="Contact Phone", read_only=True),
            text("ContactMobile", 40, label="Contact Mobile", read_only=True),
            text("ContactEmail", 80, label="Contact Email", read_only=True),
            text("ContactFax", 40, label="Contact Fax", read_only=True),
            text("Comments", 4000, label="Internal Comments"),
        ],
    )


def asset() -> ObjectDef:
    return sobject(
        "Asset",
        "Asset",
        "Assets",
        "02i",
        [
            lookup("ContactId", "Contact", child_relationship="Assets"),
            lookup(
                "AccountId", "Account", child_relationship="Assets", delete_constraint="Cascade"
            ),
            lookup("ParentId", "Asset", "Parent", "ChildAssets"),
            lookup("RootAssetId", "Asset", "RootAsset", read_only=True),
            lookup("Product2Id", "Product2", child_relationship="Assets"),
            text("ProductCode", 255, label="Product Code", read_only=True),
            boolean("IsCompetitorProduct", label="Competitor Asset"),
            name(255, label="Asset Name"),
            text("SerialNumber", 80, label="Serial Number"),
            date("InstallDate", label="Install Date"),
            date("PurchaseDate", label="Purchase Date"),
            date("UsageEndDate", label="Usage End Date"),
            picklist("Status", ("Purchased", "Shipped", "Installed", "Registered", "Obsolete")),
            currency("Price"),
            double("Quantity", 18, 2),
            long_text(),
            text("StockKeepingUnit", 180, label="Product SKU", read_only=True),
            integer("AssetLevel", 9, label="Asset Level", read_only=True),
        ],
    )


OBJECTS = (case, asset)
