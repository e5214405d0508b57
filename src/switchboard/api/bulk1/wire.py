"""The wire shapes of Bulk API 1.0: jobInfo, batchInfo and result documents.

XML in the dataload namespace with Salesforce's element order; JSON with the same
names. Content types carry no charset because clients compare them exactly.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import orjson
from defusedxml import ElementTree
from starlette.responses import Response

from ..errors import InvalidXml

NS = "http://www.force.com/2009/06/asyncapi/dataload"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "application/xml"
JSON = "application/json"
CSV = "text/csv"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _elements(fields: list[tuple[str, Any]], indent: str = " ") -> str:
    return "".join(f"{indent}<{k}>{_text(v)}</{k}>\n" for k, v in fields if v is not None)


def document(root: str, fields: list[tuple[str, Any]]) -> str:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f'{head}<{root}\n   xmlns="{NS}">\n{_elements(fields)}</{root}>'


def raw_response(body: bytes, media: str, status: int = 200) -> Response:
    # Set the header directly: Starlette would append a charset to text/csv.
    return Response(body, status_code=status, headers={"Content-Type": media})


def xml_response(body: str, status: int = 200) -> Response:
    return raw_response(body.encode("utf-8"), XML, status)


def json_response(body: Any, status: int = 200) -> Response:
    return raw_response(orjson.dumps(body), JSON, status)


def info_response(root: str, fields: list[tuple[str, Any]], as_json: bool, status: int) -> Response:
    if as_json:
        return json_response({k: v for k, v in fields if v is not None}, status)
    return xml_response(document(root, fields), status)


def batch_list_response(infos: list[list[tuple[str, Any]]], as_json: bool) -> Response:
    if as_json:
        return json_response({"batchInfo": [{k: v for k, v in f if v is not None} for f in infos]})
    inner = "".join(f" <batchInfo>\n{_elements(f, '  ')} </batchInfo>\n" for f in infos)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return xml_response(f'{head}<batchInfoList\n   xmlns="{NS}">\n{inner}</batchInfoList>')


def result_list_response(ids: list[str], as_json: bool) -> Response:
    if as_json:
        return json_response(ids)
    inner = "".join(f"<result>{i}</result>" for i in ids)
    return xml_response(
        f'<?xml version="1.0" encoding="UTF-8"?><result-list xmlns="{NS}">{inner}</result-list>'
    )


def error_response(code: str, message: str, status: int, as_json: bool) -> Response:
    if as_json:
        return json_response({"exceptionCode": code, "exceptionMessage": message}, status)
    return xml_response(
        document("error", [("exceptionCode", code), ("exceptionMessage", message)]), status
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(body: bytes) -> Any:
    try:
        return ElementTree.fromstring(body)
    except Exception as exc:  # defusedxml raises ParseError or its own refusals
        raise InvalidXml(f"Unable to parse XML: {exc}") from None


def parse_job_doc(body: bytes, as_json: bool) -> dict[str, str]:
    """The fields of a jobInfo request (XML or JSON) as strings."""
    if as_json:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidXml(f"Unable to parse JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidXml("A JSON object was expected")
        return {k: str(v) for k, v in data.items() if v is not None}
    root = parse_xml(body)
    if _local(root.tag) != "jobInfo":
        raise InvalidXml(f"Expected a jobInfo element, found {_local(root.tag)}")
    return {_local(child.tag): (child.text or "").strip() for child in root}


def parse_sobjects(body: bytes) -> list[dict[str, Any]]:
    """``<sObjects><sObject>...`` as records; nested elements become relationship dicts and
    ``xsi:nil="true"`` a null."""
    root = parse_xml(body)

    def value(el: Any) -> Any:
        if el.get(f"{{{XSI}}}nil") == "true":
            return None
        children = list(el)
        if children:
            return {_local(c.tag): value(c) for c in children}
        return el.text or ""

    out = []
    for rec in root:
        out.append({_local(c.tag): value(c) for c in rec})
    return out


def records_xml(object_name: str, records: list[dict[str, Any]]) -> str:
    """Query results as ``<queryResult>`` of ``<records xsi:type="sObject">``."""

    def fields(rec: dict[str, Any], type_name: str) -> str:
        parts = [f"<type>{escape(type_name)}</type>"]
        for key, val in rec.items():
            if key == "attributes":
                continue
            if isinstance(val, dict):
                kind = val.get("attributes", {}).get("type", key)
                parts.append(f'<{key} xsi:type="sObject">{fields(val, kind)}</{key}>')
            elif val is None:
                parts.append(f'<{key} xsi:nil="true"/>')
            else:
                parts.append(f"<{key}>{_text(val)}</{key}>")
        return "".join(parts)

    body = "".join(
        f'<records xsi:type="sObject">{fields(r, object_name)}</records>' for r in records
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><queryResult xmlns="{NS}" '
        f'xmlns:xsi="{XSI}">{body}</queryResult>'
    )


def dml_results_xml(results: list[dict[str, Any]]) -> str:
    parts = []
    for r in results:
        errs = "".join(
            "<errors>"
            + "".join(f"<fields>{escape(f)}</fields>" for f in e["fields"])
            + f"<message>{escape(e['message'])}</message>"
            + f"<statusCode>{escape(e['statusCode'])}</statusCode></errors>"
            for e in r["errors"]
        )
        rid = f"<id>{r['id']}</id>" if r["id"] else '<id xsi:nil="true"/>'
        parts.append(
            f"<result>{errs}{rid}<success>{_text(r['success'])}</success>"
            f"<created>{_text(r['created'])}</created></result>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><results xmlns="{NS}" '
        f'xmlns:xsi="{XSI}">{"".join(parts)}</results>'
    )


__all__ = [
    "CSV",
    "JSON",
    "NS",
    "XML",
    "InvalidXml",
    "batch_list_response",
    "dml_results_xml",
    "error_response",
    "info_response",
    "json_response",
    "parse_job_doc",
    "parse_sobjects",
    "raw_response",
    "records_xml",
    "result_list_response",
    "xml_response",
]
