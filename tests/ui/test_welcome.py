"""The first start: the welcome creates the first supervisor and loads demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import open_local
from app.services.session import needs_first_supervisor
from ui import welcome
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._welcome.first_supervisor.isVisible(), timeout=10_000)
    return window


def test_first_start_creates_the_first_supervisor_and_signs_them_in(
    qtbot: QtBot, data_dir: Path
) -> None:
    window = _window(qtbot, data_dir)
    try:
        page = window._welcome
        assert window._stack.currentWidget() is page
        qtbot.keyClicks(page._name, "Ada Lovelace")
        qtbot.keyClicks(page._password, "analytical")
        qtbot.keyClicks(page._repeat, "analytica")
        qtbot.mouseClick(page._create, Qt.MouseButton.LeftButton)
        assert "differ" in page.first_error.text()
        # Too short: app/ refuses, the window says why and keeps the form.
        page._password.setText("short")
        page._repeat.setText("short")
        qtbot.mouseClick(page._create, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "8 characters" in page.first_error.text(), timeout=10_000)
        assert page.first_supervisor.isVisible()

        page._password.setText("analytical")
        page._repeat.setText("analytical")
        qtbot.mouseClick(page._create, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window._signed_in is not None, timeout=10_000)
        assert window._signed_in is not None and window._signed_in.supervisor
        assert window._signed_in.name == "Ada Lovelace"
        assert not page.first_supervisor.isVisible()
    finally:
        window.shutdown()
    ctx = open_local(data_dir)
    try:
        assert not needs_first_supervisor(ctx.store)
    finally:
        ctx.close()


def test_load_demo_data_fills_the_list_with_progress(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welcome, "DEMO_MESSAGES", 60)
    window = _window(qtbot, data_dir)
    try:
        page = window._welcome
        seen: list[tuple[int, int]] = []
        page._relay.advanced.connect(lambda done, total: seen.append((done, total)))
        qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
        assert page.progress.isVisible() and not page.demo_button.isEnabled()
        qtbot.waitUntil(lambda: "relaydesk-demo" in page.demo_status.text(), timeout=60_000)
        qtbot.waitUntil(lambda: window._model.rowCount() > 0, timeout=20_000)
        assert window._stack.currentWidget() is window._list
        assert seen and seen[-1][0] == seen[-1][1] == 60
        # The demo brings its own supervisor: nobody has to be created any more.
        qtbot.waitUntil(lambda: not page.first_supervisor.isVisible(), timeout=10_000)
    finally:
        window.shutdown()
