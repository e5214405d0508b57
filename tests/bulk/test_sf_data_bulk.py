"""The Bulk API 2.0 commands of the official Salesforce CLI against a real
``switchboard up --tls`` on SQLite (one backend is enough for the CLI's own behaviour),
over the realty SFDX project: ``sf data upsert bulk`` (existing and new rows by external
id), ``sf data import bulk`` (parents by their external id), ``sf data delete bulk``,
``sf data bulk results``, ``sf data upsert resume`` and ``sf data export bulk`` /
``sf data export resume`` in CSV and JSON. What the CLI reports is checked against the
org's data read over REST.

The CLI tests are skipped unless ``sf`` is installed (on PATH, or named by
SWITCHBOARD_SF_CLI; see tests/support/sf_cli.py for how to install it); the check of the
org's refusal of query jobs Bulk API 2.0 cannot run goes over plain HTTP and runs always.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from support.server import Server
from support.sf_cli import REQUIRES_SF, SfSession, sf_session, simple_salesforce, sqlite_server

WAIT = ("--wait", "5")  # minutes the CLI may poll; it returns as soon as the job is done
ID18 = re.compile(r"[a-zA-Z0-9]{18}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    srv = sqlite_server(tmp_path_factory, local_ca, "sf-data-bulk", fixture="sfdx-realty")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def cli(server: Server, tmp_path_factory: pytest.TempPathFactory) -> SfSession:
    return sf_session(server, tmp_path_factory)


@pytest.fixture(scope="module")
def rest(server: Server) -> Salesforce:
    return simple_salesforce(server)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def read_csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def create(rest: Salesforce, type_name: str, **values: Any) -> str:
    record_id: str = getattr(rest, type_name).create(values)["id"]
    return record_id


def rows(rest: Salesforce, soql: str, fields: list[str]) -> list[tuple[Any, ...]]:
    """The query's records as tuples of ``fields`` (``A.B`` reads a parent's field)."""

    def get(record: dict[str, Any], path: str) -> Any:
        for part in path.split("."):
            record = record[part] if record is not None else None  # type: ignore[assignment]
        return record

    return [tuple(get(r, f) for f in fields) for r in rest.query_all(soql)["records"]]


@REQUIRES_SF
def test_upsert_bulk_updates_existing_rows_and_creates_new_ones(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    ann = create(rest, "Broker__c", Name="Ann Lee", Broker_Id__c="UPS-1", Title__c="Associate")
    bo = create(
        rest, "Broker__c", Name="Bo Chen", Broker_Id__c="UPS-2", Title__c="Broker",
        Email__c="bo@example.com",
    )  # fmt: skip
    data = write_csv(
        tmp_path / "brokers.csv",
        [
            ["Broker_Id__c", "Name", "Title__c", "Email__c"],
            ["UPS-1", "Ann Lee-Park", "Managing_Broker", "ann@example.com"],
            ["UPS-3", "Cy Young", "Associate", ""],
            ["UPS-2", "Bo Chen", "#N/A", ""],  # #N/A clears a field, empty leaves it
            ["UPS-4", 'Dee "DJ" Jones, Jr.', "Broker", "dee@example.com"],
        ],
    )
    result = cli.ok(
        "data", "upsert", "bulk", "--sobject", "Broker__c", "--file", str(data),
        "--external-id", "Broker_Id__c", *WAIT,
    )  # fmt: skip
    info = result["jobInfo"]
    assert info["id"].startswith("750") and ID18.fullmatch(info["id"])
    assert (info["operation"], info["object"], info["state"]) == (
        "upsert",
        "Broker__c",
        "JobComplete",
    )
    assert info["externalIdFieldName"] == "Broker_Id__c" and info["contentType"] == "CSV"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (4, 0)

    records = result["records"]
    assert records["failedResults"] == [] and records["unprocessedRecords"] == []
    done = {r["Broker_Id__c"]: r for r in records["successfulResults"]}
    assert sorted(done) == ["UPS-1", "UPS-2", "UPS-3", "UPS-4"]
    assert {k: r["sf__Created"] for k, r in done.items()} == {
        "UPS-1": "false",
        "UPS-2": "false",
        "UPS-3": "true",
        "UPS-4": "true",
    }
    assert (done["UPS-1"]["sf__Id"], done["UPS-2"]["sf__Id"]) == (ann, bo)
    assert done["UPS-4"]["Name"] == 'Dee "DJ" Jones, Jr.'  # the original columns come back

    got = rows(
        rest,
        "SELECT Id, Broker_Id__c, Name, Title__c, Email__c FROM Broker__c "
        "WHERE Broker_Id__c LIKE 'UPS-%' ORDER BY Broker_Id__c",
        ["Id", "Broker_Id__c", "Name", "Title__c", "Email__c"],
    )
    assert got == [
        (ann, "UPS-1", "Ann Lee-Park", "Managing_Broker", "ann@example.com"),
        (bo, "UPS-2", "Bo Chen", None, "bo@example.com"),
        (done["UPS-3"]["sf__Id"], "UPS-3", "Cy Young", "Associate", None),
        (done["UPS-4"]["sf__Id"], "UPS-4", 'Dee "DJ" Jones, Jr.', "Broker", "dee@example.com"),
    ]


@REQUIRES_SF
def test_upsert_bulk_with_a_failing_row_then_bulk_results(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    """A row the org rejects fails the command (exit 1) but not the job; ``sf data bulk
    results`` then fetches both result files."""
    kept = create(rest, "Broker__c", Name="Eve Kim", Broker_Id__c="FAIL-1")
    data = write_csv(
        tmp_path / "brokers.csv",
        [
            ["Broker_Id__c", "Name", "Title__c"],
            ["FAIL-1", "Eve Kim-Ortiz", "Broker"],
            ["FAIL-2", "Finn Wolf", "Wizard"],  # not a value of the restricted picklist
            ["FAIL-3", "Gus Moreau", "Associate"],
        ],
    )
    run = cli.run(
        "data", "upsert", "bulk", "--sobject", "Broker__c", "--file", str(data),
        "--external-id", "Broker_Id__c", *WAIT,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.json["name"] == "FailedRecordDetailsError"
    assert "failed to process 1 records" in run.json["message"]
    job_id = run.json["data"]["jobId"]
    assert run.json["data"]["state"] == "JobComplete"

    result = cli.ok("data", "bulk", "results", "--job-id", job_id)
    assert result == {
        "processedRecords": 3,
        "successfulRecords": 2,
        "failedRecords": 1,
        "status": "JobComplete",
        "operation": "upsert",
        "object": "Broker__c",
        "successFilePath": f"{job_id}-success-records.csv",
        "failedFilePath": f"{job_id}-failed-records.csv",
    }
    success = read_csv((cli.cwd / result["successFilePath"]).read_text())
    assert success[0] == ["sf__Id", "sf__Created", "Broker_Id__c", "Name", "Title__c"]
    created = {r[2]: (r[0], r[1]) for r in success[1:]}
    assert created["FAIL-1"] == (kept, "false") and created["FAIL-3"][1] == "true"
    failed = read_csv((cli.cwd / result["failedFilePath"]).read_text())
    assert failed[0] == ["sf__Error", "sf__Id", "Broker_Id__c", "Name", "Title__c"]
    ((error, failed_id, *original),) = failed[1:]
    assert error.startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:") and "Wizard" in error
    assert failed_id == "" and original == ["FAIL-2", "Finn Wolf", "Wizard"]

    got = rows(
        rest,
        "SELECT Id, Broker_Id__c, Name FROM Broker__c WHERE Broker_Id__c LIKE 'FAIL-%' "
        "ORDER BY Broker_Id__c",
        ["Id", "Broker_Id__c", "Name"],
    )
    assert got == [
        (kept, "FAIL-1", "Eve Kim-Ortiz"),
        (created["FAIL-3"][0], "FAIL-3", "Gus Moreau"),
    ]


@REQUIRES_SF
def test_import_bulk_links_parents_by_external_id(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    """A ``Broker__r.Broker_Id__c`` column sets the lookup to the broker with that key."""
    broker = create(rest, "Broker__c", Name="Hal Berg", Broker_Id__c="IMP-B1")
    data = write_csv(
        tmp_path / "properties.csv",
        [
            ["Name", "City__c", "Price__c", "Broker__r.Broker_Id__c"],
            ["1 Import Way", "Lowell", "410000", "IMP-B1"],
            ["3 Import Way", "Lowell", "", ""],
        ],
    )
    result = cli.ok(
        "data", "import", "bulk", "--sobject", "Property__c", "--file", str(data), *WAIT
    )
    assert ID18.fullmatch(result["jobId"]) and result["jobId"].startswith("750")
    assert {k: v for k, v in result.items() if k != "jobId"} == {
        "processedRecords": 2,
        "successfulRecords": 2,
        "failedRecords": 0,
    }
    got = rows(
        rest,
        "SELECT Name, Price__c, Broker__c, Broker__r.Name FROM Property__c "
        "WHERE City__c = 'Lowell' ORDER BY Name",
        ["Name", "Price__c", "Broker__c", "Broker__r.Name"],
    )
    assert got == [
        ("1 Import Way", 410000, broker, "Hal Berg"),
        ("3 Import Way", None, None, None),
    ]


@REQUIRES_SF
def test_delete_bulk_then_export_all_rows(cli: SfSession, rest: Salesforce, tmp_path: Path) -> None:
    ids = [create(rest, "Broker__c", Name=f"Del {i}", Broker_Id__c=f"DEL-{i}") for i in (1, 2, 3)]
    data = write_csv(tmp_path / "ids.csv", [["Id"], [ids[0]], [ids[1]]])
    result = cli.ok("data", "delete", "bulk", "--sobject", "Broker__c", "--file", str(data), *WAIT)
    info = result["jobInfo"]
    assert (info["operation"], info["state"], info["numberRecordsProcessed"]) == (
        "delete",
        "JobComplete",
        2,
    )
    assert info["numberRecordsFailed"] == 0
    assert sorted((r["sf__Id"], r["Id"]) for r in result["records"]["successfulResults"]) == sorted(
        (i, i) for i in ids[:2]
    )
    assert rows(rest, "SELECT Id FROM Broker__c WHERE Broker_Id__c LIKE 'DEL-%'", ["Id"]) == [
        (ids[2],)
    ]

    soql = "SELECT Id, Broker_Id__c, IsDeleted FROM Broker__c WHERE Broker_Id__c LIKE 'DEL-%' ORDER BY Broker_Id__c"
    live, every = tmp_path / "live.csv", tmp_path / "all.csv"
    assert cli.ok("data", "export", "bulk", "--query", soql, "--output-file", str(live), *WAIT) == {
        "totalSize": 1,
        "filePath": str(live),
    }
    assert read_csv(live.read_text()) == [
        ["Id", "Broker_Id__c", "IsDeleted"],
        [ids[2], "DEL-3", "false"],
    ]
    result = cli.ok(
        "data", "export", "bulk", "--query", soql, "--all-rows", "--output-file", str(every), *WAIT
    )
    assert result == {"totalSize": 3, "filePath": str(every)}
    assert read_csv(every.read_text()) == [
        ["Id", "Broker_Id__c", "IsDeleted"],
        [ids[0], "DEL-1", "true"],
        [ids[1], "DEL-2", "true"],
        [ids[2], "DEL-3", "false"],
    ]


@pytest.fixture(scope="module")
def listings(rest: Salesforce) -> str:
    """Properties in 'Exportville', one without a broker and one whose description needs
    CSV quoting; the SOQL that exports them, with a parent's fields."""
    iris = create(rest, "Broker__c", Name="Iris Nakamura", Broker_Id__c="EXP-B1")
    jon = create(rest, "Broker__c", Name="Jon Snow, Jr.", Broker_Id__c="EXP-B2")
    create(rest, "Property__c", Name="A1 Export St", City__c="Exportville", Broker__c=iris)
    create(
        rest, "Property__c", Name="B2 Export St", City__c="Exportville", Broker__c=jon,
        Description__c='Sunny, "quiet"\nnear the park',
    )  # fmt: skip
    create(rest, "Property__c", Name="C3 Export St", City__c="Exportville")
    return (
        "SELECT Id, Name, Description__c, Broker__r.Name, Broker__r.Broker_Id__c "
        "FROM Property__c WHERE City__c = 'Exportville' ORDER BY Name"
    )


EXPORT_COLUMNS = ["Id", "Name", "Description__c", "Broker__r.Name", "Broker__r.Broker_Id__c"]


def expected_rows(rest: Salesforce, soql: str) -> list[list[str]]:
    """The org's answer over REST as CSV cells: parent fields flattened, null as empty."""
    return [["" if v is None else str(v) for v in row] for row in rows(rest, soql, EXPORT_COLUMNS)]


@REQUIRES_SF
def test_export_bulk_csv_matches_the_org(
    cli: SfSession, rest: Salesforce, listings: str, tmp_path: Path
) -> None:
    out = tmp_path / "listings.csv"
    result = cli.ok("data", "export", "bulk", "--query", listings, "--output-file", str(out), *WAIT)
    assert result == {"totalSize": 3, "filePath": str(out)}
    exported = read_csv(out.read_text())
    assert exported[0] == EXPORT_COLUMNS
    assert exported[1:] == expected_rows(rest, listings)
    assert [r[1] for r in exported[1:]] == ["A1 Export St", "B2 Export St", "C3 Export St"]
    assert exported[2][2] == 'Sunny, "quiet"\nnear the park'


@REQUIRES_SF
def test_export_bulk_json_matches_the_org(
    cli: SfSession, rest: Salesforce, listings: str, tmp_path: Path
) -> None:
    out = tmp_path / "listings.json"
    result = cli.ok(
        "data", "export", "bulk", "--query", listings, "--output-file", str(out),
        "--result-format", "json", *WAIT,
    )  # fmt: skip
    assert result == {"totalSize": 3, "filePath": str(out)}
    exported = json.loads(out.read_text())
    assert [list(r) for r in exported] == [EXPORT_COLUMNS] * 3
    assert [list(r.values()) for r in exported] == expected_rows(rest, listings)


@REQUIRES_SF
def test_export_bulk_with_semicolons_and_crlf(
    cli: SfSession, rest: Salesforce, listings: str, tmp_path: Path
) -> None:
    """The job's columnDelimiter and lineEnding shape the result file byte for byte."""
    out = tmp_path / "listings.csv"
    cli.ok(
        "data", "export", "bulk", "--query", listings, "--output-file", str(out),
        "--column-delimiter", "SEMICOLON", "--line-ending", "CRLF", *WAIT,
    )  # fmt: skip
    raw = out.read_bytes()
    assert raw.startswith(b"Id;Name;Description__c;Broker__r.Name;Broker__r.Broker_Id__c\r\n")
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 4  # header and three rows
    assert raw.replace(b"\r\n", b"").count(b"\n") == 1  # the one inside the description
    exported = read_csv(raw.decode(), delimiter=";")
    assert exported == [EXPORT_COLUMNS, *expected_rows(rest, listings)]


@REQUIRES_SF
def test_resume_after_an_asynchronous_upsert_and_export(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    """Without ``--wait`` the commands only create the job; ``resume`` waits for it."""
    data = write_csv(tmp_path / "b.csv", [["Broker_Id__c", "Name"], ["ASY-1", "Kai Async"]])
    started = cli.ok(
        "data", "upsert", "bulk", "--sobject", "Broker__c", "--file", str(data),
        "--external-id", "Broker_Id__c",
    )  # fmt: skip
    job_id = started["jobInfo"]["id"]
    resumed = cli.ok("data", "upsert", "resume", "--job-id", job_id, *WAIT)
    assert resumed["jobInfo"]["id"] == job_id and resumed["jobInfo"]["state"] == "JobComplete"
    ((row,),) = [resumed["records"]["successfulResults"]]
    assert (row["Broker_Id__c"], row["sf__Created"]) == ("ASY-1", "true")
    assert rows(rest, "SELECT Id FROM Broker__c WHERE Broker_Id__c = 'ASY-1'", ["Id"]) == [
        (row["sf__Id"],)
    ]

    out = tmp_path / "async.csv"
    soql = "SELECT Name FROM Broker__c WHERE Broker_Id__c = 'ASY-1'"
    started = cli.ok("data", "export", "bulk", "--query", soql, "--output-file", str(out))
    assert not out.exists()
    export_id = started["jobId"]
    assert export_id.startswith("750") and started["filePath"] == str(out)
    done = cli.ok("data", "export", "resume", "--job-id", export_id, target_org=False)
    assert done == {"totalSize": 1, "filePath": str(out)}
    assert read_csv(out.read_text()) == [["Name"], ["Kai Async"]]


@REQUIRES_SF
@pytest.mark.parametrize(
    ("soql", "why"),
    [
        (
            "SELECT Name, (SELECT Name FROM Properties__r) FROM Broker__c",
            "Aggregate Relationships not supported in Bulk V2 Query with CSV content type",
        ),
        ("SELECT City__c, COUNT(Id) FROM Property__c GROUP BY City__c", "GROUP BY"),
        ("SELECT COUNT() FROM Property__c", "Aggregate functions"),
        ("SELECT Name FROM Property__c ORDER BY Name OFFSET 1", "OFFSET"),
        ("SELECT Name, Location__c FROM Property__c", "compound data"),
    ],
)
def test_export_bulk_refuses_what_bulk_queries_cannot_do(
    cli: SfSession, tmp_path: Path, soql: str, why: str
) -> None:
    """Salesforce refuses these query jobs when they are created, rather than running
    them; the CLI stops there and writes no file."""
    out = tmp_path / "out.csv"
    run = cli.run("data", "export", "bulk", "--query", soql, "--output-file", str(out), *WAIT)
    assert run.returncode == 1, run.stdout + run.stderr
    assert why in run.json["message"]
    assert "not supported in Bulk" in run.json["message"]
    assert not out.exists()


def test_query_job_refusal_reply(server: Server) -> None:
    """The refusal itself, over plain HTTP: a Salesforce error array at job creation,
    and no job left behind."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {server.token()}"
    base = f"{server.instance_url}/services/data/v64.0/jobs/query"
    soql = "SELECT Name, (SELECT Name FROM Properties__r) FROM Broker__c"
    reply = http.post(base, json={"operation": "query", "query": soql}, timeout=30)
    assert reply.status_code == 400, reply.text
    ((error,),) = [reply.json()]
    assert list(error) == ["errorCode", "message"]  # Bulk API 2.0 errors have no fields
    assert error["message"] == (
        "Aggregate Relationships not supported in Bulk V2 Query with CSV content type"
    )
    listed = http.get(base, timeout=30).json()["records"]
    assert all(job.get("query") != soql for job in listed)
    plain = http.post(
        base, json={"operation": "query", "query": "SELECT Name FROM Broker__c"}, timeout=30
    )
    assert plain.status_code == 200 and plain.json()["state"] == "UploadComplete"


@REQUIRES_SF
def test_export_bulk_columns_when_the_first_row_has_no_parent(
    cli: SfSession, rest: Salesforce, listings: str, tmp_path: Path
) -> None:
    soql = listings.replace("ORDER BY Name", "ORDER BY Name DESC")  # C3, without a broker
    out = tmp_path / "listings.csv"
    cli.ok("data", "export", "bulk", "--query", soql, "--output-file", str(out), *WAIT)
    assert read_csv(out.read_text()) == [EXPORT_COLUMNS, *expected_rows(rest, soql)]


@REQUIRES_SF
def test_export_bulk_number_and_datetime_cells(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    create(rest, "Property__c", Name="9 Format Ct", City__c="Formatton", Price__c=975000)
    soql = "SELECT Price__c, CreatedDate FROM Property__c WHERE City__c = 'Formatton'"
    ((price, created),) = rows(rest, soql, ["Price__c", "CreatedDate"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", created)
    out = tmp_path / "formats.csv"
    cli.ok("data", "export", "bulk", "--query", soql, "--output-file", str(out), *WAIT)
    assert read_csv(out.read_text()) == [
        ["Price__c", "CreatedDate"],
        ["975000.0", created.replace("+0000", "Z")],
    ]
