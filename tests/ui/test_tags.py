"""Tags from the window: the Tags… action opens a dialog whose changes become operations."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from storage.models import Event, InteractionTag, Tag
from tests.ui.desk_world import (
    customer_mail,
    interaction_ids,
    make_desk_world,
    open_interaction,
    sign_in,
    store_mail,
)
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _tags(ctx: AppContext) -> list[str]:
    with ctx.store.read() as session:
        return sorted(
            session.execute(
                select(Tag.name)
                .join(InteractionTag, InteractionTag.tag_id == Tag.id)
                .where(InteractionTag.deleted_at.is_(None))
            ).scalars()
        )


def test_tags_dialog_adds_and_removes_tags_through_operations(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(7)])
    (interaction_id,) = interaction_ids(sqlite_ctx)
    with sqlite_ctx.store.write() as session:
        session.add(Tag(name="vip"))  # known, not on this interaction yet
    window = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in(qtbot, window, "alice")
        open_interaction(qtbot, window, interaction_id)
        desk = window._desk
        action = window.actions_table["tags"]
        assert action.isEnabled() and "Ctrl+Shift+G" in action.toolTip()

        action.trigger()
        qtbot.waitUntil(lambda: getattr(desk, "tag_dialog", None) is not None, timeout=10_000)
        dialog = desk.tag_dialog
        assert [dialog.tags.item(i).text() for i in range(dialog.tags.count())] == ["vip"]
        dialog.tags.item(0).setCheckState(Qt.CheckState.Checked)
        assert dialog.isVisible(), "the dialog is open"
        qtbot.keyClicks(dialog.new_tag, "  refund   request ")
        qtbot.keyClick(dialog.new_tag, Qt.Key.Key_Return)  # adds it, does not close
        assert dialog.isVisible() and dialog.tags.count() == 2
        dialog.accept()
        qtbot.waitUntil(lambda: _tags(sqlite_ctx) == ["refund request", "vip"], timeout=10_000)

        desk.tag_dialog = None
        action.trigger()
        qtbot.waitUntil(lambda: getattr(desk, "tag_dialog", None) is not None, timeout=10_000)
        dialog = desk.tag_dialog
        for row in range(dialog.tags.count()):
            if dialog.tags.item(row).text() == "vip":
                dialog.tags.item(row).setCheckState(Qt.CheckState.Unchecked)
        dialog.accept()
        qtbot.waitUntil(lambda: _tags(sqlite_ctx) == ["refund request"], timeout=10_000)
    finally:
        window.shutdown()
    with sqlite_ctx.store.read() as session:
        kinds = session.execute(
            select(Event.kind).where(Event.kind.in_(("tag", "untag"))).order_by(Event.at)
        ).scalars()
        assert sorted(kinds) == ["tag", "tag", "untag"]  # audited as operations
