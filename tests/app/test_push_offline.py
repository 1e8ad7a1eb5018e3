"""Team-mode faults from issue 6: a desk a day offline, and desks whose clocks disagree.

Nothing lost, nothing applied twice. Desk clocks are controlled (the outbox's ``utcnow``),
never slept through: a day passes in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.context import AppContext, open_local
from app.errors import ServerError
from app.services import push
from app.services.operations import Operation
from storage import opqueue
from storage.engine import Store
from storage.models import Agent, Event, Interaction, Note, OpOutboxEntry, utcnow
from storage.models import Operation as OperationRow
from tests.app.workflow import World, make_world

pytestmark = pytest.mark.pg

SKEW = dt.timedelta(hours=2)


class DeskClock:
    """The outbox's clock: the real time plus an offset the test sets (a skewed desk)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> DeskClock:
    desk_clock = DeskClock()
    monkeypatch.setattr(opqueue, "utcnow", desk_clock)
    return desk_clock


@pytest.fixture
def central(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


@pytest.fixture
def world(central: Store) -> World:
    return make_world(central)


@pytest.fixture
def open_desk(tmp_path: Path) -> Iterator[Callable[[str], AppContext]]:
    opened: list[AppContext] = []

    def opener(name: str) -> AppContext:
        path = tmp_path / name
        path.mkdir()
        ctx = open_local(path)
        opened.append(ctx)
        return ctx

    yield opener
    for ctx in opened:
        ctx.close()


def closed_port_url() -> str:
    """A PostgreSQL URL on a local port nobody listens on: the central database is away."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/relaydesk"


def drain(central: Store) -> None:
    while push.apply_batch(central):
        pass


def central_rows(central: Store, ids: list[uuid.UUID]) -> list[OperationRow]:
    """The central rows of ``ids`` in the order they were applied (their change_seq)."""
    with central.read() as session:
        return list(
            session.execute(
                select(OperationRow)
                .where(OperationRow.id.in_(ids))
                .order_by(OperationRow.change_seq)
            ).scalars()
        )


def holder(central: Store, interaction: uuid.UUID) -> str | None:
    with central.read() as session:
        row = session.get(Interaction, interaction)
        assert row is not None
        if row.claimed_by_id is None:
            return None
        agent = session.get(Agent, row.claimed_by_id)
        return agent.name if agent else None


# --- a day offline ----------------------------------------------------------------------------


def test_a_desk_a_day_offline_delivers_300_operations_once_each(
    world: World, central: Store, open_desk: Callable[[str], AppContext], clock: DeskClock
) -> None:
    desk = open_desk("desk")
    interactions = [world.interaction(age_min=m) for m in range(3)]
    offline = Store(closed_port_url())
    clock.offset = -dt.timedelta(hours=24)  # the day began 24 h ago; it ends now
    ops: list[Operation] = []
    failed_pushes = 0
    for i in range(300):
        interaction = interactions[(i // 3) % 3]  # a note, a tag, its untag on each
        if i % 3 == 0:  # every tenth note is empty: the central rules refuse it
            body = "" if i % 30 == 0 else f"n{i}"
            op = Operation("note", "alice", {"interaction": interaction, "body": body})
        elif i % 3 == 1:
            op = Operation("tag", "alice", {"interaction": interaction, "tag": f"t{i}"})
        else:
            op = Operation("untag", "alice", {"interaction": interaction, "tag": f"t{i - 1}"})
        push.submit(desk.store, op)
        ops.append(op)
        clock.offset += dt.timedelta(hours=24) / 300
        if i % 50 == 49:  # the desk's sync tick keeps trying all day
            with pytest.raises(ServerError, match=r"unreachable.*operations wait in the outbox"):
                push.push(desk.store, offline)
            failed_pushes += 1
    offline.dispose()
    ids = [op.op_id for op in ops]

    with desk.store.read() as session:
        outbox = session.execute(select(OpOutboxEntry)).scalars().all()
    assert len(outbox) == 300 and {r.state for r in outbox} == {"queued"}
    assert max(r.attempts for r in outbox) == failed_pushes == 6
    made = sorted(r.created_at for r in outbox)
    assert made[-1] - made[0] > dt.timedelta(hours=23), "made over a whole day"
    assert push.pending_count(desk.store) == 300
    assert central_rows(central, ids) == [], "nothing reached the central while offline"

    # The central database is back: one push sends everything, a second sends nothing more.
    assert push.push(desk.store, central) == push.PushReport(pushed=300, refused=0)
    assert push.push(desk.store, central) == push.PushReport(pushed=0, refused=0)
    assert len(central_rows(central, ids)) == 300
    drain(central)

    rows = central_rows(central, ids)
    assert [r.id for r in rows] == ids, "applied once each, in the order the desk made them"
    empty = {op.op_id for op in ops if op.kind == "note" and not op.payload["body"]}
    assert {r.id for r in rows if r.status == "rejected"} == empty
    assert Counter(r.status for r in rows) == {"applied": 290, "rejected": 10}
    assert {r.reason for r in rows if r.status == "rejected"} == {"A note cannot be empty."}
    with central.read() as session:
        bodies = Counter(session.execute(select(Note.body)).scalars())
        events = Counter(
            (e.kind, e.data.get("op")) for e in session.execute(select(Event)).scalars()
        )
    assert bodies == {f"n{i}": 1 for i in range(0, 300, 3) if i % 30}
    by_op = Counter(op for _kind, op in events.elements() if op is not None)
    kinds = {str(op.op_id): op.kind for op in ops}
    missing = Counter(kinds[str(i)] for i in ids if i not in empty and str(i) not in by_op)
    assert not missing, f"every applied one audited: {missing}"
    assert set(by_op) == {str(i) for i in ids if i not in empty}
    assert set(by_op.values()) == {1}, "and only once"

    settled = push.settle(desk.store, central)
    assert sorted(r.op_id for r in settled) == sorted(ids)
    assert push.pending_count(desk.store) == 0
    assert push.settle(desk.store, central) == []
    with desk.store.read() as session:
        local = dict(session.execute(select(OpOutboxEntry.id, OpOutboxEntry.status)).all())
    assert local == {r.id: r.status for r in rows}


# --- clock skew between desks -----------------------------------------------------------------


def submit_at(desk: AppContext, clock: DeskClock, offset: dt.timedelta, op: Operation) -> None:
    clock.offset = offset
    push.submit(desk.store, op)


def test_desks_hours_apart_never_claim_twice(
    world: World, central: Store, open_desk: Callable[[str], AppContext], clock: DeskClock
) -> None:
    ahead, behind = open_desk("ahead"), open_desk("behind")
    interactions = [world.interaction(age_min=m) for m in range(8)]
    contested = interactions[0]
    for _ in range(5):  # interleaved in real time, hours apart by the desks' clocks
        submit_at(ahead, clock, SKEW, Operation("claim", "alice"))
        submit_at(behind, clock, -SKEW, Operation("claim", "bob"))
    submit_at(ahead, clock, SKEW, Operation("claim", "alice", {"interaction": contested}))
    submit_at(behind, clock, -SKEW, Operation("claim", "bob", {"interaction": contested}))
    for desk in (ahead, behind):
        push.push(desk.store, central)
    drain(central)

    with central.read() as session:
        claims = Counter(
            e.interaction_id
            for e in session.execute(select(Event).where(Event.kind == "claim")).scalars()
        )
        held = session.execute(
            select(Interaction.id).where(Interaction.claimed_by_id.is_not(None))
        ).scalars()
        held_ids = set(held)
    assert set(claims.values()) == {1}, "no interaction claimed twice"
    assert set(claims) == held_ids == set(interactions), "8 interactions, 10 claims"
    results = [r for desk in (ahead, behind) for r in push.settle(desk.store, central)]
    taken = Counter(r.result["id"] for r in results if r.applied and r.result)
    assert len(taken) == 8 and set(taken.values()) == {1}
    refused = [r.reason for r in results if not r.applied]
    assert refused == [f"Already taken by {holder(central, contested)}."]


def test_the_claim_that_reaches_the_central_first_wins_whatever_the_clocks(
    world: World, central: Store, open_desk: Callable[[str], AppContext], clock: DeskClock
) -> None:
    ahead, behind = open_desk("ahead"), open_desk("behind")
    interaction = world.interaction()
    submit_at(ahead, clock, SKEW, Operation("claim", "alice", {"interaction": interaction}))
    push.push(ahead.store, central)  # alice's claim is queued centrally first ...
    submit_at(behind, clock, -SKEW, Operation("claim", "bob", {"interaction": interaction}))
    push.push(behind.store, central)  # ... bob's a moment later, by a desk 4 h behind hers
    drain(central)
    assert holder(central, interaction) == "alice"


def test_a_desk_whose_clock_steps_back_keeps_its_operations_in_order(
    world: World, central: Store, open_desk: Callable[[str], AppContext], clock: DeskClock
) -> None:
    desk = open_desk("desk")
    interaction = world.interaction()
    claim = Operation("claim", "alice", {"interaction": interaction})
    release = Operation("release", "alice", {"interaction": interaction})
    submit_at(desk, clock, dt.timedelta(0), claim)
    submit_at(desk, clock, -SKEW, release)  # the clock was corrected 2 h back in between
    push.push(desk.store, central)
    drain(central)
    outcomes = {r.op_id: r for r in push.settle(desk.store, central)}
    assert outcomes[release.op_id].reason == ""
    assert outcomes[claim.op_id].applied and outcomes[release.op_id].applied
    assert holder(central, interaction) is None
