"""The golden formula corpus: loading ``cases/*.yaml`` and comparing results.

A case is ``[formula, expected, type]`` or a mapping with ``formula``, ``expected``,
``type`` and optionally ``record`` (merged over the shared one), ``blanks``
(``zero`` or ``blank``), ``scale``, ``prior``/``new`` (validation rule context) or
``error`` with ``line`` and ``column`` (a deploy that must fail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from switchboard.org.formulas import Env, FType, MappingScope
from switchboard.org.formulas.values import to_datetime, to_time

CASES = Path(__file__).parent / "cases"
_TYPES = {t.value: t for t in FType}


@dataclass
class Case:
    id: str
    formula: str
    expected: Any = None
    ftype: FType | None = None
    record: dict[str, Any] = field(default_factory=dict)
    prior: dict[str, Any] | None = None
    new: bool = False
    blanks_as_zero: bool = False
    scale: int | None = None
    error: str | None = None
    line: int | None = None
    column: int | None = None


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.lower(): _lower(v) for k, v in value.items()}
    return value


@dataclass
class Corpus:
    scope: MappingScope
    record: dict[str, Any]
    user: dict[str, Any]
    organization: dict[str, Any]
    now: datetime
    cases: list[Case]

    def env(self, case: Case) -> Env:
        record = {**self.record, **_lower(case.record)}
        prior = None if case.prior is None else {**record, **_lower(case.prior)}
        return Env(record, prior, case.new, self.user, self.organization, self.now)


def load() -> Corpus:
    shared = yaml.safe_load((CASES / "_record.yaml").read_text())
    scope = MappingScope({k: _TYPES[v] for k, v in shared["fields"].items()})
    cases: list[Case] = []
    for path in sorted(CASES.glob("[!_]*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for i, raw in enumerate(doc["cases"]):
            cid = f"{path.stem}:{i + 1}"
            if isinstance(raw, list):
                formula, expected, ftype = raw
                cases.append(Case(cid, formula, expected, _TYPES[ftype]))
                continue
            cases.append(
                Case(
                    cid,
                    raw["formula"],
                    raw.get("expected"),
                    _TYPES[raw["type"]] if "type" in raw else None,
                    raw.get("record", {}),
                    raw.get("prior"),
                    raw.get("new", False),
                    raw.get("blanks", doc.get("blanks", "blank")) == "zero",
                    raw.get("scale"),
                    raw.get("error"),
                    raw.get("line"),
                    raw.get("column"),
                )
            )
    return Corpus(
        scope,
        _lower(shared["record"]),
        _lower(shared["user"]),
        _lower(shared["organization"]),
        to_datetime(shared["now"]) or datetime.now(),
        cases,
    )


def expected_value(ftype: FType, raw: Any) -> Any:
    """The YAML expectation in the engine's representation."""
    if raw is None:
        return None
    if ftype is FType.NUMBER:
        return Decimal(str(raw))
    if ftype is FType.DATE:
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    if ftype is FType.DATETIME:
        return to_datetime(raw)
    if ftype is FType.TIME:
        return raw if isinstance(raw, time) else to_time(raw)
    return raw


def same(ftype: FType, got: Any, want: Any) -> bool:
    if ftype is FType.NUMBER and got is not None and want is not None:
        # Transcendental results are compared to 10 significant places.
        if abs(got - want) <= abs(want) * Decimal("1e-10") + Decimal("1e-10"):
            return True
    return bool(got == want)


__all__ = ["Case", "Corpus", "expected_value", "load", "same"]
