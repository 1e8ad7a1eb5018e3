"""The window's one excepthook: log a bug, write a crash report, say so once, keep running.

A bug raised in a slot, a virtual method or another thread reaches ``sys.excepthook`` (or
``threading.excepthook``); this handler logs it, writes a crash report (app/logs.py: the
traceback and recent, already redacted, log lines) and shows a non-modal dialog offering to
open that file -- once per distinct traceback, so a bug in a timer does not bury the agent
under dialogs. The event loop goes on.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app import logs

log = logging.getLogger("ui")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def signature(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """Identifies a traceback by its type and frames, not its message (which holds ids)."""
    frames = traceback.extract_tb(tb)
    text = exc_type.__qualname__ + "".join(
        f"|{Path(f.filename).name}:{f.name}:{f.lineno}" for f in frames
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _open_in_desktop(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class CrashDialog(QMessageBox):
    """Says that something went wrong, where the report is, and offers to open it."""

    def __init__(
        self,
        report: Path,
        summary: str,
        open_report: Callable[[Path], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._report = report
        self._open_report = open_report
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Relaydesk: internal error"))
        self.setText(
            self.tr(
                "Relaydesk hit an internal error and keeps running; what you were doing may "
                "not have finished. Please send the crash report to your IT support."
            )
        )
        self.setInformativeText(self.tr("Crash report: {path}").format(path=report))
        self.setDetailedText(summary)
        self.open_button: QPushButton = self.addButton(
            self.tr("Open crash report"), QMessageBox.ButtonRole.ActionRole
        )
        self.open_button.setToolTip(str(report))
        self.addButton(QMessageBox.StandardButton.Close)
        # An ActionRole button would close the box too; keep it open after opening the file.
        self.open_button.clicked.disconnect()
        self.open_button.clicked.connect(self.on_open_button_clicked)

    @Slot()
    def on_open_button_clicked(self) -> None:
        self._open_report(self._report)


class CrashHandler(QObject):
    """Installs itself as ``sys.excepthook`` and ``threading.excepthook`` for the window."""

    # (report path, one-line summary, signature): emitted on any thread, shown on the GUI's.
    crashed = Signal(str, str, str)

    def __init__(
        self,
        parent_window: QWidget | None = None,
        open_report: Callable[[Path], None] = _open_in_desktop,
    ) -> None:
        super().__init__()
        self._window = parent_window
        self._open_report = open_report
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.dialogs: list[CrashDialog] = []
        self.crashed.connect(self.on_self_crashed)

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous_thread_hook

    def set_window(self, window: QWidget | None) -> None:
        self._window = window

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        key = signature(exc_type, tb)
        with self._lock:
            first = key not in self._seen
            self._seen.add(key)
        log.error(
            "unexpected error: %s",
            "".join(traceback.format_exception_only(exc_type, exc)).strip(),
        )  # the traceback goes to the (redacted) crash report, not the log
        if not first:
            return  # the same bug again: logged, reported once already
        try:
            report = logs.write_crash_report(exc_type, exc, tb)
        except OSError as error:  # no log folder: the log line above is all we can do
            log.error("could not write a crash report: %s", error)
            return
        summary = logs.redact("".join(traceback.format_exception(exc_type, exc, tb)))
        self.crashed.emit(str(report), summary, key)

    @Slot(str, str, str)
    def on_self_crashed(self, report: str, summary: str, key: str) -> None:
        dialog = CrashDialog(Path(report), summary, self._open_report, self._window)
        dialog.setObjectName(f"crash-{key[:12]}")
        dialog.finished.connect(lambda _result, d=dialog: self._forget(d))
        self.dialogs.append(dialog)
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.show()  # no nested exec(): the window stays usable behind it

    def _forget(self, dialog: CrashDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()
