"""``POST /composite/graph``: graphs of up to 500 record subrequests, each all or nothing.

Each graph runs as an allOrNone composite request does (one transaction, references
between its own nodes), and graphs succeed or fail independently. The nodes may only
address records: ``sobjects/T`` (POST), ``sobjects/T/{id}`` (GET, PATCH, DELETE) and
``sobjects/T/{field}/{value}`` (GET, PATCH, POST, DELETE). Salesforce's limits hold: 75
graphs and 500 nodes in a payload, 500 in a graph; once more than 14 graphs have failed
the rest are not run and answer PROCESSING_HALTED. (The limits on graph depth and on different
kinds of node are not enforced.)
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response

from ...core.errors import JsonParserError
from ..call import Call
from ..responses import json_response
from .composite import check_subrequests, halted, response_entries, run_together
from .errors import CompositeLimitExceeded, InvalidCompositeInput
from .router import Router

MAX_GRAPHS = 75
MAX_NODES = 500
MAX_FAILURES = 14
_RECORD_URLS = [
    (re.compile(r"^/services/data/v\d+\.\d+/sobjects/[^/]+/?$"), {"POST"}),
    (re.compile(r"^/services/data/v\d+\.\d+/sobjects/[^/]+/[^/]+/?$"), {"GET", "PATCH", "DELETE"}),
    (
        re.compile(r"^/services/data/v\d+\.\d+/sobjects/[^/]+/[^/]+/[^/]+/?$"),
        {"GET", "PATCH", "POST", "DELETE"},
    ),
]


def _check_node(node: dict[str, Any]) -> None:
    path, method = urlsplit(node["url"]).path, node["method"].upper()
    if not any(p.match(path) and method in allowed for p, allowed in _RECORD_URLS):
        raise InvalidCompositeInput(
            f"Invalid node {node['referenceId']}: {method} {path} is not a record resource "
            "a composite graph can use"
        )


def _parse(call: Call) -> list[tuple[str, list[dict[str, Any]]]]:
    graphs = call.json_object().get("graphs")
    if not isinstance(graphs, list) or not graphs:
        raise JsonParserError("graphs: a non-empty array of graphs is required")
    if len(graphs) > MAX_GRAPHS:
        raise CompositeLimitExceeded(
            f"A composite graph request takes at most {MAX_GRAPHS} graphs, got {len(graphs)}"
        )
    out: list[tuple[str, list[dict[str, Any]]]] = []
    seen: set[str] = set()
    for graph in graphs:
        gid = graph.get("graphId") if isinstance(graph, dict) else None
        if not isinstance(gid, str) or not gid:
            raise InvalidCompositeInput("Each graph needs a graphId")
        if gid in seen:
            raise InvalidCompositeInput(f"Duplicate graphId provided in the request: {gid}")
        seen.add(gid)
        nodes = check_subrequests(graph.get("compositeRequest"), MAX_NODES)
        for node in nodes:
            _check_node(node)
        out.append((gid, nodes))
    total = sum(len(nodes) for _, nodes in out)
    if total > MAX_NODES:
        raise CompositeLimitExceeded(
            f"A composite graph request takes at most {MAX_NODES} nodes, got {total}"
        )
    return out


def graph(router: Router) -> Any:
    def handler(call: Call) -> Response:
        replies = []
        failures = 0
        for gid, nodes in _parse(call):
            if failures > MAX_FAILURES:
                results = [halted("Too many graphs failed; this one was not run")] * len(nodes)
            else:
                results = run_together(call, router, nodes)
            ok = all(r.ok for r in results)
            failures += not ok
            replies.append(
                {
                    "graphId": gid,
                    "graphResponse": {"compositeResponse": response_entries(nodes, results)},
                    "isSuccessful": ok,
                }
            )
        return json_response({"graphs": replies})

    return handler


__all__ = ["MAX_GRAPHS", "MAX_NODES", "graph"]
