"""Team mode push: desk outbox -> central queue -> worker -> outcome, on a real PostgreSQL."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from app import worker
from app.context import AppContext, open_local
from app.errors import ServerError, UserError
from app.mail.fetcher import FetchOptions
from app.services import push
from app.services.agents import add_agent
from app.services.operations import Operation
from app.services.sync import CentralConfig, CentralSync
from storage import leases, opqueue
from storage.engine import Store
from storage.models import Event, Interaction, Note, OpOutboxEntry, Tag, utcnow
from storage.models import Operation as OperationRow
from storage.sync import NOTIFY_CHANNEL, OPERATIONS_CHANNEL
from tests.app.workflow import World, make_world
from tests.servers.postgres import libpq_url

pytestmark = pytest.mark.pg


@pytest.fixture
def central(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


@pytest.fixture
def world(central: Store) -> World:
    return make_world(central)


@pytest.fixture
def desk(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


def drain(central: Store) -> None:
    while push.apply_batch(central):
        pass


def central_status(central: Store) -> Counter[str]:
    with central.read() as session:
        return Counter(session.execute(select(OperationRow.status)).scalars())


def notes(central: Store) -> Counter[str]:
    with central.read() as session:
        return Counter(session.execute(select(Note.body)).scalars())


def queue_notes(desk: AppContext, interaction: uuid.UUID, count: int) -> list[uuid.UUID]:
    return [
        push.submit(
            desk.store, Operation("note", "alice", {"interaction": interaction, "body": f"n{i}"})
        )
        for i in range(count)
    ]


def test_an_operation_goes_to_the_worker_and_its_outcome_comes_back(
    world: World, central: Store, desk: AppContext
) -> None:
    interaction = world.interaction()
    claim = Operation("claim", "alice", {"interaction": interaction})
    taken = Operation("claim", "bob", {"interaction": interaction})
    assert push.submit(desk.store, claim) == claim.op_id
    push.submit(desk.store, claim)  # submitting again (a double click) queues nothing more
    push.submit(desk.store, taken)
    assert push.pending_count(desk.store) == 2
    assert push.outcome(desk.store, claim.op_id) is None

    assert push.push(desk.store, central) == push.PushReport(pushed=2, refused=0)
    assert central_status(central) == {"pending": 2}
    assert push.settle(desk.store, central) == [], "nothing is applied until a worker runs"
    assert world.row(interaction).claimed_by_id is None

    results = push.apply_batch(central)
    assert [r.reason for r in results][1:] == ["Already taken by alice."], results
    assert [r.status for r in results] == ["applied", "rejected"]
    assert results[1].reason == "Already taken by alice."
    settled = {r.op_id: r for r in push.settle(desk.store, central)}
    assert settled[claim.op_id].result == {"id": str(interaction), "fence": 1}
    mine = push.outcome(desk.store, claim.op_id)
    assert mine is not None and mine.applied and mine.result["fence"] == 1
    refused = push.outcome(desk.store, taken.op_id)
    assert refused is not None and refused.reason == "Already taken by alice."
    assert push.pending_count(desk.store) == 0
    assert world.row(interaction).claimed_by_id is not None
    with central.read() as session:
        claims = session.execute(select(Event).where(Event.kind == "claim")).scalars().all()
    assert [e.data["op"] for e in claims] == [str(claim.op_id)], "audited like standalone"


def test_the_queue_applies_the_standalone_rules(
    world: World, central: Store, desk: AppContext
) -> None:
    """Same operations, same outcomes, whether applied directly or through the queue."""
    first, second = world.interaction(), world.interaction()
    direct = world.op("claim", "alice", interaction=first)
    queued = Operation("claim", "alice", {"interaction": second})
    closing = Operation("close", "alice", {"interaction": second, "disposition": "Nope"})
    for op in (queued, closing):
        push.submit(desk.store, op)
    push.push(desk.store, central)
    drain(central)
    push.settle(desk.store, central)
    via_queue = push.outcome(desk.store, queued.op_id)
    assert via_queue is not None and via_queue.result["fence"] == direct.result["fence"] == 1
    refused = push.outcome(desk.store, closing.op_id)
    standalone = world.op("close", "alice", interaction=first, disposition="Nope")
    assert refused is not None and refused.reason == standalone.reason
    assert "no disposition 'Nope'" in refused.reason


def test_a_push_is_one_statement_and_keeps_the_order(
    world: World, central: Store, desk: AppContext
) -> None:
    # The push is on the way to every operation's latency: actors resolved, operations
    # queued and the unknown refused in one statement (in autocommit: no BEGIN, no COMMIT).
    interaction = world.interaction()
    made = queue_notes(desk, interaction, 3)
    ghost = push.submit(desk.store, Operation("note", "zed", {"interaction": interaction}))
    sent: list[str] = []
    watched = Store(central.url)  # its own engine, listened to
    event.listen(watched.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    try:
        report = push.push(desk.store, watched)
    finally:
        watched.dispose()
    assert report == push.PushReport(pushed=3, refused=1, refusals=report.refusals)
    assert len(sent) == 1 and "INSERT INTO operations" in sent[0], sent
    with central.read() as session:
        queued = (
            session.execute(select(OperationRow.id).order_by(OperationRow.created_at))
            .scalars()
            .all()
        )
    assert queued == made, "the desk's order, a microsecond apart"
    outcome = push.outcome(desk.store, ghost)
    assert outcome is not None and outcome.reason == "There is no agent named zed."


def test_a_push_of_one_operation_keeps_one_plan(world: World, central: Store) -> None:
    # Desks push one operation at a time. The statement over arrays was planned again at
    # every push (its generic plan, blind to the arrays' length, never looked cheaper than
    # a custom one): twice the server's CPU of a push. The one-operation statement keeps a
    # generic plan once psycopg has prepared it.
    with central.read() as session:
        alice = session.execute(text("SELECT id FROM agents WHERE name = 'alice'")).scalar_one()
    actors = ["alice", "zed"] + [str(alice)] * 16  # by name, unknown, by id
    ops = [opqueue.QueuedOp(uuid.uuid4(), "claim", actor, {}) for actor in actors]
    with central.statements() as conn:
        answers = [opqueue.push_pending(conn, [op]) for op in ops]
        # psycopg prepares a statement at its sixth execution with the same parameter
        # types; PostgreSQL plans the first five executions of a prepared one for their
        # values, then keeps a generic plan if it costs no more.
        plans = conn.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%%INSERT INTO operations%%'"
        ).all()
    assert answers == [{op.op_id: None if op.actor == "zed" else alice} for op in ops]
    assert central_status(central) == {"pending": 17}
    assert len(plans) == 1, plans
    generic, custom = plans[0]
    assert generic > 0 and custom <= 5, plans  # over arrays: (0, 11)


def test_the_general_pick_keeps_one_plan(world: World, central: Store, desk: AppContext) -> None:
    # The general path picks its operation twice per operation (the one it applies, then
    # one more). With the status as a parameter its generic plan could not use the partial
    # indexes of pending rows, and PostgreSQL planned the pick again every time.
    queue_notes(desk, world.interaction(), 12)
    push.push(desk.store, central)
    small = Store(central.url, pool_size=1, max_overflow=0)
    try:
        results = push.apply_batch(small, route=push.Route(general_first=True))
        with small.hot_write() as session:  # the general path's pool: its one connection
            plans = session.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                    "WHERE statement LIKE '%SKIP LOCKED%' AND statement LIKE '%agents.name%'"
                )
            ).all()
    finally:
        small.dispose()
    assert [r.status for r in results] == ["applied"] * 12
    assert len(plans) == 1, plans
    generic, custom = plans[0]
    assert generic > 0 and custom <= 5, plans  # the status as a parameter: (0, 8)


@pytest.mark.parametrize("waiting", [True, False], ids=["an-applier-waits", "none-waits"])
def test_a_pushed_operation_wakes_the_appliers_not_the_desks(
    world: World, central: Store, desk: AppContext, waiting: bool
) -> None:
    # Migration 0014: a pushed operation is announced on the appliers' own channel; its
    # applying announces its effects and its outcome to the desks only. Migration 0016:
    # only while an applier waits for it; busy appliers look at the queue anyway.
    interaction = world.interaction()
    if waiting:
        with central.engine.connect() as conn:
            opqueue.enter_waiters(conn, uuid.uuid4(), 60)
    with psycopg.connect(libpq_url(central.url), autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        listener.execute(f"LISTEN {OPERATIONS_CHANNEL}")
        queue_notes(desk, interaction, 1)
        push.push(desk.store, central)
        assert [r.status for r in push.apply_batch(central)] == ["applied"]
        with central.write() as session:
            session.add(Tag(name="marker"))  # a last change, to know when to stop listening
        heard: list[tuple[str, str]] = []
        for notice in listener.notifies(timeout=10):
            heard.append((notice.channel, notice.payload))
            if notice.payload == "tags":
                break
    rang = [(OPERATIONS_CHANNEL, "operations")] if waiting else []
    assert [h for h in heard if h[1] == "operations"] == [*rang, (NOTIFY_CHANNEL, "operations")]
    assert (NOTIFY_CHANNEL, "notes") in heard and heard[-1] == (NOTIFY_CHANNEL, "tags")
    assert {channel for channel, _ in heard} == {NOTIFY_CHANNEL, *(c for c, _ in rang)}


def test_a_note_is_applied_in_seven_statements(
    world: World, central: Store, desk: AppContext
) -> None:
    # The worker's general path, statement by statement: the fused pick, the locked pick
    # with the acting agent's row (the rules then find the agent in the session), the
    # interaction read with whether the actor works on it and may see it (one query, three
    # before), the note's row with its change marker inline (no reserving round trip), the
    # outcome, the event, and the general pick that finds the queue empty (after a note,
    # the general rules go first).
    interaction = world.interaction()
    queue_notes(desk, interaction, 2)
    push.push(desk.store, central)
    watched = Store(central.url)
    assert [r.status for r in push.apply_batch(watched, limit=1)] == ["applied"]  # warm
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(args[2].split()))

    for engine in (watched.engine, watched._unpinged(), watched._walking()):
        event.listen(engine, "before_cursor_execute", record)
    try:
        assert [r.status for r in push.apply_batch(watched)] == ["applied"]
    finally:
        watched.dispose()
    assert [s.split()[0] for s in sent] == [
        "WITH", "SELECT", "SELECT", "INSERT", "UPDATE", "INSERT", "SELECT"
    ], sent  # fmt: skip
    assert "FROM operations LEFT OUTER JOIN agents" in sent[1], sent[1]
    assert "FROM operations LEFT OUTER JOIN agents" in sent[6], sent[6]
    assert sent[3].startswith("INSERT INTO notes") and "nextval(" in sent[3], sent[3]
    with central.read() as session:
        seqs = session.execute(select(Note.change_seq).order_by(Note.created_at)).scalars().all()
    assert len(seqs) == 2 and None not in seqs and seqs[0] < seqs[1], seqs


def test_after_another_kind_the_general_rules_go_first_until_a_claim(
    world: World, central: Store, desk: AppContext
) -> None:
    # The one statement of an agent's claim, tried on a note, only finds it is not a
    # claim: one statement more on the way of every note. An applier's route remembers the
    # last kind from batch to batch; the first claim the general rules meet switches back.
    interaction = world.interaction()
    world.interaction(age_min=10)
    world.interaction(age_min=20)
    world.op("claim", "alice")  # in email: her claims can go the one-statement way
    watched = Store(central.url)
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(args[2].split()))

    for engine in (watched.engine, watched._unpinged(), watched._walking()):
        event.listen(engine, "before_cursor_execute", record)
    route = push.Route()
    try:
        queue_notes(desk, interaction, 1)
        push.push(desk.store, central)
        assert [r.status for r in push.apply_batch(watched, route=route)] == ["applied"]
        assert route.general_first
        sent.clear()
        queue_notes(desk, interaction, 1)
        push.submit(desk.store, Operation("claim", "alice"))
        push.submit(desk.store, Operation("claim", "alice"))
        push.push(desk.store, central)
        results = push.apply_batch(watched, route=route)
    finally:
        watched.dispose()
    assert [r.status for r in results] == ["applied"] * 3
    assert [r.result["fence"] for r in results[1:]] == [1, 1]
    firsts = [s.split()[0] for s in sent]
    # The note: the general pick first, no fused statement before it.
    assert firsts[:6] == ["SELECT", "SELECT", "INSERT", "UPDATE", "INSERT", "SELECT"], sent
    # The first claim by the general rules (their pick, then the claim's one statement
    # settling the pending row), the second by the fused statement, which also saw that
    # nothing else was pending: no look at an empty queue after it.
    assert sent[6].startswith("WITH actor AS"), sent[6]
    assert [s.split(" AS ")[0] for s in sent[7:]] == ["WITH op"], sent[7:]
    assert not route.general_first


def test_bad_operations_are_refused_with_a_reason_and_kept(
    world: World, central: Store, desk: AppContext
) -> None:
    with pytest.raises(UserError, match="no operation called 'fly'"):
        push.submit(desk.store, Operation("fly", "alice"))
    with pytest.raises(UserError, match="payload cannot be queued"):
        push.submit(desk.store, Operation("note", "alice", {"body": {1, 2}}))
    ghost = Operation("claim", "zed")
    push.submit(desk.store, ghost)
    assert push.push(desk.store, central) == push.PushReport(pushed=0, refused=1)
    outcome = push.outcome(desk.store, ghost.op_id)
    assert outcome is not None and outcome.reason == "There is no agent named zed."
    with pytest.raises(UserError, match="no operation"):
        push.outcome(desk.store, uuid.uuid4())


def test_offline_the_outbox_keeps_everything(
    world: World, central: Store, desk: AppContext
) -> None:
    interaction = world.interaction()
    ids = queue_notes(desk, interaction, 3)
    offline = Store("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(ServerError, match=r"central database is unreachable.*3 operations wait"):
        push.push(desk.store, offline)
    offline.dispose()
    with desk.store.read() as session:
        rows = session.execute(select(OpOutboxEntry)).scalars().all()
    assert {r.id for r in rows} == set(ids)
    assert {(r.state, r.attempts) for r in rows} == {("queued", 1)}
    assert all("unreachable" in r.last_error for r in rows)
    assert push.push(desk.store, central).pushed == 3  # back online
    drain(central)
    assert notes(central) == {"n0": 1, "n1": 1, "n2": 1}


# --- a network cut in the middle of a push ------------------------------------------------------


class CuttingProxy:
    """A TCP relay to PostgreSQL that cuts the connection at the push's commit point: the
    first COMMIT, or the statement that queues the operations (in autocommit, its arrival
    commits them).

    ``lose_reply``: that reaches the server and the cut eats its answer (the desk cannot
    know the push went through); otherwise it never arrives.
    """

    def __init__(self, target: tuple[str, int], *, lose_reply: bool) -> None:
        self.target = target
        self.lose_reply = lose_reply
        self.cut = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            pair = (client, upstream)
            threading.Thread(
                target=self._pump, args=(client, upstream, pair, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, pair, False), daemon=True
            ).start()

    def _pump(self, src: socket.socket, dst: socket.socket, pair: Any, to_server: bool) -> None:
        try:
            while data := src.recv(65536):
                if self.cut.is_set():
                    break
                if to_server and (b"COMMIT" in data or b"INSERT INTO operations" in data):
                    if self.lose_reply:
                        self._replies_lost = True
                        dst.sendall(data)
                        continue
                    break
                if not to_server and getattr(self, "_replies_lost", False):
                    break  # the server answered: the desk never hears it
                dst.sendall(data)
        except OSError:
            pass
        self.cut.set()
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._server.close()


@pytest.mark.parametrize("lose_reply", [False, True], ids=["before-commit", "after-commit"])
def test_a_push_cut_off_is_pushed_again_and_applied_once(
    world: World, central: Store, desk: AppContext, lose_reply: bool
) -> None:
    interaction = world.interaction()
    queue_notes(desk, interaction, 20)
    url = make_url(central.url)
    proxy = CuttingProxy((url.host or "127.0.0.1", url.port or 5432), lose_reply=lose_reply)
    through_proxy = Store(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    try:
        with pytest.raises(ServerError, match="20 operations wait in the outbox"):
            push.push(desk.store, through_proxy)
        assert proxy.cut.is_set()
    finally:
        through_proxy.dispose()
        proxy.close()
    committed = central_status(central)["pending"]
    assert committed == (20 if lose_reply else 0)
    assert push.pending_count(desk.store) == 20
    assert push.push(desk.store, central).pushed == 20
    assert central_status(central) == {"pending": 20}, "the repeat inserted nothing"
    drain(central)
    assert notes(central) == {f"n{i}": 1 for i in range(20)}
    assert len(push.settle(desk.store, central)) == 20


# --- processes killed mid-way -------------------------------------------------------------------


def pushing_desk(data_dir: str, central_url: str, permits: Any) -> None:
    """A desk process pushing its outbox one operation per round trip, each when the test
    gives it a permit, until killed."""
    ctx = open_local(Path(data_dir))
    push.push(ctx.store, Store(central_url), batch=1, before=lambda _ops: permits.acquire())


def test_a_desk_killed_mid_push_loses_nothing_and_repeats_nothing(
    world: World, central: Store, desk: AppContext, data_dir: Path
) -> None:
    interaction = world.interaction()
    total = 150
    queue_notes(desk, interaction, total)
    mp = multiprocessing.get_context("spawn")
    # Paced by permits: unpaced, a test process the scheduler left aside for the child's
    # 150 round trips (another test worker on the same cores) saw the push already ended.
    permits = mp.Semaphore(0)
    child = mp.Process(target=pushing_desk, args=(str(data_dir), central.url, permits))
    child.start()
    try:
        for _ in range(40):
            permits.release()
        with central.read() as session:
            while session.execute(select(func.count()).select_from(OperationRow)).scalar_one() < 39:
                session.rollback()
        permits.release()  # the 41st operation goes, and the kill lands in or just before it
        os.kill(child.pid or 0, signal.SIGKILL)
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    reached = central_status(central)["pending"]
    assert 39 <= reached <= 41, "the kill did not land mid-push"
    with desk.store.read() as session:
        states = Counter(session.execute(select(OpOutboxEntry.state)).scalars())
    assert states["queued"] > 0
    assert push.push(desk.store, central).pushed == states["queued"]
    assert central_status(central) == {"pending": total}
    drain(central)
    assert notes(central) == {f"n{i}": 1 for i in range(total)}
    push.settle(desk.store, central)
    assert push.pending_count(desk.store) == 0


def stalled_applier(central_url: str, events: Any) -> None:
    """A worker that hangs half-way through an operation, inside its transaction."""
    central = Store(central_url)
    with central.write() as session:
        claimed = opqueue.claim_pending(session, 1)
        push._apply_claimed(session, claimed[0], None)
        events.put(claimed[0].op_id)
        threading.Event().wait()  # until killed


def test_a_worker_killed_mid_operation_leaves_it_pending(
    world: World, central: Store, desk: AppContext
) -> None:
    for i in range(30):  # each note on its own interaction: the appliers share no row lock
        interaction = world.interaction(age_min=i)
        body = {"interaction": interaction, "body": f"n{i}"}
        # The first (the one that stalls) is sam's: alice's own wait for her earlier ones.
        push.submit(desk.store, Operation("note", "alice" if i else "sam", body))
    push.push(desk.store, central)
    mp = multiprocessing.get_context("spawn")
    events = mp.Queue()
    child = mp.Process(target=stalled_applier, args=(central.url, events))
    child.start()
    try:
        stalled = events.get(timeout=60)
        # Meanwhile another applier skips the locked operation and applies the rest.
        assert len(push.apply_batch(central, limit=100)) == 29
        os.kill(child.pid or 0, signal.SIGKILL)
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=30)
    with central.read() as session:
        assert session.get(OperationRow, stalled).status == "pending"
    while central_status(central)["pending"]:
        push.apply_batch(central)  # the dead worker's locks go when its connection does
    assert notes(central) == {f"n{i}": 1 for i in range(30)}
    assert central_status(central) == {"applied": 30}


# --- several appliers -------------------------------------------------------------------------


def test_several_appliers_share_the_queue_without_double_claims(
    world: World, central: Store, desk: AppContext
) -> None:
    agents = [f"agent{i}" for i in range(10)]
    for name in agents:
        add_agent(central, name, accounts=["support"])
    interactions = {world.interaction(age_min=i) for i in range(50)}
    for round_ in range(10):
        for name in agents:
            push.submit(desk.store, Operation("claim", name))
        push.submit(
            desk.store,
            Operation(
                "note", "sam", {"interaction": next(iter(interactions)), "body": f"r{round_}"}
            ),
        )
    push.push(desk.store, central)

    appliers = [push.Applier(central, batch=7) for _ in range(4)]
    stop = threading.Event()
    threads = [threading.Thread(target=a.run, args=(stop,)) for a in appliers]
    for thread in threads:
        thread.start()
    try:
        with central.read() as session:
            while session.execute(
                select(func.count())
                .select_from(OperationRow)
                .where(OperationRow.status == "pending")
            ).scalar():
                session.rollback()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert sum(a.applied for a in appliers) == 110
    assert sum(1 for a in appliers if a.applied) > 1, "the appliers did not share the queue"
    results = push.settle(desk.store, central)
    claimed = Counter(r.result["id"] for r in results if r.result.get("id") and "fence" in r.result)
    assert set(claimed) == {str(i) for i in interactions}
    assert max(claimed.values()) == 1, "an interaction was claimed twice"
    with central.read() as session:
        holders = session.execute(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.claimed_by_id.is_not(None))
        ).scalar()
    assert holders == 50


def test_a_batch_under_a_lost_lease_writes_nothing(
    world: World, central: Store, desk: AppContext
) -> None:
    queue_notes(desk, world.interaction(), 3)
    push.push(desk.store, central)
    fence = leases.try_acquire(central.engine, push.QUEUE_LEASE, "old", ttl_s=30)
    assert fence is not None
    with central.write() as session:
        session.execute(leases_expired())
    assert leases.try_acquire(central.engine, push.QUEUE_LEASE, "new", ttl_s=30) == fence + 1
    with pytest.raises(leases.LeaseLost):
        push.apply_batch(central, lease=leases.LeaseHold(push.QUEUE_LEASE, "old", fence, 30))
    assert central_status(central) == {"pending": 3}
    done = push.apply_batch(central, lease=leases.LeaseHold(push.QUEUE_LEASE, "new", fence + 1, 30))
    assert len(done) == 3


def leases_expired() -> Any:
    return text("UPDATE leases SET expires_at = clock_timestamp() - interval '1 second'")


def test_the_worker_applies_the_queue_under_its_lease(
    world: World, central: Store, desk: AppContext, tmp_path: Path
) -> None:
    host = open_local(tmp_path / "worker-host")  # the worker's own local store
    interaction = world.interaction()
    claim = Operation("claim", "alice", {"interaction": interaction})
    push.submit(desk.store, claim)
    push.push(desk.store, central)
    stop = threading.Event()
    runner = threading.Thread(
        target=worker.run, args=(host, FetchOptions(), stop), kwargs={"central": central}
    )
    runner.start()
    try:
        while not push.settle(desk.store, central):
            pass  # until the worker's applier has settled it
    finally:
        stop.set()
        runner.join(timeout=60)
        host.close()
    outcome = push.outcome(desk.store, claim.op_id)
    assert outcome is not None and outcome.applied
    with central.read() as session:
        lease = session.execute(text("SELECT fence FROM leases WHERE name = 'operations'")).one()
    assert lease.fence == 1


def test_claims_walk_the_partial_index_of_pending_rows(world: World, central: Store) -> None:
    """Without ix_operations_pending each claim would scan the whole applied history."""
    with central.read() as session:
        sam = session.execute(text("SELECT id FROM agents WHERE name = 'sam'")).scalar_one()
    history = [
        {"id": uuid.uuid4(), "kind": "note", "actor_id": sam, "payload": {}, "created_at": utcnow()}
        for _ in range(5000)
    ]
    with central.connect() as conn:
        opqueue.insert_pending(conn, history)
        conn.execute(text("UPDATE operations SET status = 'applied'"))
        opqueue.insert_pending(conn, [{**history[0], "id": uuid.uuid4()}])
        conn.execute(text("ANALYZE operations"))
    with central.write() as session:
        claim = opqueue.claim_query(1)
        compiled = claim.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_operations_pending" in plan, plan


def test_an_agents_operations_apply_in_the_order_made(
    world: World, central: Store, desk: AppContext
) -> None:
    """While one applier is on alice's claim, another skips her close and works for bob."""
    mine, his = world.interaction(age_min=2), world.interaction(age_min=1)
    for agent, interaction in (("alice", mine), ("bob", his)):
        for kind in ("claim", "close"):
            body = {"interaction": interaction, "disposition": "Solved"}
            push.submit(desk.store, Operation(kind, agent, body))
    push.push(desk.store, central)
    with central.write() as session:
        (first,) = opqueue.claim_pending(session, 1)  # alice's claim, being applied
        assert first.kind == "claim"
        meanwhile = push.apply_batch(central)
        push._apply_claimed(session, first, None)
    assert [r.status for r in meanwhile] == ["applied", "applied"], "bob's claim and close"
    assert central_status(central) == {"applied": 3, "pending": 1}
    assert [r.status for r in push.apply_batch(central)] == ["applied"], "then alice's close"
    assert [r.reason for r in push.settle(desk.store, central) if not r.applied] == []


def test_operations_the_central_database_lost_are_pushed_again(
    world: World, central: Store, desk: AppContext
) -> None:
    ids = queue_notes(desk, world.interaction(), 3)
    push.push(desk.store, central)
    with central.write() as session:  # as if restored from a backup taken before the push
        session.execute(text("DELETE FROM operations WHERE id = :id"), {"id": ids[1]})
    assert push.settle(desk.store, central) == []
    with desk.store.read() as session:
        assert session.get(OpOutboxEntry, ids[1]).state == "queued"
    assert push.push(desk.store, central).pushed == 1
    drain(central)
    assert len(push.settle(desk.store, central)) == 3
    assert notes(central) == {"n0": 1, "n1": 1, "n2": 1}


def test_an_outcome_the_pull_brought_settles_from_the_desks_copy(
    world: World, central: Store, desk: AppContext
) -> None:
    # A desk's tick asks for outcomes, then pulls: an operation applied in between comes
    # with the pull, its effects and its outcome together, and is settled from there.
    interaction = world.interaction()
    op = Operation("note", "alice", {"interaction": str(interaction), "body": "Called back"})
    push.submit(desk.store, op)
    push.push(desk.store, central)
    assert push.settle(desk.store, central) == []  # asked before it was applied
    assert push.settle_pulled(desk.store) == []  # nothing pulled yet
    drain(central)
    sync = CentralSync(desk.store, CentralConfig(central.url, "test"))
    try:
        sync.pull()
    finally:
        sync.close()
    settled = push.settle_pulled(desk.store)
    assert [(r.op_id, r.status) for r in settled] == [(op.op_id, "applied")]
    outcome = push.outcome(desk.store, op.op_id)
    assert outcome is not None and outcome.applied
    assert push.settle_pulled(desk.store) == [] and push.settle(desk.store, central) == []
