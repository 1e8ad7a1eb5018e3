"""Running app/ work off the GUI thread and bringing results back by a Qt signal.

Local-store writes go through one thread (SQLite has one writer anyway); reads and network
work through a small pool. Widgets never call SQLAlchemy, imapclient or keyring themselves.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger("ui")


class _Relay(QObject):
    """Lives in the GUI thread; worker threads emit, Qt queues the call to the GUI thread."""

    finished = Signal(int, object, object)  # ticket, result, error


@dataclass(frozen=True)
class _Task:
    fn: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None] | None
    key: str | None
    generation: int | None


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writes = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store-write")
        self._pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="task")
        self._relay = _Relay(self)  # owned by the runner, never freed by a worker thread
        self._relay.finished.connect(self.on_relay_finished)
        self._generation: dict[str, int] = {}
        # Each task's function and callbacks, held here on the GUI thread until its answer
        # arrives. Worker threads borrow the function and drop it before they answer, so the
        # last reference to a widget or model a callback captures is always released on the
        # GUI thread: a QObject destroyed on a worker thread leaves dangling timers behind and
        # crashed the suite later (a SIGSEGV in QTimerInfoList::activateTimers).
        self._pending: dict[int, _Task] = {}
        self._tickets = itertools.count(1)
        self._closed = False

    def query(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """Run a read; with ``key``, a newer query of the same key makes older results moot."""
        self._submit(self._pool, fn, on_done, on_error, key)

    def op(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run a change to the local store, in order with every other change."""
        self._submit(self._writes, fn, on_done, on_error, None)

    def _submit(
        self,
        executor: concurrent.futures.Executor,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        key: str | None,
    ) -> None:
        if self._closed:
            return  # the window is going: nobody is left to hear the answer
        generation = None
        if key is not None:
            generation = self._generation.get(key, 0) + 1
            self._generation[key] = generation
        ticket = next(self._tickets)
        task = _Task(fn, on_done, on_error, key, generation)
        self._pending[ticket] = task
        relay = self._relay
        borrowed = [fn]  # the worker's only reference, given up before it answers

        def work() -> None:
            call = borrowed.pop()
            try:
                result = call()
            except BaseException as exc:  # delivered to the GUI thread, never lost
                del call
                relay.finished.emit(ticket, None, exc)
            else:
                del call
                relay.finished.emit(ticket, result, None)

        executor.submit(work)

    @Slot(int, object, object)
    def on_relay_finished(self, ticket: int, result: Any, error: Any) -> None:
        task = self._pending.pop(ticket, None)
        if task is None or self._closed:
            return  # answers still queued when the window shut down reach no widget
        if error is not None:
            if task.on_error is not None:
                task.on_error(error)
            else:
                log.error("background task failed", exc_info=error)
            return
        if task.key is not None and self._generation.get(task.key) != task.generation:
            return  # the latest query wins
        task.on_done(result)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._writes.shutdown(wait=True)
