"""The admin contact manager on a real store: lists with counts, search, editing through the
save_contact operation (a refusal shown as a sentence), CSV import with a bad line reported by
number, an export that reads back, and an agent refused by app/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.contact_io import ImportReport, import_contacts, parse_contacts_csv
from app.services.operations import Operation, apply
from storage.models import Contact, ContactAddress, ContactAttribute, ContactList, EmailAccount
from tests.app.workflow import make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.contacts_page import ContactsPage

pytestmark = pytest.mark.gui

CSV = (
    b"name,company,phone,email,personal:Birthday,attribute:Tier\r\n"
    b"Anna Rossi,Rossi SpA,+39 06 1,anna@example.org,1980-02-03,gold\r\n"
    b"Bruno Verdi,Verdi Srl,,bruno@example.org,,\r\n"
    b"Carla Bianchi,Acme,,carla@example.org,,silver\r\n"
)
WAIT = 10_000


def _store_with_contacts(ctx: AppContext) -> None:
    world = make_world(ctx.store)
    for name in ("Customers", "Suppliers"):
        made = apply(ctx.store, Operation("create_contact_list", "sam", {"name": name}))
        assert made.applied, made.reason
    with ctx.store.write() as session:
        customers = session.execute(
            select(ContactList).where(ContactList.name == "Customers")
        ).scalar_one()
        session.get(EmailAccount, world.support).default_contact_list_id = customers.id  # type: ignore[union-attr]
    import_contacts(ctx.store, CSV, actor="sam", list_name="Customers")


@pytest.fixture
def page(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[ContactsPage]:
    _store_with_contacts(sqlite_ctx)
    with admin_context(sqlite_ctx, "sam") as admin:
        page = ContactsPage(admin)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=WAIT)
        yield page


def _list_texts(page: ContactsPage) -> list[str]:
    return [page.lists.item(i).text() for i in range(page.lists.count())]


def _names(page: ContactsPage) -> list[str]:
    return [page.model.text(r, 0) for r in range(page.model.rowCount())]


def _choose(qtbot: QtBot, page: ContactsPage, name: str | None) -> None:
    with qtbot.waitSignal(page.contacts_loaded, timeout=WAIT):
        page.choose_list(name)


def _select(qtbot: QtBot, page: ContactsPage, name: str) -> None:
    row = _names(page).index(name)
    with qtbot.waitSignal(page.contact_loaded, timeout=WAIT):
        page.table.setCurrentIndex(page.model.index(row, 0))


def _save(qtbot: QtBot, page: ContactsPage) -> bool:
    with qtbot.waitSignal(page.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    return bool(saved.args[0])


def test_browse_lists_and_search(qtbot: QtBot, page: ContactsPage) -> None:
    assert _list_texts(page) == [
        "All contacts (3)",
        "Customers (3) · default",
        "Suppliers (0)",
    ]
    assert page.lists.item(1).font().bold()
    assert page.lists.item(1).toolTip() == "New senders of support are saved in this list."
    assert _names(page) == ["Anna Rossi", "Bruno Verdi", "Carla Bianchi"]
    assert [page.model.text(0, c) for c in range(5)] == [
        "Anna Rossi",
        "anna@example.org",
        "Rossi SpA",
        "+39 06 1",
        "",
    ]
    _choose(qtbot, page, "Suppliers")
    assert _names(page) == []
    assert page.contacts_status.text() == (
        "No contacts in this list yet: import a CSV file or add one."
    )
    _choose(qtbot, page, "Customers")
    with qtbot.waitSignal(page.contacts_loaded, timeout=WAIT):
        qtbot.keyClicks(page.search, "ACME")  # the company, any case
    assert _names(page) == ["Carla Bianchi"]
    with qtbot.waitSignal(page.contacts_loaded, timeout=WAIT):
        page.search.setText("bruno@")
    assert _names(page) == ["Bruno Verdi"]
    with qtbot.waitSignal(page.contacts_loaded, timeout=WAIT):
        page.search.setText("%")  # a literal percent sign: nobody has one
    assert _names(page) == []
    assert page.contacts_status.text() == (
        "No contacts match: change the search, or import a CSV file."
    )


def test_create_and_rename_a_list(qtbot: QtBot, page: ContactsPage) -> None:
    page.list_name.setText("VIP")
    with qtbot.waitSignal(page.lists_loaded, timeout=WAIT):
        qtbot.mouseClick(page.new_list_button, Qt.MouseButton.LeftButton)
    assert _list_texts(page)[-1] == "VIP (0)" and page.chosen_list().name == "VIP"  # type: ignore[union-attr]
    page.list_name.setText("Customers")
    with qtbot.waitSignal(page.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(page.rename_list_button, Qt.MouseButton.LeftButton)
    assert saved.args == [False]
    assert page.status.text() == "There is already a contact list named 'Customers'."
    page.list_name.setText("Very important")
    with qtbot.waitSignal(page.lists_loaded, timeout=WAIT):
        qtbot.mouseClick(page.rename_list_button, Qt.MouseButton.LeftButton)
    assert _list_texts(page) == [
        "All contacts (3)",
        "Customers (3) · default",
        "Suppliers (0)",
        "Very important (0)",
    ]


def test_edit_a_contact_and_its_attributes(
    qtbot: QtBot, page: ContactsPage, sqlite_ctx: AppContext
) -> None:
    _select(qtbot, page, "Anna Rossi")
    assert page.emails.toPlainText() == "anna@example.org"
    assert page.list_choice.currentText() == "Customers"
    assert [
        (
            page.attributes.item(r, 0).text(),
            page.attributes.item(r, 1).text(),
            page.attributes.item(r, 2).checkState() == Qt.CheckState.Checked,
        )
        for r in range(page.attributes.rowCount())
    ] == [("Birthday", "1980-02-03", True), ("Tier", "gold", False)]

    page.name.setText("Anna Rossi-Bassi")
    page.emails.setPlainText("anna@example.org\nanna@home.example")
    page.company.clear()
    page.list_choice.setCurrentIndex(page.list_choice.findText("Suppliers"))
    page.attributes.selectRow(1)  # Tier goes
    page.attributes.setCurrentCell(1, 0)
    qtbot.mouseClick(page.remove_attribute_button, Qt.MouseButton.LeftButton)
    page.add_attribute("Shoe size", "38", personal=False)
    page.attributes.item(0, 2).setCheckState(Qt.CheckState.Unchecked)  # Birthday: not personal
    page.unsubscribed.setChecked(True)
    with qtbot.waitSignal(page.contacts_loaded, timeout=WAIT):
        assert _save(qtbot, page)
    assert page.status.text() == "Saved."
    assert "Anna Rossi-Bassi" in _names(page)
    row = _names(page).index("Anna Rossi-Bassi")
    assert page.model.text(row, 1) == "anna@example.org, anna@home.example"
    assert page.model.text(row, 4) == "yes"
    qtbot.waitUntil(lambda: "Suppliers (1)" in _list_texts(page), timeout=WAIT)

    with sqlite_ctx.store.read() as session:
        contact = session.execute(
            select(Contact).where(Contact.name == "Anna Rossi-Bassi")
        ).scalar_one()
        emails = sorted(
            session.execute(
                select(ContactAddress.email).where(
                    ContactAddress.contact_id == contact.id, ContactAddress.deleted_at.is_(None)
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
        list_name = session.get(ContactList, contact.list_id).name  # type: ignore[union-attr]
        assert (contact.company, contact.unsubscribed_at is not None) == ("", True)
    assert emails == ["anna@example.org", "anna@home.example"]
    assert attributes == [("Birthday", "1980-02-03", False), ("Shoe size", "38", False)]
    assert list_name == "Suppliers"


def test_invalid_input_is_refused_with_a_sentence(
    qtbot: QtBot, page: ContactsPage, sqlite_ctx: AppContext
) -> None:
    _select(qtbot, page, "Bruno Verdi")
    page.emails.setPlainText("bruno@example.org\nnot an address")
    assert not _save(qtbot, page)
    assert page.status.text() == "'not an address' is not an email address."
    page.emails.setPlainText("anna@example.org")  # Anna's
    assert not _save(qtbot, page)
    assert page.status.text() == "anna@example.org is already an address of Anna Rossi."
    page.emails.setPlainText("bruno@example.org")
    page.add_attribute("", "orphan value")
    assert not _save(qtbot, page)
    assert page.status.text() == "Every attribute needs a name."
    assert page.emails.toPlainText() == "bruno@example.org"  # kept, to be corrected

    page.start_new()
    page.name.setText("Nobody")
    assert not _save(qtbot, page)
    assert page.status.text() == "A contact needs at least one email address."
    with sqlite_ctx.store.read() as session:
        addresses = session.execute(
            select(ContactAddress.email)
            .join(Contact, Contact.id == ContactAddress.contact_id)
            .where(Contact.name == "Bruno Verdi", ContactAddress.deleted_at.is_(None))
        ).scalars()
        assert list(addresses) == ["bruno@example.org"]
        assert session.execute(select(Contact).where(Contact.name == "Nobody")).first() is None


def test_a_new_contact_lands_in_the_chosen_list(
    qtbot: QtBot, page: ContactsPage, sqlite_ctx: AppContext
) -> None:
    _choose(qtbot, page, "Suppliers")
    qtbot.mouseClick(page.new_contact_button, Qt.MouseButton.LeftButton)
    assert page.list_choice.currentText() == "Suppliers"
    qtbot.keyClicks(page.name, "Dario Neri")
    page.emails.setPlainText("Dario@Example.org")
    with qtbot.waitSignal(page.contact_loaded, timeout=WAIT):
        assert _save(qtbot, page)
    qtbot.waitUntil(lambda: _names(page) == ["Dario Neri"], timeout=WAIT)
    assert page.emails.toPlainText() == "dario@example.org"
    with sqlite_ctx.store.read() as session:
        contact = session.execute(select(Contact).where(Contact.name == "Dario Neri")).scalar_one()
        assert session.get(ContactList, contact.list_id).name == "Suppliers"  # type: ignore[union-attr]


def test_import_reports_the_bad_line_and_keeps_the_good_ones(
    qtbot: QtBot, page: ContactsPage, sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    _choose(qtbot, page, "Suppliers")
    source = tmp_path / "suppliers.csv"
    source.write_bytes(
        b"name,email,company\r\n"
        b"Elena,elena@example.org,Neri Srl\r\n"
        b"Broken,not-an-address,\r\n"
        b"Anna Rossi,anna@example.org,Rossi Group\r\n"
    )
    with qtbot.waitSignal(page.imported, timeout=WAIT) as done:
        page.import_from(source)
    report: ImportReport = done.args[0]
    assert (report.created, report.updated, [p.line for p in report.problems]) == (1, 1, [3])
    assert page.report.isVisible() or not page.isVisible()
    assert page.report.toPlainText() == (
        "1 added, 1 updated, 1 lines refused.\nLine 3: 'not-an-address' is not an email address."
    )
    qtbot.waitUntil(lambda: _names(page) == ["Elena"], timeout=WAIT)  # new ones: this list
    qtbot.waitUntil(lambda: "Suppliers (1)" in _list_texts(page), timeout=WAIT)
    with sqlite_ctx.store.read() as session:
        anna = session.execute(select(Contact).where(Contact.name == "Anna Rossi")).scalar_one()
        assert anna.company == "Rossi Group"

    # A file that is not CSV contacts at all: nothing imported, the reason shown.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"who,what\r\nx,y\r\n")
    with qtbot.waitSignal(page.imported, timeout=WAIT) as done:
        page.import_from(bad)
    assert done.args == [None]
    assert page.report.toPlainText().startswith(
        "Nothing was imported: Column 1 ('who') is not a contact column"
    )


def test_export_reads_back(
    qtbot: QtBot, page: ContactsPage, sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    _choose(qtbot, page, "Customers")
    target = tmp_path / "customers.csv"
    page.bom.setChecked(True)
    with qtbot.waitSignal(page.exported, timeout=WAIT) as done:
        page.export_to(target)
    assert done.args == [str(target)]
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,phone,company,email,")
    assert page.contacts_status.text() == f"3 contacts written to {target}."
    rows, problems = parse_contacts_csv(data)
    assert problems == []
    assert [(r.name, r.emails, r.company, r.attributes) for r in rows] == [
        (
            "Anna Rossi",
            ("anna@example.org",),
            "Rossi SpA",
            {
                "Birthday": ("1980-02-03", True),
                "Tier": ("gold", False),
            },
        ),
        ("Bruno Verdi", ("bruno@example.org",), "Verdi Srl", {}),
        ("Carla Bianchi", ("carla@example.org",), "Acme", {"Tier": ("silver", False)}),
    ]
    # And it imports back without a change.
    again = import_contacts(sqlite_ctx.store, data, actor="sam", list_name="Customers")
    assert (again.created, again.updated, again.problems) == (0, 3, ())


def test_an_agent_is_refused_by_app(qtbot: QtBot, sqlite_ctx: AppContext, tmp_path: Path) -> None:
    _store_with_contacts(sqlite_ctx)
    with admin_context(sqlite_ctx, "alice") as admin:
        page = ContactsPage(admin)
        qtbot.addWidget(page)
        qtbot.waitUntil(
            lambda: (
                page.contacts_status.text()
                == "Only a supervisor may manage the contact lists; alice is an agent."
            ),
            timeout=WAIT,
        )
        assert page.model.rowCount() == 0
        page.name.setText("Mine")
        page.emails.setPlainText("mine@example.org")
        assert not _save(qtbot, page)
        assert page.status.text().startswith("Agents may not create or edit contacts here")
        page.list_name.setText("Mine")
        with qtbot.waitSignal(page.saved, timeout=WAIT) as saved:
            qtbot.mouseClick(page.new_list_button, Qt.MouseButton.LeftButton)
        assert saved.args == [False]
        assert page.status.text() == (
            "Only a supervisor may create contact lists; alice is an agent."
        )
        source = tmp_path / "mine.csv"
        source.write_bytes(b"email\r\nmine@example.org\r\n")
        with qtbot.waitSignal(page.imported, timeout=WAIT) as done:
            page.import_from(source)
        assert done.args == [None]
        assert page.report.toPlainText() == (
            "Nothing was imported: Only a supervisor may import contacts; alice is an agent."
        )
        with qtbot.waitSignal(page.exported, timeout=WAIT) as exported:
            page.export_to(tmp_path / "out.csv")
        assert exported.args == [""] and not (tmp_path / "out.csv").exists()
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(Contact).where(Contact.name == "Mine")).first() is None
        assert (
            session.execute(select(ContactList).where(ContactList.name == "Mine")).first() is None
        )


def test_the_model_passes_qtmodeltester(page: ContactsPage, qtmodeltester: object) -> None:
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
