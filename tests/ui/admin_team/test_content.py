"""Admin mode in team mode: templates, canned answers, dispositions, ticket types, what
agents are offered, contact lists, contacts, imports, notes and deletions made on the desk
are operations the central database applies (or refuses), and the pages show the outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.project_admin import project_offer
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import (
    CannedAnswer,
    Contact,
    ContactList,
    Disposition,
    IngestTombstone,
    Interaction,
    Message,
    Note,
    TicketType,
)
from storage.models import Operation as OperationRow
from tests.app.workflow import World
from tests.ui.admin_team.conftest import WAIT_MS
from ui.admin.contacts_page import ContactsPage
from ui.admin.mode import AdminPanel

pytestmark = [pytest.mark.gui, pytest.mark.pg, pytest.mark.slow]

LEFT = Qt.MouseButton.LeftButton


def _central_ops(central: Store, kind: str) -> list[str]:
    """The statuses of the central operations of ``kind``, oldest first."""
    with central.read() as session:
        return list(
            session.execute(
                select(OperationRow.status)
                .where(OperationRow.kind == kind)
                .order_by(OperationRow.created_at)
            ).scalars()
        )


def _names(page: ContactsPage) -> list[str]:
    return [page.model.text(r, 0) for r in range(page.model.rowCount())]


def _texts(widget: object) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]  # type: ignore[attr-defined]


def test_content_and_project_changes_are_applied_by_the_central_database(
    qtbot: QtBot,
    admin_panel: AdminPanel,
    central_world: tuple[Store, World],
) -> None:
    central, _world = central_world
    page = admin_panel.content
    qtbot.waitUntil(lambda: page.disposition_account.count() == 3, timeout=WAIT_MS)
    # A canned answer: saved centrally, then listed from the desk's store.
    page.start_new("canned")
    page.name.setText("Thanks")
    page.body.setPlainText("Thank you, {{ customer.name }}!")
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.save_button, LEFT)
    assert saved.args == [True], page.status.text()
    with central.read() as session:
        canned = session.execute(select(CannedAnswer)).scalar_one()
        assert (canned.title, canned.body) == ("Thanks", "Thank you, {{ customer.name }}!")
    assert _central_ops(central, "save_content") == ["applied"]
    qtbot.waitUntil(lambda: "Canned answer · Thanks" in _texts(page.items), timeout=WAIT_MS)
    # A template that does not render is refused there, with the renderer's reason.
    page.start_new("template")
    page.name.setText("Broken")
    page.body.setPlainText("Dear {{ customer.nmae }}")
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.save_button, LEFT)
    assert saved.args == [False]
    assert "has no attribute 'nmae'" in page.status.text()
    assert _central_ops(central, "save_content") == ["applied", "rejected"]
    # A disposition for every account.
    page.disposition_name.setText("Spam")
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.add_disposition_button, LEFT)
    assert saved.args == [True], page.status.text()
    with central.read() as session:
        spam = session.execute(select(Disposition).where(Disposition.name == "Spam")).scalar_one()
        assert spam.account_id is None
    qtbot.waitUntil(lambda: "Spam (Every account)" in _texts(page.dispositions), timeout=WAIT_MS)

    projects = admin_panel.projects
    qtbot.waitUntil(lambda: projects.chooser.currentText() == "Acme", timeout=WAIT_MS)
    types = projects.ticket_types
    types.label.setText("Complaint")
    types.export_value.setText("CMP")
    with qtbot.waitSignal(types.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(types.save_button, LEFT)
    assert saved.args == [True], types.status.text()
    with central.read() as session:
        kind = session.execute(select(TicketType)).scalar_one()
        assert (kind.label, kind.export_value, kind.deleted_at) == ("Complaint", "CMP", None)
    qtbot.waitUntil(lambda: _texts(types.types) == ["Complaint → CMP (0 tickets)"], timeout=WAIT_MS)
    qtbot.waitUntil(types.remove_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(types.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(types.remove_button, LEFT)
    assert saved.args == [True], types.status.text()
    with central.read() as session:
        assert session.get(TicketType, kind.id).deleted_at is not None  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: _texts(types.types) == [], timeout=WAIT_MS)
    assert _central_ops(central, "save_ticket_type") == ["applied"]
    assert _central_ops(central, "remove_ticket_type") == ["applied"]

    offer = projects.offer
    qtbot.waitUntil(lambda: offer.senders.count() == 2, timeout=WAIT_MS)
    sales = next(
        offer.senders.item(i) for i in range(2) if offer.senders.item(i).text().startswith("sales")
    )
    sales.setCheckState(Qt.CheckState.Checked)
    offer.default_sender.setCurrentIndex(offer.default_sender.findText("sales"))
    with qtbot.waitSignal(offer.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(offer.save_button, LEFT)
    assert saved.args == [True], offer.status.text()
    now = project_offer(central, "Acme")
    assert [s.name for s in now.senders if s.offered] == ["sales"]
    assert now.default_sender == next(s.account_id for s in now.senders if s.name == "sales")
    assert _central_ops(central, "set_project_offer") == ["applied"]
    assert offer.default_sender.currentText() == "sales", "shown as the desk now holds it"


def test_contacts_notes_and_deletions_are_applied_by_the_central_database(
    qtbot: QtBot,
    admin_panel: AdminPanel,
    central_world: tuple[Store, World],
    tmp_path: Path,
) -> None:
    central, _world = central_world
    page = admin_panel.contacts
    qtbot.waitUntil(lambda: page.lists.count() >= 1, timeout=WAIT_MS)
    page.list_name.setText("VIP")
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.new_list_button, LEFT)
    assert saved.args == [True], page.status.text()
    qtbot.waitUntil(lambda: "VIP (0)" in _texts(page.lists), timeout=WAIT_MS)
    chosen = page.chosen_list()  # the new list is chosen, for the import to land in
    assert chosen is not None and chosen.name == "VIP"
    source = tmp_path / "vip.csv"
    source.write_bytes(
        b"name,email,company\r\n"
        b"Elena,elena@example.org,Neri Srl\r\n"
        b"Broken,not-an-address,\r\n"
        b"Anna Rossi,anna@example.org,Rossi Group\r\n"
    )
    with qtbot.waitSignal(page.imported, timeout=WAIT_MS) as done:
        page.import_from(source)
    report = done.args[0]
    assert report is not None, page.report.toPlainText()
    assert (report.created, report.updated, [p.line for p in report.problems]) == (2, 0, [3])
    assert page.report.toPlainText().splitlines()[0] == "2 added, 0 updated, 1 lines refused."
    assert _central_ops(central, "import_contacts") == ["applied"]
    with central.read() as session:
        rows = session.execute(
            select(Contact.name, ContactList.name).join(
                ContactList, ContactList.id == Contact.list_id
            )
        ).all()
    assert sorted(rows) == [("Anna Rossi", "VIP"), ("Elena", "VIP")]
    qtbot.waitUntil(lambda: sorted(_names(page)) == ["Anna Rossi", "Elena"], timeout=WAIT_MS)
    # Editing one: save_contact, applied centrally.
    row = _names(page).index("Elena")
    with qtbot.waitSignal(page.contact_loaded, timeout=WAIT_MS):
        page.table.setCurrentIndex(page.model.index(row, 0))
    page.company.setText("Neri & Figli")
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.save_button, LEFT)
    assert saved.args == [True], page.status.text()
    with central.read() as session:
        elena = session.execute(select(Contact).where(Contact.name == "Elena")).scalar_one()
        assert elena.company == "Neri & Figli"
    assert _central_ops(central, "save_contact") == ["applied"]

    interactions = admin_panel.interactions
    with central.read() as session:
        target = session.execute(select(Interaction.id)).scalar_one()
    with qtbot.waitSignal(interactions.searched, timeout=WAIT_MS):
        interactions.run_search()
    assert target in {h.id for h in interactions.shown_hits()}
    spy = interactions.spy(target)
    with qtbot.waitSignal(spy.noted, timeout=WAIT_MS) as noted:
        spy.add_note("Customer called about this.")
    assert noted.args == [True], spy.status.text()
    with central.read() as session:
        note = session.execute(select(Note)).scalar_one()
        assert (note.interaction_id, note.body) == (target, "Customer called about this.")
    interactions.shutdown()
    # Mail on it centrally, whose blob is in the central message store.
    blobs = SqlBlobStore(central.engine)
    raw = b"Subject: order\r\nMessage-ID: <order-1@example.org>\r\n\r\nWhere is it?\r\n"
    raw_hash = blobs.put(raw)
    with central.write() as session:
        interaction = session.get(Interaction, target)
        assert interaction is not None
        now = dt.datetime.now(dt.UTC)
        session.add(
            Message(
                interaction_id=target,
                account_id=interaction.account_id,
                direction="in",
                sent_at=now,
                received_at=now,
                raw_hash=raw_hash,
                message_id_hdr="order-1@example.org",
            )
        )
    interactions.select_interactions([target])
    interactions.confirm = lambda title, text: True
    with (
        qtbot.waitSignal(interactions.searched, timeout=WAIT_MS),
        qtbot.waitSignal(interactions.deleted, timeout=WAIT_MS) as deleted,
    ):
        interactions.delete_button.click()
    assert deleted.args == [1], interactions.status.text()
    assert _central_ops(central, "delete_interactions") == ["applied"]
    with central.read() as session:
        gone = session.get(Interaction, target)
        assert gone is not None and gone.deleted_at is not None
        tombstones = session.execute(select(IngestTombstone.raw_hash)).scalars().all()
    assert tombstones == [raw_hash], "a resync never brings the mail back"
    assert not blobs.has(raw_hash), "the central message store let go of the mail"
    assert target not in {h.id for h in interactions.shown_hits()}
