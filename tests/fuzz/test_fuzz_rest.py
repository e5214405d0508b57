"""Generated REST, composite and collection requests: bodies of every field type, hostile
path segments and query strings, and malformed JSON. None may reach a 5xx, every 4xx is
Salesforce-shaped, and a refused request leaves the store as it was."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.hostile import Hostile, V
from support.hostile_values import EDGE_TEXT, NUL_TEXT, WRONG_SHAPES, value_for


def fuzz(examples: int) -> settings:
    """Settings of a fuzz test: ``examples`` requests, no deadline, no example database
    (a run explores anew; a failure prints the input to reproduce it)."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


OBJECTS = ["Account", "Contact", "Lead", "Opportunity", "Case"]
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), EDGE_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def dumps(value: Any) -> bytes:
    """JSON as clients send it (integers of any size, which orjson refuses to write)."""
    return json.dumps(value).encode()


@st.composite
def record(draw: Any, hostile: Hostile, name: str) -> dict[str, Any]:
    fields = list(hostile.org.schema.object(name).fields.values())
    body: dict[str, Any] = {}
    for f in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=6, unique_by=id)):
        body[f.name] = draw(value_for(f.type))
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.one_of(NUL_TEXT, st.text(max_size=30)))] = draw(JSON)
    return body


def test_create_any_field_type(hostile: Hostile) -> None:
    @fuzz(1200)
    @given(data=st.data(), name=st.sampled_from(OBJECTS))
    def run(data: st.DataObject, name: str) -> None:
        body = data.draw(record(hostile, name))
        hostile.rejected_changes_nothing(
            "POST",
            f"{V}/sobjects/{name}",
            content=dumps(body),
            headers={"Content-Type": "application/json"},
        )

    run()


def test_update_and_path_segments(hostile: Hostile) -> None:
    created = hostile.request("POST", f"{V}/sobjects/Account", json={"Name": "fuzz target"})
    assert created.status_code == 201, created.text
    target = created.json()["id"]
    segment = st.one_of(
        st.just(target),
        EDGE_TEXT.filter(lambda s: "/" not in s and "?" not in s and "#" not in s and len(s) < 300),
    )

    @fuzz(800)
    @given(
        data=st.data(),
        method=st.sampled_from(["GET", "PATCH", "DELETE"]),
        seg=segment,
        query=st.dictionaries(
            st.sampled_from(["fields", "start", "end", "updateOnly", "x"]),
            EDGE_TEXT.filter(lambda s: len(s) < 200),
            max_size=2,
        ),
    )
    def run(data: st.DataObject, method: str, seg: str, query: dict[str, str]) -> None:
        from urllib.parse import quote

        path = f"{V}/sobjects/Account/{quote(seg, safe='')}"
        if data.draw(st.booleans()):
            path = f"{V}/sobjects/Account/Name/{quote(seg, safe='')}"
        kw: dict[str, Any] = {"params": query}
        if method == "PATCH":
            kw["content"] = dumps(data.draw(record(hostile, "Account")))
            kw["headers"] = {"Content-Type": "application/json"}
        if method == "DELETE" and seg == target:
            return  # keep the target for the next examples
        hostile.rejected_changes_nothing(method, path, **kw)

    run()


def test_composite_payloads(hostile: Hostile) -> None:
    sub = st.fixed_dictionaries(
        {
            "method": st.one_of(
                st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "get", "TRACE"]), JSON
            ),
            "url": st.one_of(
                st.sampled_from(
                    [
                        f"{V}/sobjects/Account",
                        f"{V}/sobjects/Account/@{{a.id}}",
                        f"{V}/query?q=SELECT+Id+FROM+Account",
                        "/x",
                        f"{V}/sobjects/Account/%00",
                    ]
                ),
                JSON,
            ),
            "referenceId": st.one_of(st.sampled_from(["a", "b", "ref_1"]), JSON),
        },
        optional={"body": JSON, "httpHeaders": JSON},
    )
    payload = st.one_of(
        st.fixed_dictionaries(
            {"compositeRequest": st.lists(sub, max_size=4)}, optional={"allOrNone": JSON}
        ),
        st.fixed_dictionaries(
            {"batchRequests": st.lists(sub, max_size=3)}, optional={"haltOnError": JSON}
        ),
        st.fixed_dictionaries(
            {"records": st.lists(JSON, max_size=3)}, optional={"allOrNone": JSON}
        ),
        JSON,
    )
    resources = {
        "compositeRequest": f"{V}/composite",
        "batchRequests": f"{V}/composite/batch",
        "records": f"{V}/composite/sobjects",
    }

    @fuzz(700)
    @given(body=payload, graph=st.booleans())
    def run(body: Any, graph: bool) -> None:
        key = next(
            (k for k in resources if isinstance(body, dict) and k in body), "compositeRequest"
        )
        path = resources[key]
        if graph and key == "compositeRequest" and isinstance(body, dict):
            path, body = f"{V}/composite/graph", {"graphs": [{"graphId": "g1", **body}]}
        hostile.rejected_changes_nothing(
            "POST", path, content=dumps(body), headers={"Content-Type": "application/json"}
        )

    run()


def test_malformed_json(hostile: Hostile) -> None:
    raw = st.one_of(
        st.binary(max_size=200),
        st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(1, 3000).map(lambda n: b'{"Name":' * n),
        JSON.map(lambda v: dumps(v)[:-1]),
        st.just(b'{"Name": "a\\u0000b"}'),
    )

    @fuzz(400)
    @given(body=raw, name=st.sampled_from(OBJECTS), method=st.sampled_from(["POST", "PATCH"]))
    def run(body: bytes, name: str, method: str) -> None:
        path = (
            f"{V}/sobjects/{name}"
            if method == "POST"
            else f"{V}/sobjects/{name}/001000000000000AAA"
        )
        hostile.rejected_changes_nothing(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )

    run()


def test_wrong_shapes_refused_whole(hostile: Hostile) -> None:
    """A value of the wrong JSON type in any field: 400, nothing written."""

    @fuzz(200)
    @given(data=st.data(), name=st.sampled_from(OBJECTS))
    def run(data: st.DataObject, name: str) -> None:
        fields = [f for f in hostile.org.schema.object(name).fields.values() if f.createable]
        f = data.draw(st.sampled_from(fields))
        bad = data.draw(WRONG_SHAPES.filter(lambda v: isinstance(v, list | dict)))
        resp = hostile.rejected_changes_nothing("POST", f"{V}/sobjects/{name}", json={f.name: bad})
        assert resp.status_code == 400, resp.text

    run()
