"""Running app/ work off the GUI thread and bringing results back by a Qt signal.

Local-store writes go through one thread (SQLite has one writer anyway); reads and network
work through a small pool. Widgets never call SQLAlchemy, imapclient or keyring themselves.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger("ui")


class _Relay(QObject):
    """Lives in the GUI thread; worker threads emit, Qt queues the call to the GUI thread."""

    finished = Signal(object, object, object)  # callback, result, error


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writes = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store-write")
        self._pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="task")
        self._relay = _Relay()
        self._relay.finished.connect(self.on_relay_finished)
        self._generation: dict[str, int] = {}

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
        generation = None
        if key is not None:
            generation = self._generation.get(key, 0) + 1
            self._generation[key] = generation

        def deliver(result: Any) -> None:
            if key is not None and self._generation.get(key) != generation:
                return  # the latest query wins
            on_done(result)

        def fail(error: BaseException) -> None:
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed", exc_info=error)

        def work() -> None:
            try:
                result = fn()
            except BaseException as exc:  # delivered to the GUI thread, never lost
                self._relay.finished.emit(fail, None, exc)
            else:
                self._relay.finished.emit(deliver, result, None)

        executor.submit(work)

    @Slot(object, object, object)
    def on_relay_finished(self, callback: Any, result: Any, error: Any) -> None:
        callback(error if error is not None else result)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._writes.shutdown(wait=True)
