"""Personal-data erasure: ``switchboard erase --contact|--lead|--user ID``.

In one transaction: the person's personal fields are masked (required ones) or emptied
through the DML path's ``system_update`` (so audit fields and change events apply as to
any write, and the change event says only that values went), their field history rows
are deleted, the values they carried are removed from retained change events, a user's
login trail loses its IP and browser, and files linked to nobody else are deleted. A
SetupAuditTrail entry records what was done, never the erased values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....core import ids
from ....core.errors import NotFound
from ....events.tables import event as event_table
from ...dml.changes import channel_for
from ...dml.context import WriteContext
from ...schema.history import history_name, parent_field_name
from ...schema.model import FieldDef, FieldType, ObjectDef
from .setup import DATA_MANAGEMENT, PERSONAL_DATA_ERASED, write_setup
from .tables import api_event, log_content, object_table

if TYPE_CHECKING:
    from ...runtime import Org

ERASABLE = ("Contact", "Lead", "User")
_PERSONAL_TYPES = {FieldType.EMAIL, FieldType.PHONE}
_PERSONAL_NAMES = {
    "title", "birthdate", "description", "assistantname", "department", "employeenumber",
    "federationidentifier", "communitynickname", "alias", "companyname", "division",
    "salutation", "middlename", "suffix", "hasoptedoutofemail", "donotcall",
    "smallphotourl", "fullphotourl",
}  # fmt: skip
_KEEP = {"name"}  # derived from the parts, recomputed by the write
_EVENT_PERSONAL = ("USER_NAME", "SOURCE_IP", "CLIENT_IP", "BROWSER_TYPE", "USER_AGENT")


@dataclass(slots=True)
class Erasure:
    object_name: str
    record_id: str
    fields: list[str]
    history_rows: int = 0
    change_events: int = 0
    log_events: int = 0
    files: int = 0


def personal_fields(obj: ObjectDef) -> list[FieldDef]:
    """The fields of a person's record that describe the person."""
    out = []
    for f in obj.stored_fields():
        low = f.name.lower()
        if low in _KEEP or f.type == FieldType.BOOLEAN:
            continue
        if (
            f.type in _PERSONAL_TYPES
            or low in _PERSONAL_NAMES
            or f.compound_field_name is not None
            or low in ("firstname", "lastname", "username")
        ):
            out.append(f)
    return out


def _masked(f: FieldDef, rid: str) -> Any:
    """What a required field holds once erased: unique where it must be."""
    if f.nillable:
        return None
    if f.type == FieldType.EMAIL or f.name == "Username":
        return f"erased.{rid.lower()}@erased.invalid"
    if f.name in ("Alias",):
        return "erased"
    if f.name == "CommunityNickname":
        return f"erased{rid[-8:]}"
    return "Erased"


def _scrub_change_events(conn: Connection, obj: ObjectDef, rid: str, names: set[str]) -> int:
    ev = event_table
    stmt = sa.select(ev.c.id, ev.c.payload).where(
        ev.c.channel == channel_for(obj), ev.c.payload.contains(rid, autoescape=True)
    )
    changed = 0
    for row in conn.execute(stmt).all():
        body = orjson.loads(row.payload)
        header = body.get("ChangeEventHeader") or {}
        if rid not in (header.get("recordIds") or []):
            continue
        hit = [k for k in body if k in names and body[k] is not None]
        if not hit:
            continue
        for k in hit:
            body[k] = None
        conn.execute(
            ev.update().where(ev.c.id == row.id).values(payload=orjson.dumps(body).decode())
        )
        changed += 1
    return changed


def _scrub_user_logs(conn: Connection, user_id: str) -> int:
    """A user's login rows and captured events lose what identifies the person."""
    login = object_table("LoginHistory")
    conn.execute(
        login.update()
        .where(login.c.userid == user_id)
        .values(sourceip=None, browser=None, platform=None, loginurl=None)
    )
    n = 0
    for row in conn.execute(
        sa.select(api_event.c.id, api_event.c.payload).where(api_event.c.user_id == user_id)
    ).all():
        values = orjson.loads(row.payload)
        for k in _EVENT_PERSONAL:
            if k in values:
                values[k] = ""
        conn.execute(
            api_event.update()
            .where(api_event.c.id == row.id)
            .values(payload=orjson.dumps(values).decode())
        )
        n += 1
    user15 = user_id[:15]
    for row in conn.execute(sa.select(log_content.c.file_id, log_content.c.content)).all():
        text = bytes(row.content).decode()
        if user15 not in text:
            continue
        table = list(csv.DictReader(io.StringIO(text)))
        if not table:
            continue
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=list(table[0]), quoting=csv.QUOTE_ALL, lineterminator="\n"
        )
        writer.writeheader()
        for line in table:
            if line.get("USER_ID") == user15:
                for k in _EVENT_PERSONAL:
                    if k in line:
                        line[k] = ""
            writer.writerow(line)
        data = out.getvalue().encode()
        conn.execute(
            log_content.update().where(log_content.c.file_id == row.file_id).values(content=data)
        )
        elf = object_table("EventLogFile")
        conn.execute(
            elf.update().where(elf.c.id == row.file_id).values(logfilelength=float(len(data)))
        )
    return n


def _files_only_theirs(org: Org, conn: Connection, rid: str) -> list[str]:
    links = org.schema.table(org.schema.object("ContentDocumentLink"))
    docs = [
        r[0]
        for r in conn.execute(
            sa.select(links.c.contentdocumentid).where(
                links.c.linkedentityid == rid, links.c.isdeleted.is_(False)
            )
        )
    ]
    only = []
    for doc in docs:
        others = conn.execute(
            sa.select(sa.func.count())
            .select_from(links)
            .where(
                links.c.contentdocumentid == doc,
                links.c.linkedentityid != rid,
                links.c.isdeleted.is_(False),
                # The uploader's own link (ShareType I) is ownership, not a second person.
                links.c.sharetype != "I",
            )
        ).scalar()
        if not others:
            only.append(doc)
    return only


def erase(org: Org, object_name: str, record_id: str, *, by: str | None = None) -> Erasure:
    """Erase the person's data (see the module); what was done."""
    if object_name not in ERASABLE:
        raise NotFound(f"cannot erase {object_name}: only {', '.join(ERASABLE)}")
    obj = org.schema.object(object_name)
    if not ids.looks_like_id(record_id) or record_id[:3] != obj.key_prefix:
        raise NotFound(f"no {object_name} with id {record_id}")
    rid = ids.to18(record_id[:15])
    assert org.boot is not None
    actor = by or org.boot.admin_user_id
    fields = personal_fields(obj)

    def work(conn: Connection) -> Erasure:
        done = Erasure(object_name, rid, [f.name for f in fields])
        ctx = WriteContext(actor, "rest", "59.0", "switchboard-erase")
        org.dml.system_update(conn, ctx, obj, [(rid, {f.column: _masked(f, rid) for f in fields})])
        if obj.name == "User" or obj.person_name:
            table = org.schema.table(obj)
            if "name" in table.c:
                conn.execute(table.update().where(table.c.id == rid).values(name="Erased"))
        try:
            history = org.schema.object(history_name(obj))
        except Exception:  # no field tracked: no history object
            history = None
        if history is not None:
            h = org.schema.table(history)
            parent = h.c[parent_field_name(obj).lower()]
            done.history_rows = conn.execute(h.delete().where(parent == rid)).rowcount or 0
        done.change_events = _scrub_change_events(conn, obj, rid, {f.name for f in fields})
        if obj.name == "User":
            done.log_events = _scrub_user_logs(conn, rid)
        docs = _files_only_theirs(org, conn, rid)
        if docs:
            cd = org.schema.object("ContentDocument")
            outcomes = org.dml.delete(conn, ctx, cd, docs, hard=True)
            done.files = sum(1 for o in outcomes if o.success)
        write_setup(
            conn,
            PERSONAL_DATA_ERASED,
            DATA_MANAGEMENT,
            f"Erased personal data of {object_name} {rid}: {len(fields)} fields, "
            f"{done.history_rows} history rows, {done.change_events} change events, "
            f"{done.log_events} log events, {done.files} files",
            actor,
        )
        return done

    return org.store.write(work)


__all__ = ["ERASABLE", "Erasure", "erase", "personal_fields"]
