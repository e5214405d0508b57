"""Files: ContentDocument (the file), ContentVersion (each version's bytes),
ContentDocumentLink (where the file is shared) and the classic Attachment.

The bytes of VersionData and Body never live in a record's row: base64 fields have no
column (see ``FieldDef.stored``); ``org.files`` keeps them in a content-addressed store
and the record carries ContentSize and Checksum. Who may set what follows Salesforce's
object reference: versions are created, never updated in place (their bytes, size and
checksum are read-only), and a document is made by its first version, never directly.
"""

from __future__ import annotations

from ..model import FieldDef, FieldType, ObjectDef
from ._builders import (
    boolean,
    datetime,
    integer,
    lookup,
    picklist,
    sobject,
    text,
    textarea,
)

# Records a file can be linked to (LinkedEntityId, FirstPublishLocationId, ParentId):
# the standard objects that can carry files in Salesforce's feed-tracked set.
LINKABLE = (
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "Case",
    "Campaign",
    "Contract",
    "Order",
    "Asset",
    "Product2",
    "User",
    "Task",
    "Event",
)
_SHARING_OPTION = ("A", "R")  # Allowed, Restricted (freeze sharing)
_SHARING_PRIVACY = ("N", "P")  # None, Private on records
_PUBLISH_STATUS = ("U", "P", "R")  # Upload interrupted, Public, Personal library
_LOCATION = ("S", "E", "L")  # Salesforce, External, Social
_ORIGIN = ("C", "H")  # Content, Chatter


def _blob(name: str, label: str, **kw: object) -> FieldDef:
    return FieldDef(name, FieldType.BASE64, label=label, **kw)  # type: ignore[arg-type]


def _file_facts(*, read_only: bool) -> list[FieldDef]:
    """The facts a version has of its bytes, copied onto its document."""
    ro = {"read_only": True} if read_only else {}
    return [
        integer("ContentSize", 10, label="Size", read_only=True),
        text("FileType", 20, label="File Type", read_only=True),
        text("FileExtension", 40, label="File Extension", read_only=True),
        datetime("ContentModifiedDate", label="Content Modified Date", **ro),
    ]


def content_document() -> ObjectDef:
    return sobject(
        "ContentDocument",
        "Content Document",
        "Content Documents",
        "069",
        [
            text("Title", 255, required=True, name_field=True),
            textarea("Description", 1000),
            boolean("IsArchived", label="Is Archived", read_only=True),
            lookup("ArchivedById", "User", read_only=True),
            datetime("ArchivedDate", label="Archived Date", read_only=True),
            picklist("PublishStatus", _PUBLISH_STATUS, default="P", read_only=True),
            lookup("LatestPublishedVersionId", "ContentVersion", read_only=True),
            # The library (ContentWorkspace) holding the file; the org has no libraries,
            # so the id is text that stays empty rather than a lookup to nothing.
            text("ParentId", 18, label="Parent ID", read_only=True),
            picklist("SharingOption", _SHARING_OPTION, default="A"),
            picklist("SharingPrivacy", _SHARING_PRIVACY, default="N"),
            *_file_facts(read_only=True),
        ],
        createable=False,
    )


def content_version() -> ObjectDef:
    return sobject(
        "ContentVersion",
        "Content Version",
        "Content Versions",
        "068",
        [
            lookup(
                "ContentDocumentId",
                "ContentDocument",
                child_relationship="ContentVersions",
                delete_constraint="Cascade",
                updateable=False,
            ),
            boolean("IsLatest", label="Is Latest", read_only=True),
            text("ContentUrl", 1300, label="Content URL"),
            text("VersionNumber", 20, label="Version Number", read_only=True),
            text("Title", 255, required=True, name_field=True),
            textarea("Description", 1000),
            text("ReasonForChange", 1000, label="Reason For Change"),
            text("PathOnClient", 500, label="Path On Client", updateable=False),
            picklist("SharingOption", _SHARING_OPTION, default="A"),
            picklist("SharingPrivacy", _SHARING_PRIVACY, default="N"),
            picklist("PublishStatus", _PUBLISH_STATUS, default="P", read_only=True),
            _blob("VersionData", "Version Data", updateable=False),
            *_file_facts(read_only=False),
            text("Checksum", 50, read_only=True),
            lookup(
                "FirstPublishLocationId",
                LINKABLE,
                "FirstPublishLocation",
                label="First Publish Location ID",
                updateable=False,
            ),
            picklist("Origin", _ORIGIN, default="C", updateable=False),
            picklist("ContentLocation", _LOCATION, default="S", updateable=False),
            text("TagCsv", 2000, label="Tags"),
            boolean("IsMajorVersion", True, label="Major Version", updateable=False),
            text("ExternalDocumentInfo1", 1000, label="External Document Info 1"),
            text("ExternalDocumentInfo2", 1000, label="External Document Info 2"),
        ],
        deletable=False,
    )


def content_document_link() -> ObjectDef:
    return sobject(
        "ContentDocumentLink",
        "Content Document Link",
        "Content Document Link",
        "06A",
        [
            lookup(
                "LinkedEntityId",
                LINKABLE,
                "LinkedEntity",
                label="Linked Entity ID",
                required=True,
                updateable=False,
                delete_constraint="Cascade",
            ),
            lookup(
                "ContentDocumentId",
                "ContentDocument",
                child_relationship="ContentDocumentLinks",
                required=True,
                updateable=False,
                delete_constraint="Cascade",
            ),
            picklist("ShareType", ("V", "C", "I"), True, length=40, default="V"),
            picklist("Visibility", ("AllUsers", "InternalUsers", "SharedUsers"), True, length=40),
        ],
        owner=False,
    )


def attachment() -> ObjectDef:
    return sobject(
        "Attachment",
        "Attachment",
        "Attachments",
        "00P",
        [
            lookup(
                "ParentId",
                LINKABLE,
                "Parent",
                "Attachments",
                required=True,
                updateable=False,
                delete_constraint="Cascade",
            ),
            text("Name", 255, label="File Name", required=True, name_field=True),
            boolean("IsPrivate", label="Private"),
            text("ContentType", 120, label="Content Type"),
            integer("BodyLength", 18, label="Body Length", read_only=True),
            _blob("Body", "Body", nillable=False, updateable=False),
            textarea("Description", 500),
        ],
    )


OBJECTS = (content_document, content_version, content_document_link, attachment)
