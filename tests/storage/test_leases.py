"""Leases with fencing on a real PostgreSQL: one holder at a time, stale holders cannot write."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import leases
from storage.engine import Store, StoreError, sqlite_url
from storage.leases import LeaseHold, LeaseKeeper, LeaseLost
from storage.migrate import ensure_current

pytestmark = pytest.mark.pg


@pytest.fixture
def central(pg_url: str) -> Iterator[Store]:
    """A fresh migrated database with a probe table that fenced writes go to."""
    store = Store(pg_url)
    ensure_current(store.engine)
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE lease_probe (n bigserial PRIMARY KEY, holder text NOT NULL, "
                "fence bigint NOT NULL)"
            )
        )
    yield store
    store.dispose()


def fenced_write(store: Store, hold: LeaseHold) -> None:
    with store.engine.begin() as conn:
        leases.check(conn, hold)
        conn.execute(
            text("INSERT INTO lease_probe (holder, fence) VALUES (:h, :f)"),
            {"h": hold.holder, "f": hold.fence},
        )


def expire(store: Store, name: str) -> None:
    """Let the lease's time run out (instead of waiting for it)."""
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE leases SET expires_at = clock_timestamp() - interval '1 second' "
                "WHERE name = :n"
            ),
            {"n": name},
        )


def probe_rows(store: Store) -> list[tuple[str, int]]:
    with store.engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(text("SELECT holder, fence FROM lease_probe ORDER BY n"))
        ]


def test_one_holder_at_a_time_and_the_fence_grows_on_takeover(central: Store) -> None:
    first = leases.try_acquire(central.engine, "mailbox:support", "a", ttl_s=30)
    assert first == 1
    assert leases.try_acquire(central.engine, "mailbox:support", "b", ttl_s=30) is None
    hold_a = LeaseHold("mailbox:support", "a", 1, 30)
    assert leases.renew(central.engine, hold_a)
    # Another name is another lease.
    assert leases.try_acquire(central.engine, "operations", "b", ttl_s=30) == 1

    expire(central, "mailbox:support")
    assert leases.try_acquire(central.engine, "mailbox:support", "b", ttl_s=30) == 2
    assert not leases.renew(central.engine, hold_a), "an old holder cannot renew"

    leases.release(central.engine, LeaseHold("mailbox:support", "b", 2, 30))
    assert leases.try_acquire(central.engine, "mailbox:support", "a", ttl_s=30) == 3


def test_a_stalled_holder_cannot_write_after_losing_the_lease(central: Store) -> None:
    fence = leases.try_acquire(central.engine, "operations", "stalled", ttl_s=30)
    assert fence is not None
    stale = LeaseHold("operations", "stalled", fence, 30)
    fenced_write(central, stale)

    expire(central, "operations")  # the holder stalled past its expiry...
    with pytest.raises(LeaseLost, match="expired"):
        fenced_write(central, stale)
    taken = leases.try_acquire(central.engine, "operations", "next", ttl_s=30)
    assert taken == fence + 1
    with pytest.raises(LeaseLost, match="taken over"):  # ...and wakes up after a takeover
        fenced_write(central, stale)
    fenced_write(central, LeaseHold("operations", "next", taken, 30))
    assert probe_rows(central) == [("stalled", fence), ("next", taken)]


def waiting_on_locks(conn: Any) -> int:
    conn.rollback()
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    )


def test_a_takeover_waits_for_a_fenced_write_in_flight(central: Store) -> None:
    fence = leases.try_acquire(central.engine, "operations", "a", ttl_s=1)
    assert fence is not None
    hold = LeaseHold("operations", "a", fence, 30)
    stop = threading.Event()
    taker = LeaseKeeper(central.engine, "operations", holder="b", ttl_s=30, poll_s=0.05)
    try:
        with central.engine.begin() as conn, central.engine.connect() as watcher:
            leases.check(conn, hold)
            thread = taker.start(stop)
            while not waiting_on_locks(watcher):  # the taker queues behind our share lock
                pass
            while watcher.execute(
                text("SELECT expires_at > clock_timestamp() FROM leases")
            ).scalar():
                watcher.rollback()  # let the lease run out while the write is in flight
            assert not taker.held.is_set()
            conn.execute(
                text("INSERT INTO lease_probe (holder, fence) VALUES ('a', :f)"), {"f": fence}
            )
        assert taker.held.wait(timeout=30)
        assert taker.hold is not None and taker.hold.fence == fence + 1
    finally:
        stop.set()
    thread.join(timeout=30)
    assert probe_rows(central) == [("a", fence)]


def test_a_holder_stuck_inside_a_transaction_is_cut_off(central: Store) -> None:
    # Acquired for 3 s, so a slow machine still checks it in time; the check cuts the
    # holder's idle transaction off after 1 s (the hold's ttl). The rescuer starts only once
    # the stuck holder has the lease row share-locked: before, a rescuer that found the lease
    # expired first took it over, and the stuck holder's check failed instead (seen in CI).
    fence = leases.try_acquire(central.engine, "operations", "stuck", ttl_s=3)
    assert fence is not None
    hold = LeaseHold("operations", "stuck", fence, 1)
    stop = threading.Event()
    keeper = LeaseKeeper(central.engine, "operations", holder="rescuer", ttl_s=1, poll_s=0.1)
    conn = central.engine.connect()
    trans = conn.begin()
    leases.check(conn, hold)
    thread = keeper.start(stop)
    try:
        # Stuck: the server ends the idle transaction after the ttl, freeing the lease row.
        assert keeper.held.wait(timeout=30), "the lease was not taken over"
        assert keeper.hold is not None and keeper.hold.fence == fence + 1
        with pytest.raises(DBAPIError):
            conn.execute(text("INSERT INTO lease_probe (holder, fence) VALUES ('stuck', 1)"))
            trans.commit()
        conn.invalidate()
        conn.close()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert probe_rows(central) == []


def test_leases_are_for_the_central_database(tmp_path: Any) -> None:
    store = Store(sqlite_url(tmp_path / "local.sqlite3"))
    with pytest.raises(StoreError, match="central PostgreSQL"):
        leases.try_acquire(store.engine, "operations", "me")
    store.dispose()


# --- two worker processes ---------------------------------------------------------------------


WORKER_TICK_S = 0.05


def lease_worker(url: str, name: str, ttl: float, events: Any) -> None:
    """A worker process: keeps the lease when it can and writes under it, until killed."""
    store = Store(url)
    stop = threading.Event()
    keeper = LeaseKeeper(
        store.engine,
        "mailbox:support",
        holder=name,
        ttl_s=ttl,
        poll_s=ttl / 5,
        on_change=lambda hold: events.put((name, hold.fence if hold else None)),
    )
    keeper.step()
    events.put((name, "started"))
    keeper.start(stop)
    while True:
        keeper.held.wait()
        hold = keeper.hold
        if hold is None:
            continue
        try:
            fenced_write(store, hold)
        except LeaseLost:
            events.put((name, "lost"))
        stop.wait(WORKER_TICK_S)  # the worker's duty cadence


def next_event(events: Any, who: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            name, what = events.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no event from {who} within {timeout} s")
        if name == who and what not in ("lost",):
            return what


@pytest.mark.slow
def test_another_worker_takes_over_within_30_s_when_the_holder_is_killed(central: Store) -> None:
    mp = multiprocessing.get_context("spawn")
    events = mp.Queue()
    ttl = 3.0
    first = mp.Process(target=lease_worker, args=(central.url, "first", ttl, events))
    first.start()
    second = None
    try:
        assert next_event(events, "first") == 1, "the first worker takes the free lease"
        assert next_event(events, "first") == "started"
        second = mp.Process(target=lease_worker, args=(central.url, "second", ttl, events))
        second.start()
        assert next_event(events, "second") == "started"
        with central.engine.connect() as conn:
            # Wait for a write by the holder, so the kill lands on a working worker.
            while not conn.execute(text("SELECT count(*) FROM lease_probe")).scalar():
                conn.rollback()
        os.kill(first.pid or 0, signal.SIGKILL)
        killed_at = time.monotonic()
        assert next_event(events, "second", timeout=40) == 2
        failover = time.monotonic() - killed_at
        print(f"lease failover after kill -9: {failover:.2f} s (ttl {ttl} s)")
        assert failover < 30, f"takeover took {failover:.1f} s"
        with central.engine.connect() as conn:
            while not conn.execute(
                text("SELECT count(*) FROM lease_probe WHERE holder = 'second'")
            ).scalar():
                conn.rollback()
        rows = probe_rows(central)
        switch = rows.index(("second", 2))
        assert set(rows[:switch]) == {("first", 1)}
        assert set(rows[switch:]) == {("second", 2)}, "a write of the old holder after takeover"
    finally:
        for proc in (first, second):
            if proc is not None and proc.is_alive():
                proc.kill()
            if proc is not None:
                proc.join(timeout=30)
