"""Contacts as CSV: import merges by address in one transaction, reports bad lines, and an
export imports back unchanged; the CLI commands for supervisors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.errors import UserError
from app.services.agents import add_agent
from app.services.contact_io import export_contacts, import_contacts, parse_contacts_csv
from storage.models import Contact, ContactAddress, ContactAttribute, ContactList, Event
from tests.app.test_cli import ROOT, relaydesk

GOOD = (
    "name,phone,company,email,email2,attribute:Tier,personal:Birthday\r\n"
    'Anna Rossi,+39 06 1234,"Rossi, Bianchi & Co",anna@example.org,ANNA.R@work.example,'
    "gold,1980-02-03\r\n"
    'Jörg Müller,,,"joerg@example.de",,silver,\r\n'
    '"Zoë ""Zed"" Ng",555,Acme,zoe@example.net,,,"line one\r\nline two"\r\n'
)


def _relaydesk_bytes(
    data_dir: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The CLI with bytes in and out: CSV line ends must not be translated."""
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def supervisor(ctx: AppContext) -> AppContext:
    add_agent(ctx.store, "sam", supervisor=True)
    add_agent(ctx.store, "alice")
    with ctx.store.write() as session:
        session.add(ContactList(name="Customers"))
    return ctx


def _snapshot(ctx: AppContext) -> list[tuple[object, ...]]:
    """Every live contact with its sorted addresses and attributes, comparable across runs."""
    with ctx.store.read() as session:
        rows = []
        for contact in session.execute(
            select(Contact).where(Contact.deleted_at.is_(None))
        ).scalars():
            emails = sorted(
                session.execute(
                    select(ContactAddress.email).where(
                        ContactAddress.contact_id == contact.id,
                        ContactAddress.deleted_at.is_(None),
                    )
                ).scalars()
            )
            attributes = sorted(
                session.execute(
                    select(
                        ContactAttribute.name, ContactAttribute.value, ContactAttribute.personal
                    ).where(
                        ContactAttribute.contact_id == contact.id,
                        ContactAttribute.deleted_at.is_(None),
                    )
                ).all()
            )
            rows.append(
                (
                    contact.name,
                    contact.phone,
                    contact.company,
                    emails,
                    [tuple(a) for a in attributes],
                )
            )
        return sorted(rows, key=repr)


def test_import_keeps_every_field_and_export_round_trips(supervisor: AppContext) -> None:
    ctx = supervisor
    report = import_contacts(
        ctx.store, ("\ufeff" + GOOD).encode(), actor="sam", list_name="Customers"
    )
    assert (report.created, report.updated, report.problems) == (3, 0, ())
    first = _snapshot(ctx)
    assert first == sorted(
        [
            (
                "Anna Rossi",
                "+39 06 1234",
                "Rossi, Bianchi & Co",
                ["anna.r@work.example", "anna@example.org"],
                [("Birthday", "1980-02-03", True), ("Tier", "gold", False)],
            ),
            ("Jörg Müller", "", "", ["joerg@example.de"], [("Tier", "silver", False)]),
            (
                'Zoë "Zed" Ng',
                "555",
                "Acme",
                ["zoe@example.net"],
                [("Birthday", "line one\r\nline two", True)],
            ),
        ],
        key=repr,
    )
    text, count = export_contacts(ctx.store, actor="sam", list_name="Customers", bom=True)
    assert count == 3 and text.startswith("\ufeffname,phone,company,email,email2,")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # RFC 4180
    # The personal flag travels in the header.
    header = text.lstrip("\ufeff").split("\r\n", 1)[0].split(",")
    assert header[-2:] == ["personal:Birthday", "attribute:Tier"]

    # Importing the export again changes nothing: every row merges into its contact.
    again = import_contacts(ctx.store, text.encode(), actor="sam")
    assert (again.created, again.updated, again.problems) == (0, 3, ())
    assert _snapshot(ctx) == first

    # And into an empty store it recreates the same contacts.
    with ctx.store.write() as session:
        for model in (ContactAttribute, ContactAddress, Contact):
            session.execute(model.__table__.delete())  # type: ignore[attr-defined]
    fresh = import_contacts(ctx.store, text.encode(), actor="sam", list_name="Customers")
    assert (fresh.created, fresh.problems) == (3, ())
    assert _snapshot(ctx) == first


def test_import_merges_by_address_instead_of_duplicating(supervisor: AppContext) -> None:
    ctx = supervisor
    import_contacts(ctx.store, GOOD.encode(), actor="sam")
    update = (
        "email,email2,phone,personal:Birthday,attribute:Language\r\n"
        "ANNA@example.org,anna@home.example,+39 333,,it\r\n"
    )
    report = import_contacts(ctx.store, update.encode(), actor="sam")
    assert (report.created, report.updated) == (0, 1)
    anna = next(c for c in _snapshot(ctx) if c[0] == "Anna Rossi")
    # Given cells changed, empty ones left the old value, the new address joined.
    assert anna == (
        "Anna Rossi",
        "+39 333",
        "Rossi, Bianchi & Co",
        ["anna.r@work.example", "anna@example.org", "anna@home.example"],
        [("Birthday", "1980-02-03", True), ("Language", "it", False), ("Tier", "gold", False)],
    )
    with ctx.store.read() as session:
        assert session.execute(select(func.count()).select_from(Contact)).scalar_one() == 3


def test_bad_lines_are_reported_and_the_good_ones_kept(supervisor: AppContext) -> None:
    ctx = supervisor
    data = (
        "name,email,email2\n"  # line 1
        "Good One,one@example.org,\n"  # 2
        "Bad Address,not-an-address,\n"  # 3
        '"Multi\nline name",two@example.org,\n'  # 4-5: a quoted line break in a name
        "Repeat,ONE@example.org,\n"  # 6
        f"{'x' * 201},three@example.org,\n"  # 7
        "\n"  # 8: blank, ignored
        "No Address,,\n"  # 9
        "Too,many@example.org,,fields\n"  # 10
        "Good Two,four@example.org,five@example.org\n"  # 11
        "Other,six@example.org,five@example.org\n"  # 12
    )
    report = import_contacts(ctx.store, data.encode(), actor="sam")
    assert (report.created, report.updated) == (2, 0)
    problems = {p.line: p.message for p in report.problems}
    assert sorted(problems) == [3, 4, 6, 7, 9, 10, 12]
    assert "'not-an-address' is not an email address" in problems[3]
    assert "line break" in problems[4]
    assert problems[6] == "one@example.org is already on line 2."
    assert "at most 200" in problems[7]
    assert "No email address" in problems[9]
    assert "4 fields" in problems[10]
    assert problems[12] == "five@example.org is already on line 11."
    assert [c[0] for c in _snapshot(ctx)] == ["Good One", "Good Two"]
    with ctx.store.read() as session:
        event = session.execute(select(Event).where(Event.kind == "contacts.import")).scalar_one()
    assert event.data["refused_lines"] == [3, 4, 6, 7, 9, 10, 12]


def test_addresses_of_two_existing_contacts_on_one_line_are_refused(
    supervisor: AppContext,
) -> None:
    ctx = supervisor
    import_contacts(ctx.store, b"email\r\na@example.org\r\nb@example.org\r\n", actor="sam")
    report = import_contacts(
        ctx.store, b"name,email,email2\r\nBoth,a@example.org,b@example.org\r\n", actor="sam"
    )
    assert report.created == report.updated == 0
    assert [p.line for p in report.problems] == [2]
    assert "different contacts" in report.problems[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name,phone\r\nAnna,1\r\n", "no email column"),
        (b"name,email,notes\r\nAnna,a@example.org,x\r\n", r"Column 3 \('notes'\)"),
        (b"email,E-Mail\r\na@example.org,b@example.org\r\n", "appears twice"),
        (b"email,attribute:\r\na@example.org,x\r\n", "names no attribute"),
        (b"name,email\r\nJ\xf6rg,j@example.org\r\n", r"not UTF-8 \(line 2, byte 0xf6\)"),
        (b'name,email\r\n"open,a@example.org\r\n', "not valid CSV"),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing(
    supervisor: AppContext, data: bytes, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        import_contacts(supervisor.store, data, actor="sam")
    assert _snapshot(supervisor) == []


def test_the_same_attribute_personal_and_not_round_trips(supervisor: AppContext) -> None:
    ctx = supervisor
    data = (
        "email,attribute:Note,personal:Note\r\na@example.org,public,\r\nb@example.org,,secret\r\n"
    )
    import_contacts(ctx.store, data.encode(), actor="sam")
    text, _ = export_contacts(ctx.store, actor="sam")
    assert text.split("\r\n", 1)[0] == "name,phone,company,email,attribute:Note,personal:Note"
    rows, problems = parse_contacts_csv(text.encode())
    assert problems == []
    assert sorted(r.attributes["Note"] for r in rows) == [("public", False), ("secret", True)]
    both = "email,attribute:Note,personal:Note\r\nc@example.org,x,y\r\n"
    _, problems = parse_contacts_csv(both.encode())
    assert "both as personal and as not personal" in problems[0].message


def test_only_supervisors_import_or_export(supervisor: AppContext) -> None:
    with pytest.raises(UserError, match="Only a supervisor may import contacts"):
        import_contacts(supervisor.store, GOOD.encode(), actor="alice")
    with pytest.raises(UserError, match="Only a supervisor may export contacts"):
        export_contacts(supervisor.store, actor="alice")
    with pytest.raises(UserError, match=r"no contact list named 'Nope'.*Customers"):
        import_contacts(supervisor.store, GOOD.encode(), actor="sam", list_name="Nope")
    assert _snapshot(supervisor) == []


def test_contacts_commands(data_dir: Path, tmp_path: Path) -> None:
    assert relaydesk(data_dir, "agent", "add", "sam", "--supervisor").returncode == 0
    assert relaydesk(data_dir, "agent", "add", "alice").returncode == 0
    source = tmp_path / "in.csv"
    source.write_bytes(("\ufeff" + GOOD + "Broken,,,nope,,,\r\n").encode())
    done = relaydesk(data_dir, "contacts", "import", str(source), "--agent", "sam", "--json")
    assert done.returncode == 1, done.stderr  # a refused line, the rest kept
    assert json.loads(done.stdout) == {
        "created": 3,
        "updated": 0,
        "problems": [{"line": 6, "message": "'nope' is not an email address."}],
    }
    out = tmp_path / "out.csv"
    exported = relaydesk(
        data_dir, "contacts", "export", str(out), "--bom", "--agent", "sam", "--json"
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout) == {"file": str(out), "contacts": 3}
    assert out.read_bytes().startswith(b"\xef\xbb\xbfname,phone,company,email,email2")
    to_stdout = _relaydesk_bytes(data_dir, "contacts", "export", "--agent", "sam")
    assert to_stdout.stdout == out.read_bytes()[3:]  # the same, without the BOM
    again = _relaydesk_bytes(
        data_dir, "contacts", "import", "-", "--agent", "sam", stdin=to_stdout.stdout
    )
    assert (again.returncode, again.stdout) == (0, b"imported 0 new and 3 updated contacts\n")
    refused = relaydesk(data_dir, "contacts", "import", str(source), "--agent", "alice")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "Only a supervisor may import contacts; alice is an agent."
    missing = relaydesk(
        data_dir, "contacts", "import", str(tmp_path / "nope.csv"), "--agent", "sam"
    )
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
    assert relaydesk(data_dir, "contacts", "import", str(source)).returncode == 2  # --agent


def test_formula_cells_are_guarded_for_spreadsheets_and_still_round_trip(
    supervisor: AppContext,
) -> None:
    ctx = supervisor
    name = '=HYPERLINK("http://evil.example","click")'  # a sender's name is anyone's to write
    with ctx.store.write() as session:
        contact = Contact(name=name, phone="+39 06 1234", company="'Tis Ltd")
        session.add(contact)
        session.flush()
        session.add(ContactAddress(contact_id=contact.id, email="eve@example.org"))
        session.add(ContactAttribute(contact_id=contact.id, name="Note", value="'=1+1"))
        session.add(ContactAttribute(contact_id=contact.id, name="@at", value="-5", personal=False))
    before = _snapshot(ctx)
    text, _ = export_contacts(ctx.store, actor="sam")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["name", "phone", "company", "email", "attribute:@at", "personal:Note"]
    # No cell a spreadsheet would evaluate; an apostrophe of the data's own is kept apart.
    assert row == ["'" + name, "'+39 06 1234", "'Tis Ltd", "eve@example.org", "'-5", "''=1+1"]
    with ctx.store.write() as session:
        for model in (ContactAttribute, ContactAddress, Contact):
            session.execute(model.__table__.delete())  # type: ignore[attr-defined]
    assert import_contacts(ctx.store, text.encode(), actor="sam").problems == ()
    assert _snapshot(ctx) == before
