"""One table of actions: every frequent action has a key, shown in menus, tooltips and F1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QToolBar, QWidget
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.ui.data import seed_interactions
from ui.main_window import MainWindow
from ui.shortcuts import ACTIONS, ActionTable, CheatSheet, mnemonic, plain, shown_keys

pytestmark = pytest.mark.gui

FREQUENT = {
    "accept",
    "next",
    "reply",
    "reply_all",
    "forward",
    "send",
    "dispose",
    "close",
    "transfer",
    "search",
    "mark_unread",
}


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.waitUntil(lambda: "No email yet" in window._empty.text(), timeout=10_000)
    yield window
    window.shutdown()


def test_every_frequent_action_has_a_key_and_no_key_is_bound_twice(window: MainWindow) -> None:
    names = {spec.name for spec in ACTIONS}
    assert names >= FREQUENT
    assert all(spec.keys for spec in ACTIONS)
    # Every QAction the window (or a panel in it) carries, not just the table's own.
    bound: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in bound, f"{text} is bound to {bound[text]} and {action.text()}"
            bound[text] = action.text()
    for spec in ACTIONS:
        assert spec.keys[0] in bound


def test_menus_and_tooltips_show_the_shortcut(window: MainWindow) -> None:
    in_menus = {
        action.objectName(): action
        for menu in window.menuBar().actions()
        for action in menu.menu().actions()
    }
    for spec in ACTIONS:
        action = in_menus[f"action_{spec.name}"]
        # The menu draws the action's shortcut beside its text.
        assert action.shortcut().toString() == spec.keys[0]
        assert not action.shortcut().isEmpty()
        assert shown_keys(spec) in action.toolTip()
        assert plain(action.text()) in action.toolTip()
    toolbar = window.findChild(QToolBar, "actions_toolbar")
    on_toolbar = {a.objectName() for a in toolbar.actions()}
    assert {"action_accept", "action_next", "action_reply", "action_transfer"} <= on_toolbar
    button = toolbar.widgetForAction(window.actions_table["reply"])
    assert button is not None and button.toolTip() == "Reply (Ctrl+R)"


def test_f1_and_ctrl_slash_open_the_cheat_sheet(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.findChild(CheatSheet)
    assert sheet is not None
    qtbot.waitUntil(sheet.isVisible, timeout=5_000)
    rows = sheet.rows()
    assert [r[0] for r in rows] == [plain(spec.text) for spec in ACTIONS]
    assert ("Reply", "Ctrl+R", "Answer the customer") in rows
    assert ("Keyboard shortcuts", "F1, Ctrl+/", "Show every keyboard shortcut") in rows
    sheet.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(sheet.isVisible, timeout=5_000)


def test_ctrl_f_puts_the_focus_in_the_filter(qtbot: QtBot, window: MainWindow) -> None:
    window._list.setFocus()
    qtbot.keyClick(window._list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window._filter.hasFocus, timeout=5_000)


def test_an_action_without_its_work_stays_disabled(qtbot: QtBot) -> None:
    host = QMainWindow()
    qtbot.addWidget(host)
    table = ActionTable(host)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host, timeout=5_000)
    calls: list[str] = []
    assert not table["forward"].isEnabled()
    qtbot.keyClick(host, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert calls == []
    table.connect("forward", lambda: calls.append("forward"))
    assert table["forward"].isEnabled()
    qtbot.keyClick(host, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["forward"]


def test_ctrl_1_2_3_move_between_the_panes(
    qtbot: QtBot, sqlite_ctx: AppContext, data_dir: Path
) -> None:
    seed_interactions(sqlite_ctx.store, 3)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window._model.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)

    def focus_in(widget: QWidget) -> bool:
        focused = QApplication.focusWidget()
        return focused is not None and (focused is widget or widget.isAncestorOf(focused))

    for key, pane in (
        (Qt.Key.Key_1, window._navigation.tree),
        (Qt.Key.Key_2, window._list),
        (Qt.Key.Key_3, window._reader),
        (Qt.Key.Key_1, window._navigation.tree),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda pane=pane: focus_in(pane), timeout=5_000)
    window.shutdown()


def menu_clashes(window: QMainWindow) -> list[str]:
    """Menu entries whose Alt letter another entry of the same menu (or bar) already uses."""
    clashes = []
    groups = [window.menuBar().actions()]
    groups += [a.menu().actions() for a in window.menuBar().actions() if a.menu() is not None]
    for actions in groups:
        seen: dict[str, str] = {}
        for action in actions:
            letter = mnemonic(action.text())
            if letter and letter in seen:
                clashes.append(f"{seen[letter]!r} and {action.text()!r}")
            seen.setdefault(letter, action.text())
    return clashes


def test_alt_letters_are_unique_in_each_menu(window: MainWindow) -> None:
    assert mnemonic("Re&lease") == "l" and mnemonic("Fish && &Chips") == "c"
    assert all(mnemonic(spec.text) for spec in ACTIONS)
    assert menu_clashes(window) == []
