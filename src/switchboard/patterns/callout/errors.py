"""Errors of the call-out pattern.

SwitchboardError
└── CalloutError
    ├── TemplateInvalid     terminal: a template does not compile (a project load error)
    ├── TemplateFailed      terminal: a template failed on a delivery's data (undefined
    │                       name, bad form body); the delivery is dead-lettered
    ├── ReplyFailed         terminal: the reply could not be applied (the record's DML
    │                       refused the update); the call itself succeeded
    └── UnknownCallout      terminal: no callout of that name in the loaded project

Transport failures are the connector's (``connectors.http.errors``); each says whether
it is transient, and the delivery engine asks the callout's ``RetryPolicy`` with it.
"""

from __future__ import annotations

from ...core.errors import SwitchboardError


class CalloutError(SwitchboardError):
    pass


class TemplateInvalid(CalloutError):
    error_code = "INVALID_TEMPLATE"


class TemplateFailed(CalloutError):
    error_code = "TEMPLATE_FAILED"


class ReplyFailed(CalloutError):
    error_code = "REPLY_FAILED"


class UnknownCallout(CalloutError):
    error_code = "NOT_FOUND"
    status = 404


__all__ = ["CalloutError", "ReplyFailed", "TemplateFailed", "TemplateInvalid", "UnknownCallout"]
