"""The customer panel: the contact beside the thread and their other conversations."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.contacts import customer_card, link_senders
from app.services.settings import change_setting
from storage.models import Contact
from tests.ui.desk_world import (
    interaction_ids,
    make_desk_world,
    open_interaction,
    sign_in,
    store_mail,
)
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _mail(n: int, subject: str) -> bytes:
    return (
        f"From: Marta Bianchi <marta@example.org>\r\nTo: support@acme.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <m{n}@example.org>\r\n"
        f"Date: Mon, 05 Jan 2026 0{n}:00:00 +0000\r\n\r\nBody {n}\r\n"
    ).encode()


def test_customer_tab_shows_the_contact_and_opens_an_earlier_conversation(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [_mail(1, "Invoice missing"), _mail(2, "Parcel damaged")])
    first, second = interaction_ids(sqlite_ctx)
    with sqlite_ctx.store.write() as session:
        assert link_senders(session, [first, second]) == 1  # one contact for both
    with sqlite_ctx.store.write() as session:
        contact = session.query(Contact).one()
        contact.company = "Bianchi Srl"
    card = customer_card(sqlite_ctx.store, second)
    assert [h.interaction_id for h in card.history] == [first]

    window = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in(qtbot, window, "alice")
        open_interaction(qtbot, window, second)
        desk = window._desk
        panel = desk.customer_panel
        desk.tabs.setCurrentWidget(panel)
        qtbot.waitUntil(lambda: panel.history.count() == 1, timeout=10_000)
        assert panel.name.text() == "Marta Bianchi"
        assert panel.emails.text() == "marta@example.org"
        assert panel.company.text() == "Bianchi Srl"
        assert "Invoice missing" in panel.history.item(0).text()
        panel.history.itemActivated.emit(panel.history.item(0))
        qtbot.waitUntil(lambda: window._reader.interaction_id == first, timeout=10_000)
        qtbot.waitUntil(
            lambda: desk.state is not None and desk.state.interaction_id == first, timeout=10_000
        )
        qtbot.waitUntil(
            lambda: panel.history.count() == 1
            and "Parcel damaged" in panel.history.item(0).text(),
            timeout=10_000,
        )

        # Editing: app/ refuses agents until the project lets them create records.
        panel.phone.setText("+39 02 1234567")
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Enable agents to create new records" in panel.message.text())
        with sqlite_ctx.store.read() as session:
            assert session.query(Contact).one().phone == ""
        change_setting(sqlite_ctx.store, "agents_create_contacts", True, project="ACM")
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.message.text() == "Saved.", timeout=10_000)
        with sqlite_ctx.store.read() as session:
            saved = session.query(Contact).one()
            assert (saved.phone, saved.company) == ("+39 02 1234567", "Bianchi Srl")
        assert panel.phone.text() == "+39 02 1234567"
    finally:
        window.shutdown()
