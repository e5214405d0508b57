"""Who uses the org: User, Profile and the Organization itself."""

from __future__ import annotations

from typing import Any

from ..model import ObjectDef
from . import _values as v
from ._builders import (
    address,
    boolean,
    datetime,
    email,
    lookup,
    name,
    person_name,
    phone,
    picklist,
    sobject,
    text,
    url,
)


def user() -> ObjectDef:
    return sobject(
        "User",
        "User",
        "Users",
        "005",
        [
            text("Username", 80, required=True, unique=True, id_lookup=True),
            person_name(salutation=False),
            text("CompanyName", 80, label="Company Name"),
            text("Division", 80),
            text("Department", 80),
            text("Title", 80),
            address(),
            email(length=128, required=True),
            phone(),
            phone("Fax"),
            phone("MobilePhone", label="Mobile"),
            text("Alias", 8, required=True),
            text(
                "CommunityNickname", 40, label="Nickname", required=True, defaulted_on_create=True
            ),
            boolean("IsActive", True, label="Active"),
            picklist("TimeZoneSidKey", v.TIME_ZONES, label="Time Zone", length=40, required=True),
            picklist("LocaleSidKey", v.LOCALES, label="Locale", length=40, required=True),
            picklist(
                "EmailEncodingKey",
                v.EMAIL_ENCODINGS,
                label="Email Encoding",
                length=40,
                required=True,
            ),
            picklist("LanguageLocaleKey", v.LANGUAGES, label="Language", length=40, required=True),
            lookup("ProfileId", "Profile", required=True),
            picklist("UserType", v.USER_TYPE, True, length=40, read_only=True),
            lookup("ManagerId", "User", "Manager", "ManagedUsers"),
            lookup("UserRoleId", "UserRole", "UserRole", "Users", label="Role ID"),
            text("EmployeeNumber", 20),
            text("FederationIdentifier", 512, label="SAML Federation ID"),
            datetime("LastLoginDate", read_only=True),
            url("SmallPhotoUrl", 1024, read_only=True),
            url("FullPhotoUrl", 1024, read_only=True),
        ],
        owner=False,
    )


def profile() -> ObjectDef:
    return sobject(
        "Profile",
        "Profile",
        "Profiles",
        "00e",
        [
            name(255),
            text("Description", 255),
            picklist("UserType", v.USER_TYPE, True, length=40, read_only=True),
        ],
        owner=False,
    )


def organization() -> ObjectDef:
    ro: dict[str, Any] = {"read_only": True}
    return sobject(
        "Organization",
        "Organization",
        "Organizations",
        "00D",
        [
            name(80, createable=False, updateable=False),
            text("Division", 80, **ro),
            address(read_only=True),
            phone(**ro),
            phone("Fax", **ro),
            text("PrimaryContact", 80, **ro),
            picklist("DefaultLocaleSidKey", v.LOCALES, label="Locale", length=40, **ro),
            picklist("LanguageLocaleKey", v.LANGUAGES, label="Language", length=40, **ro),
            picklist("TimeZoneSidKey", v.TIME_ZONES, label="Time Zone", length=40, **ro),
            text("InstanceName", 5, **ro),
            boolean("IsSandbox", **ro),
            datetime("TrialExpirationDate", **ro),
            text("NamespacePrefix", 15, **ro),
            picklist(
                "OrganizationType",
                (
                    "Team Edition",
                    "Professional Edition",
                    "Enterprise Edition",
                    "Developer Edition",
                    "Personal Edition",
                    "Unlimited Edition",
                    "Contact Manager Edition",
                    "Base Edition",
                ),
                True,
                label="Edition",
                length=40,
                **ro,
            ),
        ],
        owner=False,
        createable=False,
        updateable=False,
        deletable=False,
        track_changes=False,
    )


OBJECTS = (user, profile, organization)
