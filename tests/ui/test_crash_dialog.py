"""A bug in the window: logged, reported in a file, shown once per traceback, app alive."""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app import logs
from ui.crash_dialog import CrashDialog, CrashHandler, signature

# pytest-qt's own hook would swallow the exceptions this test wants the app's hook to see.
pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]


def _boom(order: str) -> None:
    raise RuntimeError(f"order {order} went wrong, password=hunter2")


def _other_boom() -> None:
    raise KeyError("something else")


@pytest.fixture
def opened() -> list[Path]:
    return []  # the reports the dialog asked the desktop to open


@pytest.fixture
def handler(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> Iterator[CrashHandler]:
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "logs"))
    crash = CrashHandler(open_report=opened.append)
    crash.install()
    yield crash
    crash.uninstall()
    for dialog in list(crash.dialogs):
        dialog.close()


def _visible_dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


def test_a_bug_in_a_slot_shows_one_dialog_per_distinct_traceback(
    qtbot: QtBot,
    handler: CrashHandler,
    tmp_path: Path,
    opened: list[Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert sys.excepthook == handler.handle
    # Raised inside the event loop, like a bug in any slot of the window.
    QTimer.singleShot(0, functools.partial(_boom, "A-1"))
    qtbot.waitUntil(lambda: len(_visible_dialogs()) == 1, timeout=5000)
    [dialog] = _visible_dialogs()
    [report] = (tmp_path / "logs").glob("crash-*.txt")
    text = report.read_text()
    assert "RuntimeError: order A-1 went wrong" in text and "hunter2" not in text
    assert str(report) in dialog.informativeText()
    assert "hunter2" not in dialog.detailedText()
    assert not dialog.isModal(), "the window behind stays usable"

    # The same bug again (another message, same frames): logged, no second dialog or report.
    caplog.set_level(logging.ERROR, logger="ui")
    QTimer.singleShot(0, functools.partial(_boom, "B-2"))
    qtbot.waitUntil(lambda: any("B-2" in r.getMessage() for r in caplog.records), timeout=5000)
    assert len(_visible_dialogs()) == 1
    assert len(list((tmp_path / "logs").glob("crash-*.txt"))) == 1

    # A different bug gets its own dialog and its own report.
    QTimer.singleShot(0, _other_boom)
    qtbot.waitUntil(lambda: len(_visible_dialogs()) == 2, timeout=5000)
    [second] = set((tmp_path / "logs").glob("crash-*.txt")) - {report}
    assert "KeyError: 'something else'" in second.read_text()
    assert report.read_text() == text, "the first report is kept"

    # Opening the report keeps the dialog; closing it keeps the app running.
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [report]
    assert dialog.isVisible()
    dialog.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: len(_visible_dialogs()) == 1, timeout=5000)
    ticked: list[int] = []
    QTimer.singleShot(0, lambda: ticked.append(1))
    qtbot.waitUntil(lambda: ticked == [1], timeout=5000)


def test_a_bug_in_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, handler: CrashHandler
) -> None:
    assert threading.excepthook == handler._handle_thread
    with qtbot.waitSignal(handler.crashed, timeout=5000):
        worker = threading.Thread(target=_other_boom)
        worker.start()
        worker.join()
    qtbot.waitUntil(lambda: len(_visible_dialogs()) == 1, timeout=5000)


def test_signatures_ignore_the_message_but_not_the_place() -> None:
    def catch(fn, *args):  # type: ignore[no-untyped-def]
        try:
            fn(*args)
        except Exception as exc:
            return type(exc), exc.__traceback__
        raise AssertionError("no exception")

    first, second, other = catch(_boom, "1"), catch(_boom, "2"), catch(_other_boom)
    assert signature(*first) == signature(*second)
    assert signature(*first) != signature(*other)


def test_uninstall_restores_the_previous_hooks(qtbot: QtBot) -> None:
    before, before_thread = sys.excepthook, threading.excepthook
    crash = CrashHandler()
    crash.install()
    assert sys.excepthook != before
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == (before, before_thread)
