"""The composer through real widgets on a real store: the reply's recipients and frame,
canned answers, attachments by button and drop, the undo window, refusals, drafts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.settings import change_setting
from storage.models import (
    Agent,
    ComposerDraft,
    EmailAccount,
    Interaction,
    Message,
    OutboxItem,
)
from tests.ui.desk_world import (
    DeskWorld,
    customer_mail,
    interaction_ids,
    make_desk_world,
    open_interaction,
    sign_in,
    store_mail,
)
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(1)])
    change_setting(sqlite_ctx.store, "undo_send_seconds", 60)
    main = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.shutdown()


def make_world_of(ctx: AppContext) -> DeskWorld:
    with ctx.store.read() as session:
        account = session.execute(select(EmailAccount)).scalar_one()
        return DeskWorld(account.id, account.project_id)


def _accept_first(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    sign_in(qtbot, window, "alice")
    (interaction_id,) = interaction_ids(ctx)
    open_interaction(qtbot, window, interaction_id)
    desk = window._desk
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=10_000)
    # Holding it opens the reply, addressed like the client would: to the customer, Re:.
    qtbot.waitUntil(lambda: "anna1@example.org" in desk.composer.to.text(), timeout=10_000)


def test_reply_with_canned_answer_attachments_frame_and_undo(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    _accept_first(qtbot, window, sqlite_ctx)
    composer = window._desk.composer
    assert composer.subject.text() == "Re: My order AC-1 never arrived"
    assert composer.sender_account.currentText() == "support"

    # Canned answers: the global and the account's own, narrowed by a search.
    qtbot.waitUntil(lambda: composer.canned.count() == 2, timeout=10_000)
    qtbot.keyClicks(composer.canned_search, "refund")
    qtbot.waitUntil(lambda: composer.canned.count() == 1, timeout=10_000)
    assert composer.canned.item(0).text().startswith("Refund offered")
    qtbot.mouseClick(composer.insert_canned, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "We refund your order today." in composer.body.toPlainText(), timeout=10_000
    )

    # Attachments: a file dropped on the composer, another dropped on the text.
    invoice, photo = tmp_path / "invoice.pdf", tmp_path / "photo.png"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    photo.write_bytes(b"\x89PNG photo")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(invoice))])
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, buttons, keys)
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, buttons, keys)
    # Qt delivers a drop only to the widget that accepted the drag entering it.
    assert QApplication.sendEvent(composer, enter) and enter.isAccepted()
    with qtbot.waitSignal(composer.attachments_changed, timeout=10_000):
        QApplication.sendEvent(composer, drop)
    text_before = composer.body.toPlainText()
    on_text = QMimeData()
    on_text.setUrls([QUrl.fromLocalFile(str(photo))])
    assert composer.body.canInsertFromMimeData(on_text)
    with qtbot.waitSignal(composer.attachments_changed, timeout=10_000):
        composer.body.insertFromMimeData(on_text)
    assert composer.body.toPlainText() == text_before  # no path pasted into the text
    assert composer.attachment_names == ["invoice.pdf", "photo.png"]

    # The preview is what leaves: the account's frame around the text, then the quote.
    qtbot.mouseClick(composer.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.preview.isVisible, timeout=10_000)
    shown = composer.preview.toPlainText()
    assert "We refund your order today.\n\n-- \nalice · Acme Support" in shown
    assert "> Hello, where is order AC-1?" in shown

    with qtbot.waitSignal(composer.sent, timeout=10_000) as sent:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    message_id = sent.args[0]["message"]
    assert composer.undo_bar.isVisible()
    assert composer.undo_label.text().startswith("Sending in ")
    assert composer.body.toPlainText() == ""
    with sqlite_ctx.store.read() as session:
        out = session.execute(select(Message).where(Message.direction == "out")).scalar_one()
        assert str(out.id) == message_id and out.delivery_state == "queued"
        assert out.attachment_count == 2
        assert session.execute(select(ComposerDraft)).first() is None  # sent: no draft left

    with qtbot.waitSignal(composer.undo_finished, timeout=10_000) as undone:
        qtbot.mouseClick(composer.undo_button, Qt.MouseButton.LeftButton)
    assert undone.args == [True]
    assert not composer.undo_bar.isVisible()
    with sqlite_ctx.store.read() as session:
        item = session.execute(select(OutboxItem)).scalar_one()
        assert item.state == "cancelled"
    # Undone, the text and the files are back for the agent to change.
    assert "We refund your order today." in composer.body.toPlainText()
    assert composer.attachment_names == ["invoice.pdf", "photo.png"]


def test_a_refused_reply_says_why_and_keeps_the_text(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    _accept_first(qtbot, window, sqlite_ctx)
    composer = window._desk.composer
    composer.to.setText("anna at example dot org")
    qtbot.keyClicks(composer.body, "Your parcel left today.")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.error.isVisible, timeout=10_000)
    assert composer.error.text() == "'anna' in To is not an email address."
    assert composer.body.toPlainText() == "Your parcel left today."
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(Message).where(Message.direction == "out")).first() is None


def test_typing_saves_a_draft_a_moment_later_and_discard_removes_it(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    _accept_first(qtbot, window, sqlite_ctx)
    composer = window._desk.composer
    with qtbot.waitSignal(composer.draft_saved, timeout=10_000):
        qtbot.keyClicks(composer.body, "Half a thought")
    with sqlite_ctx.store.read() as session:
        draft = session.execute(select(ComposerDraft)).scalar_one()
        assert draft.content["body"] == "Half a thought"
        assert draft.content["to"].endswith("<anna1@example.org>")
    qtbot.mouseClick(composer.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.notice.text() == "Draft discarded.", timeout=10_000)
    assert composer.body.toPlainText() == ""
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(ComposerDraft)).first() is None


def test_a_new_email_starts_an_interaction_held_by_its_author(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    sign_in(qtbot, window, "alice")
    desk = window._desk
    composer = desk.composer
    qtbot.mouseClick(desk.new_email_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.sender_account.count() == 1, timeout=10_000)
    assert composer.mode == "new"
    assert composer.sender_account.currentText() == "support <support@acme.test>"
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.error.isVisible, timeout=10_000)
    assert composer.error.text() == "Name at least one recipient."
    qtbot.keyClicks(composer.to, "Bruno Keller <bruno@example.org>")
    qtbot.keyClicks(composer.subject, "Your replacement part")
    qtbot.keyClicks(composer.body, "The part ships on Monday.")
    with qtbot.waitSignal(composer.sent, timeout=10_000) as sent:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    new_id = uuid.UUID(sent.args[0]["interaction"])
    # The desk turns to the new interaction, which alice holds.
    qtbot.waitUntil(
        lambda: desk.state is not None and desk.state.interaction_id == new_id, timeout=10_000
    )
    assert desk.state is not None and desk.state.mine
    with sqlite_ctx.store.read() as session:
        row = session.execute(select(Interaction).where(Interaction.id == new_id)).scalar_one()
        holder = session.get(Agent, row.claimed_by_id)
        assert holder is not None and holder.name == "alice"
        assert (row.subject, row.customer_email) == ("Your replacement part", "bruno@example.org")
        out = session.execute(select(Message).where(Message.interaction_id == row.id)).scalar_one()
        assert out.direction == "out" and out.delivery_state == "queued"


def test_forward_then_reply_all_and_back_to_the_draft_in_its_mode(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    _accept_first(qtbot, window, sqlite_ctx)
    desk = window._desk
    composer = desk.composer
    qtbot.mouseClick(desk.forward_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: composer.subject.text() == "Fwd: My order AC-1 never arrived", timeout=10_000
    )
    assert composer.mode == "forward" and composer.to.text() == ""
    assert composer.heading.text().startswith("<b>Forward</b>")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.error.isVisible, timeout=10_000)  # nobody to forward to
    qtbot.keyClicks(composer.to, "warehouse@acme.test")
    with qtbot.waitSignal(composer.draft_saved, timeout=10_000):
        qtbot.keyClicks(composer.body, "Please check AC-1.")
    with sqlite_ctx.store.read() as session:
        saved = session.execute(select(ComposerDraft)).scalar_one()
    assert saved.content["mode"] == "forward" and saved.content["to"] == "warehouse@acme.test"

    # Reply all instead: the text moves along, the addressing is the reply's.
    with qtbot.waitSignal(composer.draft_saved, timeout=10_000):
        qtbot.mouseClick(desk.reply_all_button, Qt.MouseButton.LeftButton)
    assert composer.mode == "reply_all"
    assert "anna1@example.org" in composer.to.text()
    assert composer.subject.text() == "Re: My order AC-1 never arrived"
    assert composer.body.toPlainText() == "Please check AC-1."
    with sqlite_ctx.store.read() as session:
        saved = session.execute(select(ComposerDraft)).scalar_one()
    assert saved.content["mode"] == "reply_all"

    # Another interaction, then back: the draft resumes as the reply all it is.
    first_id = desk.state.interaction_id if desk.state else None
    store_mail(sqlite_ctx, make_world_of(sqlite_ctx), [customer_mail(2)], first_uid=2)
    second_id = next(i for i in interaction_ids(sqlite_ctx) if i != first_id)
    open_interaction(qtbot, window, second_id)
    assert composer.body.toPlainText() == ""
    assert first_id is not None
    open_interaction(qtbot, window, first_id)
    qtbot.waitUntil(lambda: composer.body.toPlainText() == "Please check AC-1.", timeout=10_000)
    assert composer.mode == "reply_all"
    assert composer.heading.text().startswith("<b>Reply all</b>")


def _sign_out(qtbot: QtBot, window: MainWindow) -> None:
    desk = window._desk
    with qtbot.waitSignal(desk.signed_in, timeout=10_000) as out:
        qtbot.mouseClick(desk.sign_out_button, Qt.MouseButton.LeftButton)
    assert out.args == [None] and desk.pages.currentIndex() == 0
    desk.name.clear()


def _new_email_drafts(ctx: AppContext) -> dict[str, dict[str, object]]:
    with ctx.store.read() as session:
        rows = session.execute(
            select(Agent.name, ComposerDraft.content)
            .join(Agent, Agent.id == ComposerDraft.agent_id)
            .where(ComposerDraft.interaction_id.is_(None))
        ).all()
    return {name: dict(content) for name, content in rows}


def test_a_new_email_left_at_sign_out_is_its_authors_draft_and_nobody_elses(
    qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext
) -> None:
    desk = window._desk
    composer = desk.composer
    sign_in(qtbot, window, "alice")
    qtbot.mouseClick(desk.new_email_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.sender_account.count() == 1, timeout=10_000)
    qtbot.keyClicks(composer.to, "Bruno Keller <bruno@example.org>")
    qtbot.keyClicks(composer.subject, "Your replacement part")
    qtbot.keyClicks(composer.body, "The part ships on")
    # She leaves mid-sentence, the typing pause not over: what she typed is kept as hers,
    # and the composer the next agent sees is empty at once.
    _sign_out(qtbot, window)
    assert (composer.to.text(), composer.subject.text(), composer.body.toPlainText()) == (
        "",
        "",
        "",
    )
    assert not composer.body.isEnabled() and not composer.send_button.isEnabled()
    qtbot.waitUntil(lambda: "alice" in _new_email_drafts(sqlite_ctx), timeout=10_000)
    saved = _new_email_drafts(sqlite_ctx)["alice"]
    assert (saved["to"], saved["subject"], saved["body"]) == (
        "Bruno Keller <bruno@example.org>",
        "Your replacement part",
        "The part ships on",
    )

    # Bob at the same desk: nothing of hers, not even when he starts a new email himself.
    sign_in(qtbot, window, "bob")
    assert composer.body.toPlainText() == "" and composer.mode != "new"
    qtbot.mouseClick(desk.new_email_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.send_button.isEnabled, timeout=10_000)
    assert (composer.to.text(), composer.subject.text(), composer.body.toPlainText()) == (
        "",
        "",
        "",
    )
    assert not composer.notice.text().startswith("Draft restored")
    with qtbot.waitSignal(composer.draft_saved, timeout=10_000):
        qtbot.keyClicks(composer.body, "Bob's own note")
    _sign_out(qtbot, window)
    assert composer.body.toPlainText() == ""

    # Alice back: her new email is where she left it, Bob's stays his.
    sign_in(qtbot, window, "alice")
    qtbot.waitUntil(lambda: composer.body.toPlainText() == "The part ships on", timeout=10_000)
    assert composer.mode == "new" and desk.tabs.currentWidget() is composer
    assert composer.to.text() == "Bruno Keller <bruno@example.org>"
    assert composer.subject.text() == "Your replacement part"
    assert composer.send_button.isEnabled()
    drafts = _new_email_drafts(sqlite_ctx)
    assert drafts["bob"]["body"] == "Bob's own note"
    assert drafts["alice"]["body"] == "The part ships on"
