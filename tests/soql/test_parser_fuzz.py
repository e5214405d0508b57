"""Any input gives a tree or a MalformedQuery: never another exception, never a hang."""

# ruff: noqa: S608 - the strings built here are SOQL for the parser, never SQL

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.org.soql import MalformedQuery, parse, tokenize
from switchboard.org.soql.ast import Query
from switchboard.org.soql.parser import MAX_QUERY_LENGTH

SEEDS = [
    "SELECT Id, Name, Account.Owner.Name FROM Contact c WHERE c.Name LIKE 'A\\_%' LIMIT 5",
    "SELECT Id, (SELECT LastName FROM Contacts WHERE Email != null ORDER BY LastName) FROM Account",
    "SELECT TYPEOF What WHEN Account THEN Phone, Name ELSE Name END FROM Event",
    "SELECT COUNT(Id) cnt, CALENDAR_YEAR(convertTimezone(CreatedDate)) y FROM Lead "
    "GROUP BY ROLLUP(CALENDAR_YEAR(convertTimezone(CreatedDate))) HAVING COUNT(Id) > 1",
    "SELECT Id FROM A WHERE (a = 1 OR b <> 2.5) AND NOT c IN ('x', 'y') AND d = LAST_N_DAYS:3",
    "SELECT Id FROM A WHERE Id NOT IN (SELECT AccountId FROM Contact) AND h INCLUDES ('a;b')",
    "SELECT Id FROM A WHERE t > 2024-01-02T03:04:05.000+0000 AND d = 2024-01-02 AND m > USD5000",
    "SELECT Name, DISTANCE(Loc__c, GEOLOCATION(37.7, -122.4), 'mi') d FROM W__c "
    "WHERE DISTANCE(Loc__c, GEOLOCATION(37.7, -122.4), 'mi') < 20 ORDER BY Name DESC NULLS LAST",
    "SELECT Id FROM K WHERE s = 'online' WITH DATA CATEGORY G__c AT (a__c, b__c) "
    "LIMIT 10 OFFSET 5 FOR VIEW UPDATE TRACKING",
    "SELECT FIELDS(ALL) FROM Account USING SCOPE mine WITH SECURITY_ENFORCED LIMIT 200",
]

SOQL_ALPHABET = st.sampled_from(
    list("()',.:=<>!%_\\-+ \n\tTZ0123456789aAzZ\"é")
    + ["SELECT ", "FROM ", "WHERE ", "AND ", "OR ", "NOT ", "IN ", "(SELECT ", "LAST_N_DAYS:"]
)


def check(text: str) -> None:
    try:
        result = parse(text)
    except MalformedQuery as error:
        assert error.error_code == "MALFORMED_QUERY"
        assert error.row is not None and error.row >= 1
        assert error.column is not None and error.column >= 1
        assert error.token is not None
    else:
        assert isinstance(result, Query)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_random_text(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary().map(lambda data: data.decode("utf-8", errors="replace")))
def test_random_bytes(text: str) -> None:
    check(text)


@FUZZ
@given(st.lists(SOQL_ALPHABET, max_size=60).map("".join))
def test_soql_shaped_text(text: str) -> None:
    check(text)


def _pieces(seed: str) -> list[str]:
    return [token.text for token in tokenize(seed)[:-1]]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    pieces = _pieces(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        if not pieces:
            break
        i = draw(st.integers(0, len(pieces) - 1))
        j = draw(st.integers(0, len(pieces) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        if action == "delete":
            del pieces[i]
        elif action == "duplicate":
            pieces.insert(i, pieces[i])
        elif action == "swap":
            pieces[i], pieces[j] = pieces[j], pieces[i]
        else:
            pieces.insert(i, draw(SOQL_ALPHABET))
    return " ".join(pieces)


@FUZZ
@given(mutated())
def test_mutated_queries(text: str) -> None:
    check(text)


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_character_level_cuts(seed: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(seed)))
    end = data.draw(st.integers(start, len(seed)))
    check(seed[:start] + seed[end:])
    check(seed[:start])


@pytest.mark.parametrize("seed", SEEDS)
def test_seeds_are_valid(seed: str) -> None:
    assert isinstance(parse(seed), Query)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 3000), st.sampled_from(["(", "((SELECT Id FROM A WHERE ", "FORMAT("]))
def test_deep_nesting(depth: int, opener: str) -> None:
    check("SELECT Id FROM A WHERE " + opener * depth + "a = 1" + ")" * depth)
    check("SELECT " + opener * depth + "a" + ")" * depth + " FROM A")


# Inputs close to the 100,000-character limit that would hurt a backtracking scanner or
# a recursive parser.
N = MAX_QUERY_LENGTH // 2 - 20
PATHOLOGICAL = {
    "quotes": "SELECT Id FROM A WHERE a = '" + "\\'" * N,
    "backslashes": "'" + "\\" * (2 * N + 1),
    "strings": "SELECT Id FROM A WHERE a IN (" + "'x'," * (N // 2),
    "long-path": "SELECT " + "a." * N + "b FROM A",
    "many-ands": "SELECT Id FROM A WHERE " + " AND ".join(["a = 1"] * (N // 6)),
    "parens": "(" * 2 * N,
    "digits": "9" * 2 * N,
    "long-int": "SELECT Id FROM A WHERE a = 1" + "0" * N,
    "long-fraction": "SELECT Id FROM A WHERE a > 2024-01-01T00:00:00." + "0" * N + "Z",
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_fast(text: str) -> None:
    """A guard against super-linear scanning (backtracking, quadratic joins), not a
    benchmark: CPU time, so a loaded machine's other processes do not count (wall time
    failed under xdist next to a heavy test)."""
    assert len(text) <= MAX_QUERY_LENGTH
    start = time.process_time()
    check(text)
    assert time.process_time() - start < 2.0


def test_overlong_query_is_refused_before_scanning() -> None:
    start = time.process_time()
    with pytest.raises(MalformedQuery, match="cannot be longer than 100000"):
        parse("SELECT Id FROM A WHERE " + "(" * 10_000_000)
    assert time.process_time() - start < 0.5
