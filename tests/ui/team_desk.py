"""Signing in at a team-mode desk in the real window, with a database role and its password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow

WAIT_MS = 60_000


def sign_in_with_role(qtbot: QtBot, window: MainWindow, role: str, password: str) -> None:
    """Once the sign-in form is ready, type the role (replacing the one the desk offers,
    the configured URL's) and its password, and wait for the desk to say who signed in."""
    desk = window._desk
    qtbot.waitUntil(desk.sign_in_button.isEnabled, timeout=WAIT_MS)
    desk.name.clear()
    qtbot.keyClicks(desk.name, role)
    qtbot.keyClicks(desk.password, password)
    with qtbot.waitSignal(desk.signed_in, timeout=WAIT_MS):
        qtbot.mouseClick(desk.sign_in_button, Qt.MouseButton.LeftButton)
