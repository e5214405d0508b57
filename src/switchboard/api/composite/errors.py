"""Errors of the composite resources.

SwitchboardError
└── ApiError
    └── CompositeError                 terminal (all of them)
        ├── CompositeLimitExceeded     400 LIMIT_EXCEEDED (too many subrequests or records)
        ├── InvalidReference           400 INVALID_REFERENCE (bad @{ref.path})
        └── InvalidCompositeInput      400 INVALID_INPUT / JSON_PARSER_ERROR
"""

from __future__ import annotations

from ..errors import ApiError


class CompositeError(ApiError):
    status = 400


class CompositeLimitExceeded(CompositeError):
    error_code = "LIMIT_EXCEEDED"


class InvalidReference(CompositeError):
    error_code = "PROCESSING_HALTED"


class InvalidCompositeInput(CompositeError):
    error_code = "INVALID_INPUT"


__all__ = [
    "CompositeError",
    "CompositeLimitExceeded",
    "InvalidCompositeInput",
    "InvalidReference",
]
