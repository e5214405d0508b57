"""Governance cost on the bulk write path: a Bulk upsert with validation rules and
formula fields on, against the same upsert with them off, in one run.

Two fresh orgs (SQLite files, or PostgreSQL databases with ``--pg``) get the same
Property__c (the sfdx-realty fixture, which tracks field history on Price__c and
Status__c); the "on" org adds 3 validation rules, 2 formula fields that the rules read
(so every row computes them) and a duplicate rule (fuzzy Name and exact Zip__c) that
alerts, so every row is matched against the stored records. Each org loads half the rows, then upserts all rows
by the external id Property_Code__c through the DML path a Bulk API 2.0 job runs
(``Dml.upsert`` per chunk, one transaction per chunk, as the bulk worker does). Prints
rows/s of both and the ratio; the issue's target is at least 0.5.

    .venv/bin/python bench/governance.py [--rows 100000] [--chunk 10000] [--pg URL]

"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REALTY = HERE.parent / "tests" / "fixtures" / "sfdx-realty"
sys.path.insert(0, str(HERE.parent / "src"))

from switchboard.core.settings import load  # noqa: E402
from switchboard.org.dml.context import WriteContext  # noqa: E402
from switchboard.org.runtime import Org  # noqa: E402
from switchboard.org.schema.sfdx import read_project  # noqa: E402

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


def governed_project(into: Path) -> Path:
    """A copy of sfdx-realty with the formula fields and validation rules."""
    shutil.copytree(REALTY, into)
    obj = into / "force-app/main/default/objects/Property__c"
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
    return into


@contextmanager
def opened(data_dir: Path, pg: str | None) -> Any:
    db = None
    admin = None
    if pg:
        import psycopg

        name = "sb_bench_" + secrets.token_hex(5)
        admin = psycopg.connect(pg, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        db = pg.rsplit("/", 1)[0] + "/" + name
    settings = load(data_dir=data_dir, **({"db": db} if db else {}))
    org = Org.open(settings)
    try:
        yield org
    finally:
        org.close()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "Name": f"{i} Bench St",
            "Property_Code__c": f"PC{i:08d}",
            "Price__c": 50000 + (i % 900) * 1000,
            "Beds__c": i % 6,
            "City__c": "Lyon",
            "Zip__c": f"{i % 100000:05d}",
            "Status__c": "Available",
        }
        for i in range(start, n)
    ]


def upsert_rate(org: Org, n: int, chunk: int) -> float:
    obj = org.schema.object("Property__c")
    key = obj.field("Property_Code__c")
    assert key is not None
    user = org.boot.admin_user_id if org.boot else "005000000000000AAA"
    ctx = WriteContext(user, api="bulk")

    def run(batch: list[dict[str, Any]]) -> None:
        for i in range(0, len(batch), chunk):
            part = batch[i : i + chunk]
            outs = org.store.write(
                lambda c, part=part: org.dml.upsert(c, ctx.fresh(), obj, key, part)
            )
            bad = [o.errors for o in outs if o.errors]
            assert not bad, bad[:3]

    run(rows(n // 2))  # half the rows exist before the timed upsert
    data = rows(n)
    for r in data:
        r["Price__c"] += 1  # every existing row changes (history, events)
    started = time.perf_counter()
    run(data)
    return n / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--pg", default=None, help="PostgreSQL admin URL (default: SQLite)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        rates = {}
        for label, project in (("off", REALTY), ("on", governed_project(base / "governed"))):
            with opened(base / label, args.pg) as org:
                p = read_project(project)
                org.schema.deploy(p.objects, p.extensions, p.validation_rules, p.duplicate_rules)
                governed = org.schema.formulas(org.schema.object("Property__c"))
                assert len(governed.rules) == (3 if label == "on" else 0), label
                dupes = org.schema.object("Property__c").duplicate_rules
                assert len(dupes) == (1 if label == "on" else 0), label
                rates[label] = upsert_rate(org, args.rows, args.chunk)
            print(f"{label:>3}: {rates[label]:,.0f} rows/s", flush=True)
    backend = "postgresql" if args.pg else "sqlite"
    print(f"{backend}: governance on/off = {rates['on'] / rates['off']:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
