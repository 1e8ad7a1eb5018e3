"""The desk's outbox in driver SQL: the states an operation goes through, read back through
the ORM exactly as written, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from storage import opqueue
from storage.engine import Store, sqlite_url
from storage.migrate import ensure_current
from storage.models import Agent, Operation, OpOutboxEntry


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(sqlite_url(tmp_path / "desk.sqlite3"))
    ensure_current(store.engine)
    yield store
    store.dispose()


def op(actor: str = "alice", **payload: object) -> opqueue.QueuedOp:
    return opqueue.QueuedOp(uuid.uuid4(), "note", actor, {"body": "hi", **payload})


def test_an_operation_kept_reads_back_through_the_orm_with_its_types(store: Store) -> None:
    box = opqueue.DeskOutbox(store.engine)
    kept = op(attachments=[{"blob": "ab" * 32, "name": "a.pdf"}])
    assert box.enqueue(kept)
    assert not box.enqueue(kept), "a repeated submit keeps nothing more"
    with store.read() as session:
        row = opqueue.entry(session, kept.op_id)
        assert row is not None
        assert (row.id, row.kind, row.actor, row.state) == (kept.op_id, "note", "alice", "queued")
        assert row.payload == kept.payload and row.attempts == 0
        assert row.created_at.tzinfo is not None
        assert abs(row.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    (queued,) = box.queued(10)
    assert queued.op_id == kept.op_id and queued.payload == kept.payload
    assert queued.created_at == row.created_at


def test_queued_in_the_order_made_even_when_the_clock_steps_back(store: Store) -> None:
    box = opqueue.DeskOutbox(store.engine)
    made = [op(), op(), op("bob")]
    for queued in made:
        box.enqueue(queued)
    with store.connect() as conn:  # NTP stepped the clock back between two submits
        conn.execute(
            OpOutboxEntry.__table__.update()
            .where(OpOutboxEntry.id == made[1].op_id)
            .values(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        )
    assert [q.op_id for q in box.queued(10)] == [q.op_id for q in made]
    assert [q.op_id for q in box.queued(1)] == [made[0].op_id]
    assert [q.op_id for q in box.queued(10, {"bob"})] == [made[2].op_id]
    assert box.queued(10, set()) == []
    assert box.unsettled_by_actor() == {"alice": 2, "bob": 1}


def test_pushed_refused_failed_requeued_and_settled_once(store: Store) -> None:
    box = opqueue.DeskOutbox(store.engine)
    first, second, unknown = op(), op(), op("nobody")
    for queued in (first, second, unknown):
        box.enqueue(queued)
    box.note_failed_push([first.op_id], "The central database is unreachable")
    box.mark_pushed(
        [first.op_id, second.op_id],
        [opqueue.Outcome(unknown.op_id, "rejected", "There is no agent named nobody.", {})],
    )
    with store.read() as session:
        rows = {r.id: r for r in session.query(OpOutboxEntry)}
    assert rows[first.op_id].state == "pushed" and rows[first.op_id].attempts == 1
    assert rows[first.op_id].last_error == "" and rows[first.op_id].pushed_at is not None
    assert rows[unknown.op_id].state == "settled" and rows[unknown.op_id].status == "rejected"
    assert box.awaiting(10) == [first.op_id, second.op_id]
    assert box.awaiting(10, {"bob"}) == []
    assert box.queued(10) == []

    box.requeue([second.op_id])  # lost centrally: it goes again
    assert [q.op_id for q in box.queued(10)] == [second.op_id]
    assert box.awaiting(10) == [first.op_id]

    applied = opqueue.Outcome(first.op_id, "applied", "", {"note": "n1"})
    assert box.settle([applied]) == 1
    assert box.settle([opqueue.Outcome(first.op_id, "rejected", "late", {})]) == 0
    with store.read() as session:
        row = opqueue.entry(session, first.op_id)
        assert row is not None
        assert (row.state, row.status, row.result) == ("settled", "applied", {"note": "n1"})
        assert row.settled_at is not None
    assert box.unsettled_by_actor() == {"alice": 1}
    assert box.any_unsettled()


def test_settled_from_the_pulled_copy_of_the_central_operations(store: Store) -> None:
    box = opqueue.DeskOutbox(store.engine)
    done, waiting, others = op(), op(), op("bob")
    for queued in (done, waiting, others):
        box.enqueue(queued)
    box.mark_pushed([done.op_id, waiting.op_id, others.op_id])
    with store.write() as session:
        agent = Agent(name="alice")
        session.add(agent)
    with store.connect() as conn:  # what a pull brought: one applied, one still pending
        conn.execute(
            insert(Operation),
            [
                {
                    "id": done.op_id,
                    "kind": "note",
                    "actor_id": agent.id,
                    "payload": {},
                    "status": "applied",
                    "reason": "",
                    "result": {"note": "n1"},
                    "change_seq": 1,
                },
                {
                    "id": waiting.op_id,
                    "kind": "note",
                    "actor_id": agent.id,
                    "payload": {},
                    "status": "pending",
                    "reason": "",
                    "result": None,
                    "change_seq": 2,
                },
                {
                    "id": others.op_id,
                    "kind": "note",
                    "actor_id": agent.id,
                    "payload": {},
                    "status": "rejected",
                    "reason": "no",
                    "result": None,
                    "change_seq": 3,
                },
            ],
        )
    (settled,) = box.settle_from_pulled({"alice"})
    assert settled == opqueue.Outcome(done.op_id, "applied", "", {"note": "n1"})
    assert box.settle_from_pulled({"alice"}) == [], "settled once"
    assert box.awaiting(10) == [waiting.op_id, others.op_id]
    (theirs,) = box.settle_from_pulled(None)
    assert (theirs.op_id, theirs.status, theirs.reason) == (others.op_id, "rejected", "no")


def test_a_failed_write_keeps_nothing_and_leaves_the_connection_usable(store: Store) -> None:
    box = opqueue.DeskOutbox(store.engine)
    kept = op()
    box.enqueue(kept)
    bad = opqueue.QueuedOp(uuid.uuid4(), "note", "alice", {"body": object()})
    with pytest.raises(TypeError):
        box.enqueue(bad)
    assert [q.op_id for q in box.queued(10)] == [kept.op_id]
    assert box.enqueue(op())


def test_only_a_desks_sqlite_store_has_an_outbox(pg_store_url: str) -> None:
    central = Store(pg_store_url)
    try:
        with pytest.raises(ValueError, match="SQLite"):
            opqueue.DeskOutbox(central.engine)
    finally:
        central.dispose()
