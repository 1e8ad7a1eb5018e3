"""Change notices sent after quiet commits, gathered, from a thread of the process.

Every commit that writes a synced row on PostgreSQL announces itself to the desks at its end
(migration 0017: commits that end together share one notice, decided with two advisory
locks). With 50 agents claiming at once, that decision held each commit up: the commits of
a round wait while its announcer waits for them, and new ones queue behind the announcer
(bench.claims --notices: 10-14% more claims a second without it, in the same run). The
hot path's connections (``Store.statements``) are quiet instead (``relaydesk.announce`` is
``quiet`` for their sessions, so the deferred trigger returns at once), and their callers
name what they changed here after the commit has returned. This thread sends one notice per
table for everything named since its last round, then rests ``SPACING_S`` so the next
round gathers the commits of that time: at most one notifying transaction per round, not
one per commit.

A notice is sent after the commits it covers have ended, as the desks need (a desk that
hears one pulls what has committed below its snapshot). One lost (a connection that broke,
a process that died before its round) makes the desks late, never wrong: they pull on their
interval anyway.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("sync")

# How long a round rests after sending: the most a notice waits, and so at most this many
# notifying transactions a second from one process.
SPACING_S = 0.01
# After a failure to send, the notices are kept and tried again this much later, twice as
# late after each further failure, up to RETRY_MAX_S (a server down for an hour is not
# logged every second).
RETRY_S = 1.0
RETRY_MAX_S = 30.0
QUIET_OPTION = "-c relaydesk.announce=quiet"

Connect = Callable[[], Any]
"""Opens a psycopg connection of the process's own (the sender's for its life)."""


class Announcer:
    """Sends change notices on ``channel`` for what callers name, gathered per round."""

    def __init__(self, connect: Connect, channel: str) -> None:
        self._connect = connect
        self._channel = channel
        self._lock = threading.Lock()
        self._pending: dict[str, None] = {}  # ordered: the first named is heard first
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent_rounds = 0

    def announce(self, tables: Iterable[str]) -> None:
        """Notices for ``tables`` soon, from the sender's thread; the commit must be over."""
        with self._lock:
            if self._stop.is_set():
                raise RuntimeError("the announcer is closed")
            self._pending.update(dict.fromkeys(tables))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="change-notices", daemon=True
                )
                self._thread.start()
                atexit.register(self.close)
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Send what is pending, then stop (waits up to ``timeout`` seconds)."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
            atexit.unregister(self.close)

    def _take(self) -> list[str]:
        with self._lock:
            self._wake.clear()
            tables, self._pending = list(self._pending), {}
        return tables

    def _keep(self, tables: list[str]) -> None:
        with self._lock:
            self._pending = {**dict.fromkeys(tables), **self._pending}

    def _run(self) -> None:
        conn: Any = None
        retry = RETRY_S
        try:
            while True:
                self._wake.wait()
                tables = self._take()
                if not tables:
                    if self._stop.is_set():
                        return
                    continue
                try:
                    if conn is None:
                        conn = self._connect()
                    conn.execute(
                        "SELECT pg_notify(%s, t) FROM unnest(%s::text[]) AS t",
                        (self._channel, tables),
                    )
                    self.sent_rounds += 1
                    retry = RETRY_S
                except Exception as exc:  # any failure of the link: keep them, try later
                    log.info("change notices not sent (%r); trying again in %.0f s", exc, retry)
                    _close(conn)
                    conn = None
                    self._keep(tables)
                    if self._stop.wait(retry):
                        return  # closing: the desks' own pulls will catch up
                    retry = min(retry * 2, RETRY_MAX_S)
                    self._wake.set()
                    continue
                # Rest, so the commits of the next moment share one round.
                self._stop.wait(SPACING_S)
                if self._stop.is_set():
                    self._wake.set()  # a last round for what came meanwhile, then stop
        finally:
            _close(conn)


def _close(conn: Any) -> None:
    if conn is not None:
        try:
            conn.close()
        except Exception:  # already broken: nothing to release
            log.debug("closing the notices' connection failed", exc_info=True)
