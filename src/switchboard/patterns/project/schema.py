"""The JSON Schema of ``switchboard.yaml`` (``switchboard project schema``), for editors.

Point an editor at it (the YAML language server reads
``# yaml-language-server: $schema=switchboard.schema.json`` at the top of the file) to
get completion and inline errors while writing a project.
"""

from __future__ import annotations

from typing import Any

from .models import Project

SCHEMA_ID = "https://switchboard.dev/schemas/switchboard.yaml.json"


def project_schema() -> dict[str, Any]:
    schema = Project.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "switchboard.yaml",
    }


__all__ = ["project_schema"]
