"""A slow or dead mail server never freezes the window, and the status bar says what is wrong."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.context import open_local
from app.services.accounts import add_account
from ui.background import BackgroundWorker
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


class Tarpit:
    """A TCP server that accepts connections and never says a word (a hung IMAP server)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connected = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._held.append(conn)
            self.connected.set()

    def close(self) -> None:
        self._listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def tarpit() -> Iterator[Tarpit]:
    server = Tarpit()
    yield server
    server.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


def _window_with_worker(
    qtbot: QtBot, data_dir: Path, port: int, timeout: int
) -> tuple[MainWindow, BackgroundWorker]:
    ctx = open_local(data_dir)
    add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="support@acme.test",
        password="secret",
        imap_host="127.0.0.1",
        imap_port=port,
        imap_security="none",
        connect_timeout=timeout,
    )
    ctx.close()
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    background = BackgroundWorker(data_dir)
    background.start()
    window.attach_background_worker(background)
    return window, background


def test_a_hung_imap_server_does_not_block_the_event_loop(
    qtbot: QtBot, data_dir: Path, tarpit: Tarpit
) -> None:
    window, background = _window_with_worker(qtbot, data_dir, tarpit.port, timeout=4)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        qtbot.waitUntil(tarpit.connected.is_set, timeout=20_000)
        # The worker now waits up to 4 s for a greeting that never comes; meanwhile the GUI
        # thread keeps running its timers and its own store queries.
        seen = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) >= seen + 20, timeout=3_000)
        qtbot.waitUntil(lambda: "Connecting" in window._health.text(), timeout=3_000)
        assert not window._health.problem
        # Then the timeout is reported in the status bar, naming the account.
        qtbot.waitUntil(lambda: window._health.problem, timeout=30_000)
        text = window._health.text()
        assert text.startswith("support: ") and "did not answer within 4 s" in text, text
    finally:
        timer.stop()
        background.stop()
        window.shutdown()


def test_a_dead_imap_server_is_reported_and_recovers_nothing_silently(
    qtbot: QtBot, data_dir: Path
) -> None:
    window, background = _window_with_worker(qtbot, data_dir, _closed_port(), timeout=2)
    try:
        qtbot.waitUntil(lambda: window._health.problem, timeout=30_000)
        text = window._health.text()
        assert text.startswith("support: ") and "refused" in text.lower(), text
        assert background.running, "the worker keeps retrying instead of dying"
    finally:
        background.stop()
        window.shutdown()
