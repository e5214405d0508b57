"""What a path the org does not serve answers, in the protocol the client speaks there.

An unknown SOAP path (the Metadata API ``/services/Soap/m/XX.X``, the enterprise
``/services/Soap/c/...``) answers a SOAP fault, as Salesforce's SOAP endpoints do,
since SOAP clients parse a fault and not a JSON array. The Tooling API
(``/services/data/vXX.X/tooling/...``) exists in Salesforce, so "not found" would be
wrong: it answers ``FUNCTIONALITY_NOT_ENABLED`` (Salesforce's code for a feature the org
lacks) with 400, the REST API's status for a request this org cannot fulfil as sent.
Everything else is REST's 404 ``NOT_FOUND``.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import NotFound
from .errors import FunctionalityNotEnabled, render_error
from .soap.envelope import SoapFault, fault

_TOOLING = re.compile(r"^/services/data/v\d+\.\d+/tooling(/|$)")
_SOAP_APIS = {"m": "Metadata API", "c": "Enterprise API", "s": "Apex API", "T": "Tooling API"}


def _soap(path: str) -> Response:
    parts = path.split("/")  # "", services, Soap, KIND, VERSION...
    kind = parts[3] if len(parts) > 3 else ""
    api = _SOAP_APIS.get(kind)
    if api is not None:
        message = f"The {api} ({'/'.join(parts[:4])}) is not supported by this org"
        return fault(SoapFault("FUNCTIONALITY_NOT_ENABLED", message))
    return fault(SoapFault("INVALID_OPERATION", f"No SOAP service at {path}"))


async def not_found(request: Request, exc: Exception) -> Response:
    """The 404/405 handler of the app."""
    path = request.url.path
    if path.startswith("/services/Soap/"):
        return _soap(path)
    if _TOOLING.match(path):
        return render_error(
            FunctionalityNotEnabled(
                "The Tooling API is not supported by this org; use the REST API "
                "(/services/data) and sf/jsforce commands without --use-tooling-api"
            )
        )
    return render_error(NotFound())


__all__ = ["not_found"]
