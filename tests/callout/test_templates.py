"""Template rendering: a ``record.X`` expression read straight from the dicts gives the
same value, type and errors as the sandboxed Jinja path."""

from __future__ import annotations

import pytest

from switchboard.patterns.callout.errors import TemplateFailed
from switchboard.patterns.callout.templates import Template, template_context


def render(source: str, **names: object) -> object:
    return Template(source, "test").render(template_context(**names))


def test_attribute_paths_keep_the_value_and_its_type() -> None:
    record = {"Name": "Acme", "Amount": 12.5, "Owner": {"Name": "Ann"}, "Phone": None}
    assert render("{{ record.Name }}", record=record) == "Acme"
    assert render("{{ record.Amount }}", record=record) == 12.5
    assert render(" {{ record.Owner.Name }} ", record=record) == "Ann"
    assert render("{{ record.Phone }}", record=record) is None
    assert render("{{ record }}", record=record) == record
    # Not a plain path: the compiled template, as before.
    assert render("{{ record.Name | upper }}", record=record) == "ACME"
    assert render("Hi {{ record.Name }}", record=record) == "Hi Acme"


def test_a_missing_step_fails_as_jinja_does() -> None:
    with pytest.raises(TemplateFailed, match="Nmae"):
        render("{{ record.Nmae }}", record={"Name": "Acme"})
    with pytest.raises(TemplateFailed):
        render("{{ record.Name }}", record=None)
    with pytest.raises(TemplateFailed, match="recrod"):
        render("{{ recrod.Name }}", record={"Name": "Acme"})
