# ruff: noqa: S608  (SOQL text built from generated fragments; no SQL is built here)
"""Generated SOQL, SOAP and OAuth requests: hostile literals and limits, XML with entity
tricks (XXE, billion laughs, unknown encodings), and form bodies. None may reach a 5xx
(a SOAP fault is the SOAP binding's 500 and must be a fault envelope), every refusal is
in its API's error shape, and a refused request leaves the store as it was."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.hostile import Hostile, V
from support.hostile_values import BIG_INTS, EDGE_TEXT, NUL_TEXT


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


FIELDS = ["Name", "NumberOfEmployees", "AnnualRevenue", "CreatedDate", "Id", "Rating", "Owner.Name"]
UNITS = ["DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS", "FISCAL_QUARTERS", "FISCAL_YEARS"]
LITERAL = st.one_of(
    EDGE_TEXT.filter(lambda s: len(s) < 6000).map(_quote),
    BIG_INTS.map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.builds(
        lambda form, unit, n: form.format(unit=unit, n=n),
        st.sampled_from(["LAST_N_{unit}:{n}", "NEXT_N_{unit}:{n}", "N_{unit}_AGO:{n}"]),
        st.sampled_from(UNITS),
        st.one_of(st.integers(0, 2**40), st.sampled_from([99999999999, 1000000, 2147483648])),
    ),
    st.sampled_from(
        ["TODAY", "NULL", "true", "2024-01-01", "2024-01-01T00:00:00Z", "USD12.5", "'\\u0000'"]
    ),
)
TERM = st.builds(
    lambda f, op, v: f"{f} {op} {v}",
    st.sampled_from(FIELDS),
    st.sampled_from(["=", "!=", "<", ">=", "LIKE", "IN", "NOT IN", "INCLUDES"]),
    LITERAL,
)


@st.composite
def soql(draw: Any) -> str:
    terms = draw(st.lists(TERM, min_size=1, max_size=5))
    if draw(st.integers(0, 20)) == 0:  # a WHERE of many OR-terms (SQLite's depth limit)
        terms = [f"Name = 'n{i}'" for i in range(draw(st.integers(900, 1500)))]
    joiner = draw(st.sampled_from([" OR ", " AND "]))
    query = f"SELECT Id, Name FROM Account WHERE {joiner.join(terms)}"
    tail = draw(
        st.sampled_from(
            ["", " LIMIT 5", " LIMIT 99999999999", " OFFSET 2147483648", " ORDER BY Name"]
        )
    )
    return query + tail


def test_soql(hostile: Hostile) -> None:
    @fuzz(1200)
    @given(q=st.one_of(soql(), st.text(max_size=200), NUL_TEXT), bulk=st.integers(0, 9))
    def run(q: str, bulk: int) -> None:
        if bulk == 0:  # the same text as a Bulk API 2.0 query job (which stores it)
            hostile.rejected_changes_nothing(
                "POST", f"{V}/jobs/query", json={"operation": "query", "query": q}
            )
        elif len(q) < 15_000:
            resp = hostile.request("GET", f"{V}/query", params={"q": q})
            if "\x00" in q:
                assert resp.status_code == 400, resp.text
        else:  # too long for a URL: through composite, as Salesforce advises
            body = {
                "compositeRequest": [
                    {"method": "GET", "url": f"{V}/query?{urlencode({'q': q})}", "referenceId": "q"}
                ]
            }
            hostile.request("POST", f"{V}/composite", json=body)

    run()


ENTITIES = [
    # XXE: an external entity naming a local file.
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>{env}',
    # Billion laughs: nested entity expansion.
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>{env}',
    '<?xml version="1.0" encoding="tf-8"?>{env}',
    '<?xml version="1.0" encoding="utf-16"?>{env}',
    "{env}",
    '<?xml version="1.1"?>{env}',
]


@st.composite
def soap_body(draw: Any) -> bytes:
    user = draw(st.one_of(st.just("&x;"), st.just("&d;"), EDGE_TEXT.filter(lambda s: len(s) < 500)))
    password = draw(st.one_of(st.just("&x;"), EDGE_TEXT.filter(lambda s: len(s) < 500)))
    op = draw(st.sampled_from(["login", "logout", "query", "x" * 300]))
    env = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body>'
        f"<urn:{op}><urn:username>{user}</urn:username><urn:password>{password}</urn:password>"
        f"</urn:{op}></soapenv:Body></soapenv:Envelope>"
    )
    text = draw(st.sampled_from(ENTITIES)).format(env=env)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(max_size=20))
    return raw


def test_soap(hostile: Hostile) -> None:
    @fuzz(400)
    @given(body=soap_body())
    def run(body: bytes) -> None:
        resp = hostile.rejected_changes_nothing(
            "POST",
            "/services/Soap/u/59.0",
            content=body,
            headers={"Content-Type": "text/xml", "SOAPAction": "login"},
        )
        assert b"root:" not in resp.content  # no file read through an external entity

    run()


def test_oauth_forms(hostile: Hostile) -> None:
    grant = st.sampled_from(
        [
            "password",
            "refresh_token",
            "authorization_code",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "x",
        ]
    )
    form = st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "username",
                "password",
                "client_id",
                "client_secret",
                "code",
                "refresh_token",
                "assertion",
                "redirect_uri",
                "token",
                "code_verifier",
            ]
        ),
        EDGE_TEXT.filter(lambda s: len(s) < 2000),
        max_size=6,
    )

    @fuzz(400)
    @given(
        g=grant,
        fields=form,
        path=st.sampled_from(["token", "revoke", "introspect", "authorize"]),
        raw=st.one_of(st.none(), st.binary(max_size=100)),
    )
    def run(g: str, fields: dict[str, str], path: str, raw: bytes | None) -> None:
        fields.setdefault("grant_type", g)
        content = raw if raw is not None else urlencode(fields).encode()
        resp = hostile.rejected_changes_nothing(
            "POST",
            f"/services/oauth2/{path}",
            content=content,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if path == "token" and resp.status_code == 200:
            raise AssertionError(f"a token for generated credentials: {fields}")

    run()
