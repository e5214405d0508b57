"""CustomObject XML → ObjectDef; the kind of object comes from its name's suffix.

``KINDS`` maps each suffix the org models to its builder: custom objects (``__c``),
platform events (``__e``) and external objects (``__x``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ....core.ids import prefix_for_name
from ..model import FieldDef, FieldType, ObjectDef
from ..system_fields import add_system_fields, name_field
from ._xml import Node
from .fields import FieldContext, read_field

_HANDLED = frozenset(
    "label pluralLabel nameField fields eventType publishBehavior enableHistory".split()
)
# Known elements that change nothing the org models: UI, sharing, features, packaging.
_IGNORED = frozenset(
    "actionOverrides allowInChatterGroups businessProcesses compactLayoutAssignment "
    "compactLayouts customHelp customHelpPage customSettingsType deploymentStatus deprecated "
    "description enableActivities enableBulkApi enableDataTranslation enableDivisions "
    "enableEnhancedLookup enableFeeds enableLicensing enableReports enableSearch "
    "enableSharing enableStreamingApi externalDataSource externalIndexAvailable externalName "
    "externalSharingModel fieldSets gender historyRetentionPolicy household indexes listViews "
    "profileSearchLayouts recordTypeTrackFeedHistory recordTypeTrackHistory recordTypes "
    "searchLayouts sharingModel sharingReasons sharingRecalculations startsWith "
    "validationRules visibility webLinks".split()
)
PUBLISH_BEHAVIORS = ("PublishAfterCommit", "PublishImmediately")


@dataclass(slots=True)
class ObjectSource:
    """Everything a project says about one object, possibly across package directories."""

    name: str
    where: str
    node: Node | None = None
    # (CustomField element, path shown in warnings, name from the file name)
    fields: list[tuple[Node, str, str]] = field(default_factory=list)


def read_fields(src: ObjectSource, ctx: FieldContext) -> list[FieldDef]:
    """The custom fields of ``src``, inline ones first, then the field files."""
    out: list[FieldDef] = []
    inline = src.node.children("fields") if src.node is not None else []
    for n, where, stem in [(n, src.where, "") for n in inline] + src.fields:
        here = ctx.at(where, src.name)
        if n.tag not in ("CustomField", "fields"):
            here.warn(f"expected <CustomField>, found <{n.tag}>; skipped")
            continue
        name = (n.text("fullName") or stem).rsplit(".", 1)[-1]
        if not name.lower().endswith("__c"):
            here.warn(f"standard field {name} ignored: only custom fields are loaded")
            continue
        out.extend(read_field(n, here, fallback_name=stem))
    return out


def _labels(src: ObjectSource) -> tuple[str, str]:
    n = src.node
    stem = src.name.rsplit("__", 1)[0].replace("_", " ")
    label = (n.text("label") if n is not None else None) or stem
    plural = (n.text("pluralLabel") if n is not None else None) or label
    return label, plural


def _warn_unknown(src: ObjectSource, ctx: FieldContext) -> None:
    if src.node is None:
        return
    for tag in src.node.tags():
        if tag not in _HANDLED and tag not in _IGNORED:
            ctx.at(src.where).warn(f"ignored element <{tag}>")


def _name(src: ObjectSource, label: str, ctx: FieldContext) -> FieldDef:
    n = src.node.child("nameField") if src.node is not None else None
    if n is None:
        return name_field(label=f"{label} Name")
    kind = n.text("type") or "Text"
    if kind not in ("Text", "AutoNumber"):
        ctx.at(src.where).warn(f"nameField type {kind!r} not supported, using Text")
    return name_field(
        label=n.text("label") or f"{label} Name",
        auto_number=kind == "AutoNumber",
        display_format=n.text("displayFormat"),
    )


def _custom(src: ObjectSource, ctx: FieldContext) -> ObjectDef:
    label, plural = _labels(src)
    obj = ObjectDef(src.name, label, plural, prefix_for_name(src.name), custom=True, kind="custom")
    obj.enable_history = src.node is not None and src.node.flag("enableHistory")
    obj.add(_name(src, label, ctx))
    fields = read_fields(src, ctx)
    for f in fields:
        obj.add(f)
    # Detail records are owned through their master: no OwnerId of their own.
    return add_system_fields(obj, owner=not any(f.master_detail for f in fields))


def _platform_event(src: ObjectSource, ctx: FieldContext) -> ObjectDef:
    label, plural = _labels(src)
    obj = ObjectDef(
        src.name,
        label,
        plural,
        "e00",
        custom=True,
        kind="platform_event",
        updateable=False,
        deletable=False,
        queryable=False,
        retrieveable=False,
        track_changes=False,
    )
    audit = add_system_fields(ObjectDef(src.name, label, plural, "e00"), owner=False)
    replay, uuid = (
        FieldDef(name, FieldType.STRING, label=title, length=length, nillable=False,
                 createable=False, updateable=False, defaulted_on_create=True, system=True)
        for name, title, length in (("ReplayId", "Replay ID", 255), ("EventUuid", "Event UUID", 36))
    )  # fmt: skip
    for f in (replay, audit.fields["createddate"], audit.fields["createdbyid"], uuid):
        obj.add(f)
    for f in read_fields(src, ctx):
        obj.add(f)
    return obj


def _external(src: ObjectSource, ctx: FieldContext) -> ObjectDef:
    label, plural = _labels(src)
    prefix = "x" + prefix_for_name(src.name)[1:]
    obj = ObjectDef(
        src.name, label, plural, prefix, custom=True, kind="external", track_changes=False
    )
    obj.add(add_system_fields(ObjectDef(src.name, label, plural, prefix)).fields["id"])
    obj.add(FieldDef("ExternalId", FieldType.STRING, label="External ID", length=255,
                     external_id=True, id_lookup=True, system=True))  # fmt: skip
    obj.add(FieldDef("DisplayUrl", FieldType.URL, label="Display URL", length=1000,
                     system=True))  # fmt: skip
    for f in read_fields(src, ctx):
        obj.add(f)
    return obj


KINDS: dict[str, Callable[[ObjectSource, FieldContext], ObjectDef]] = {
    "__c": _custom,
    "__e": _platform_event,
    "__x": _external,
}


def kind_of(name: str) -> str | None:
    """The KINDS suffix of an object name, or None for standard and unsupported objects."""
    suffix = name[-3:].lower()
    return suffix if len(name) > 3 and suffix in KINDS else None


def build_object(src: ObjectSource, ctx: FieldContext) -> ObjectDef:
    _warn_unknown(src, ctx)
    kind = kind_of(src.name)
    assert kind is not None, src.name
    return KINDS[kind](src, ctx)


def publish_behavior(src: ObjectSource, ctx: FieldContext) -> str:
    """When a platform event's messages publish: after commit or immediately."""
    value = (src.node.text("publishBehavior") if src.node is not None else None) or (
        "PublishImmediately"
    )
    if value not in PUBLISH_BEHAVIORS:
        ctx.at(src.where).warn(f"unknown publishBehavior {value!r}, using PublishImmediately")
        return "PublishImmediately"
    return value


__all__ = ["KINDS", "ObjectSource", "build_object", "kind_of", "publish_behavior", "read_fields"]
