"""Garbage cycles are freed in the GUI thread, never in a task's (ui/collector.py)."""

from __future__ import annotations

import gc
import threading

import pytest
from pytestqt.qtbot import QtBot

from ui.collector import GuiThreadCollector

pytestmark = pytest.mark.gui


class _Cycle:
    """Garbage only the cyclic collector frees; it notes the thread that freed it."""

    def __init__(self, freed_in: list[str]) -> None:
        self.me = self
        self.freed_in = freed_in

    def __del__(self) -> None:
        self.freed_in.append(threading.current_thread().name)


def _allocate_containers() -> None:
    # Far past the youngest generation's threshold: an enabled collector runs here.
    kept = [[i] for i in range(50 * gc.get_threshold()[0])]
    assert len(kept) > 0


def _drop_cycles(freed_in: list[str]) -> int:
    """Enough garbage cycles to put the youngest generation over its threshold."""
    count = 2 * gc.get_threshold()[0]
    for _ in range(count):
        _Cycle(freed_in)
    return count


def test_a_cycle_dropped_while_a_task_allocates_is_freed_in_the_gui_thread(
    qtbot: QtBot,
) -> None:
    assert not gc.isenabled(), "the test's own collector (tests/conftest.py) is on"
    freed_in: list[str] = []
    dropped = _drop_cycles(freed_in)  # garbage at once, each kept alive by its cycle
    task = threading.Thread(target=_allocate_containers, name="task_0")
    task.start()
    task.join()
    assert freed_in == []
    qtbot.waitUntil(lambda: len(freed_in) == dropped, timeout=5000)
    assert set(freed_in) == {threading.main_thread().name}


def test_stop_collects_and_gives_automatic_collection_back(qtbot: QtBot) -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        collector = GuiThreadCollector()
        assert not gc.isenabled()
        freed_in: list[str] = []
        _Cycle(freed_in)
        collector.stop()
        assert freed_in == [threading.main_thread().name]
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()


def test_the_timer_collects_by_the_collectors_thresholds(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    try:
        before = collector.collections
        _drop_cycles([])  # counts past the threshold: the next tick collects
        qtbot.waitUntil(lambda: collector.collections > before, timeout=5000)
    finally:
        collector.stop()
    assert not gc.isenabled(), "it gives back what it found: the test's collector is on"
