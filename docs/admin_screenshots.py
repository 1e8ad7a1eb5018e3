"""Render the admin mode screenshots (monitoring, settings, reports, interactions, contacts).

QT_QPA_PLATFORM=offscreen python docs/admin_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.context import open_local  # noqa: E402
from app.demo.seed import DEMO_PASSWORD, seed  # noqa: E402
from app.services.operations import Operation, apply  # noqa: E402


def _wait(app: object, condition: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.theme import force_color_scheme

    data_dir = Path(tempfile.mkdtemp(prefix="relaydesk-admin-shots-"))
    ctx = open_local(data_dir)
    seed(ctx, 400)
    for agent in ("giulia", "marco"):  # some work in progress for the wallboard
        apply(ctx.store, Operation("claim", agent, {}))
    ctx.close()
    app = QApplication(sys.argv[:1])
    force_color_scheme(Qt.ColorScheme.Light)
    window = MainWindow(data_dir)
    window.resize(1600, 900)
    window.show()
    desk = window._desk
    _wait(app, desk.sign_in_button.isEnabled)
    desk.name.setText("sam")
    desk.password.setText(DEMO_PASSWORD)
    desk.sign_in_button.click()
    _wait(app, window.admin_mode.toggle.isEnabled)
    window.admin_mode.toggle.trigger()
    _wait(app, lambda: window.admin_mode.panel is not None)
    panel = window.admin_mode.panel
    assert panel is not None
    _wait(app, lambda: panel.monitoring.snapshot is not None)
    out = ROOT / "docs"
    panel.setCurrentWidget(panel.monitoring)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(out / "admin-monitoring.png"))
    panel.setCurrentWidget(panel.accounts)
    _wait(app, lambda: panel.accounts.accounts.count() > 0)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(out / "admin-settings.png"))
    panel.setCurrentWidget(panel.reports)
    panel.reports.report.setCurrentIndex(panel.reports.report.findData("agents"))
    panel.reports.run_button.click()
    _wait(app, lambda: panel.reports.model.rowCount() > 0)
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / "admin-reports.png"))
    # The pages below hold more rows: shown as a supervisor would, the admin dock floated
    # onto a screen of its own.
    dock = window.admin_mode._dock
    assert dock is not None
    dock.setFloating(True)
    dock.resize(1600, 900)
    panel.setCurrentWidget(panel.interactions)
    panel.interactions.run_search()
    _wait(app, lambda: panel.interactions.model.rowCount() > 0)
    _wait(app, lambda: False, 0.5)
    dock.grab().save(str(out / "admin-interactions.png"))
    panel.setCurrentWidget(panel.contacts)
    _wait(app, lambda: panel.contacts.model.rowCount() > 0)
    panel.contacts.table.selectRow(0)
    _wait(app, lambda: False, 1.0)
    dock.grab().save(str(out / "admin-contacts.png"))
    window.shutdown()


if __name__ == "__main__":
    main()
