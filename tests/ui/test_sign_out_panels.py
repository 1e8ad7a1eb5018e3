"""A shared desk on shifts, through real widgets on a real store: when an agent signs out,
nothing they typed, chose or opened stays on screen for the next one, and what is worth
keeping (ticket and contact edits, an unfinished new email) comes back to them alone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.settings import change_setting
from storage.models import Agent, ComposerDraft, Contact, Ticket
from tests.ui.desk_world import (
    customer_mail,
    interaction_ids,
    make_desk_world,
    open_interaction,
    sign_in,
    store_mail,
)
from ui.composer import REOPEN_KEY
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


@pytest.fixture
def window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(1), customer_mail(2)])
    main = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.shutdown()


def _sign_out(qtbot: QtBot, window: MainWindow) -> None:
    desk = window._desk
    with qtbot.waitSignal(desk.signed_in, timeout=WAIT_MS) as out:
        qtbot.mouseClick(desk.sign_out_button, Qt.MouseButton.LeftButton)
    assert out.args == [None] and desk.pages.currentIndex() == 0


def _kept(ctx: AppContext) -> dict[tuple[str, str], dict[str, Any]]:
    """The panels' drafts in the store: (agent, slot) -> what was kept."""
    with ctx.store.read() as session:
        rows = session.execute(
            select(Agent.name, ComposerDraft.slot, ComposerDraft.content).join(
                Agent, Agent.id == ComposerDraft.agent_id
            )
        ).all()
    return {(name, slot): dict(content) for name, slot, content in rows if ":" in slot}


def _accept(qtbot: QtBot, window: MainWindow, interaction_id: uuid.UUID) -> None:
    desk = window._desk
    open_interaction(qtbot, window, interaction_id)
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=WAIT_MS)


def _ticket_panel_shown(qtbot: QtBot, window: MainWindow, interaction_id: uuid.UUID) -> None:
    panel = window._desk.ticket_panel
    open_interaction(qtbot, window, interaction_id)
    window._desk.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.new_type.findData("Complaint") >= 0, timeout=WAIT_MS)


def test_ticket_edits_are_kept_for_their_author_and_the_panels_empty_for_the_next(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    desk = window._desk
    tickets, dispositions = desk.ticket_panel, desk.disposition_panel
    first, _second = interaction_ids(sqlite_ctx)
    sign_in(qtbot, window, "alice")
    _accept(qtbot, window, first)
    _ticket_panel_shown(qtbot, window, first)
    qtbot.keyClicks(tickets.new_title, "Parcel lost in transit")
    tickets.new_type.setCurrentIndex(tickets.new_type.findData("Complaint"))
    qtbot.keyClicks(tickets.search, "ACM-")
    desk.tabs.setCurrentWidget(dispositions)
    qtbot.waitUntil(lambda: dispositions.disposition.findData("Refund") >= 0, timeout=WAIT_MS)
    dispositions.disposition.setCurrentIndex(dispositions.disposition.findData("Refund"))

    _sign_out(qtbot, window)
    # Nothing of hers on screen, at once.
    assert tickets.new_title.text() == "" and tickets.search.text() == ""
    assert tickets.new_type.currentData() is None and tickets.results.count() == 0
    assert not tickets.create_button.isEnabled()
    assert dispositions.disposition.currentData() is None
    assert not dispositions.disposition.isEnabled()
    # Her unsaved new ticket is hers in the store; the search and the pick are not kept.
    slot = f"ticket:{first}"
    qtbot.waitUntil(lambda: ("alice", slot) in _kept(sqlite_ctx), timeout=WAIT_MS)
    assert _kept(sqlite_ctx)[("alice", slot)] == {
        "new": {"title": "Parcel lost in transit", "type": "Complaint"}
    }

    # Bob on the same interaction: an empty panel, none of her choices.
    sign_in(qtbot, window, "bob")
    _ticket_panel_shown(qtbot, window, first)
    assert tickets.new_title.text() == "" and tickets.new_type.currentData() is None
    assert tickets.search.text() == ""
    assert "unsaved" not in tickets.message.text()
    desk.tabs.setCurrentWidget(dispositions)
    qtbot.waitUntil(lambda: dispositions.disposition.count() > 0, timeout=WAIT_MS)
    assert dispositions.disposition.currentData() is None
    _sign_out(qtbot, window)

    # Alice back: her new ticket is where she left it, and she creates it.
    sign_in(qtbot, window, "alice")
    _ticket_panel_shown(qtbot, window, first)
    qtbot.waitUntil(lambda: tickets.new_title.text() == "Parcel lost in transit", timeout=WAIT_MS)
    assert tickets.new_type.currentData() == "Complaint"
    assert tickets.message.text() == "Your unsaved ticket changes are back."
    # Back on screen, so out of the store (a second sign-out keeps it anew).
    qtbot.waitUntil(lambda: ("alice", slot) not in _kept(sqlite_ctx), timeout=WAIT_MS)
    qtbot.mouseClick(tickets.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tickets.message.text().startswith("Created ticket"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tickets.details is not None, timeout=WAIT_MS)
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(Ticket.title)).scalar_one() == "Parcel lost in transit"

    # An edit of the ticket's title left unsaved goes the same way.
    tickets.title.selectAll()
    qtbot.keyClicks(tickets.title, "Parcel lost, refund agreed")
    _sign_out(qtbot, window)
    assert tickets.title.text() == "" and tickets.details is None
    qtbot.waitUntil(lambda: ("alice", slot) in _kept(sqlite_ctx), timeout=WAIT_MS)
    sign_in(qtbot, window, "bob")
    _ticket_panel_shown(qtbot, window, first)
    qtbot.waitUntil(lambda: tickets.details is not None, timeout=WAIT_MS)
    assert tickets.title.text() == "Parcel lost in transit"  # the saved title, not her edit
    _sign_out(qtbot, window)
    sign_in(qtbot, window, "alice")
    _ticket_panel_shown(qtbot, window, first)
    qtbot.waitUntil(lambda: tickets.title.text() == "Parcel lost, refund agreed", timeout=WAIT_MS)
    assert tickets.new_title.text() == ""


def test_contact_edits_are_kept_for_their_author_and_never_shown_to_the_next(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    change_setting(sqlite_ctx.store, "agents_create_contacts", True, project="ACM")
    desk = window._desk
    panel = desk.customer_panel
    first, _second = interaction_ids(sqlite_ctx)
    sign_in(qtbot, window, "alice")
    open_interaction(qtbot, window, first)
    desk.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.name.text() == "Anna Rossi", timeout=WAIT_MS)
    qtbot.keyClicks(panel.phone, "+39 02 555 0101")
    qtbot.keyClicks(panel.company, "Rossi Spa")

    _sign_out(qtbot, window)
    assert (panel.name.text(), panel.phone.text(), panel.company.text()) == ("", "", "")
    assert panel.emails.text() == "" and panel.history.count() == 0
    slot = f"contact:{first}"
    qtbot.waitUntil(lambda: ("alice", slot) in _kept(sqlite_ctx), timeout=WAIT_MS)
    assert _kept(sqlite_ctx)[("alice", slot)] == {
        "name": "Anna Rossi",
        "phone": "+39 02 555 0101",
        "company": "Rossi Spa",
    }

    sign_in(qtbot, window, "bob")
    assert panel.phone.text() == ""
    open_interaction(qtbot, window, first)
    desk.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.name.text() == "Anna Rossi", timeout=WAIT_MS)
    assert panel.phone.text() == "" and panel.company.text() == ""
    _sign_out(qtbot, window)
    assert ("bob", slot) not in _kept(sqlite_ctx)

    sign_in(qtbot, window, "alice")
    open_interaction(qtbot, window, first)
    desk.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.phone.text() == "+39 02 555 0101", timeout=WAIT_MS)
    assert panel.company.text() == "Rossi Spa"
    assert panel.message.text() == "Your unsaved contact changes are back."
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.text() == "Saved.", timeout=WAIT_MS)
    with sqlite_ctx.store.read() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert (contact.phone, contact.company) == ("+39 02 555 0101", "Rossi Spa")
    assert ("alice", slot) not in _kept(sqlite_ctx)


def test_sign_out_empties_the_filter_the_list_selection_and_the_reading_pane(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    desk, reader = window._desk, window._reader
    first, second = interaction_ids(sqlite_ctx)
    sign_in(qtbot, window, "alice")
    qtbot.keyClicks(window._filter, "AC-2")
    qtbot.waitUntil(lambda: window._model.query.text == "AC-2", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window._model.row_of(first) is None, timeout=WAIT_MS)
    open_interaction(qtbot, window, second)
    qtbot.waitUntil(lambda: "My order AC-2 never arrived" in reader.plain_text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: desk.customer_panel.card is not None, timeout=WAIT_MS)

    _sign_out(qtbot, window)
    assert window._filter.text() == "" and window._model.query.text == ""
    assert not window._list.currentIndex().isValid()
    assert not window._list.selectionModel().hasSelection()
    assert reader.interaction_id is None and reader.cards == []
    assert "AC-2" not in reader.plain_text()
    assert reader._placeholder.isVisibleTo(reader)
    assert reader._placeholder.text().startswith("Signed out. Sign in")
    assert desk.interaction_id is None and desk.customer_panel.card is None
    # The whole list again, nothing selected.
    qtbot.waitUntil(lambda: window._model.row_of(first) is not None, timeout=WAIT_MS)

    # The next agent starts from an empty desk; the pane says what to do.
    sign_in(qtbot, window, "bob")
    assert reader.interaction_id is None and desk.state is None
    assert desk.holder.text() == "Select an interaction, or take the next one."
    assert reader._placeholder.text() == "Select an interaction to read its thread."
    assert desk.name.text() == "bob"
    _sign_out(qtbot, window)
    assert desk.name.text() == ""  # his name is not offered to the next one


def test_an_open_transfer_dialog_closes_at_sign_out(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    desk = window._desk
    first, _second = interaction_ids(sqlite_ctx)
    sign_in(qtbot, window, "alice")
    _accept(qtbot, window, first)
    with qtbot.waitSignal(desk.transfer_offered, timeout=WAIT_MS) as offered:
        qtbot.mouseClick(desk.transfer_button, Qt.MouseButton.LeftButton)
    dialog = offered.args[0]
    assert dialog.isVisible()
    _sign_out(qtbot, window)
    assert not dialog.isVisible() and desk.transfer_dialog is None
    sign_in(qtbot, window, "bob")
    assert desk.transfer_dialog is None and not dialog.isVisible()


def _new_email_draft(ctx: AppContext, name: str) -> dict[str, Any] | None:
    with ctx.store.read() as session:
        content = session.execute(
            select(ComposerDraft.content)
            .join(Agent, Agent.id == ComposerDraft.agent_id)
            .where(Agent.name == name, ComposerDraft.slot == "new")
        ).scalar()
    return dict(content) if content is not None else None


def _open_window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    main = MainWindow(ctx.data_dir)
    qtbot.addWidget(main)
    main.show()
    return main


def test_an_unfinished_new_email_opens_again_after_a_restart(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    make_desk_world(sqlite_ctx)
    window = _open_window(qtbot, sqlite_ctx)
    try:
        composer = window._desk.composer
        sign_in(qtbot, window, "alice")
        qtbot.mouseClick(window._desk.new_email_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: composer.sender_account.count() == 1, timeout=WAIT_MS)
        qtbot.keyClicks(composer.to, "bruno@example.org")
        qtbot.keyClicks(composer.body, "The part ships on")
        _sign_out(qtbot, window)
    finally:
        window.shutdown()
    assert _new_email_draft(sqlite_ctx, "alice") is not None

    # A restart: only the store remembers. Bob first: nothing of hers opens for him.
    window = _open_window(qtbot, sqlite_ctx)
    try:
        desk, composer = window._desk, window._desk.composer
        sign_in(qtbot, window, "bob")
        assert composer.mode != "new" and composer.body.toPlainText() == ""
        qtbot.mouseClick(desk.new_email_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(composer.send_button.isEnabled, timeout=WAIT_MS)
        assert composer.body.toPlainText() == "" and composer.to.text() == ""
        _sign_out(qtbot, window)
        desk.name.clear()
        sign_in(qtbot, window, "alice")
        qtbot.waitUntil(lambda: composer.body.toPlainText() == "The part ships on", timeout=WAIT_MS)
        assert composer.mode == "new" and desk.tabs.currentWidget() is composer
        assert composer.to.text() == "bruno@example.org" and composer.send_button.isEnabled()
        # Open again: the mark is gone, the text stays.
        qtbot.waitUntil(
            lambda: REOPEN_KEY not in (_new_email_draft(sqlite_ctx, "alice") or {REOPEN_KEY: 1}),
            timeout=WAIT_MS,
        )
        # She closes the window while still writing it: the next start opens it too.
        composer.body.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(composer.body, " Monday")
    finally:
        window.shutdown()
    saved = _new_email_draft(sqlite_ctx, "alice")
    assert saved is not None and saved["body"] == "The part ships on Monday"
    assert saved[REOPEN_KEY] is True

    window = _open_window(qtbot, sqlite_ctx)
    try:
        composer = window._desk.composer
        sign_in(qtbot, window, "alice")
        qtbot.waitUntil(
            lambda: composer.body.toPlainText() == "The part ships on Monday", timeout=WAIT_MS
        )
        assert composer.mode == "new" and window._desk.tabs.currentWidget() is composer
    finally:
        window.shutdown()
