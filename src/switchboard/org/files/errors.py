"""Errors of the org's files: what a bad upload or a failing store renders as.

SwitchboardError
└── OrgError
    └── FilesError
        ├── MaximumSizeExceeded   400 MAXIMUM_SIZE_OF_DOCUMENT (2 GB a version,
        │                             37.5 MB base64 in JSON), terminal
        ├── InvalidUpload         400 INVALID_MULTIPART_REQUEST / the part's problem,
        │                             terminal
        ├── UnsupportedMediaType  415 UNSUPPORTED_MEDIA_TYPE, terminal
        ├── InvalidPath           400 FIELD_INTEGRITY_EXCEPTION: a PathOnClient or an
        │                             external path leaving its folder, terminal
        ├── BlobMissing           404 NOT_FOUND: a version's bytes are in no store,
        │                             terminal
        └── StoreUnavailable      503 SERVER_UNAVAILABLE, transient: a store failed
                                      or is not configured
"""

from __future__ import annotations

from ..errors import OrgError


class FilesError(OrgError):
    pass


class MaximumSizeExceeded(FilesError):
    error_code = "MAXIMUM_SIZE_OF_DOCUMENT"


class InvalidUpload(FilesError):
    error_code = "INVALID_MULTIPART_REQUEST"


class UnsupportedMediaType(FilesError):
    error_code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


class InvalidPath(FilesError):
    error_code = "FIELD_INTEGRITY_EXCEPTION"


class BlobMissing(FilesError):
    error_code = "NOT_FOUND"
    status = 404


class StoreUnavailable(FilesError):
    error_code = "SERVER_UNAVAILABLE"
    status = 503
    transient = True


__all__ = [
    "BlobMissing",
    "FilesError",
    "InvalidPath",
    "InvalidUpload",
    "MaximumSizeExceeded",
    "StoreUnavailable",
    "UnsupportedMediaType",
]
