"""Formula fields and formula defaults of one object, compiled once per schema load.

:class:`ObjectFormulas` orders an object's formula fields so that one reading another
comes after it, refuses cycles, and computes them for a batch of stored rows: parents
reached through lookups are read in one query per relationship and level, never per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidField
from ..schema.model import FieldDef, ObjectDef, ValidationRule
from .compiled import Formula, compile_formula
from .errors import FormulaError, FormulaTypeError
from .rollups import rollup_fields
from .schema_scope import ObjectLookup, SchemaScope
from .values import FType, ftype_of

Row = dict[str, Any]


def _declared(f: FieldDef) -> FType:
    return ftype_of(f.type)


def compile_field(obj: ObjectDef, f: FieldDef, objects: ObjectLookup) -> Formula:
    """``f``'s formula compiled on ``obj``; an error names the field, line and column."""
    assert f.formula is not None
    try:
        return compile_formula(
            f.formula,
            SchemaScope(obj, objects),
            returns=_declared(f),
            scale=f.scale if _declared(f) is FType.NUMBER else None,
            blanks_as_zero=f.blank_as_zero,
        )
    except FormulaError as exc:
        raise exc.in_field(obj.name, f.name) from None


def compile_default(obj: ObjectDef, f: FieldDef, objects: ObjectLookup) -> Formula:
    assert f.default_formula is not None
    try:
        return compile_formula(
            f.default_formula,
            SchemaScope(obj, objects),
            returns=_declared(f),
            scale=f.scale if _declared(f) is FType.NUMBER else None,
        )
    except FormulaError as exc:
        raise exc.in_field(obj.name, f.name) from None


def compile_rule(obj: ObjectDef, rule: ValidationRule, objects: ObjectLookup) -> Formula:
    """A validation rule's errorConditionFormula: Boolean, blanks read as blanks."""
    try:
        formula = compile_formula(rule.formula, SchemaScope(obj, objects), returns=FType.BOOLEAN)
    except FormulaError as exc:
        raise exc.in_field(obj.name, rule.name) from None
    if rule.display_field and obj.field(rule.display_field) is None:
        raise InvalidField(
            f"{obj.name}.{rule.name}: errorDisplayField {rule.display_field} does not exist",
            fields=[rule.display_field],
        )
    return formula


@dataclass(slots=True)
class ObjectFormulas:
    """The compiled formulas of one object (in evaluation order)."""

    obj: ObjectDef
    fields: list[tuple[FieldDef, Formula]] = field(default_factory=list)
    defaults: list[tuple[FieldDef, Formula]] = field(default_factory=list)
    # Active validation rules, in deploy order (the display field resolved to its name).
    rules: list[tuple[ValidationRule, Formula]] = field(default_factory=list)
    # Roll-up summary fields, computed on read (formulas.rollups).
    rollups: list[FieldDef] = field(default_factory=list)

    @classmethod
    def build(cls, obj: ObjectDef, objects: ObjectLookup) -> ObjectFormulas:
        compiled = {
            f.column: (f, compile_field(obj, f, objects))
            for f in obj.fields.values()
            if f.calculated and f.formula is not None
        }
        defaults = [
            (f, compile_default(obj, f, objects))
            for f in obj.fields.values()
            if f.default_formula is not None and f.stored
        ]
        rules = [(r, compile_rule(obj, r, objects)) for r in obj.validation_rules]
        active = [(r, fm) for r, fm in rules if r.active]
        rollups = rollup_fields(obj)
        return cls(obj, _ordered(obj, compiled), defaults, active, rollups)

    def __bool__(self) -> bool:
        """Whether reads compute anything for this object."""
        return bool(self.fields or self.rollups)

    def relationship_paths(self, *, rules: bool = False) -> set[tuple[str, ...]]:
        """The lookup paths (lower-cased relationship names) the formulas (and, with
        ``rules``, the validation rules) read."""
        out: set[tuple[str, ...]] = set()
        for formula in self._all(rules):
            for ref in formula.references:
                if ref.root == "record" and len(ref.key) > 1:
                    out.add(ref.key[:-1])
        return out

    def needs(self, root: str, *, rules: bool = False) -> bool:
        return any(ref.root == root for fm in self._all(rules) for ref in fm.references)

    def _all(self, rules: bool) -> list[Formula]:
        out = [fm for _, fm in self.fields]
        return out + [fm for _, fm in self.rules] if rules else out

    def rule_formulas(self) -> tuple[list[tuple[FieldDef, Formula]], bool]:
        """The formula fields the rules read (directly or through other formula fields),
        in evaluation order, and whether a rule reads one's prior value."""
        wanted: set[str] = set()
        stack = [ref.key[0] for _, fm in self.rules for ref in fm.references
                 if ref.root == "record" and len(ref.key) == 1]  # fmt: skip
        by_column = {f.column: fm for f, fm in self.fields}
        while stack:
            column = stack.pop()
            if column in by_column and column not in wanted:
                wanted.add(column)
                stack += [r.key[0] for r in by_column[column].references
                          if r.root == "record" and len(r.key) == 1]  # fmt: skip
        prior = bool(wanted) and any(
            "PRIORVALUE" in r.formula.upper() or "ISCHANGED" in r.formula.upper()
            for r, _ in self.rules
        )
        return [(f, fm) for f, fm in self.fields if f.column in wanted], prior

    def rule_columns(self) -> set[str]:
        """Columns of the record the rules and formulas read (an update loads them)."""
        return {
            ref.key[0] for fm in self._all(True) for ref in fm.references if ref.root == "record"
        } | {f.column for f in self.obj.stored_fields() if f.type.value == "reference"}


def check_formulas(objects: Mapping[str, ObjectDef]) -> None:
    """Compile every formula of ``objects`` (keyed by lower-cased name): the deploy check."""
    for obj in objects.values():
        ObjectFormulas.build(obj, lambda n: objects.get(n.lower()))


def _ordered(
    obj: ObjectDef, compiled: Mapping[str, tuple[FieldDef, Formula]]
) -> list[tuple[FieldDef, Formula]]:
    order: list[tuple[FieldDef, Formula]] = []
    state: dict[str, int] = {}  # 1: visiting, 2: done

    def visit(column: str) -> None:
        if state.get(column) == 2:
            return
        f, formula = compiled[column]
        if state.get(column) == 1:
            raise FormulaTypeError(
                f"{obj.name}.{f.name}: Formula refers to itself (circular reference)",
                line=1,
                column=1,
            )
        state[column] = 1
        for ref in formula.references:
            if ref.root == "record" and len(ref.key) == 1 and ref.key[0] in compiled:
                visit(ref.key[0])
        state[column] = 2
        order.append((f, formula))

    for column in compiled:
        visit(column)
    return order


__all__ = [
    "ObjectFormulas",
    "check_formulas",
    "compile_default",
    "compile_field",
    "compile_rule",
]
