"""The window starts on a real store, and PySide6 survives long sessions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_fifty_thousand_none_returning_calls(qtbot: QtBot) -> None:
    """PySide6 6.12.0 on CPython 3.11 aborts ("none_dealloc") after a few thousand of these."""
    label = QLabel()
    qtbot.addWidget(label)
    timer = QTimer()
    obj = QObject()
    for i in range(50_000):
        label.setText("x")  # returns None
        timer.setInterval(i % 100)  # returns None
        obj.setObjectName("n")  # returns None
    assert label.text() == "x" and timer.interval() == 49_999 % 100


def test_main_window_shows_an_empty_state_on_a_new_store(qtbot: QtBot, data_dir: Path) -> None:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "No email yet" in window._empty.text(), timeout=10_000)
    assert window._model.rowCount() == 0
    window.shutdown()


def test_quit_after_startup_exits_cleanly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path), "--quit-after-startup"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "relaydesk.sqlite3").exists()


def test_the_reading_pane_shows_sanitised_html_and_blocks_remote_images(
    qtbot: QtBot, data_dir: Path
) -> None:
    from sqlalchemy import insert

    from app.context import open_local
    from app.mail.ingest import FetchedMessage, load_account, write_batch
    from app.mail.prepare import prepare_batch
    from app.services.accounts import add_account
    from storage.ids import new_id
    from storage.models import FolderState

    raw = (
        b"From: Eve <eve@example.org>\r\nTo: support@acme.test\r\nSubject: Invoice\r\n"
        b"Message-ID: <h1@example.org>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<script>alert('x')</script><p onclick='steal()'>Please pay</p>"
        b"<img src='https://tracker.example/pixel.gif'>"
    )
    ctx = open_local(data_dir)
    info = add_account(ctx.store, name="s", email="support@acme.test", username="s", imap_host="h")
    with ctx.store.connect() as conn:
        conn.execute(
            insert(FolderState).values(
                id=new_id(),
                account_id=info.id,
                folder="INBOX",
                uidvalidity=1,
                uidnext=1,
                change_seq=0,
            )
        )
        prepared = prepare_batch([(raw, 1)], True, str(ctx.blob_path))
        write_batch(
            conn, load_account(conn, info.id, 14), "INBOX", 1, [FetchedMessage(1, raw)], prepared
        )
    ctx.close()
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._model.rowCount() == 1, timeout=10_000)
    window._list.selectRow(0)
    qtbot.waitUntil(lambda: "Please pay" in window._reader.plain_text(), timeout=10_000)
    (card,) = window._reader.cards
    shown = card.browser.toHtml()
    assert "tracker.example" not in shown and "steal" not in shown and "alert" not in shown
    assert not card.remote_bar.isHidden()
    assert card.message.remote_urls == ("https://tracker.example/pixel.gif",)
    window.shutdown()


def test_interaction_model_passes_qtmodeltester(
    qtbot: QtBot, qtmodeltester: object, sqlite_ctx: object
) -> None:
    from tests.ui.data import seed_interactions
    from ui.models.interaction_list import Column, InteractionListModel, StoreListSource
    from ui.tasks import TaskRunner

    seed_interactions(sqlite_ctx.store, 25)  # type: ignore[attr-defined]
    tasks = TaskRunner()
    model = InteractionListModel(tasks, page_size=10)
    with qtbot.waitSignal(model.count_changed, timeout=10_000):
        model.set_source(StoreListSource(sqlite_ctx.store))  # type: ignore[attr-defined]
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    for row in range(25):  # as a view scrolling down would
        model.index(row, Column.SUBJECT).data()
    qtbot.waitUntil(lambda: len(model.loaded_pages()) == 3, timeout=10_000)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 25 and model.columnCount() == len(Column)
    tasks.shutdown()
