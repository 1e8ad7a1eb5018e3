"""Two worker processes share the operation queue's lease; one is killed, the other goes on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app.context import AppContext, open_local
from app.services import push
from app.services.operations import Operation
from storage.engine import Store
from storage.models import Note
from storage.models import Operation as OperationRow
from tests.app.workflow import World, make_world

pytestmark = [pytest.mark.pg, pytest.mark.slow]

TTL_S = 2.0


def queue_worker(url: str, events: Any) -> None:
    """A worker process applying the central queue under its lease, until killed."""
    central = Store(url)
    stop = threading.Event()
    push.start_appliers(central, stop, lease_name=push.QUEUE_LEASE, lease_ttl_s=TTL_S)
    events.put(os.getpid())
    stop.wait()


@pytest.fixture
def central(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


@pytest.fixture
def desk(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


def lease_holder(central: Store) -> tuple[str, int] | None:
    with central.read() as session:
        row = session.execute(
            text(
                "SELECT holder, fence FROM leases WHERE name = :n "
                "AND expires_at > clock_timestamp()"
            ),
            {"n": push.QUEUE_LEASE},
        ).first()
    return (row.holder, row.fence) if row else None


def applied(central: Store) -> int:
    with central.read() as session:
        return session.execute(
            select(func.count()).select_from(OperationRow).where(OperationRow.status == "applied")
        ).scalar_one()


def submit_notes(world: World, desk: AppContext, central: Store, start: int, count: int) -> None:
    interaction = world.interaction(age_min=start)
    for i in range(start, start + count):
        body = {"interaction": interaction, "body": f"n{i}"}
        push.submit(desk.store, Operation("note", "sam", body))
    push.push(desk.store, central)


def test_the_queue_moves_on_within_30_s_when_its_worker_is_killed(
    central: Store, desk: AppContext
) -> None:
    world = make_world(central)
    mp = multiprocessing.get_context("spawn")
    events = mp.Queue()
    workers = [mp.Process(target=queue_worker, args=(central.url, events)) for _ in range(2)]
    for proc in workers:
        proc.start()
    try:
        pids = {events.get(timeout=60), events.get(timeout=60)}
        assert pids == {p.pid for p in workers}
        submit_notes(world, desk, central, 0, 20)
        while applied(central) < 20:
            pass
        holder = lease_holder(central)
        assert holder is not None and holder[1] == 1
        first = next(p for p in workers if f":{p.pid}:" in holder[0])
        os.kill(first.pid or 0, signal.SIGKILL)
        killed_at = time.monotonic()
        submit_notes(world, desk, central, 20, 20)
        while applied(central) < 40:
            pass
        failover = time.monotonic() - killed_at
        print(f"queue failover after kill -9: {failover:.2f} s (lease ttl {TTL_S} s)")
        assert failover < 30, f"the queue stood still for {failover:.1f} s"
        holder = lease_holder(central)
        assert holder is not None and holder[1] == 2 and f":{first.pid}:" not in holder[0]
    finally:
        for proc in workers:
            if proc.is_alive():
                proc.kill()
            proc.join(timeout=30)
    with central.read() as session:
        bodies = session.execute(select(Note.body)).scalars().all()
    assert sorted(bodies) == sorted(f"n{i}" for i in range(40)), "lost or applied twice"
    push.settle(desk.store, central)
    assert push.pending_count(desk.store) == 0
