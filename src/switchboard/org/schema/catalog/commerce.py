"""What is sold and how: products, price books, contracts and orders."""

from __future__ import annotations

from typing import Any

from ..model import ObjectDef
from ._builders import (
    address,
    auto_number,
    boolean,
    currency,
    date,
    datetime,
    double,
    integer,
    long_text,
    lookup,
    master_detail,
    name,
    picklist,
    sobject,
    text,
    textarea,
    url,
)


def product2() -> ObjectDef:
    return sobject(
        "Product2",
        "Product",
        "Products",
        "01t",
        [
            name(255, label="Product Name"),
            text("ProductCode", 255, label="Product Code"),
            textarea("Description", 4000, label="Product Description"),
            boolean("IsActive", label="Active"),
            picklist("Family", ("None",), label="Product Family"),
            text("ExternalId", 255, label="External ID"),
            url("DisplayUrl", 1000, label="Display URL"),
            picklist("QuantityUnitOfMeasure", ("Each",), label="Quantity Unit Of Measure"),
            text("StockKeepingUnit", 180, label="Product SKU"),
            boolean("IsArchived", label="Archived", read_only=True),
        ],
    )


def pricebook2() -> ObjectDef:
    return sobject(
        "Pricebook2",
        "Price Book",
        "Price Books",
        "01s",
        [
            name(255, label="Price Book Name"),
            boolean("IsActive", label="Active"),
            boolean("IsArchived", label="Archived", read_only=True),
            text("Description", 255),
            boolean("IsStandard", label="Is Standard Price Book", read_only=True),
        ],
    )


def pricebook_entry() -> ObjectDef:
    fixed: dict[str, Any] = {"nillable": False, "updateable": False, "delete_constraint": "Cascade"}
    return sobject(
        "PricebookEntry",
        "Price Book Entry",
        "Price Book Entries",
        "01u",
        [
            text("Name", 255, label="Product Name", read_only=True, name_field=True),
            lookup("Pricebook2Id", "Pricebook2", child_relationship="PricebookEntries", **fixed),
            lookup("Product2Id", "Product2", child_relationship="PricebookEntries", **fixed),
            currency("UnitPrice", label="List Price", required=True),
            boolean("IsActive", label="Active"),
            boolean("UseStandardPrice", label="Use Standard Price"),
            text("ProductCode", 255, label="Product Code", read_only=True),
            boolean("IsArchived", label="Archived", read_only=True),
        ],
        owner=False,
    )


def contract() -> ObjectDef:
    return sobject(
        "Contract",
        "Contract",
        "Contracts",
        "800",
        [
            lookup(
                "AccountId",
                "Account",
                child_relationship="Contracts",
                required=True,
                delete_constraint="Cascade",
            ),
            lookup("Pricebook2Id", "Pricebook2"),
            picklist(
                "OwnerExpirationNotice",
                ("15", "30", "45", "60", "90", "120"),
                label="Owner Expiration Notice",
                length=40,
            ),
            date("StartDate", label="Contract Start Date"),
            date("EndDate", label="Contract End Date", read_only=True),
            address("Billing"),
            address("Shipping"),
            integer("ContractTerm", 4, label="Contract Term"),
            text("Name", 80, label="Contract Name"),
            picklist(
                "Status",
                ("In Approval Process", "Activated", "Draft"),
                default="Draft",
                required=True,
            ),
            picklist(
                "StatusCode",
                ("Draft", "InApproval", "Activated", "Terminated", "Expired"),
                True,
                length=40,
                label="Status Category",
                read_only=True,
                nillable=False,
                defaulted_on_create=True,
            ),
            lookup("CompanySignedId", "User", "CompanySigned"),
            date("CompanySignedDate", label="Company Signed Date"),
            lookup("CustomerSignedId", "Contact", "CustomerSigned"),
            text("CustomerSignedTitle", 40, label="Customer Signed Title"),
            date("CustomerSignedDate", label="Customer Signed Date"),
            textarea("SpecialTerms", 4000, label="Special Terms"),
            datetime("ActivatedDate", label="Activated Date", read_only=True),
            lookup("ActivatedById", "User", "ActivatedBy", read_only=True),
            long_text(),
            auto_number("ContractNumber", "{00000000}", label="Contract Number"),
            date("LastActivityDate", read_only=True),
        ],
    )


def order() -> ObjectDef:
    return sobject(
        "Order",
        "Order",
        "Orders",
        "801",
        [
            lookup("ContractId", "Contract", child_relationship="Orders"),
            lookup("AccountId", "Account", child_relationship="Orders"),
            lookup("Pricebook2Id", "Pricebook2", child_relationship="Orders"),
            lookup("OpportunityId", "Opportunity", child_relationship="Orders"),
            date("EffectiveDate", label="Order Start Date", required=True),
            date("EndDate", label="Order End Date"),
            boolean("IsReductionOrder", label="Reduction Order", updateable=False),
            picklist("Status", ("Draft", "Activated"), default="Draft", required=True),
            long_text(),
            lookup("CustomerAuthorizedById", "Contact", "CustomerAuthorizedBy"),
            date("CustomerAuthorizedDate", label="Customer Authorized Date"),
            lookup("CompanyAuthorizedById", "User", "CompanyAuthorizedBy"),
            date("CompanyAuthorizedDate", label="Company Authorized Date"),
            picklist("Type", (), label="Order Type"),
            address("Billing"),
            address("Shipping"),
            text("Name", 80, label="Order Name"),
            date("PoDate", label="PO Date"),
            text("PoNumber", 80, label="PO Number"),
            text("OrderReferenceNumber", 80, label="Order Reference Number"),
            lookup("BillToContactId", "Contact", "BillToContact"),
            lookup("ShipToContactId", "Contact", "ShipToContact"),
            datetime("ActivatedDate", label="Activated Date", read_only=True),
            lookup("ActivatedById", "User", "ActivatedBy", read_only=True),
            picklist(
                "StatusCode",
                ("Draft", "Activated", "Canceled", "Expired"),
                True,
                length=40,
                label="Status Category",
                read_only=True,
                nillable=False,
                defaulted_on_create=True,
            ),
            auto_number("OrderNumber", "{00000000}", label="Order Number"),
            currency("TotalAmount", label="Order Amount", read_only=True),
            date("LastActivityDate", read_only=True),
        ],
    )


def order_item() -> ObjectDef:
    fixed: dict[str, Any] = {"required": True, "updateable": False}
    return sobject(
        "OrderItem",
        "Order Product",
        "Order Products",
        "802",
        [
            lookup("Product2Id", "Product2", updateable=False),
            master_detail("OrderId", "Order", "Order", "OrderItems"),
            lookup("PricebookEntryId", "PricebookEntry", **fixed),
            lookup("OriginalOrderItemId", "OrderItem", "OriginalOrderItem", updateable=False),
            double("AvailableQuantity", 18, 2, label="Available Quantity", read_only=True),
            double("Quantity", 18, 2, required=True),
            currency("UnitPrice", required=True),
            currency("ListPrice", label="List Price", updateable=False),
            currency("TotalPrice", label="Total Price", read_only=True),
            date("ServiceDate", label="Start Date"),
            date("EndDate", label="End Date"),
            text("Description", 255, label="Line Description"),
            auto_number("OrderItemNumber", "{0000000000}", label="Order Product Number"),
        ],
        owner=False,
    )


OBJECTS = (product2, pricebook2, pricebook_entry, contract, order, order_item)
