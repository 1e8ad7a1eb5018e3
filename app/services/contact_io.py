"""Contacts as CSV (RFC 4180, UTF-8): supervisors import and export them.

Columns are found by their header names, in any order: ``name``, ``phone``, ``company``,
``email`` (then ``email2``, ``email3``… for more addresses of the same contact), and one
column per custom attribute, ``attribute:NAME`` for an ordinary one or ``personal:NAME`` for
one that is personal data (anonymised by retention). Export writes the same columns, so an
exported file imports back unchanged.

Import merges by email address: a row whose address a contact already has updates that
contact (an empty cell leaves its field as it was) instead of creating a second one. The
file is parsed where it was chosen (the desk) and sent as ``import_contacts`` operations of
at most IMPORT_BATCH lines, each one transaction, so in team mode the central database
merges them; a row with a problem (bad address, an address already on an earlier line, a
value too long…) is left out and reported with its line number, and every good row is kept.

A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return; names come from mail headers anyone can write) is exported with
a leading ``'``, and import takes that ``'`` off again, so the guard round-trips.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.agents import find_agent
from app.services.contacts import (
    MAX_LENGTH,
    ContactError,
    bulk_insert,
    check_length,
    clean_address,
)
from app.services.operations import OpContext, Operation, OpResult, Rejected, apply, handler
from storage.engine import Store
from storage.ids import new_id
from storage.models import Contact, ContactAddress, ContactAttribute, ContactList

FIELDS = ("name", "phone", "company")
ATTRIBUTE = "attribute:"
PERSONAL = "personal:"
_EMAIL_COLUMN = re.compile(r"^e-?mail\s*(\d*)$", re.IGNORECASE)
_CHUNK = 500  # addresses per IN (...) look-up
IMPORT_BATCH = 500  # CSV lines per import_contacts operation: no payload grows huge
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(cell: str) -> str:
    """Keep spreadsheets from running a cell as a formula (OWASP's CSV injection advice)."""
    if cell.startswith(_FORMULA_START) or (cell[:1] == "'" and cell[1:2] in (*_FORMULA_START, "'")):
        return "'" + cell
    return cell


def _unguard(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in (*_FORMULA_START, "'") else cell


@dataclass(frozen=True)
class LineProblem:
    line: int  # the physical line the row starts on (the header is line 1)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ContactRow:
    """One good row: None (or a missing attribute) means "leave as it is"."""

    line: int
    emails: tuple[str, ...]
    name: str | None = None
    phone: str | None = None
    company: str | None = None
    attributes: dict[str, tuple[str, bool]] = field(default_factory=dict)  # value, personal


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    problems: tuple[LineProblem, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "problems": [{"line": p.line, "message": p.message} for p in self.problems],
        }


@dataclass(frozen=True)
class _Column:
    kind: str  # field | email | attribute
    key: str  # field name, email position, or attribute name
    personal: bool = False


def _columns(header: list[str]) -> list[_Column]:
    """What each header cell means; an unknown or repeated column refuses the whole file."""
    columns: list[_Column] = []
    seen: set[tuple[str, str, bool]] = set()
    for position, raw in enumerate(header, start=1):
        cell = raw.strip()
        lowered = cell.lower()
        email = _EMAIL_COLUMN.match(cell)
        if lowered in FIELDS:
            column = _Column("field", lowered)
        elif email:
            column = _Column("email", str(int(email.group(1) or "1")))
        elif lowered.startswith((ATTRIBUTE, PERSONAL)):
            personal = lowered.startswith(PERSONAL)
            name = cell.split(":", 1)[1].strip()
            if not name:
                raise UserError(f"Column {position} ({cell!r}) names no attribute after the colon.")
            if len(name) > MAX_LENGTH["attribute name"]:
                raise UserError(
                    f"Column {position}: the attribute name is longer than "
                    f"{MAX_LENGTH['attribute name']} characters."
                )
            column = _Column("attribute", name, personal)
        else:
            raise UserError(
                f"Column {position} ({cell!r}) is not a contact column: use name, phone, "
                "company, email, email2…, attribute:NAME or personal:NAME."
            )
        identity = (column.kind, column.key, column.personal)
        if identity in seen:
            raise UserError(f"Column {position} ({cell!r}) appears twice in the header.")
        seen.add(identity)
        columns.append(column)
    if not any(c.kind == "email" for c in columns):
        raise UserError("The header has no email column: contacts are matched by address.")
    return columns


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # a BOM, if any, is not part of the first column
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"The file is not UTF-8 (line {line}, byte 0x{data[exc.start]:02x}); "
            "save it as 'CSV UTF-8' and import it again."
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(starting line, cells) of each record; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UserError(f"Line {last + 1} is not valid CSV: {exc}.") from None
        yield last + 1, [_unguard(c) for c in cells]
        last = reader.line_num


def parse_contacts_csv(data: bytes) -> tuple[list[ContactRow], list[LineProblem]]:
    """The good rows and the problems of the others; a bad header raises a UserError."""
    records = _records(_decode(data))
    header = next(records, None)
    if header is None or not any(c.strip() for c in header[1]):
        raise UserError("The file is empty: its first line must name the columns.")
    columns = _columns(header[1])
    rows: list[ContactRow] = []
    problems: list[LineProblem] = []
    first_line: dict[str, int] = {}
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        try:
            row = _row(line, columns, cells)
        except ContactError as exc:
            problems.append(LineProblem(line, str(exc)))
            continue
        earlier = next((first_line[e] for e in row.emails if e in first_line), None)
        if earlier is not None:
            repeated = next(e for e in row.emails if e in first_line)
            problems.append(LineProblem(line, f"{repeated} is already on line {earlier}."))
            continue
        for email in row.emails:
            first_line[email] = line
        rows.append(row)
    return rows, problems


def _row(line: int, columns: list[_Column], cells: list[str]) -> ContactRow:
    if len(cells) > len(columns):
        raise ContactError(f"{len(cells)} fields, but the header names {len(columns)} columns.")
    values: dict[str, str | None] = dict.fromkeys(FIELDS)
    emails: dict[str, None] = {}
    attributes: dict[str, tuple[str, bool]] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column.kind == "email":
            if cell.strip():
                emails.setdefault(clean_address(cell), None)
        elif column.kind == "field":
            value = cell.strip()
            if "\n" in value or "\r" in value:
                raise ContactError(f"The {column.key} contains a line break.")
            values[column.key] = check_length(column.key, value) or None
        elif cell != "":
            if column.key in attributes:
                raise ContactError(
                    f"Attribute {column.key!r} has a value both as personal and as not personal."
                )
            attributes[column.key] = (cell, column.personal)
    if not emails:
        raise ContactError("No email address: contacts are matched by address.")
    return ContactRow(
        line,
        tuple(emails),
        values["name"],
        values["phone"],
        values["company"],
        attributes,
    )


def _find_list(session: Session, name: str) -> ContactList:
    found = session.execute(
        select(ContactList).where(ContactList.name == name, ContactList.deleted_at.is_(None))
    ).scalar()
    if found is None:
        known = session.execute(
            select(ContactList.name)
            .where(ContactList.deleted_at.is_(None))
            .order_by(ContactList.name)
        ).scalars()
        names = ", ".join(known) or "none yet"
        raise UserError(f"There is no contact list named {name!r} (lists: {names}).")
    return found


def _supervisor(session: Session, actor: str | uuid.UUID, what: str) -> uuid.UUID:
    agent = find_agent(session, actor)
    if agent.role != "supervisor":
        raise UserError(f"Only a supervisor may {what} contacts; {agent.name} is an agent.")
    return agent.id


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def import_operations(
    data: bytes, *, actor: str | uuid.UUID, list_name: str | None = None
) -> list[Operation]:
    """The file, parsed here, as ``import_contacts`` operations of at most IMPORT_BATCH
    lines each (good rows, and the lines refused while parsing, for the report and the
    audit trail); always at least one, so an import of only bad lines is checked and
    recorded too. A file that cannot be read at all raises a UserError."""
    rows, problems = parse_contacts_csv(data)
    entries: list[ContactRow | LineProblem] = sorted([*rows, *problems], key=lambda e: e.line)
    batches = [entries[i : i + IMPORT_BATCH] for i in range(0, len(entries), IMPORT_BATCH)]
    return [
        Operation(
            "import_contacts",
            actor,
            {
                "list": list_name,
                "rows": [_row_json(e) for e in batch if isinstance(e, ContactRow)],
                "refused": [
                    {"line": e.line, "message": e.message}
                    for e in batch
                    if isinstance(e, LineProblem)
                ],
            },
        )
        for batch in batches or [[]]
    ]


def _row_json(row: ContactRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "emails": list(row.emails),
        "name": row.name,
        "phone": row.phone,
        "company": row.company,
        "attributes": [
            {"name": name, "value": value, "personal": personal}
            for name, (value, personal) in row.attributes.items()
        ],
    }


def import_report(ops: Sequence[Operation], outcomes: Sequence[OpResult]) -> ImportReport:
    """One report for the file from its operations' outcomes (in the same order).

    Refused as a whole (not a supervisor, no such list), the import raises a UserError with
    the reason. Were only some batches refused (the list deleted meanwhile, say), their
    lines are reported as refused with that reason and the rest stays imported.
    """
    if outcomes and not any(o.applied for o in outcomes):
        raise UserError(outcomes[0].reason)
    created = updated = 0
    problems: list[LineProblem] = []
    for op, outcome in zip(ops, outcomes, strict=True):
        if outcome.applied:
            created += int(outcome.result.get("created", 0))
            updated += int(outcome.result.get("updated", 0))
            problems += [
                LineProblem(int(p["line"]), str(p["message"]))
                for p in outcome.result.get("problems", [])
            ]
            continue
        problems += [LineProblem(int(r["line"]), outcome.reason) for r in op.payload["rows"]]
        problems += [LineProblem(int(p["line"]), str(p["message"])) for p in op.payload["refused"]]
    problems.sort(key=lambda p: p.line)
    return ImportReport(created, updated, tuple(problems))


def import_contacts(
    store: Store, data: bytes, *, actor: str | uuid.UUID, list_name: str | None = None
) -> ImportReport:
    """Merge the file's contacts into the store (supervisors only), a batch of lines per
    ``import_contacts`` operation."""
    ops = import_operations(data, actor=actor, list_name=list_name)
    return import_report(ops, [apply(store, op) for op in ops])


def _payload_row(item: Any) -> ContactRow:
    """A row as the desk sent it, checked again (the central database trusts no desk)."""
    if not isinstance(item, dict) or not isinstance(item.get("emails"), list):
        raise Rejected("Each imported row is an object with its line and emails.")
    attributes: dict[str, tuple[str, bool]] = {}
    for attribute in item.get("attributes") or []:
        name = str(attribute.get("name", "")).strip() if isinstance(attribute, dict) else ""
        if not name or len(name) > MAX_LENGTH["attribute name"]:
            raise ContactError(
                f"An attribute needs a name of at most {MAX_LENGTH['attribute name']} characters."
            )
        attributes[name] = (str(attribute.get("value", "")), bool(attribute.get("personal")))
    values: dict[str, str | None] = {}
    for key in FIELDS:
        raw = item.get(key)
        value = None if raw is None else check_length(key, str(raw).strip())
        if value is not None and ("\n" in value or "\r" in value):
            raise ContactError(f"The {key} contains a line break.")
        values[key] = value or None
    emails = tuple(dict.fromkeys(clean_address(str(e)) for e in item["emails"]))
    if not emails:
        raise ContactError("No email address: contacts are matched by address.")
    return ContactRow(
        _line(item),
        emails,
        values["name"],
        values["phone"],
        values["company"],
        attributes,
    )


def _line(item: dict[str, Any]) -> int:
    try:
        return int(item.get("line", 0))
    except (TypeError, ValueError):
        raise Rejected(f"{item.get('line')!r} is not a line number.") from None


def _payload_rows(payload: dict[str, Any]) -> tuple[list[ContactRow], list[LineProblem]]:
    raw_rows, refused = payload.get("rows") or [], payload.get("refused") or []
    if not isinstance(raw_rows, list) or not isinstance(refused, list):
        raise Rejected("An import carries a list of rows and a list of refused lines.")
    if len(raw_rows) + len(refused) > IMPORT_BATCH:
        raise Rejected(f"An import operation carries at most {IMPORT_BATCH} lines.")
    if not all(isinstance(p, dict) for p in refused):
        raise Rejected("Each refused line is an object with its line and message.")
    problems = [LineProblem(_line(p), str(p.get("message", ""))[:500]) for p in refused]
    rows: list[ContactRow] = []
    first_line: dict[str, int] = {}
    for item in raw_rows:
        try:
            row = _payload_row(item)
        except ContactError as exc:
            problems.append(LineProblem(_line(item), str(exc)))
            continue
        repeated = next((e for e in row.emails if e in first_line), None)
        if repeated is not None:
            problems.append(
                LineProblem(row.line, f"{repeated} is already on line {first_line[repeated]}.")
            )
            continue
        first_line.update(dict.fromkeys(row.emails, row.line))
        rows.append(row)
    return rows, problems


@handler("import_contacts")
def _import_contacts(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Merge a batch of parsed CSV lines (``import_operations``). Payload: list (a contact
    list's name, or none), rows, refused (lines the desk could not parse, for the report)."""
    if not ctx.supervisor:
        raise Rejected(f"Only a supervisor may import contacts; {ctx.actor.name} is an agent.")
    session = ctx.session
    list_name = payload.get("list") or None
    list_id = _find_list(session, str(list_name)).id if list_name else None
    rows, problems = _payload_rows(payload)
    owners: dict[str, uuid.UUID] = {}
    for chunk in _chunks([e for row in rows for e in row.emails]):
        found = session.execute(
            select(ContactAddress.email, ContactAddress.contact_id)
            .join(Contact, Contact.id == ContactAddress.contact_id)
            .where(
                ContactAddress.email.in_(chunk),
                ContactAddress.deleted_at.is_(None),
                Contact.deleted_at.is_(None),
            )
        )
        owners.update({email: contact_id for email, contact_id in found})
    new_contacts: list[dict[str, object]] = []
    new_addresses: list[dict[str, object]] = []
    new_attributes: list[dict[str, object]] = []
    merges: list[tuple[uuid.UUID, ContactRow]] = []
    for row in rows:
        matches = {owners[e] for e in row.emails if e in owners}
        if len(matches) > 1:
            problems.append(
                LineProblem(
                    row.line,
                    "its addresses belong to different contacts already; "
                    "merge those first or split the row.",
                )
            )
            continue
        if matches:
            contact_id = matches.pop()
            merges.append((contact_id, row))
        else:
            contact_id = new_id()
            new_contacts.append(
                {
                    "id": contact_id,
                    "list_id": list_id,
                    "name": row.name or "",
                    "phone": row.phone or "",
                    "company": row.company or "",
                }
            )
            new_attributes += [
                {
                    "id": new_id(),
                    "contact_id": contact_id,
                    "name": name,
                    "value": value,
                    "personal": personal,
                }
                for name, (value, personal) in row.attributes.items()
            ]
        for email in row.emails:
            if email not in owners:
                owners[email] = contact_id
                new_addresses.append({"id": new_id(), "contact_id": contact_id, "email": email})
    new_attributes += _merge(session, merges, list_id)
    created, updated = len(new_contacts), len(merges)
    # Thousands of rows: Core inserts, contacts before what points at them (STYLE 13).
    bulk_insert(session, Contact, new_contacts)
    bulk_insert(session, ContactAddress, new_addresses)
    bulk_insert(session, ContactAttribute, new_attributes)
    problems.sort(key=lambda p: p.line)
    ctx.event(
        "contacts.import",
        list=list_name,
        created=created,
        updated=updated,
        refused_lines=[p.line for p in problems],
    )
    return ImportReport(created, updated, tuple(problems)).as_json()


def _merge(
    session: Session, merges: list[tuple[uuid.UUID, ContactRow]], list_id: uuid.UUID | None
) -> list[dict[str, object]]:
    """Apply rows to the contacts they matched (loaded in bulk; only real changes are
    written); returns the attribute rows to insert."""
    ids = sorted({str(contact_id) for contact_id, _ in merges})
    contacts: dict[uuid.UUID, Contact] = {}
    attributes: dict[tuple[uuid.UUID, str], ContactAttribute] = {}
    for chunk in _chunks(ids):
        keys = [uuid.UUID(i) for i in chunk]
        contacts.update(
            (c.id, c)
            for c in session.execute(select(Contact).where(Contact.id.in_(keys))).scalars()
        )
        attributes.update(
            ((a.contact_id, a.name), a)
            for a in session.execute(
                select(ContactAttribute).where(
                    ContactAttribute.contact_id.in_(keys), ContactAttribute.deleted_at.is_(None)
                )
            ).scalars()
        )
    added: dict[tuple[uuid.UUID, str], dict[str, object]] = {}
    for contact_id, row in merges:
        contact = contacts[contact_id]
        for name in FIELDS:
            value = getattr(row, name)
            if value is not None and getattr(contact, name) != value:
                setattr(contact, name, value)
        if contact.list_id is None and list_id is not None:
            contact.list_id = list_id
        for name, (value, personal) in row.attributes.items():
            attribute = attributes.get((contact_id, name))
            if attribute is None:
                # Two rows may reach one contact (by two of its addresses): the later wins.
                added[(contact_id, name)] = {
                    "id": new_id(),
                    "contact_id": contact_id,
                    "name": name,
                    "value": value,
                    "personal": personal,
                }
            elif (attribute.value, attribute.personal) != (value, personal):
                attribute.value, attribute.personal = value, personal
    return list(added.values())


def export_contacts(
    store: Store, *, actor: str | uuid.UUID, list_name: str | None = None, bom: bool = False
) -> tuple[str, int]:
    """The contacts (of one list, or all) as CSV text, and how many there are."""
    with store.read() as session:
        _supervisor(session, actor, "export")
        # Core rows, not ORM objects: a whole store of contacts in a few queries.
        query = select(Contact.id, Contact.name, Contact.phone, Contact.company).where(
            Contact.deleted_at.is_(None)
        )
        if list_name:
            query = query.where(Contact.list_id == _find_list(session, list_name).id)
        contacts = session.execute(query.order_by(Contact.name, Contact.id)).all()
        wanted = {row.id for row in contacts}
        emails: dict[uuid.UUID, list[str]] = {}
        for contact_id, email in session.execute(
            select(ContactAddress.contact_id, ContactAddress.email)
            .where(ContactAddress.deleted_at.is_(None))
            .order_by(ContactAddress.id)  # time-ordered ids: the first address stays first
        ):
            if contact_id in wanted:
                emails.setdefault(contact_id, []).append(email)
        attributes: dict[uuid.UUID, dict[tuple[str, bool], str]] = {}
        for contact_id, name, personal, value in session.execute(
            select(
                ContactAttribute.contact_id,
                ContactAttribute.name,
                ContactAttribute.personal,
                ContactAttribute.value,
            ).where(ContactAttribute.deleted_at.is_(None))
        ):
            if contact_id in wanted:
                attributes.setdefault(contact_id, {})[(name, bool(personal))] = value
        rows = [
            (name, phone, company, emails.get(cid, []), attributes.get(cid, {}))
            for cid, name, phone, company in contacts
        ]
    most = max((len(r[3]) for r in rows), default=1) or 1
    keys = sorted({k for r in rows for k in r[4]})
    header = [*FIELDS, "email", *(f"email{n}" for n in range(2, most + 1))]
    header += [f"{PERSONAL if personal else ATTRIBUTE}{name}" for name, personal in keys]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_guard(c) for c in header])
    for name, phone, company, addresses, values in rows:
        writer.writerow(
            _guard(c)
            for c in [
                name,
                phone,
                company,
                *addresses,
                *([""] * (most - len(addresses))),
                *(values.get(k, "") for k in keys),
            ]
        )
    return ("\ufeff" if bom else "") + out.getvalue(), len(rows)
