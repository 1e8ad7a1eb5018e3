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


def _alice(world: World) -> object:
    with world.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()


def _status(store: Store, op_id: object) -> str:
    with store.read() as session:
        return session.execute(
            select(OperationRow.status).where(OperationRow.id == op_id)
        ).scalar_one()


def test_a_pushed_operation_is_applied_without_waiting_for_the_idle_poll(world: World) -> None:
    interaction = world.interaction()
    alice = _alice(world)
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
    alice = _alice(world)
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


def _lock_waits(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).scalar_one()
        )


def test_an_applier_enters_the_waiters_only_once_pushes_in_flight_are_committed(
    world: World,
) -> None:
    # Migration 0016's promise: no push is both quiet and missed. A push reads the waiters
    # (none: it stays quiet) under a shared lock it holds to its commit; entering takes the
    # lock exclusively, so it returns only once that push is committed, and the applier's
    # look at the queue after entering finds the operation.
    interaction = world.interaction()
    alice = _alice(world)
    entered = threading.Event()

    def enter() -> None:
        with world.store.engine.connect() as conn:
            opqueue.enter_waiters(conn, uuid.uuid4(), 60)
        entered.set()

    row = {
        "id": uuid.uuid4(),
        "kind": "note",
        "actor_id": alice,
        "payload": {"interaction": str(interaction), "body": "in flight"},
        "created_at": utcnow(),
    }
    with world.store.engine.connect() as pushing:
        with pushing.begin():
            opqueue.insert_pending(pushing, [row])  # read no waiter: no notice
            thread = threading.Thread(target=enter, daemon=True)
            thread.start()
            _until(lambda: _lock_waits(world.store) == 1)
            assert not entered.is_set()
        thread.join(timeout=10)
    assert entered.is_set()
    assert [op.op_id for op in _pending(world.store)] == [row["id"]]


def _pending(store: Store) -> list[opqueue.QueuedOp]:
    with store.read() as session:
        return opqueue.claim_pending(session, 10)


def test_a_busy_applier_leaves_the_waiters_and_enters_again_before_it_waits(
    world: World,
) -> None:
    # A full batch means more is queued: pushes need not ring while it works through them.
    interaction = world.interaction()
    alice = _alice(world)
    bell = Doorbell()
    applier = push.Applier(world.store, wake=bell, batch=5, idle_wait_s=IDLE_S)
    stop = threading.Event()
    thread = threading.Thread(target=applier.run, args=(stop,), daemon=True)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if "operation_waiters" in sql and sql.split()[0] in ("INSERT", "DELETE"):
            statements.append(sql.split()[0])

    event.listen(world.store.engine, "before_cursor_execute", record)
    thread.start()
    try:
        _until(lambda: bell.waiting == 1)
        assert statements == ["INSERT"] and _listed(world.store, applier) == 1
        ops = [_queue_note(world.store, alice, interaction, n) for n in range(12)]
        bell.ring()
        _until(lambda: all(_status(world.store, op) == "applied" for op in ops))
        _until(lambda: bell.waiting == 1)
        # Two full batches (left once), then a short one: listed again before waiting.
        assert statements == ["INSERT", "DELETE", "INSERT"]
        assert _listed(world.store, applier) == 1
    finally:
        stop.set()
        bell.ring_all()
        thread.join(timeout=10)
        event.remove(world.store.engine, "before_cursor_execute", record)
    assert _listed(world.store, applier) == 0, "a stopped applier leaves the list"


def _listed(store: Store, applier: push.Applier) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM operation_waiters "
                "WHERE id = %(id)s AND until > clock_timestamp()",
                {"id": applier._waiter},
            ).scalar_one()
        )


def test_a_push_held_open_does_not_stop_an_applier_from_waiting(world: World) -> None:
    # A psql session that inserted an operation and left its transaction open holds the
    # pushes' lock: entering gives up after its lock timeout, listing nothing, and the
    # applier falls back to its idle poll rather than hanging there.
    alice = _alice(world)
    waiter = uuid.uuid4()
    row = {"id": uuid.uuid4(), "kind": "note", "actor_id": alice, "payload": {}}
    with world.store.engine.connect() as pushing, pushing.begin():
        opqueue.insert_pending(pushing, [{**row, "created_at": utcnow()}])
        with world.store.engine.connect() as conn:
            assert not opqueue.enter_waiters(conn, waiter, 60, lock_timeout_ms=50)
    with world.store.engine.connect() as conn:
        listed = conn.exec_driver_sql("SELECT count(*) FROM operation_waiters").scalar_one()
    assert listed == 0
    with world.store.engine.connect() as conn:  # the push committed: entering works again
        assert opqueue.enter_waiters(conn, waiter, 60, lock_timeout_ms=50)


def test_pushes_and_appliers_take_the_same_lock(world: World) -> None:
    with world.store.engine.connect() as conn:
        body = conn.exec_driver_sql(
            "SELECT pg_get_functiondef('relaydesk_operations_awaited'::regproc)"
        ).scalar_one()
    assert f"pg_advisory_xact_lock_shared({opqueue.WAITERS_LOCK})" in body


def test_an_applier_kept_off_the_list_polls_and_says_so_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    interaction = world.interaction()
    alice = _alice(world)
    bell = Doorbell()
    applier = push.Applier(world.store, wake=bell, idle_wait_s=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=applier.run, args=(stop,), daemon=True)
    attempts: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if "pg_advisory_xact_lock(" in sql:
            attempts.append(sql)

    event.listen(world.store.engine, "before_cursor_execute", record)
    held = {"id": uuid.uuid4(), "kind": "note", "actor_id": alice, "created_at": utcnow()}
    held["payload"] = {"interaction": str(interaction), "body": "held open"}
    try:
        with world.store.engine.connect() as pushing, pushing.begin():
            opqueue.insert_pending(pushing, [held])
            thread.start()
            # Quiet (nobody listed) and never rung: only the applier's poll finds it.
            later = _queue_note(world.store, alice, interaction, 1)
            # A third attempt: the second has failed too (each is recorded as it starts).
            _until(lambda: _status(world.store, later) == "applied" and len(attempts) >= 3)
        _until(lambda: _status(world.store, held["id"]) == "applied")
    finally:
        stop.set()
        bell.ring_all()
        thread.join(timeout=10)
        event.remove(world.store.engine, "before_cursor_execute", record)
    warned = [r for r in caplog.records if "held open" in r.getMessage()]
    assert len(warned) == 1, warned
