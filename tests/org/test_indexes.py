"""The indexes an object's table gets: text that matches case-insensitively is indexed
as lower(column), the form every search of it takes, and not plainly as well; an org
that has the older plain index loses it when its tables are next ensured."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from support.databases import database_url
from switchboard.core.settings import load
from switchboard.org.runtime import Org
from switchboard.org.soql.engine import QueryEngine

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


def _indexes(org: Org, table: str) -> dict[str, str]:
    """Index name -> its definition, from the database's own catalog."""
    with org.store.read() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(
                sa.text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
                ),
                {"t": table},
            ).all()
        else:
            rows = conn.execute(
                sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"),
                {"t": table},
            ).all()
    return {name: (sql or "").lower() for name, sql in rows}


def test_folded_text_is_indexed_as_lower_only(backend: str, tmp_path: Path) -> None:
    from switchboard.org.schema.sfdx import read_project

    with database_url(backend, tmp_path) as url:
        org = Org.open(load(data_dir=tmp_path, db=url))
        try:
            project = read_project(REALTY)
            org.schema.deploy(project.objects, project.extensions)
            found = _indexes(org, "o_account")
            # Name and the external id: lower(column) only. Name leads the sharing
            # predicate's (lower(Name), Id, ...) index, and OwnerId its (OwnerId,
            # IsDeleted, lower(Name), Id) one, in place of a single-column index each
            # (security.sharing.tables); on PostgreSQL both carry what a list query
            # reads past their keys (INCLUDE), for index-only scans.
            sqlite = backend == "sqlite"
            name_index = "ixs_o_account_name" if sqlite else "ixs_o_account_cover"
            owner_index = "ixs_o_account_owner" if sqlite else "ixs_o_account_ownername"
            assert "lower(name)" in found[name_index]
            assert "ownerid" in found[owner_index]
            if not sqlite:
                assert "include (ownerid, isdeleted, name)" in found[name_index]
                assert "include (name)" in found[owner_index]
            assert "lower(customer_number__c)" in found["ixl_o_account_customer_number__c"]
            others = {
                "ix_o_account_name", "ixs_o_account_name", "ixl_o_account_name",
                "ixs_o_account_cover", "ixs_o_account_owner", "ixs_o_account_ownername",
            }  # fmt: skip
            assert not (others - {name_index, owner_index}) & set(found)
            assert "ix_o_account_customer_number__c" not in found
            assert "ix_o_account_ownerid" not in found
            # Other lookups and SystemModstamp keep their plain index.
            assert {"ix_o_account_parentid", "ix_o_account_systemmodstamp"} <= set(found)

            # SOQL's WHERE Name = ... (lower(name) = ...) is served by that index.
            main = QueryEngine(org).plan("SELECT Id FROM Account WHERE Name = 'Acme'", False).main
            with org.store.read() as conn:
                if backend == "sqlite":
                    shown = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {main.sql}", main.args)
                else:  # an empty table: only a planner without seq scans shows the choice
                    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                    shown = conn.exec_driver_sql(f"EXPLAIN {main.sql}", main.args)
                plan = " ".join(str(r[-1]) for r in shown.all())
            assert name_index in plan, plan

            # An org made before keeps a plain index on Name (and, on PostgreSQL, the
            # lower(Name) one and the owner index without Name): ensuring drops them,
            # builds their successors, and leaves indexes that are not the org's own.
            older = ["CREATE INDEX ix_o_account_name ON o_account (name)"]
            if not sqlite:
                older += [
                    f"DROP INDEX {name_index}",
                    f"DROP INDEX {owner_index}",
                    "CREATE INDEX ixl_o_account_name ON o_account (lower(name))",
                    "CREATE INDEX ixs_o_account_owner ON o_account "
                    "(ownerid, isdeleted, lower(name), id)",
                ]
            with org.store.engine.begin() as conn:
                for ddl in older:
                    conn.exec_driver_sql(ddl)
                conn.exec_driver_sql("CREATE INDEX mine_on_name ON o_account (name)")
            org.schema.ensure_tables()
            after = _indexes(org, "o_account")
            assert "ix_o_account_name" not in after
            assert "mine_on_name" in after and {name_index, owner_index} <= set(after)
            if not sqlite:
                assert not {"ixl_o_account_name", "ixs_o_account_owner"} & set(after)
        finally:
            org.close()
