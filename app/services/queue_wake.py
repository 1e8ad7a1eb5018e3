"""Wake the worker's appliers when desks push operations, instead of polling for them.

The central database announces a new pending operation on a channel of its own
(migration 0014: desks do not hear it, and appliers do not hear their own updates), while
an applier waits for it (migration 0016: an applier about to wait enters
``operation_waiters``, and a busy one leaves it, so desks pushing into a backlog do not
queue on PostgreSQL's commit of notifying transactions). One LISTEN connection per worker
turns those notices into rings of a ``Doorbell`` the appliers wait on, so an operation is
picked up within milliseconds of its push; the appliers' idle wait stays as the safety
net while the listener reconnects.
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


class Doorbell:
    """Wakes one waiting applier per ring (``ring_all`` every one).

    A notice usually announces one operation: waking every applier made all but one of them
    look at the queue for nothing, on the CPU the one applying it needed. An applier that
    finds more work than one batch rings again, so a busy queue still gets every applier.
    Rings that find nobody waiting are kept, up to ``keep``, for the next to wait.
    """

    def __init__(self, keep: int = 1) -> None:
        self._cond = threading.Condition()
        self._rings = 0
        self._keep = keep
        self._all = False
        self.waiting = 0  # appliers waiting now


    def ring(self) -> None:
        with self._cond:
            self._rings = min(self._rings + 1, self._keep)
            self._cond.notify()

    def ring_all(self) -> None:
        """Every waiter, now and from now on (stopping)."""
        with self._cond:
            self._all = True
            self._cond.notify_all()

    def wait(self, timeout: float) -> bool:
        """Until rung or ``timeout``; whether it was rung."""
        with self._cond:
            if not (self._rings or self._all):
                self.waiting += 1
                try:
                    self._cond.wait(timeout)
                finally:
                    self.waiting -= 1
            if self._all:
                return True
            if self._rings:
                self._rings -= 1
                return True
            return False


class QueueWake:
    """``bell`` rings whenever a new operation was queued centrally."""

    def __init__(self, engine: Engine, table: str = "operations") -> None:
        # libpq's form of the engine's URL, password included (from the keyring at start-up).
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._table = table
        self.bell = Doorbell()
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
            self.bell.ring_all()  # stopping: the appliers waiting on us see ``stop`` at once

    def _listen(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as conn:
                    conn.execute(f"LISTEN {OPERATIONS_CHANNEL}")
                    self.listening.set()
                    self.bell.ring()  # whatever came while nobody listened
                    while not stop.is_set():
                        for notice in conn.notifies(timeout=LISTEN_WAIT_S, stop_after=1):
                            if self._wanted(notice):
                                self.bell.ring()
            except psycopg.Error as exc:
                log.info("operation notices unavailable (%s); appliers poll meanwhile", exc)
            finally:
                self.listening.clear()
            stop.wait(RECONNECT_S)

    def _wanted(self, notice: Any) -> bool:
        return str(getattr(notice, "payload", "")) == self._table
