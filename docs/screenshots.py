"""Render the README's screenshots from generated mail (no mail server needed).

xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb python docs/screenshots.py
(or QT_QPA_PLATFORM=offscreen python docs/screenshots.py)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.context import open_local  # noqa: E402
from app.demo.seed import seed  # noqa: E402


def fill(data_dir: Path) -> None:
    ctx = open_local(data_dir)
    seed(ctx, 600)
    ctx.close()


def _wait(app: object, condition: object, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def _settle(app: object, seconds: float = 1.5) -> None:
    """Let late answers (composer, counts) paint: a picture, not a test, may simply wait."""
    _wait(app, lambda: False, seconds)


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.demo.seed import DEMO_PASSWORD
    from ui.main_window import MainWindow
    from ui.theme import force_color_scheme, is_dark

    data_dir = Path(tempfile.mkdtemp(prefix="relaydesk-shots-"))
    fill(data_dir)
    app = QApplication(sys.argv[:1])
    force_color_scheme(Qt.ColorScheme.Light)
    window = MainWindow(data_dir)
    window.resize(1600, 900)
    window.show()
    _wait(app, lambda: window._model.rowCount() > 0)
    # An agent at work: signed in through the desk, with the next interaction accepted.
    desk = window._desk
    _wait(app, desk.sign_in_button.isEnabled)
    desk.name.setText("giulia")
    desk.password.setText(DEMO_PASSWORD)
    desk.sign_in_button.click()
    _wait(app, lambda: desk.agent is not None)
    window.actions_table["next"].trigger()
    _wait(app, lambda: desk.interaction_id is not None and bool(window._reader.plain_text()))
    _wait(app, lambda: window._navigation.status is not None and bool(window._reader.cards))
    _settle(app)
    shots = ROOT / "docs"
    window.grab().save(str(shots / "main-window.png"))
    force_color_scheme(Qt.ColorScheme.Dark)
    _wait(app, lambda: is_dark(window._list.palette()))
    _settle(app)
    window.grab().save(str(shots / "main-window-dark.png"))
    print(shots / "main-window.png", shots / "main-window-dark.png")
    window.shutdown()


if __name__ == "__main__":
    main()
