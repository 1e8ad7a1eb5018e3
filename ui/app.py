"""Starting the desktop application: QApplication, the main window, the event loop."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui.background import BackgroundWorker
from ui.main_window import MainWindow


def run(data_dir: Path, *, quit_after_startup: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Relaydesk")
    app.setOrganizationName("Relaydesk")
    window = MainWindow(data_dir)
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
    return code
