"""Python's cyclic garbage collector, run in the GUI thread only.

A Qt object caught in a reference cycle (a widget whose lambda slot names it) is freed by
whichever thread the collector happens to run in. Freed in a task's thread, its destructor
took Qt's lock on the object's connections and then waited for the GIL, while the GUI
thread, holding the GIL, waited for that lock: the window froze for good (seen in CI on
2026-12-02; py-spy showed the two threads so). So while the window lives, automatic
collection is off and a timer in the GUI thread collects instead, by the collector's own
thresholds (PyQt's known remedy for objects deleted in the wrong thread).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns automatic collection off until ``stop``; collects on a timer of the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start(interval_ms)

    def on_timer_timeout(self) -> None:
        self.collect_due()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count is over its threshold, as gc would."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for level in range(3):
            if counts[level] > thresholds[level]:
                generation = level
            else:
                break
        if generation >= 0:
            gc.collect(generation)
            self.collections += 1

    def stop(self) -> None:
        """Automatic collection as it was, after one last collection here."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
