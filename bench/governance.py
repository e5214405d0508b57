"""Governance cost on the bulk write path, over HTTP: Bulk API 2.0 upsert jobs against
a real ``switchboard up``, with the duplicate rule and the other rules on and off, in one
run.

Three fresh orgs (SQLite files, or PostgreSQL databases with ``--db postgresql``) get
the sfdx-realty Property__c (which tracks field history on Price__c and Status__c):

- ``off``: nothing more;
- ``dupes``: a duplicate rule (fuzzy CompanyName on Name AND exact Zip__c) that alerts,
  so every row is matched against the stored records;
- ``all``: the duplicate rule, 3 validation rules and 2 formula fields that the rules
  read (so every row computes them).

Each org is served by ``switchboard up`` in its own process; an insert job loads half
the rows, then a timed upsert job of all rows by the external id Property_Code__c
(half existing, every existing row's Price__c changed) runs from upload to JobComplete.
With ``--rounds`` above 1 the three are measured again in a rotated order and the
median ratios printed, since the machine drifts. Targets (issue 15): ``dupes`` at
least 0.5 of ``off`` (within 2x its time) and ``all`` at least 0.5 of ``off``.

    .venv/bin/python bench/governance.py [--rows 100000] [--rounds 1] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bulk import REALTY, Org, database, run_job  # noqa: E402

_NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
_FORMULAS = {
    "Commission__c": ("Currency", "Price__c * 0.03"),
    "Price_Band__c": (
        "Text",
        'IF(Price__c &gt;= 500000, "High", IF(Price__c &gt;= 100000, "Mid", "Low"))',
    ),
}
_RULES = {
    "Price_Positive": "NOT(ISBLANK(Price__c)) &amp;&amp; Price__c &lt;= 0",
    "Commission_Cap": "Commission__c &gt; 1000000",
    "Sold_Needs_Broker": 'ISPICKVAL(Status__c, "Sold") &amp;&amp; ISBLANK(Broker__c) &amp;&amp; Price_Band__c = "High"',
}


def governed_project(into: Path, *, formulas_and_rules: bool) -> Path:
    """A copy of sfdx-realty with the duplicate rule, and with the formula fields and
    validation rules when ``formulas_and_rules``."""
    shutil.copytree(REALTY, into)
    obj = into / "force-app/main/default/objects/Property__c"
    if formulas_and_rules:
        _formulas_and_rules(obj)
    _duplicate_rule(into)
    return into


def _formulas_and_rules(obj: Path) -> None:
    for name, (kind, formula) in _FORMULAS.items():
        (obj / "fields" / f"{name}.field-meta.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField {_NS}>\n'
            f"<fullName>{name}</fullName><formula>{formula}</formula><label>{name}</label>"
            f"<precision>18</precision><scale>2</scale><type>{kind}</type></CustomField>\n"
        )
    (obj / "validationRules").mkdir()
    for name, formula in _RULES.items():
        (obj / "validationRules" / f"{name}.validationRule-meta.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ValidationRule {_NS}>\n'
            f"<fullName>{name}</fullName><active>true</active>"
            f"<errorConditionFormula>{formula}</errorConditionFormula>"
            f"<errorMessage>{name}</errorMessage></ValidationRule>\n"
        )


def _duplicate_rule(into: Path) -> None:
    (into / "force-app/main/default/matchingRules").mkdir()
    (into / "force-app/main/default/matchingRules/Property__c.matchingRule-meta.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<MatchingRules {_NS}><matchingRules>'
        "<fullName>Same_Place</fullName><booleanFilter>1 AND 2</booleanFilter>"
        "<matchingRuleItems><fieldName>Name</fieldName><matchingMethod>CompanyName"
        "</matchingMethod></matchingRuleItems><matchingRuleItems><fieldName>Zip__c"
        "</fieldName><matchingMethod>Zip</matchingMethod></matchingRuleItems>"
        "<ruleStatus>Active</ruleStatus></matchingRules></MatchingRules>\n"
    )
    (into / "force-app/main/default/duplicateRules").mkdir()
    (
        into / "force-app/main/default/duplicateRules/Property__c.Same_Place.duplicateRule-meta.xml"
    ).write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<DuplicateRule {_NS}>'
        "<actionOnInsert>Allow</actionOnInsert><actionOnUpdate>Allow</actionOnUpdate>"
        "<duplicateRuleMatchRules><matchingRule>Same_Place</matchingRule>"
        "</duplicateRuleMatchRules><isActive>true</isActive></DuplicateRule>\n"
    )


COLUMNS = ["Name", "Property_Code__c", "Price__c", "Beds__c", "City__c", "Zip__c", "Status__c"]


def write_rows(path: Path, n: int, *, bump: int) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for i in range(n):
            w.writerow([f"{i} Bench St", f"PC{i:08d}", 50000 + (i % 900) * 1000 + bump,
                        i % 6, "Lyon", f"{i % 100000:05d}", "Available"])  # fmt: skip


def measure(label: str, project: Path, db: str, data: Path, preload: Path, upsert: Path) -> float:
    """Upsert rows/s of one org built from ``project``, upload to JobComplete."""
    org = Org(data, db)
    org.cli("org", "init")
    org.cli("org", "deploy", str(project))
    org.start()
    try:
        with org.client() as http:
            job = {"object": "Property__c"}
            pre = run_job(http, preload, "insert", **job)
            started = time.perf_counter()
            info = run_job(http, upsert, "upsert", externalIdFieldName="Property_Code__c", **job)
            elapsed = time.perf_counter() - started
    finally:
        org.stop()
    for done in (pre, info):
        if done["state"] != "JobComplete" or done["numberRecordsFailed"]:
            raise SystemExit(f"{label}: job did not complete cleanly: {done}")
    rate = info["numberRecordsProcessed"] / elapsed
    print(f"  {label:>5}: {rate:>8,.0f} rows/s ({elapsed:.1f} s)", flush=True)
    return float(rate)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument(
        "--pg",
        default=os.environ.get(
            "SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL admin URL (bench databases are created and dropped through it)",
    )
    args = ap.parse_args()
    n = args.rows
    with tempfile.TemporaryDirectory(prefix="sb-bench-governance-") as tmp_name:
        tmp = Path(tmp_name)
        projects = {
            "off": REALTY,
            "dupes": governed_project(tmp / "dupes", formulas_and_rules=False),
            "all": governed_project(tmp / "all", formulas_and_rules=True),
        }
        preload, upsert = tmp / "preload.csv", tmp / "upsert.csv"
        write_rows(preload, n // 2, bump=0)
        write_rows(upsert, n, bump=1)  # every existing row changes (history, events)
        ratios: dict[str, list[float]] = {"dupes": [], "all": []}
        order = list(projects)
        for r in range(args.rounds):
            print(f"round {r + 1}: Bulk API 2.0 upsert of {n:,} rows, half existing, {args.db}")
            rates = {}
            for label in order:
                where = tmp / f"r{r}-{label}"
                where.mkdir()
                with database(args.db, args.pg, where) as (db, _):
                    rates[label] = measure(
                        label, projects[label], db, where / "data", preload, upsert
                    )
            for label in ratios:
                ratios[label].append(rates[label] / rates["off"])
            print(f"  dupes/off = {ratios['dupes'][-1]:.2f}, all/off = {ratios['all'][-1]:.2f}")
            order = order[1:] + order[:1]  # rotate, so drift does not favour one
    med = {k: statistics.median(v) for k, v in ratios.items()}
    print(
        f"{args.db}, median of {args.rounds}: duplicate rule on/off = {med['dupes']:.2f} "
        f"(target >= 0.5, i.e. within 2x); 3 validation rules + 2 formulas + duplicate rule "
        f"on/off = {med['all']:.2f} (target >= 0.5)"
    )


if __name__ == "__main__":
    main()
