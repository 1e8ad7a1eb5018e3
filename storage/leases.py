"""Named leases with fencing numbers, so one worker at a time holds a mailbox or the op queue.

A lease row says who holds ``name`` until when, and a ``fence`` that grows by one whenever
the holder changes. Times are the database's clock (``clock_timestamp()``), never a worker's,
so clock skew between hosts cannot make two holders. A holder renews every few seconds;
when it dies, the lease expires and another worker takes it with the next fence.

Every write made under a lease goes through ``check`` in the same transaction: it share-locks
the lease row and verifies holder, fence and expiry. A takeover has to update that row, so it
waits for in-flight fenced writes to finish, and after it a stale holder's check fails: a
holder that stalled (GC pause, SIGSTOP, a slow disk) cannot write after losing the lease.
Leases live in the central PostgreSQL database; the standalone desk needs none.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage.engine import StoreError

log = logging.getLogger("sync")

DEFAULT_TTL_S = 15.0
"""A dead holder's lease is taken over at most ttl + one poll later (20 s by default)."""


class LeaseLost(Exception):
    """The lease is no longer ours (expired or taken over): the write must not happen."""


@dataclass(frozen=True)
class LeaseHold:
    """Proof of holding ``name`` with ``fence``, as long as the database agrees."""

    name: str
    holder: str
    fence: int
    ttl_s: float


def holder_id(role: str = "worker") -> str:
    """A name unique to this process instance (a restarted worker is a new holder)."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _require_postgresql(bind: Engine | Connection) -> None:
    if bind.dialect.name != "postgresql":
        raise StoreError(
            "Leases coordinate workers sharing the central PostgreSQL database; "
            f"this is a {bind.dialect.name} database."
        )


def try_acquire(engine: Engine, name: str, holder: str, ttl_s: float = DEFAULT_TTL_S) -> int | None:
    """Take ``name`` if it is free or expired: the new fence, or None if someone holds it."""
    _require_postgresql(engine)
    with engine.begin() as conn:
        fence = conn.execute(
            text(
                "INSERT INTO leases (name, holder, fence, acquired_at, expires_at) "
                "VALUES (:name, :holder, 1, clock_timestamp(), "
                "        clock_timestamp() + :ttl * interval '1 second') "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "    fence = leases.fence + 1, acquired_at = excluded.acquired_at, "
                "    expires_at = excluded.expires_at "
                "WHERE leases.expires_at <= clock_timestamp() "
                "RETURNING fence"
            ),
            {"name": name, "holder": holder, "ttl": ttl_s},
        ).scalar()
    if fence is not None:
        log.info("lease %s taken by %s with fence %d", name, holder, fence)
    return fence


def renew(engine: Engine, hold: LeaseHold) -> bool:
    """Push the expiry on; False if the lease expired or changed hands meanwhile."""
    with engine.begin() as conn:
        row = conn.execute(
            text(
                "UPDATE leases SET expires_at = clock_timestamp() + :ttl * interval '1 second' "
                "WHERE name = :name AND holder = :holder AND fence = :fence "
                "AND expires_at > clock_timestamp() RETURNING fence"
            ),
            {"name": hold.name, "holder": hold.holder, "fence": hold.fence, "ttl": hold.ttl_s},
        ).first()
    return row is not None


def release(engine: Engine, hold: LeaseHold) -> None:
    """Give the lease up now, so the next worker need not wait for it to expire."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE leases SET expires_at = clock_timestamp() "
                "WHERE name = :name AND holder = :holder AND fence = :fence"
            ),
            {"name": hold.name, "holder": hold.holder, "fence": hold.fence},
        )


def check(bind: Session | Connection, hold: LeaseHold) -> None:
    """Inside a write transaction: raise LeaseLost unless ``hold`` is still the lease.

    The share lock on the lease row lasts until the transaction ends, so no takeover can
    slip in between this check and the commit. A holder that stalls inside the transaction
    is cut off by the server after the lease's ttl, releasing the lock for the next holder.
    """
    conn = bind.connection() if isinstance(bind, Session) else bind
    _require_postgresql(conn)
    # One round trip: the idle-in-transaction cut-off (this transaction only) and the check.
    row = conn.execute(
        text(
            "SELECT holder, fence, expires_at > clock_timestamp() AS live, "
            "set_config('idle_in_transaction_session_timeout', :cutoff, true) "
            "FROM leases WHERE name = :name FOR SHARE"
        ),
        {"name": hold.name, "cutoff": str(max(1, int(hold.ttl_s * 1000)))},
    ).first()
    if row is None or row.holder != hold.holder or row.fence != hold.fence:
        now = f"fence {row.fence}" if row is not None else "nobody"
        raise LeaseLost(f"Lease {hold.name} (fence {hold.fence}) was taken over: now {now}.")
    if not row.live:
        raise LeaseLost(f"Lease {hold.name} (fence {hold.fence}) expired before this write.")


class LeaseKeeper:
    """Acquires ``name`` when free and keeps renewing it, from a background thread.

    ``held`` is set while this process holds the lease and ``hold`` says with which fence;
    ``on_change`` hears every gain (the hold) and loss (None).
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        holder: str | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        poll_s: float | None = None,
        on_change: Callable[[LeaseHold | None], None] | None = None,
    ) -> None:
        _require_postgresql(engine)
        self.engine = engine
        self.name = name
        self.holder = holder or holder_id()
        self.ttl_s = ttl_s
        # Renew well before expiry: two missed renewals still keep the lease.
        self.poll_s = poll_s if poll_s is not None else ttl_s / 3
        self.held = threading.Event()
        self._hold: LeaseHold | None = None
        self._on_change = on_change
        self._lock = threading.Lock()

    @property
    def hold(self) -> LeaseHold | None:
        with self._lock:
            return self._hold

    def _set(self, hold: LeaseHold | None) -> None:
        with self._lock:
            self._hold = hold
        if hold is None:
            self.held.clear()
        else:
            self.held.set()
        if self._on_change is not None:
            self._on_change(hold)

    def step(self) -> LeaseHold | None:
        """One acquire-or-renew round; the hold afterwards."""
        hold = self.hold
        try:
            if hold is None:
                fence = try_acquire(self.engine, self.name, self.holder, self.ttl_s)
                if fence is not None:
                    self._set(LeaseHold(self.name, self.holder, fence, self.ttl_s))
            elif not renew(self.engine, hold):
                log.warning("lease %s (fence %d) lost by %s", self.name, hold.fence, self.holder)
                self._set(None)
        except DBAPIError as exc:
            # Database unreachable: keep the hold; writes check it there anyway.
            log.warning("lease %s: cannot reach the database (%s)", self.name, exc.orig)
        return self.hold

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.step()
            stop.wait(self.poll_s)
        hold = self.hold
        if hold is not None:
            try:
                release(self.engine, hold)
            except DBAPIError as exc:
                log.warning("lease %s: not released (%s)", self.name, exc.orig)
            self._set(None)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(
            target=self.run, args=(stop,), daemon=True, name=f"lease-{self.name}"
        )
        thread.start()
        return thread
