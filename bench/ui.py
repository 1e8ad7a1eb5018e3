"""Agent desktop responsiveness on a million interactions: first rows, scrolling, memory.

    QT_QPA_PLATFORM=offscreen python -m bench.ui [--without-index] [--rows 1000000]

The store is generated once (Core bulk inserts, no messages) and cached in
``/tmp/relaydesk-bench-ui-<rows>``. ``--without-index`` drops the list's index on
``interactions (last_activity_at, id)`` (migration 0003) to measure the baseline; without the
flag it is created again, so both states can be measured on one file in one run.
Prints the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from app.context import open_local
from storage.models import Interaction
from tests.ui.data import seed_interactions

LIST_INDEX = "ix_interactions_activity"


def prepare(rows: int, without_index: bool) -> Path:
    data_dir = Path(f"/tmp/relaydesk-bench-ui-{rows}")
    ctx = open_local(data_dir)
    with ctx.store.read() as session:
        have = session.execute(select(func.count()).select_from(Interaction)).scalar_one()
    if have != rows:
        ctx.close()
        for path in data_dir.iterdir():
            path.unlink()
        ctx = open_local(data_dir)
        started = time.perf_counter()
        seed_interactions(ctx.store, rows)
        with ctx.store.connect() as conn:
            conn.execute(text("ANALYZE"))
        print(
            f"generated {rows} interactions in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    with ctx.store.connect() as conn:
        if without_index:
            conn.execute(text(f"DROP INDEX IF EXISTS {LIST_INDEX}"))
        else:
            columns = "interactions (last_activity_at, id)"
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {LIST_INDEX} ON {columns}"))
    ctx.close()
    return data_dir


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--without-index", action="store_true")
    args = parser.parse_args()
    data_dir = prepare(args.rows, args.without_index)

    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.models.interaction_list import Role

    app = QApplication(sys.argv[:1])

    def wait(condition: object, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.001)

    started = time.perf_counter()
    window = MainWindow(data_dir)
    window.resize(1400, 820)
    window.show()
    model = window._model
    wait(lambda: model.rowCount() > 0 and model.index(0, 0).data(Role.LOADED))
    first_rows_ms = (time.perf_counter() - started) * 1000
    wait(lambda: model.rowCount() == args.rows)
    count_ms = (time.perf_counter() - started) * 1000

    view = window._list
    bar = view.verticalScrollBar()
    rng = random.Random(5)
    steps: list[float] = []
    placeholders = 0
    # Wheel notches (3 rows), page-downs, then drags of the scroll bar to anywhere.
    moves = [3] * 300 + [bar.pageStep()] * 150 + [None] * 30
    for move in moves:
        t0 = time.perf_counter()
        bar.setValue(rng.randrange(bar.maximum()) if move is None else bar.value() + move)
        view.viewport().repaint()  # paint now, as the screen would: data() for every cell
        app.processEvents()
        steps.append((time.perf_counter() - t0) * 1000)
        top = view.rowAt(0)
        if not model.index(max(top, 0), 0).data(Role.LOADED):
            placeholders += 1
    steps.sort()
    wait(lambda: model.index(max(view.rowAt(0), 0), 0).data(Role.LOADED))
    result = {
        "rows": args.rows,
        "list_index": not args.without_index,
        "first_rows_ms": round(first_rows_ms, 1),
        "count_known_ms": round(count_ms, 1),
        "scroll_steps": len(steps),
        "scroll_p50_ms": round(statistics.median(steps), 2),
        "scroll_p99_ms": round(steps[int(len(steps) * 0.99) - 1], 2),
        "scroll_max_ms": round(steps[-1], 2),
        "steps_showing_placeholders": placeholders,
        "page_requests": model.page_requests,
        "pages_held": len(model.loaded_pages()),
        "rss_mb": round(rss_mb(), 1),
    }
    print(json.dumps(result, indent=2))
    window.shutdown()


if __name__ == "__main__":
    main()
