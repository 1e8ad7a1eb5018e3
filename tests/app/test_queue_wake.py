"""The worker's appliers wake on the central database's notice, not on their idle poll."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, select

from app.services import push
from app.services.queue_wake import Doorbell
from storage import opqueue
from storage.engine import Store
from storage.models import Agent, utcnow
from storage.models import Operation as OperationRow
from tests.app.workflow import World, make_world

pytestmark = pytest.mark.pg

IDLE_S = 60.0  # far longer than the test may wait: only the notice can wake the applier


@pytest.fixture
def world(pg_store_url: str) -> Iterator[World]:
    store = Store(pg_store_url)
    yield make_world(store)
    store.dispose()


def _status(store: Store, op_id: object) -> str:
    with store.read() as session:
        return session.execute(
            select(OperationRow.status).where(OperationRow.id == op_id)
        ).scalar_one()


def test_a_pushed_operation_is_applied_without_waiting_for_the_idle_poll(world: World) -> None:
    interaction = world.interaction()
    with world.store.read() as session:
        alice = session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()
    stop = threading.Event()
    threads = push.start_appliers(world.store, stop, threads=1, idle_wait_s=IDLE_S)
    try:
        for n in range(3):
            op_id = _queue_note(world.store, alice, interaction, n)
            deadline = time.monotonic() + 10
            while _status(world.store, op_id) == "pending":
                assert time.monotonic() < deadline, "not woken by the notice"
                stop.wait(0.02)
            assert _status(world.store, op_id) == "applied"
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "stopping wakes the waiting appliers"


def _queue_note(store: Store, actor: object, interaction: object, n: int) -> object:
    op_id = uuid.uuid4()
    with store.connect() as conn:
        opqueue.insert_pending(
            conn,
            [
                {
                    "id": op_id,
                    "kind": "note",
                    "actor_id": actor,
                    "payload": {"interaction": str(interaction), "body": f"note {n}"},
                    "created_at": utcnow(),
                }
            ],
        )
    return op_id


def test_a_ring_wakes_one_waiting_applier_and_a_stop_wakes_all() -> None:
    bell = Doorbell()
    woken: list[bool] = []
    waiters = [threading.Thread(target=lambda: woken.append(bell.wait(30))) for _ in range(2)]
    for thread in waiters:
        thread.start()
    _until(lambda: bell.waiting == 2)
    bell.ring()
    _until(lambda: len(woken) == 1)
    assert woken == [True] and bell.waiting == 1  # the other still waits
    bell.ring_all()
    for thread in waiters:
        thread.join(timeout=10)
    assert woken == [True, True]
    assert bell.wait(30)  # after a stop nobody waits again


def test_a_ring_nobody_heard_is_kept_once() -> None:
    bell = Doorbell()
    bell.ring()
    bell.ring()
    assert bell.wait(0)
    assert not bell.wait(0)


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_an_applier_that_emptied_the_queue_waits_without_looking_again(world: World) -> None:
    # The batch ended at an empty queue: looking again at once found nothing, on the cores
    # the desks then need. An operation pushed meanwhile rings the bell, so none waits.
    interaction = world.interaction()
    with world.store.read() as session:
        alice = session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()
    bell = Doorbell()
    applier = push.Applier(world.store, wake=bell, idle_wait_s=IDLE_S)
    stop = threading.Event()
    thread = threading.Thread(target=applier.run, args=(stop,), daemon=True)
    thread.start()
    statements: list[str] = []
    engines = (world.store._unpinged(), world.store._walking())  # the general path, the fused

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    try:
        _until(lambda: bell.waiting == 1)  # its first look found the queue empty
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        op_id = _queue_note(world.store, alice, interaction, 0)
        bell.ring()
        _until(lambda: _status(world.store, op_id) == "applied" and bell.waiting == 1)
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
        picks = [s for s in statements if "FOR UPDATE" in s and "operations" in s]
        # The applied one's pick (the fused claim statement, then the general rules' own),
        # and the fused statement that found the queue empty: no third look.
        assert len(picks) == 3, picks
        # The next push rings it back to the queue.
        second = _queue_note(world.store, alice, interaction, 1)
        bell.ring()
        _until(lambda: _status(world.store, second) == "applied")
    finally:
        stop.set()
        bell.ring_all()
        thread.join(timeout=10)
