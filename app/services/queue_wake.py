"""Wake the worker's appliers when desks push operations, instead of polling for them.

The central database announces every new pending operation on a channel of its own
(migration 0014: desks do not hear it, and appliers do not hear their own updates).
One LISTEN connection per worker turns those notices into a threading.Event the appliers
wait on, so an operation is picked up within milliseconds of its push; the appliers' idle
wait stays as the safety net while the listener reconnects.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine

from storage.sync import OPERATIONS_CHANNEL

log = logging.getLogger("sync")

LISTEN_WAIT_S = 1.0
RECONNECT_S = 2.0
CONNECT_TIMEOUT_S = 5


class QueueWake:
    """``event`` is set whenever a new operation was queued centrally."""

    def __init__(self, engine: Engine, table: str = "operations") -> None:
        # libpq's form of the engine's URL, password included (from the keyring at start-up).
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._table = table
        self.event = threading.Event()
        self.listening = threading.Event()

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(
            target=self.run, args=(stop,), daemon=True, name="operations-listen"
        )
        thread.start()
        return thread

    def run(self, stop: threading.Event) -> None:
        try:
            self._listen(stop)
        finally:
            self.event.set()  # stopping: the appliers waiting on us see ``stop`` at once

    def _listen(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as conn:
                    conn.execute(f"LISTEN {OPERATIONS_CHANNEL}")
                    self.listening.set()
                    self.event.set()  # whatever came while nobody listened
                    while not stop.is_set():
                        for notice in conn.notifies(timeout=LISTEN_WAIT_S, stop_after=1):
                            if self._wanted(notice):
                                self.event.set()
            except psycopg.Error as exc:
                log.info("operation notices unavailable (%s); appliers poll meanwhile", exc)
            finally:
                self.listening.clear()
            stop.wait(RECONNECT_S)

    def _wanted(self, notice: Any) -> bool:
        return str(getattr(notice, "payload", "")) == self._table
