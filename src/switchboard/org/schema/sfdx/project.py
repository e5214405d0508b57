"""Finding an SFDX project's object metadata and turning it into an SfdxProject."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...duplicates.rules import DuplicateRule
from ...secrets.credentials import NamedCredentialDef
from ..errors import SfdxError
from ..model import FieldDef, FieldType, ObjectDef, PicklistValue, ValidationRule
from ._xml import load
from .credentials import read_named_credentials
from .duplicates import read_duplicate_rules, read_matching_rules
from .fields import FieldContext, Summary, read_value_set
from .objects import ObjectSource, build_object, kind_of, publish_behavior, read_fields
from .permissions import PermissionSource, read_permissions
from .rules import RULE_SUFFIX, read_rule

_FIELD_SUFFIX = ".field-meta.xml"
_VALUE_SET_SUFFIX = ".globalValueSet-meta.xml"
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_SUMMARY_TYPES = frozenset(
    {FieldType.CURRENCY, FieldType.PERCENT, FieldType.DOUBLE, FieldType.INT, FieldType.DATE,
     FieldType.DATETIME}
)  # fmt: skip


@dataclass
class SfdxProject:
    """The objects an SFDX project defines and the fields it adds to objects it does not."""

    # New custom objects, platform events and external objects, with their system fields.
    objects: list[ObjectDef] = field(default_factory=list)
    # Custom fields on objects defined elsewhere (standard ones such as Account), keyed by
    # the object name as the project's folder spells it.
    extensions: dict[str, list[FieldDef]] = field(default_factory=dict)
    # Elements, types and defaults the reader did not understand, each naming its file.
    warnings: list[str] = field(default_factory=list)
    # Platform event name -> "PublishAfterCommit" or "PublishImmediately".
    publish_behavior: dict[str, str] = field(default_factory=dict)
    # Validation rules by object name as the project's folder spells it.
    validation_rules: dict[str, list[ValidationRule]] = field(default_factory=dict)
    # Duplicate rules (with their matching rules) by object name.
    duplicate_rules: dict[str, list[DuplicateRule]] = field(default_factory=dict)
    # namedCredentials/*.namedCredential-meta.xml (endpoints and auth protocols), and any
    # password found in them (to be sealed in the secret store, never stored in clear).
    named_credentials: list[NamedCredentialDef] = field(default_factory=list)
    credential_passwords: dict[str, str] = field(default_factory=dict, repr=False)
    # permissionsets/, mutingpermissionsets/, permissionsetgroups/ and profiles/.
    permissions: PermissionSource = field(default_factory=PermissionSource)

    def object(self, name: str) -> ObjectDef | None:
        for obj in self.objects:
            if obj.name.lower() == name.lower():
                return obj
        return None


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources: dict[str, ObjectSource] = {}
        self.value_sets: dict[str, tuple[PicklistValue, ...]] = {}
        self.ctx = FieldContext(value_sets=self.value_sets)
        self.rules: dict[str, list[ValidationRule]] = {}
        self.duplicates: dict[str, list[DuplicateRule]] = {}

    def shown(self, p: Path) -> str:
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def object_folders(self, start: Path, kind: str = "objects") -> list[Path]:
        """Package directories from sfdx-project.json, then every ``kind`` folder in them."""
        manifest = start / "sfdx-project.json"
        dirs = [start]
        if manifest.is_file():
            try:
                listed = json.loads(manifest.read_text("utf-8")).get("packageDirectories") or []
                paths = [d["path"] for d in listed if isinstance(d, dict) and d.get("path")]
            except (ValueError, AttributeError) as e:
                shown = self.shown(manifest)
                raise SfdxError(
                    f"{shown}: not a valid sfdx-project.json ({e})", path=shown
                ) from None
            dirs = [start / p for p in paths] or [start]
            for d in dirs:
                if not d.is_dir() and kind == "objects":  # warned once, on the first look
                    self.ctx.warn(f"{self.shown(manifest)}: package directory {d.name} not found")
        found: list[Path] = []
        for d in dirs:
            found.extend(_find_objects(d, kind) if d.is_dir() else [])
        return found

    def collect(self, folder: Path) -> None:
        matching_dir = folder.parent / "matchingRules"
        matching = (
            read_matching_rules(matching_dir, self.shown(matching_dir), self.ctx)
            if matching_dir.is_dir()
            else {}
        )
        duplicates_dir = folder.parent / "duplicateRules"
        if duplicates_dir.is_dir():
            found = read_duplicate_rules(
                duplicates_dir, self.shown(duplicates_dir), matching, self.ctx
            )
            for name, rules in found.items():
                self.duplicates.setdefault(name, []).extend(rules)
        sets = folder.parent / "globalValueSets"
        if sets.is_dir():
            for f in sorted(sets.glob("*" + _VALUE_SET_SUFFIX)):
                self.value_sets[f.name[: -len(_VALUE_SET_SUFFIX)]] = read_value_set(
                    load(f, self.shown(f))
                )
        for entry in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
            if entry.is_dir():
                self._add(entry.name, entry, entry / f"{entry.name}.object-meta.xml")
                fields = entry / "fields"
                files = fields.glob("*" + _FIELD_SUFFIX) if fields.is_dir() else ()
                for f in sorted(files, key=lambda p: p.name.lower()):
                    stem = f.name[: -len(_FIELD_SUFFIX)]
                    src = self.sources[entry.name.lower()]
                    src.fields.append((load(f, self.shown(f)), self.shown(f), stem))
                self._rules(entry)
            elif entry.suffix == ".object":  # metadata API format: fields inline
                self._add(entry.stem, entry, entry)

    def _rules(self, entry: Path) -> None:
        folder = entry / "validationRules"
        if not folder.is_dir():
            return
        for f in sorted(folder.glob("*" + RULE_SUFFIX), key=lambda p: p.name.lower()):
            shown = self.shown(f)
            rule = read_rule(load(f, shown), self.ctx.at(shown), fallback_name=f.name[: -len(RULE_SUFFIX)])
            if rule is not None:
                self.rules.setdefault(entry.name, []).append(rule)

    def _add(self, name: str, where: Path, object_file: Path) -> None:
        src = self.sources.setdefault(name.lower(), ObjectSource(name, self.shown(where)))
        if not object_file.is_file():
            return
        if src.node is not None:
            self.ctx.warn(f"{self.shown(object_file)}: {name} defined twice; first one kept")
            return
        src.node = load(object_file, self.shown(object_file))
        src.where = self.shown(object_file)

    def build(self) -> SfdxProject:
        out = SfdxProject(
            warnings=self.ctx.warnings,
            validation_rules=self.rules,
            duplicate_rules=self.duplicates,
        )
        for src in self.sources.values():
            kind = kind_of(src.name)
            if kind is not None and src.node is not None:
                obj = build_object(src, self.ctx)
                out.objects.append(obj)
                if obj.kind == "platform_event":
                    out.publish_behavior[obj.name] = publish_behavior(src, self.ctx)
            elif kind is None and src.node is not None and re.search(r"__[a-z]+$", src.name):
                self.ctx.at(src.where).warn(f"{src.name}: this kind of object is not supported")
            elif fields := read_fields(src, self.ctx):
                out.extensions[src.name] = fields
        for s in self.ctx.summaries:
            _resolve_summary(out, s)
        return out


def _find_objects(top: Path, kind: str = "objects") -> list[Path]:
    if top.name == kind:
        return [top]
    found = []
    for dirpath, dirnames, _ in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        if kind in dirnames:
            found.append(Path(dirpath) / kind)
            dirnames.remove(kind)
    return found


def _resolve_summary(project: SfdxProject, s: Summary) -> None:
    """Give MIN/MAX/SUM roll-ups the type of the field they summarize, when it is known."""
    if s.operation == "count" or not s.summarized or "." not in s.summarized:
        return
    child_name, field_name = s.summarized.split(".", 1)
    child = project.object(child_name)
    target = child.field(field_name) if child is not None else None
    if target is None or target.type not in _SUMMARY_TYPES:
        return
    changes = {"type": target.type, "precision": target.precision or 18, "scale": target.scale}
    if (obj := project.object(s.obj)) is not None:
        if (f := obj.field(s.field)) is not None:
            obj.add(f.with_(**changes))
        return
    for name, fields in project.extensions.items():
        if name.lower() == s.obj.lower():
            fields[:] = [f.with_(**changes) if f.name == s.field else f for f in fields]


def read_project(path: Path | str) -> SfdxProject:
    """Read the objects and fields of an SFDX project (or of a folder holding ``objects``).

    Raises SfdxError for a malformed file or a path without object metadata; anything
    else the reader does not understand becomes a warning.
    """
    path = Path(path)
    if not path.exists():
        raise SfdxError(f"{path}: no such file or folder", path=str(path))
    root = path.parent if path.is_file() else path
    reader = _Reader(root)
    folders = reader.object_folders(root)
    credential_folders = reader.object_folders(root, "namedCredentials")
    permissions = read_permissions(lambda kind: reader.object_folders(root, kind), reader.shown)
    if not folders and not credential_folders and not permissions:
        raise SfdxError(f"{path}: no objects folder (nor namedCredentials folder) found", path=str(path))
    for folder in folders:
        reader.collect(folder)
    project = reader.build()
    named = read_named_credentials(credential_folders, reader.shown)
    project.named_credentials = named.credentials
    project.credential_passwords = named.passwords
    project.warnings.extend(named.warnings)
    project.permissions = permissions
    project.warnings.extend(permissions.warnings)
    return project


__all__ = ["SfdxProject", "read_project"]
