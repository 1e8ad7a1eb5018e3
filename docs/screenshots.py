"""Render the README's screenshots from generated mail (no mail server needed).

QT_QPA_PLATFORM=offscreen python docs/screenshots.py
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


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    data_dir = Path(tempfile.mkdtemp(prefix="relaydesk-shots-"))
    fill(data_dir)
    app = QApplication(sys.argv[:1])
    window = MainWindow(data_dir)
    window.resize(1400, 820)
    window.show()
    _wait(app, lambda: window._model.rowCount() > 0)
    window._list.selectRow(3)
    _wait(app, lambda: bool(window._reader.plain_text()))
    out = ROOT / "docs" / "main-window.png"
    window.grab().save(str(out))
    print(out)
    window.shutdown()


if __name__ == "__main__":
    main()
