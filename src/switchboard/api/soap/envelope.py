"""SOAP 1.1 envelopes: safe parsing of requests, rendering of results and faults.

Requests are parsed with defusedxml, which refuses entity expansion and external
references, so a login body cannot make the server read files or blow up memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from starlette.responses import Response

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER_NS = "urn:partner.soap.sforce.com"
FAULT_NS = "urn:fault.partner.soap.sforce.com"
_MAX_BODY = 256 * 1024


class SoapFault(Exception):
    def __init__(self, code: str, message: str, fault_type: str = "UnexpectedErrorFault") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fault_type = fault_type


@dataclass(slots=True)
class SoapRequest:
    operation: str
    args: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten(parent: Element) -> dict[str, str]:
    """Leaf children by local name (nested headers flattened one level)."""
    out: dict[str, str] = {}
    for child in parent:
        if len(child):
            out.update(_flatten(child))
        else:
            out[_local(child.tag)] = (child.text or "").strip()
    return out


def parse(body: bytes) -> SoapRequest:
    if len(body) > _MAX_BODY:
        raise SoapFault("INVALID_REQUEST", "request too large")
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException, ValueError, LookupError, RecursionError):
        # LookupError: an unknown encoding in the XML declaration (encoding="tf-8").
        raise SoapFault(
            "INVALID_REQUEST", "Unable to parse the request: not well-formed XML"
        ) from None
    if _local(root.tag) != "Envelope":
        raise SoapFault("INVALID_REQUEST", "The request is not a SOAP envelope")
    header = next((c for c in root if _local(c.tag) == "Header"), None)
    body_el = next((c for c in root if _local(c.tag) == "Body"), None)
    if body_el is None or not len(body_el):
        raise SoapFault("INVALID_REQUEST", "The SOAP envelope has no Body")
    op = body_el[0]
    # Passwords are kept as sent: no stripping inside them.
    args = {_local(c.tag): c.text or "" for c in op}
    return SoapRequest(_local(op.tag), args, _flatten(header) if header is not None else {})


def esc(value: object) -> str:
    text = str(value)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def envelope(inner: str, status: int = 200, namespaces: str = f'xmlns="{PARTNER_NS}"') -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" {namespaces} '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"
    )
    return Response(xml.encode(), status_code=status, media_type="text/xml;charset=UTF-8")


def fault(exc: SoapFault) -> Response:
    message = f"{exc.code}: {exc.message}"
    inner = (
        "<soapenv:Fault>"
        f"<faultcode>sf:{esc(exc.code)}</faultcode>"
        f"<faultstring>{esc(message)}</faultstring>"
        "<detail>"
        f'<sf:{exc.fault_type} xsi:type="sf:{exc.fault_type}">'
        f"<sf:exceptionCode>{esc(exc.code)}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{esc(exc.message)}</sf:exceptionMessage>"
        f"</sf:{exc.fault_type}></detail></soapenv:Fault>"
    )
    # Unqualified faultcode/faultstring, and the sf prefix in scope for the QName value.
    return envelope(inner, 500, f'xmlns:sf="{FAULT_NS}"')


__all__ = ["SoapFault", "SoapRequest", "envelope", "esc", "fault", "parse"]
