"""The SOQL front end: valid queries give the expected tree, invalid ones a positioned error."""

# ruff: noqa: S608 - the strings built here are SOQL for the parser, never SQL

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from switchboard.org.soql import MalformedQuery, SoqlError, parse
from switchboard.org.soql._cursor import MAX_DEPTH
from switchboard.org.soql.ast import (
    And,
    Comparison,
    Currency,
    DataCategoryFilter,
    DateLiteral,
    Field,
    FieldsSelector,
    From,
    FromRelated,
    Function,
    GroupBy,
    Includes,
    InList,
    InSubquery,
    Literal,
    Not,
    Or,
    OrderItem,
    Pos,
    Query,
    Subquery,
    TypeOf,
    TypeOfWhen,
    WithDataCategory,
    WithFilter,
    WithMode,
)

VALID = [
    # select list
    "SELECT Id FROM Account",
    "select id from account",
    "SeLeCt Id, Name FrOm Account",
    "SELECT Id, Name, Industry, AnnualRevenue FROM Account",
    "SELECT Account.Name FROM Contact",
    "SELECT Account.Owner.Name FROM Contact",
    "SELECT Account.Owner.Manager.Manager.Profile.Name FROM Contact",
    "SELECT Broker__r.Name, Broker__c FROM Property__c",
    "SELECT ns__Broker__r.ns__Region__r.Name FROM ns__Property__c",
    "SELECT Id, (SELECT LastName FROM Contacts) FROM Account",
    "SELECT Id, (SELECT LastName FROM Contacts WHERE LastName LIKE 'S%' ORDER BY LastName LIMIT 5) FROM Account",
    "SELECT Name, (SELECT Id FROM Properties__r), (SELECT Id FROM Opportunities) FROM Broker__c",
    "SELECT TYPEOF What WHEN Account THEN Phone, Name WHEN Opportunity THEN Amount ELSE Name END FROM Event",
    "SELECT Id, TYPEOF Owner WHEN User THEN Username END, Subject FROM Task",
    "SELECT FIELDS(ALL) FROM Account LIMIT 200",
    "SELECT FIELDS(STANDARD) FROM Account",
    "SELECT fields(custom) FROM Account LIMIT 200",
    "SELECT COUNT() FROM Account",
    "SELECT COUNT(Id) FROM Account",
    "SELECT COUNT(Id) cnt FROM Account",
    "SELECT COUNT_DISTINCT(Industry) n FROM Account",
    "SELECT SUM(Amount), AVG(Amount), MIN(Amount), MAX(Amount) FROM Opportunity",
    "SELECT StageName, SUM(Amount) total FROM Opportunity GROUP BY StageName",
    "SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(CreatedDate)",
    "SELECT CALENDAR_QUARTER(CloseDate) q, CALENDAR_MONTH(CloseDate) m FROM Opportunity GROUP BY CALENDAR_QUARTER(CloseDate), CALENDAR_MONTH(CloseDate)",
    "SELECT DAY_IN_MONTH(CreatedDate), DAY_IN_WEEK(CreatedDate), DAY_IN_YEAR(CreatedDate) FROM Account GROUP BY DAY_IN_MONTH(CreatedDate), DAY_IN_WEEK(CreatedDate), DAY_IN_YEAR(CreatedDate)",
    "SELECT DAY_ONLY(CreatedDate) d, COUNT(Id) FROM Account GROUP BY DAY_ONLY(CreatedDate)",
    "SELECT HOUR_IN_DAY(convertTimezone(CreatedDate)) h, COUNT(Id) FROM Lead GROUP BY HOUR_IN_DAY(convertTimezone(CreatedDate))",
    "SELECT WEEK_IN_MONTH(CreatedDate), WEEK_IN_YEAR(CreatedDate) FROM Account GROUP BY WEEK_IN_MONTH(CreatedDate), WEEK_IN_YEAR(CreatedDate)",
    "SELECT FISCAL_MONTH(CloseDate), FISCAL_QUARTER(CloseDate), FISCAL_YEAR(CloseDate) FROM Opportunity GROUP BY FISCAL_MONTH(CloseDate), FISCAL_QUARTER(CloseDate), FISCAL_YEAR(CloseDate)",
    "SELECT toLabel(Status) FROM Lead",
    "SELECT Id, toLabel(Recordtype.Name) FROM Case",
    "SELECT FORMAT(Amount) amt, format(CloseDate) FROM Opportunity",
    "SELECT FORMAT(MIN(CloseDate)) FROM Opportunity",
    "SELECT convertCurrency(Amount) FROM Opportunity",
    "SELECT LeadSource, GROUPING(LeadSource) grp, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource)",
    "SELECT Name, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') FROM Warehouse__c",
    # from
    "SELECT c.Name, c.Account.Name FROM Contact c",
    "SELECT Id FROM Contact c, c.Account a WHERE a.Name = 'MyriadPubs'",
    "SELECT Id FROM Account USING SCOPE Mine",
    "SELECT Id FROM Account a USING SCOPE everything WHERE a.Name != null",
    "SELECT Id FROM Group",
    "SELECT Group.Name FROM GroupMember",
    "SELECT Order.OrderNumber FROM OrderItem ORDER BY Order.OrderNumber",
    # where
    "SELECT Id FROM Account WHERE Name = 'Acme'",
    "SELECT Id FROM Account WHERE Name != 'Acme'",
    "SELECT Id FROM Account WHERE Name <> 'Acme'",
    "SELECT Id FROM Opportunity WHERE Amount < 10 AND Amount <= 20 AND Amount > 1 AND Amount >= 2",
    "SELECT Id FROM Account WHERE Name LIKE 'Ac\\_me\\%%'",
    "SELECT Id FROM Account WHERE Industry IN ('Energy', 'Media')",
    "SELECT Id FROM Account WHERE Industry NOT IN ('Energy')",
    "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'x')",
    "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity)",
    "SELECT Id FROM Contact WHERE Hobbies__c INCLUDES ('a;b', 'c')",
    "SELECT Id FROM Contact WHERE Hobbies__c EXCLUDES ('a')",
    "SELECT Id FROM Account WHERE (Name = 'a' OR Name = 'b') AND Industry = 'c'",
    "SELECT Id FROM Account WHERE Name = 'a' OR (Name = 'b' AND Industry = 'c')",
    "SELECT Id FROM Account WHERE NOT Name = 'a'",
    "SELECT Id FROM Account WHERE NOT (Name = 'a' OR Name = 'b')",
    "SELECT Id FROM Account WHERE ((((Name = 'a'))))",
    "SELECT Id FROM Account WHERE a = 1 AND b = 2 AND c = 3 AND d = 4",
    "SELECT Id FROM Account WHERE a = 1 OR b = 2 OR c = 3",
    "SELECT Id FROM Opportunity WHERE CALENDAR_YEAR(CloseDate) = 2024",
    "SELECT Id FROM Event WHERE DAY_ONLY(convertTimezone(StartDateTime)) = 2024-01-02",
    "SELECT Id FROM Warehouse__c WHERE DISTANCE(Location__c, GEOLOCATION(37.7, -122.4), 'mi') < 20",
    "SELECT Id FROM Lead WHERE toLabel(Status) = 'Open'",
    "SELECT Id FROM Account WHERE Rating = null AND IsDeleted = false AND IsActive__c = TRUE",
    "SELECT Id FROM Opportunity WHERE Amount = -5.25",
    "SELECT Id FROM Opportunity WHERE Amount > 1000000",
    "SELECT Id FROM Opportunity WHERE Amount > USD5000",
    "SELECT Id FROM Opportunity WHERE Amount > eur12.50",
    "SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-02",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05Z",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05+00:00",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05-08:00",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05.000Z",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05.123456Z",
    "SELECT Id FROM Account WHERE CreatedDate > 2024-01-02T03:04:05.000+0000",
    "SELECT Id FROM Account WHERE CreatedDate = TODAY OR CreatedDate = YESTERDAY OR CreatedDate = TOMORROW",
    "SELECT Id FROM Account WHERE CreatedDate = LAST_WEEK OR CreatedDate = THIS_WEEK OR CreatedDate = NEXT_WEEK",
    "SELECT Id FROM Account WHERE CreatedDate = LAST_90_DAYS OR CreatedDate = NEXT_90_DAYS",
    "SELECT Id FROM Account WHERE CreatedDate = THIS_FISCAL_QUARTER OR CreatedDate = NEXT_FISCAL_YEAR",
    "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30",
    "SELECT Id FROM Account WHERE CreatedDate = n_fiscal_years_ago:2",
    "SELECT Id FROM Account WHERE CreatedDate > NEXT_N_FISCAL_QUARTERS:3 AND CreatedDate < LAST_N_WEEKS:1",
    "SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\"q\\\" \\\\ \\n\\r\\t\\b\\f \\u00e9'",
    "SELECT Id FROM Account\nWHERE Name = 'multi\nline'\nORDER BY Name",
    # with
    "SELECT Id FROM Account WITH SECURITY_ENFORCED",
    "SELECT Id FROM Account WHERE Name = 'a' WITH USER_MODE",
    "SELECT Id FROM Account WITH SYSTEM_MODE LIMIT 1",
    "SELECT Title FROM KnowledgeArticleVersion WHERE PublishStatus = 'online' WITH DATA CATEGORY Geography__c ABOVE usa__c",
    "SELECT Title FROM Question WITH DATA CATEGORY Geography__c AT (usa__c, uk__c) AND Product__c BELOW_OR_ABOVE_placeholder",
    "SELECT Id FROM UserProfileFeed WITH UserId = '005D0000001AamR' ORDER BY CreatedDate DESC, Id DESC LIMIT 20",
    # group by / having
    "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry HAVING COUNT(Id) > 1",
    "SELECT Industry, Type, COUNT(Id) FROM Account GROUP BY CUBE(Industry, Type)",
    "SELECT LeadSource, COUNT(Id) FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 10 AND LeadSource != null",
    "SELECT Name, MAX(Amount) FROM Opportunity GROUP BY Name HAVING MAX(Amount) > 10000 ORDER BY MAX(Amount) DESC",
    # order by / limit / offset / for / update
    "SELECT Id FROM Account ORDER BY Name",
    "SELECT Id FROM Account ORDER BY Name ASC, CreatedDate DESC NULLS LAST, Id NULLS FIRST",
    "SELECT Id FROM Account ORDER BY Name LIMIT 10 OFFSET 20",
    "SELECT Id FROM Account OFFSET 5",
    "SELECT Id FROM Account LIMIT 1 FOR VIEW",
    "SELECT Id FROM Account LIMIT 1 FOR REFERENCE",
    "SELECT Id FROM Account WHERE Id = '001000000000000AAA' FOR UPDATE",
    "SELECT Title FROM FAQ__kav WHERE PublishStatus = 'online' UPDATE TRACKING",
    "SELECT Title FROM FAQ__kav WHERE PublishStatus = 'online' UPDATE VIEWSTAT",
    "SELECT Name FROM Account WHERE Name != 'x' WITH SECURITY_ENFORCED GROUP BY Name HAVING COUNT(Id) > 0 ORDER BY Name LIMIT 5 OFFSET 1",
    "  \n SELECT\tId\r\n FROM   Account  \n",
]
# one placeholder above stands for a selector that is not valid; swap in the real one
VALID = [q.replace("BELOW_OR_ABOVE_placeholder", "ABOVE_OR_BELOW mobile__c") for q in VALID]


def test_enough_valid_cases() -> None:
    assert len(VALID) >= 80


@pytest.mark.parametrize("text", VALID)
def test_valid_queries_parse(text: str) -> None:
    query = parse(text)
    assert isinstance(query, Query)
    assert query.select
    assert query.pos.offset == text.index(text.strip()[0])


def f(*path: str) -> Field:
    return Field(path)


def lit(value: object) -> Literal:
    return Literal(value)  # type: ignore[arg-type]


SHAPES = [
    (
        "SELECT Id, Account.Owner.Name FROM Contact",
        Query((f("Id"), f("Account", "Owner", "Name")), From("Contact")),
    ),
    (
        "SELECT COUNT(Id) cnt, COUNT() FROM Account",
        Query(
            (Function("COUNT", (f("Id"),), "cnt"), Function("COUNT")),
            From("Account"),
        ),
    ),
    (
        "SELECT c.Name FROM Contact c USING SCOPE mine",
        Query((f("c", "Name"),), From("Contact", "c", "mine")),
    ),
    (
        "SELECT Id FROM Contact c, c.Account a",
        Query((f("Id"),), From("Contact", "c", related=(FromRelated(("c", "Account"), "a"),))),
    ),
    (
        "SELECT Id, (SELECT LastName FROM Contacts WHERE LastName = 'x' LIMIT 3) FROM Account",
        Query(
            (
                f("Id"),
                Subquery(
                    Query(
                        (f("LastName"),),
                        From("Contacts"),
                        where=Comparison(f("LastName"), "=", lit("x")),
                        limit=3,
                    )
                ),
            ),
            From("Account"),
        ),
    ),
    (
        "SELECT TYPEOF What WHEN Account THEN Phone, Name WHEN Opportunity THEN Amount ELSE Name END FROM Event",
        Query(
            (
                TypeOf(
                    f("What"),
                    (
                        TypeOfWhen("Account", (f("Phone"), f("Name"))),
                        TypeOfWhen("Opportunity", (f("Amount"),)),
                    ),
                    (f("Name"),),
                ),
            ),
            From("Event"),
        ),
    ),
    ("SELECT FIELDS(all) FROM Account", Query((FieldsSelector("ALL"),), From("Account"))),
    (
        "SELECT HOUR_IN_DAY(convertTimezone(CreatedDate)) h FROM Lead",
        Query(
            (Function("HOUR_IN_DAY", (Function("CONVERTTIMEZONE", (f("CreatedDate"),)),), "h"),),
            From("Lead"),
        ),
    ),
    (
        "SELECT Id FROM W WHERE DISTANCE(Loc__c, GEOLOCATION(37.7, -122.4), 'mi') < 20",
        Query(
            (f("Id"),),
            From("W"),
            where=Comparison(
                Function(
                    "DISTANCE",
                    (
                        f("Loc__c"),
                        Function("GEOLOCATION", (lit(Decimal("37.7")), lit(Decimal("-122.4")))),
                        lit("mi"),
                    ),
                ),
                "<",
                lit(20),
            ),
        ),
    ),
    (
        "SELECT Id FROM A WHERE (a = 1 OR b <> 2) AND NOT c = true AND d IN ('x', 'y')",
        Query(
            (f("Id"),),
            From("A"),
            where=And(
                (
                    Or((Comparison(f("a"), "=", lit(1)), Comparison(f("b"), "!=", lit(2)))),
                    Not(Comparison(f("c"), "=", lit(True))),
                    InList(f("d"), (lit("x"), lit("y"))),
                )
            ),
        ),
    ),
    (
        "SELECT Id FROM A WHERE Id NOT IN (SELECT AccountId FROM Contact) AND h EXCLUDES ('a;b')",
        Query(
            (f("Id"),),
            From("A"),
            where=And(
                (
                    InSubquery(f("Id"), Query((f("AccountId"),), From("Contact")), negated=True),
                    Includes(f("h"), (lit("a;b"),), excludes=True),
                )
            ),
        ),
    ),
    (
        "SELECT Id FROM A WHERE d = LAST_N_DAYS:30 OR d = today OR m > usd5000",
        Query(
            (f("Id"),),
            From("A"),
            where=Or(
                (
                    Comparison(f("d"), "=", DateLiteral("LAST_N_DAYS", 30)),
                    Comparison(f("d"), "=", DateLiteral("TODAY")),
                    Comparison(f("m"), ">", Currency("USD", Decimal(5000))),
                )
            ),
        ),
    ),
    (
        "SELECT a, COUNT(Id) FROM A GROUP BY ROLLUP(a) HAVING COUNT(Id) > 1 "
        "ORDER BY a DESC NULLS LAST, COUNT(Id) LIMIT 5 OFFSET 10 FOR VIEW UPDATE TRACKING",
        Query(
            (f("a"), Function("COUNT", (f("Id"),))),
            From("A"),
            group_by=GroupBy("ROLLUP", (f("a"),)),
            having=Comparison(Function("COUNT", (f("Id"),)), ">", lit(1)),
            order_by=(
                OrderItem(f("a"), "DESC", "LAST"),
                OrderItem(Function("COUNT", (f("Id"),))),
            ),
            limit=5,
            offset=10,
            for_="VIEW",
            update="TRACKING",
        ),
    ),
    (
        "SELECT Id FROM A WITH DATA CATEGORY Geo__c AT (usa__c, uk__c) AND Product__c BELOW all__c",
        Query(
            (f("Id"),),
            From("A"),
            with_=WithDataCategory(
                (
                    DataCategoryFilter("Geo__c", "AT", ("usa__c", "uk__c")),
                    DataCategoryFilter("Product__c", "BELOW", ("all__c",)),
                )
            ),
        ),
    ),
    ("SELECT Id FROM A with user_mode", Query((f("Id"),), From("A"), with_=WithMode("USER_MODE"))),
    (
        "SELECT Id FROM F WITH UserId = '005'",
        Query((f("Id"),), From("F"), with_=WithFilter(f("UserId"), lit("005"))),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[s[0][:50] for s in SHAPES])
def test_tree_shape(text: str, expected: Query) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("'abc'", "abc"),
        ("'O\\'Brien'", "O'Brien"),
        ("'a\\\\b'", "a\\b"),
        ("'\\n\\r\\t\\b\\f\\\"'", '\n\r\t\b\f"'),
        ("'\\u00e9t\\u00C9'", "étÉ"),
        ("'a\\_b\\%'", "a_b%"),
        ("42", 42),
        ("-7", -7),
        ("3.50", Decimal("3.50")),
        ("-0.5", Decimal("-0.5")),
        ("TRUE", True),
        ("false", False),
        ("Null", None),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2024-01-02T03:04:05Z", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        (
            "2024-01-02T03:04:05.5-08:00",
            dt.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        ),
        (
            "2024-01-02T03:04:05.000+0530",
            dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        ),
        ("2024-01-02T03:04:05.123456Z", dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)),
    ],
)
def test_literal_values(literal: str, expected: object) -> None:
    where = parse(f"SELECT Id FROM A WHERE x = {literal}").where
    assert isinstance(where, Comparison) and isinstance(where.right, Literal)
    assert where.right.value == expected
    assert type(where.right.value) is type(expected)
    assert where.right.text == literal


def test_like_keeps_its_escapes() -> None:
    where = parse(r"SELECT Id FROM A WHERE x LIKE 'a\_b\%c\\d%'").where
    assert isinstance(where, Comparison) and isinstance(where.right, Literal)
    assert where.right.value == r"a\_b\%c\\d%"


def test_identifiers_keep_their_spelling_and_keywords_do_not_matter() -> None:
    query = parse("select ACCOUNT.name, count(ID) Cnt from conTact WHERE lastname like 'x'")
    assert query.select[0] == f("ACCOUNT", "name")
    assert query.select[1] == Function("COUNT", (f("ID"),), "Cnt")
    assert query.from_.object == "conTact"


def test_positions() -> None:
    query = parse("SELECT Id,\n  Name FROM Account\nWHERE Name = 'x'")
    assert query.pos == Pos(1, 1, 0)
    assert query.select[1].pos == Pos(2, 3, 13)
    assert query.where is not None and query.where.pos == Pos(3, 7, 37)
    assert isinstance(query.where, Comparison)
    assert query.where.right.pos == Pos(3, 14, 44)


INVALID = [
    # (query, row, column, token, reason fragment)
    ("SELECT Id FORM Account", 1, 11, "FORM", "unexpected token: 'FORM'"),
    ("SELECT Id FROM", 1, 15, "<EOF>", "unexpected token: <EOF>"),
    ("SELECT FROM Account", 1, 8, "FROM", "unexpected token: 'FROM'"),
    ("SELECT Id, FROM Account", 1, 12, "FROM", "unexpected token: 'FROM'"),
    ("SELECT Id Account", 1, 11, "Account", "unexpected token: 'Account'"),
    ("SELECT Name n FROM Account", 1, 13, "n", "unexpected token: 'n'"),
    ("Id FROM Account", 1, 1, "Id", "unexpected token: 'Id'"),
    ("SELECT Id FROM Account WHERE", 1, 29, "<EOF>", "unexpected token: <EOF>"),
    ("SELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3", 1, 40, "OR", "unexpected token: 'OR'"),
    ("SELECT Id FROM A WHERE a = 1 OR b = 2 AND c = 3", 1, 39, "AND", "unexpected token: 'AND'"),
    ("SELECT Id FROM A WHERE (a = 1", 1, 30, "<EOF>", "expecting a right parentheses, found <EOF>"),
    ("SELECT Id FROM A WHERE (a = 1 b", 1, 31, "b", "expecting a right parentheses, found 'b'"),
    ("SELECT Id FROM A WHERE a IN 'x'", 1, 29, "'x'", "expecting a left parentheses, found ''x''"),
    ("SELECT Id FROM A WHERE a IN ()", 1, 30, ")", "unexpected token: ')'"),
    ("SELECT Id FROM A WHERE a = :name", 1, 28, ":", "Bind variables only allowed in Apex code"),
    ("SELECT Id FROM A WHERE a = 'abc", 1, 28, "'", "mismatched character '<EOF>' expecting '''"),
    ("SELECT Id FROM A WHERE a = 5 %", 1, 30, "%", "no viable alternative at character '%'"),
    ("SELECT Id FROM A WHERE d = LAST_N_DAYS", 1, 39, "<EOF>", "expecting a colon, found <EOF>"),
    ("SELECT Id FROM A WHERE d = LAST_N_DAYS:x", 1, 40, "x", "unexpected token: 'x'"),
    ("SELECT Id FROM A WHERE d = LAST_N_DAYS:-3", 1, 40, "-3", "unexpected token: '-3'"),
    ("SELECT Id FROM A WHERE d = NOT_A_LITERAL", 1, 28, "NOT_A_LITERAL", "unexpected token"),
    ("SELECT Id FROM A WHERE a = 'x\\q'", 1, 28, "'x\\q'", "Illegal character sequence '\\q'"),
    ("SELECT Id FROM A WHERE a = 'x\\u12'", 1, 28, "'x\\u12'", "Illegal character sequence"),
    ("SELECT Id FROM A WHERE d = 2024-02-30", 1, 28, "2024-02-30", "invalid date literal"),
    ("SELECT Id FROM A WHERE d > 2024-01-01T25:00:00Z", 1, 28, "2024-01-01T25:00:00Z", "invalid"),
    ("SELECT Id FROM A WHERE a NOT LIKE 'x'", 1, 30, "LIKE", "unexpected token: 'LIKE'"),
    ("SELECT Id FROM A WHERE NOT NOT a = 1", 1, 28, "NOT", "unexpected token: 'NOT'"),
    ("SELECT Id FROM A WHERE a = b", 1, 28, "b", "unexpected token: 'b'"),
    ("SELECT Id FROM A WHERE a = 1 ORDER Name", 1, 36, "Name", "unexpected token: 'Name'"),
    ("SELECT Id FROM A LIMIT x", 1, 24, "x", "unexpected token: 'x'"),
    ("SELECT Id FROM A LIMIT 1.5", 1, 24, "1.5", "unexpected token: '1.5'"),
    ("SELECT Id FROM A OFFSET 1 LIMIT 5", 1, 27, "LIMIT", "unexpected token: 'LIMIT'"),
    ("SELECT Id FROM A ORDER BY Name WHERE a = 1", 1, 32, "WHERE", "unexpected token: 'WHERE'"),
    ("SELECT Id FROM A GROUP Name", 1, 24, "Name", "unexpected token: 'Name'"),
    ("SELECT Id FROM A ORDER BY Name NULLS MIDDLE", 1, 38, "MIDDLE", "unexpected token"),
    ("SELECT Id FROM A FOR EVER", 1, 22, "EVER", "unexpected token: 'EVER'"),
    ("SELECT Id FROM A UPDATE STATS", 1, 25, "STATS", "unexpected token: 'STATS'"),
    ("SELECT Id FROM A WITH NOTHING", 1, 30, "<EOF>", "unexpected token: <EOF>"),
    ("SELECT Id FROM A WITH DATA CATEGORY g NEAR c", 1, 39, "NEAR", "unexpected token"),
    ("SELECT FIELDS(SOME) FROM A", 1, 15, "SOME", "unexpected token: 'SOME'"),
    ("SELECT COUNT(a, b) FROM A", 1, 15, ",", "expecting a right parentheses, found ','"),
    ("SELECT SUM() FROM A", 1, 12, ")", "unexpected token: ')'"),
    ("SELECT TYPEOF What END FROM Event", 1, 20, "END", "unexpected token: 'END'"),
    ("SELECT TYPEOF What WHEN Account THEN Phone FROM Event", 1, 44, "FROM", "unexpected token"),
    ("SELECT Id, (SELECT Id FROM Contacts FROM Account", 1, 37, "FROM", "right parentheses"),
    ("SELECT Id FROM Account extra words", 1, 30, "words", "unexpected token: 'words'"),
    ("SELECT Id FROM Account;", 1, 23, ";", "no viable alternative at character ';'"),
    ("SELECT Id\nFROM Account\nWHERE Name = = 'x'", 3, 14, "=", "unexpected token: '='"),
    ("SELECT Id FROM A WHERE a = USD", 1, 28, "USD", "unexpected token: 'USD'"),
    ("SELECT Id FROM A WHERE a = 1 AND", 1, 33, "<EOF>", "unexpected token: <EOF>"),
    ("SELECT Id.Name. FROM A", 1, 17, "FROM", "unexpected token: 'FROM'"),
    ("SELECT Id FROM A WHERE a = 'x' LIMIT 5 LIMIT 5", 1, 40, "LIMIT", "unexpected token"),
]


def test_enough_invalid_cases() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize(("text", "row", "column", "token", "reason"), INVALID)
def test_invalid_queries(text: str, row: int, column: int, token: str, reason: str) -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    error = caught.value
    assert (error.row, error.column, error.token) == (row, column, token)
    assert reason in error.reason
    assert error.error_code == "MALFORMED_QUERY"
    assert error.status == 400
    assert isinstance(error, SoqlError)


def test_message_reads_like_salesforce() -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse("SELECT Id FORM Account")
    assert caught.value.message == (
        "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )
    assert caught.value.to_salesforce()["errorCode"] == "MALFORMED_QUERY"


def test_message_echoes_the_offending_line_only() -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse("SELECT Id\nFROM Account\n\tWHERE Name = = 'x'")
    assert caught.value.message.startswith("\n\tWHERE Name = = 'x'\n\t             ^\n")


def test_long_lines_are_echoed_as_a_window() -> None:
    text = "SELECT " + ", ".join(f"F{i}" for i in range(2000)) + " FORM A"
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert len(caught.value.message) < 300
    assert caught.value.token == "FORM"
    echoed, caret = caught.value.message.split("\n")[1:3]
    assert echoed[len(caret) - 1 :].startswith("FORM")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_query(text: str) -> None:
    with pytest.raises(MalformedQuery, match="cannot be empty"):
        parse(text)


def test_nesting_is_bounded() -> None:
    ok = "SELECT Id FROM A WHERE " + "(" * (MAX_DEPTH - 1) + "a = 1" + ")" * (MAX_DEPTH - 1)
    assert parse(ok).where == Comparison(f("a"), "=", lit(1))
    deep = "SELECT Id FROM A WHERE " + "(" * 10_000 + "a = 1" + ")" * 10_000
    with pytest.raises(MalformedQuery, match="nested too deeply"):
        parse(deep)
    calls = "SELECT " + "FORMAT(" * 5000 + "a" + ")" * 5000 + " FROM A"
    with pytest.raises(MalformedQuery, match="nested too deeply"):
        parse(calls)


def test_twenty_field_query_parses_well_under_a_millisecond() -> None:
    fields = ", ".join(f"Field{i}__c" for i in range(18))
    tail = "Account.Name, Owner.Email FROM Account WHERE Name = 'x' ORDER BY Name LIMIT 10"
    text = f"SELECT {fields}, {tail}"
    parse(text)
    runs = 200
    start = time.process_time()
    for _ in range(runs):
        parse(text)
    assert (time.process_time() - start) / runs < 0.001
