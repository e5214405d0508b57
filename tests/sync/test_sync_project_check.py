"""``switchboard project check`` on the connections: and syncs: sections: every mistake
at its line, as ``switchboard.yaml:LINE: message``."""

from __future__ import annotations

from pathlib import Path

from switchboard.org.runtime import Org
from switchboard.patterns.project import check_project
from sync.harness import cli, prepare_org

SHAPE = """\
connections:
  erp_db:
    url: "postgresql+psycopg://sync:hunter2@127.0.0.1/erp"
  other: {url: "sqlite:///erp.db", password: "plain"}
  typo: {url: "postgress://sync@127.0.0.1/erp"}
syncs:
  customers_in:
    from: {connection: erp_db, table: customers, cursor: updated_at, key: id}
    to: {object: Account, external_id: ERP_Id__c}
    fields: {Name: name}
    batch_size: 0
    schedule: every five minutes
  two:
    form: {connection: erp_db}
"""

MEANING = """\
credentials:
  erp_db: {url: "https://erp.example.com"}
connections:
  erp_db: {url: "sqlite:///erp.db"}
  warehouse:
    url: "postgresql+psycopg://sync@127.0.0.1/wh"
    password: {secret: wh_password}
syncs:
  unknown_things:
    from: {connection: erp_dbb, table: customers, cursor: updated_at, key: id}
    to: {object: Acount, external_id: ERP_Id__c}
    fields: {Name: name}
  wrong_fields:
    from: {connection: warehouse, table: customers, cursor: updated_at, key: id}
    to: {object: Account, external_id: Region__c}
    fields: {Name: name, Phnoe: phone, Region__c: region, CreatedDate: created}
    schedule: 5m
  unmapped_key:
    from: {connection: warehouse, table: customers, cursor: updated_at, key: id}
    to: {object: Account, external_id: ERP_Id__c}
    fields: {Name: name}
"""


def _write(tmp: Path, text: str) -> Path:
    folder = tmp / "project"
    folder.mkdir(exist_ok=True)
    (folder / "switchboard.yaml").write_text(text)
    return folder


def test_shape_mistakes_at_their_lines(tmp_path: Path) -> None:
    errors = [str(e) for e in check_project(_write(tmp_path, SHAPE))]
    assert errors[0].startswith("switchboard.yaml:3: connections.erp_db.url: a secret is never "
                                "written in switchboard.yaml")  # fmt: skip
    assert errors[1].startswith("switchboard.yaml:4: connections.other.password: a secret is never")
    assert errors[2] == ("switchboard.yaml:5: connections.typo.url: SQLAlchemy has no dialect "
                         "'postgress'; use e.g. sqlite, postgresql+psycopg or mysql+pymysql")  # fmt: skip
    assert errors[3].startswith("switchboard.yaml:11: syncs.customers_in.batch_size: ")
    assert errors[4] == ("switchboard.yaml:12: syncs.customers_in.schedule: schedule is an "
                         "interval such as 30s, 5m or 1h")  # fmt: skip
    assert any(e.startswith("switchboard.yaml:14: unknown key 'form' in syncs.two; did you "
                            "mean 'from'?") for e in errors)  # fmt: skip
    assert any(e.startswith("switchboard.yaml:13: syncs.two: missing required key 'from'")
               for e in errors)  # fmt: skip
    assert not any("hunter2" in e or "plain" in e for e in errors)


def test_meaning_mistakes_at_their_lines(tmp_path: Path) -> None:
    settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}")
    folder = _write(tmp_path, MEANING)
    org = Org.open(settings)
    try:
        errors = [str(e) for e in check_project(folder, org)]
    finally:
        org.close()
    assert errors == [
        "switchboard.yaml:4: connections.erp_db: 'erp_db' is also a credential's name; "
        "rename one (clients are found by name)",
        "switchboard.yaml:7: connections.warehouse.password: secret 'wh_password' is not set "
        "in the org; run `switchboard secret set wh_password` (it reads the value from stdin)",
        "switchboard.yaml:10: syncs.unknown_things.from.connection: unknown connection "
        "'erp_dbb'; did you mean 'erp_db'? declare it under connections: (declared: erp_db, "
        "warehouse)",
        "switchboard.yaml:11: syncs.unknown_things.to.object: unknown object 'Acount'; did "
        "you mean 'Account'?",
        "switchboard.yaml:15: syncs.wrong_fields.to.external_id: Account is not an External "
        "ID field: 'Region__c'; upsert needs an External ID field (externalId true in its "
        "field metadata; Account has: ERP_Id__c)",
        "switchboard.yaml:16: syncs.wrong_fields.fields.CreatedDate: Account.CreatedDate is "
        "read-only; a sync cannot write it",
        "switchboard.yaml:16: syncs.wrong_fields.fields.Phnoe: Account has no field 'Phnoe'; "
        "did you mean 'Phone'?",
        "switchboard.yaml:21: syncs.unmapped_key.fields: map the external id ERP_Id__c to its "
        "source column (e.g. ERP_Id__c: id): every row is upserted by it",
    ]
    # The command prints the same lines and exits 1.
    out = cli(settings, "project", "check", str(folder), check=False)
    assert out.returncode == 1
    assert out.stdout.splitlines() == errors
