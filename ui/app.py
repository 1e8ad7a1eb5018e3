"""Starting the desktop application: QApplication, the main window, the event loop."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui.background import BackgroundWorker
from ui.collector import GuiThreadCollector
from ui.crash_dialog import CrashHandler
from ui.i18n import choose_language, install_translators
from ui.main_window import MainWindow


def run(data_dir: Path, *, quit_after_startup: bool = False, language: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Relaydesk")
    app.setOrganizationName("Relaydesk")
    collector = GuiThreadCollector(app)  # Qt objects are freed in this thread, not a task's
    # Before any widget exists: every tr() from here on speaks the agent's language.
    translators = install_translators(app, choose_language(language))  # noqa: F841 (kept alive)
    crashes = CrashHandler()  # before the window: a bug while building it is reported too
    crashes.install()
    window = MainWindow(data_dir)
    crashes.set_window(window)
    window.show()
    background: BackgroundWorker | None = None
    if quit_after_startup:
        # The smoke test for builds: the window is built and one round of events processed.
        QTimer.singleShot(0, app.quit)
    else:
        # Standalone mode: this desktop fetches and sends itself.
        background = BackgroundWorker(data_dir)
        background.start()
        window.attach_background_worker(background)
    code = app.exec()
    window.shutdown()
    if background is not None:
        background.stop()
    crashes.uninstall()
    collector.stop()
    return code
