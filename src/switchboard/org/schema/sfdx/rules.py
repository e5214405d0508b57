"""ValidationRule XML (``objects/X/validationRules/*.validationRule-meta.xml``) →
ValidationRule. The formula is compiled when the project is deployed, not here."""

from __future__ import annotations

from ..model import ValidationRule
from ._xml import Node
from .fields import FieldContext

RULE_SUFFIX = ".validationRule-meta.xml"
_KNOWN = frozenset(
    "fullName active description errorConditionFormula errorDisplayField errorMessage".split()
)


def read_rule(n: Node, ctx: FieldContext, *, fallback_name: str = "") -> ValidationRule | None:
    """The rule one ValidationRule element defines (None, with a warning, when unusable)."""
    name = (n.text("fullName") or fallback_name).rsplit(".", 1)[-1]
    for tag in n.tags():
        if tag not in _KNOWN:
            ctx.warn(f"ignored element <{tag}>")
    formula = n.text("errorConditionFormula")
    message = n.text("errorMessage")
    if not name or formula is None or message is None:
        ctx.warn(f"validation rule {name or '?'} needs errorConditionFormula and errorMessage")
        return None
    return ValidationRule(
        name=name,
        formula=formula,
        message=message,
        display_field=n.text("errorDisplayField"),
        active=n.flag("active", True),
        description=n.text("description"),
    )


__all__ = ["RULE_SUFFIX", "read_rule"]
