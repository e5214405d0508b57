"""What the org records of itself: SetupAuditTrail, LoginHistory and EventLogFile.

All three are written only by the org (``org.security.trail``); through the API they
are queryable and retrievable, never created, updated or deleted, as in Salesforce
(describe says ``createable``, ``updateable`` and ``deletable`` false). They publish
no change events. Fields and lengths follow Salesforce's field reference.
"""

from __future__ import annotations

from typing import Any

from ..model import FieldDef, FieldType, ObjectDef
from ._builders import datetime, double, integer, lookup, picklist, sobject, text

_READ_ONLY_OBJECT: dict[str, Any] = {
    "owner": False,
    "createable": False,
    "updateable": False,
    "deletable": False,
    "track_changes": False,
}

# LoginHistory.Status values the org writes (Salesforce's wording).
LOGIN_SUCCESS = "Success"
LOGIN_INVALID_PASSWORD = "Invalid Password"
LOGIN_LOCKED_OUT = "Password Lockout"
LOGIN_INACTIVE = "User is Inactive"
LOGIN_FAILED = "Failed: Invalid Client Credentials"
LOGIN_TYPES = ("Application", "Remote Access 2.0", "Remote Access Client", "Other Apex API",
               "SAML Sfdc Initiated SSO", "Partner Product", "Partner Portal")  # fmt: skip
EVENT_TYPES = ("API", "RestApi", "BulkApi", "BulkApi2", "Login")
INTERVALS = ("Daily", "Hourly")


def setup_audit_trail() -> ObjectDef:
    ro: dict[str, Any] = {"read_only": True}
    return sobject(
        "SetupAuditTrail",
        "Setup Audit Trail",
        "Setup Audit Trails",
        "0Ym",
        [
            text("Action", 120, nillable=False, **ro),
            text("Section", 40, **ro),
            text("Display", 1000, **ro),
            text("CreatedByContext", 80, label="Created By Context", **ro),
            text("CreatedByIssuer", 80, label="Created By Issuer", **ro),
            text("DelegateUser", 80, label="Delegate User", **ro),
            text("ResponsibleNamespacePrefix", 15, label="Source Namespace Prefix", **ro),
        ],
        **_READ_ONLY_OBJECT,
    )


def login_history() -> ObjectDef:
    ro: dict[str, Any] = {"read_only": True}
    return sobject(
        "LoginHistory",
        "Login History",
        "Login History",
        "0Ya",
        [
            lookup("UserId", "User", "User", None, **ro),
            datetime("LoginTime", **ro),
            picklist("LoginType", LOGIN_TYPES, True, length=40, **ro),
            text("SourceIp", 39, label="Source IP", **ro),
            text("LoginUrl", 255, label="Login URL", **ro),
            text("Browser", 64, **ro),
            text("Platform", 64, **ro),
            text("Status", 128, **ro),
            text("Application", 64, **ro),
            text("ClientVersion", 64, **ro),
            text("ApiType", 64, label="API Type", **ro),
            text("ApiVersion", 32, label="API Version", **ro),
            text("CountryIso", 3, label="Country Code", **ro),
            lookup("AuthenticationServiceId", "User", "AuthenticationService", None, **ro),
            text("TlsProtocol", 40, label="TLS Protocol", **ro),
        ],
        **_READ_ONLY_OBJECT,
    )


def event_log_file() -> ObjectDef:
    ro: dict[str, Any] = {"read_only": True}
    return sobject(
        "EventLogFile",
        "Event Log File",
        "Event Log Files",
        "0AT",
        [
            picklist("EventType", EVENT_TYPES, True, **ro),
            datetime("LogDate", **ro),
            double("LogFileLength", 18, 0, **ro),
            # The CSV itself has no column: served by sobjects/EventLogFile/{id}/LogFile.
            FieldDef(
                "LogFile", FieldType.BASE64, label="Log File", createable=False, updateable=False
            ),  # fmt: skip
            text("LogFileContentType", 255, **ro),
            text("LogFileFieldNames", 1333, **ro),
            text("LogFileFieldTypes", 1333, **ro),
            picklist("Interval", INTERVALS, True, **ro),
            integer("Sequence", 9, **ro),
            double("ApiVersion", 18, 1, label="API Version", **ro),
        ],
        **_READ_ONLY_OBJECT,
    )


OBJECTS = (setup_audit_trail, login_history, event_log_file)
