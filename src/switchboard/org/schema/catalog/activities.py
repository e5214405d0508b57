"""Activities: Task and Event, attached to a person (Who) and a record (What)."""

from __future__ import annotations

from ..model import FieldDef, ObjectDef
from . import _values as v
from ._builders import (
    boolean,
    combobox,
    date,
    datetime,
    integer,
    long_text,
    lookup,
    picklist,
    sobject,
    text,
)

WHO = ("Contact", "Lead")
WHAT = ("Account", "Opportunity", "Case", "Campaign", "Contract", "Order", "Asset", "Product2")


def _links(children: str) -> list[FieldDef]:
    """WhoId and WhatId; their child relationship (Tasks or Events) is on every target."""
    return [
        lookup("WhoId", WHO, "Who", children, label="Name ID", delete_constraint="Cascade"),
        lookup(
            "WhatId", WHAT, "What", children, label="Related To ID", delete_constraint="Cascade"
        ),
    ]


def task() -> ObjectDef:
    return sobject(
        "Task",
        "Task",
        "Tasks",
        "00T",
        [
            *_links("Tasks"),
            combobox("Subject", ("Call", "Send Letter", "Send Quote", "Other"), name_field=True),
            date("ActivityDate", label="Due Date Only"),
            picklist("Status", v.TASK_STATUS, default="Not Started", required=True),
            picklist("Priority", ("High", "Normal", "Low"), default="Normal", required=True),
            boolean("IsHighPriority", label="High Priority", read_only=True),
            long_text(),
            picklist("Type", ("Call", "Email", "Meeting", "Other")),
            boolean("IsClosed", label="Closed", read_only=True),
            lookup("AccountId", "Account", read_only=True),
            boolean("IsReminderSet", label="Reminder Set"),
            datetime("ReminderDateTime", label="Reminder Date/Time"),
            integer("CallDurationInSeconds", 8, label="Call Duration"),
            picklist("CallType", ("Internal", "Inbound", "Outbound"), True, length=40),
            text("CallDisposition", 255, label="Call Result"),
            text("CallObject", 255, label="Call Object Identifier"),
            picklist(
                "TaskSubtype",
                ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
                True,
                length=40,
                updateable=False,
            ),
            datetime("CompletedDateTime", label="Completed Date Time", read_only=True),
        ],
    )


def event() -> ObjectDef:
    return sobject(
        "Event",
        "Event",
        "Events",
        "00U",
        [
            *_links("Events"),
            combobox(
                "Subject",
                ("Call", "Email", "Meeting", "Send Letter/Quote", "Other"),
                name_field=True,
            ),
            text("Location", 255),
            boolean("IsAllDayEvent", label="All-Day Event"),
            datetime("ActivityDateTime", label="Due Date Time"),
            date("ActivityDate", label="Due Date Only"),
            integer("DurationInMinutes", 8, label="Duration"),
            datetime("StartDateTime", label="Start Date Time"),
            datetime("EndDateTime", label="End Date Time"),
            date("EndDate", label="End", read_only=True),
            long_text(),
            lookup("AccountId", "Account", read_only=True),
            boolean("IsPrivate", label="Private"),
            picklist(
                "ShowAs",
                ("Busy", "OutOfOffice", "Free"),
                True,
                default="Busy",
                length=40,
                label="Show Time As",
            ),
            picklist("Type", ("Call", "Email", "Meeting", "Other")),
            boolean("IsReminderSet", label="Reminder Set"),
            datetime("ReminderDateTime", label="Reminder Date/Time"),
            picklist("EventSubtype", ("Event",), True, length=40, updateable=False),
        ],
    )


OBJECTS = (task, event)
