"""The desk's team link against a real central PostgreSQL that goes away and comes back."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from app.context import AppContext, open_local
from app.services import push, team
from app.services.operations import Operation, OpResult
from app.services.sync import CentralConfig
from app.services.team import TeamLink, TeamStatus
from storage import opqueue
from storage.engine import Store
from storage.models import Agent, Note
from tests.app.workflow import make_world
from tests.servers.central import CentralCluster
from tests.storage.sqlite_trace import traced_statements

pytestmark = [pytest.mark.pg, pytest.mark.slow]

WAIT_S = 60.0


class Recorder:
    """Every status and settled batch the link hands on, with a wait on a condition."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.statuses: list[TeamStatus] = []
        self.settled: list[OpResult] = []

    def on_status(self, status: TeamStatus) -> None:
        with self._cond:
            self.statuses.append(status)
            self._cond.notify_all()

    def on_settled(self, results: list[OpResult]) -> None:
        with self._cond:
            self.settled.extend(results)
            self._cond.notify_all()

    def wait_status(self, predicate: Callable[[TeamStatus], bool]) -> TeamStatus:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: bool(self.statuses) and predicate(self.statuses[-1]), WAIT_S
            )
            assert ok, f"no such status; the last ones: {self.statuses[-3:]}"
            return self.statuses[-1]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_local(tmp_path / "desk")
    yield ctx
    ctx.close()


def _checkpoint(central: Store) -> None:
    # The private cluster runs with synchronous_commit=off: make what was written survive a crash.
    with central.connect() as conn:
        conn.execute(text("CHECKPOINT"))


def _local_notes(desk: AppContext) -> int:
    with desk.store.read() as session:
        return int(session.execute(select(func.count()).select_from(Note)).scalar_one())


def test_offline_the_pending_count_grows_and_everything_goes_once_the_centre_is_back(
    cluster: CentralCluster, desk: AppContext
) -> None:
    url = cluster.migrated_database()
    central = Store(url)
    world = make_world(central)
    interaction = world.interaction()
    _checkpoint(central)
    stop_appliers = threading.Event()
    appliers = push.start_appliers(central, stop_appliers, threads=1)
    seen = Recorder()
    link = TeamLink(
        desk.store,
        CentralConfig(url, "test"),
        interval=0.5,
        on_status=seen.on_status,
        on_settled=seen.on_settled,
    )
    link.start()
    try:
        seen.wait_status(lambda s: s.contacted and s.online and s.first_sync is None)
        assert link.status.last_pull_at is not None

        cluster.crash()
        ops = [
            Operation("note", "sam", {"interaction": str(interaction), "body": f"Note {n}"})
            for n in range(5)
        ]
        for n, op in enumerate(ops, start=1):
            link.submit(op)
            assert link.status.pending == n, "each operation counts at once, offline or not"
        offline = seen.wait_status(lambda s: not s.online and s.pending == len(ops))
        assert "cannot be reached" in offline.last_error or "unreachable" in offline.last_error

        cluster.restart()
        back = seen.wait_status(lambda s: s.online and s.pending == 0)
        assert back.last_error == ""
        with seen._cond:
            assert seen._cond.wait_for(lambda: len(seen.settled) == len(ops), WAIT_S)
            settled = list(seen.settled)
        # Settled, then pulled in the same tick or the next: the desk has each note once.
        seen.wait_status(lambda s: _local_notes(desk) == len(ops))
    finally:
        link.stop()
        stop_appliers.set()
        for thread in appliers:
            thread.join(timeout=30)
    assert not link.is_alive()
    assert sorted(r.op_id for r in settled) == sorted(op.op_id for op in ops)
    assert all(r.applied for r in settled), [r.reason for r in settled]
    try:
        with central.read() as session:
            bodies = session.execute(select(Note.body)).scalars().all()
        assert sorted(bodies) == [f"Note {n}" for n in range(5)], "nothing lost or doubled"
    finally:
        central.dispose()
    with desk.store.read() as session:
        local = session.execute(select(Note.body)).scalars().all()
    assert sorted(local) == [f"Note {n}" for n in range(5)]
    for op in ops:
        result = push.outcome(desk.store, op.op_id)
        assert result is not None and result.applied


def test_a_first_sync_reports_its_progress_to_completion(
    cluster: CentralCluster, desk: AppContext
) -> None:
    url = cluster.migrated_database()
    central = Store(url)
    try:
        make_world(central)
        with central.read() as session:
            agents = session.execute(select(func.count()).select_from(Agent)).scalar_one()
    finally:
        central.dispose()
    seen = Recorder()
    link = TeamLink(
        desk.store, CentralConfig(url, "test"), interval=3600, on_status=seen.on_status,
        batch_size=2,
    )  # fmt: skip
    link.start()
    try:
        done = seen.wait_status(lambda s: s.contacted)
    finally:
        link.stop()
    assert done.online and done.first_sync is None and done.last_pull_at is not None
    progress = [s.first_sync for s in seen.statuses if s.first_sync is not None]
    assert progress[0] == (0, 0), "the first sync shows at once, before anything is counted"
    pages = progress[1:]
    assert len(pages) > 2, "a page at a time"
    total = pages[-1][1]
    assert total > 0 and pages[-1] == (total, total)
    assert [d for d, _ in pages] == sorted(d for d, _ in pages)
    with desk.store.read() as session:
        assert session.execute(select(func.count()).select_from(Agent)).scalar_one() == agents
    # Synced once: later ticks are no first sync.
    assert link.sync.first_sync_done


def test_an_operation_by_an_agent_the_centre_does_not_know_comes_back_refused(
    cluster: CentralCluster, desk: AppContext
) -> None:
    url = cluster.migrated_database()
    interaction = _interaction_in(url)
    seen = Recorder()
    link = TeamLink(
        desk.store,
        CentralConfig(url, "test"),
        interval=0.5,
        on_status=seen.on_status,
        on_settled=seen.on_settled,
    )
    link.start()
    try:
        seen.wait_status(lambda s: s.contacted and s.online)
        op = Operation("note", "nobody", {"interaction": str(interaction), "body": "Hi"})
        link.submit(op)
        with seen._cond:
            assert seen._cond.wait_for(lambda: bool(seen.settled), WAIT_S)
            settled = list(seen.settled)
        seen.wait_status(lambda s: s.pending == 0)
    finally:
        link.stop()
    # Refused at the push, not by an applier: still told like any refusal.
    assert [(r.op_id, r.status) for r in settled] == [(op.op_id, "rejected")]
    assert settled[0].reason == "There is no agent named nobody."


@pytest.mark.parametrize("side", ["central", "desk"])
def test_a_schema_mismatch_says_which_side_to_upgrade_and_pushes_nothing(
    cluster: CentralCluster, desk: AppContext, side: str
) -> None:
    if side == "central":
        url = cluster.empty_database()  # no Relaydesk schema yet: the centre is behind
    else:
        url = cluster.migrated_database()
        central = Store(url)
        try:  # a revision this Relaydesk has never heard of: the desk is behind
            with central.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = 'fffffffffff0'"))
        finally:
            central.dispose()
    seen = Recorder()
    link = TeamLink(desk.store, CentralConfig(url, "test"), interval=0.5, on_status=seen.on_status)
    link.submit(Operation("note", "sam", {"interaction": "x", "body": "Waits"}))
    link.start()
    try:
        status = seen.wait_status(lambda s: s.contacted)
    finally:
        link.stop()
    assert not status.online and status.upgrade == side, status
    assert "upgrade" in status.last_error
    assert status.pending == 1, "nothing goes to a central database of another schema"
    assert opqueue.DeskOutbox(desk.store.engine).queued(10)[0].kind == "note"


def test_a_refusal_wakes_the_waiting_desk_though_desks_skip_operations_notices(
    cluster: CentralCluster, desk: AppContext
) -> None:
    """Pushes write only the central operations table: desks do not pull for those notices
    (20 desks doubled their pulls), except a desk still waiting for an outcome, since a
    refusal writes nothing else. No tick timer here: only notices can wake the link."""
    url = cluster.migrated_database()
    central = Store(url)
    make_world(central)
    _checkpoint(central)
    stop_appliers = threading.Event()
    appliers = push.start_appliers(central, stop_appliers, threads=1)
    seen = Recorder()
    link = TeamLink(
        desk.store, CentralConfig(url, "test"), interval=3600,
        on_status=seen.on_status, on_settled=seen.on_settled,
    )  # fmt: skip
    link.start()
    try:
        seen.wait_status(lambda s: s.contacted and s.online)
        assert not link.wants("operations"), "nothing pending: another desk's push is no news"
        assert link.wants("notes") and link.wants("interactions")
        op = Operation("note", "sam", {"interaction": str(uuid.uuid4()), "body": "Lost"})
        link.submit(op)
        assert link.wants("operations"), "an outcome is awaited"
        with seen._cond:
            assert seen._cond.wait_for(lambda: len(seen.settled) == 1, WAIT_S)
        (refused,) = seen.settled
        assert refused.op_id == op.op_id and not refused.applied
        assert refused.reason.startswith("There is no interaction")
        seen.wait_status(lambda s: s.pending == 0)
    finally:
        link.stop()
        stop_appliers.set()
        for thread in appliers:
            thread.join(timeout=30)
        central.dispose()


def test_a_tick_with_an_empty_outbox_is_the_pull_alone(
    cluster: CentralCluster, desk: AppContext
) -> None:
    # Twenty desks tick at every change of any of them: a desk with nothing to push or settle
    # must not read its outbox and agents through the ORM each time (4.4 -> 1.4 ms of CPU).
    url = cluster.migrated_database()
    interaction = _interaction_in(url)
    link = _synced_link(desk, url)
    try:
        with _statements(desk.store) as statements:
            status = link.tick()
        assert status.online and status.pending == 0
        assert not [s for s in statements if "op_outbox" in s or "agents" in s], statements
        # With an operation queued the tick pushes it and counts again.
        op = _note(desk, interaction, "Hi")
        push.submit(desk.store, op)
        link.tick()
        assert opqueue.DeskOutbox(desk.store.engine).awaiting(10) == [op.op_id]
        assert push.outcome(desk.store, op.op_id) is None  # pushed, not applied yet
        assert link.status.pending == 1
    finally:
        link.stop()


def test_an_idle_desk_reads_its_outbox_only_after_a_submit_or_a_while(
    cluster: CentralCluster, desk: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once a tick has found the outbox idle, the next ticks take the link's word for it
    # until this process submits an operation (every desk ticks at every change of any
    # desk); one kept by another process is pushed after team.IDLE_TRUST_S.
    url = cluster.migrated_database()
    interaction = _interaction_in(url)
    central = Store(url)
    link = _synced_link(desk, url)
    try:
        with traced_statements(desk.store.engine) as statements:
            # The link's first ticks (_synced_link) read the outbox idle.
            assert link.tick().pending == 0
            assert not [s for s in statements if "op_outbox" in s], statements
            assert not [s for s in statements if "FROM sync_state" in s]  # kept from the pull
            mine = _note(desk, interaction, "submitted here")
            push.submit(desk.store, mine)
            link.tick()
        assert opqueue.DeskOutbox(desk.store.engine).awaiting(10) == [mine.op_id]
        assert push.apply_batch(central)
        link.sync.hint("operations")
        link.tick()
        assert push.outcome(desk.store, mine.op_id) is not None
        assert link.tick().pending == 0  # idle again, from a read of the outbox
        # Kept by another process (its own outbox writer): unseen while the word holds...
        other = _note(desk, interaction, "kept by another process")
        queued = opqueue.QueuedOp(other.op_id, other.kind, other.actor, other.payload)
        opqueue.DeskOutbox(desk.store.engine).enqueue(queued)
        link.tick()
        assert opqueue.DeskOutbox(desk.store.engine).awaiting(10) == []
        # ...and pushed once it no longer does.
        monkeypatch.setattr(team, "IDLE_TRUST_S", 0.0)
        link.tick()
        assert opqueue.DeskOutbox(desk.store.engine).awaiting(10) == [other.op_id]
        assert link.status.pending == 1
    finally:
        link.stop()
        central.dispose()


def test_pushing_and_settling_keep_off_the_orm_once_the_agent_is_known(
    cluster: CentralCluster, desk: AppContext
) -> None:
    # The desk that made an operation pushes it, settles it and counts its outbox some six
    # times; through ORM sessions that cost 36 ms of CPU per note on a slow machine, more than
    # the pull. After the first push has asked whose operations the role may queue, neither
    # the outbox nor the agents table is read through the engine's statements.
    url = cluster.migrated_database()
    interaction = _interaction_in(url)
    central = Store(url)
    link = _synced_link(desk, url)
    try:
        first = _note(desk, interaction, "first")
        push.submit(desk.store, first)
        link.tick()  # asks actors_of once
        push.apply_batch(central)
        link.tick()
        assert push.outcome(desk.store, first.op_id) is not None
        op = _note(desk, interaction, "second")
        with _statements(desk.store) as statements:
            link.submit(op)
            link.tick()  # pushes
            assert push.apply_batch(central)
            link.sync.hint("operations")
            link.tick()  # settles and pulls
        outcome = push.outcome(desk.store, op.op_id)
        assert outcome is not None and outcome.applied, outcome
        assert link.status.pending == 0
        orm = [s for s in statements if "op_outbox" in s or "FROM agents" in s]
        assert not orm, orm
    finally:
        link.stop()
        central.dispose()


def _interaction_in(url: str) -> uuid.UUID:
    """A world made in the central database at ``url``; one of its interactions."""
    central = Store(url)
    try:
        return make_world(central).interaction()
    finally:
        central.dispose()


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    """The SQL that ``store``'s engine runs inside the block."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        sent.append(sql)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _synced_link(desk: AppContext, url: str) -> TeamLink:
    """A link (its thread not started) that has made its first sync, by ticks of its own."""
    link = TeamLink(desk.store, CentralConfig(url, "test"), interval=3600)
    assert link.tick().online and link.tick().online
    return link


def _note(desk: AppContext, interaction: uuid.UUID, body: str) -> Operation:
    """A note on ``interaction`` by the first agent the desk's copy knows."""
    with desk.store.read() as session:
        agent = session.execute(select(Agent.name).order_by(Agent.name)).scalars().first()
    return Operation("note", str(agent), {"interaction": str(interaction), "body": body})


def test_a_tick_that_pushes_leaves_settling_and_pulling_to_the_outcomes_notice(
    cluster: CentralCluster, desk: AppContext
) -> None:
    # Right after a push nothing of it can be applied: asking for its outcome and pulling
    # would only take the worker's CPU while it applies. The notice of the outcome wakes
    # the tick that settles it and pulls its effect.
    url = cluster.migrated_database()
    central = Store(url)
    try:
        interaction = make_world(central).interaction()
        link = _synced_link(desk, url)
        link.listening.set()  # as while the listener's connection is up (no thread here)
        first_pull = link.status.last_pull_at
        op = _note(desk, interaction, "Hi")
        push.submit(desk.store, op)
        with _statements(link.central) as sent:
            status = link.tick()
        assert status.pending == 1 and status.last_pull_at == first_pull  # pushed, no pull
        assert [s for s in sent if "operations" in s] == [sent[-1]]  # the push, no outcome
        assert push.apply_batch(central)[0].applied
        link.sync.hint("notes")  # what the listener does with the outcome's notice
        status = link.tick()
        assert status.pending == 0 and status.last_pull_at != first_pull
        assert push.outcome(desk.store, op.op_id) is not None
        assert _local_notes(desk) == 1
    finally:
        link.stop()
        central.dispose()


def test_a_push_after_the_centre_restarted_goes_at_once_on_a_new_connection(
    cluster: CentralCluster, desk: AppContext
) -> None:
    # The push side's pool pings nobody at checkout (a round trip before every push): a
    # connection that died while the centre restarted must cost a retry, not the tick.
    url = cluster.migrated_database()
    interaction = _interaction_in(url)
    link = _synced_link(desk, url)
    try:
        first = _note(desk, interaction, "one")
        push.submit(desk.store, first)
        assert link.tick().pending == 1  # pushed: the pool now keeps a connection
        cluster.crash()
        cluster.restart()
        second = _note(desk, interaction, "two")
        push.submit(desk.store, second)
        status = link.tick()
        assert status.online and status.last_error == "", status
        with desk.store.read() as session:
            assert opqueue.entry(session, second.op_id).state == "pushed"  # type: ignore[union-attr]
    finally:
        link.stop()


@pytest.mark.parametrize("pull", ["usual", "first of a new link"])
def test_an_outcome_the_pull_brings_is_settled_in_the_pulls_own_transaction(
    cluster: CentralCluster, desk: AppContext, monkeypatch: pytest.MonkeyPatch, pull: str
) -> None:
    # The tick asks for outcomes, then pulls. An operation applied between the two comes
    # with the pull; the window, polling the store, must never find its effect there and
    # the operation still waiting: both are written in the pull's one local transaction.
    url = cluster.migrated_database()
    central = Store(url)
    links: list[TeamLink] = []
    try:
        interaction = make_world(central).interaction()
        link = _synced_link(desk, url)
        links.append(link)
        op = _note(desk, interaction, "Hi")
        push.submit(desk.store, op)
        link.tick()
        assert push.outcome(desk.store, op.op_id) is None  # pushed, not applied yet
        if pull != "usual":  # the paged round of a link's first pull, not the usual one
            link = TeamLink(desk.store, CentralConfig(url, "test"), interval=3600)
            links.append(link)
        recorder = Recorder()
        link.on_settled = recorder.on_settled
        seen: list[tuple[int, OpResult | None]] = []
        real_pull = link.sync.pull

        def applied_then_pulled(**kwargs: object) -> object:
            assert push.apply_batch(central)[0].applied  # after the tick asked for outcomes
            result = real_pull(**kwargs)  # type: ignore[arg-type]
            seen.append((_local_notes(desk), push.outcome(desk.store, op.op_id)))
            return result

        monkeypatch.setattr(link.sync, "pull", applied_then_pulled)
        status = link.tick()
        assert len(seen) == 1
        notes, outcome = seen[0]
        assert notes == 1 and outcome is not None and outcome.applied, seen
        assert status.pending == 0
        assert [(r.op_id, r.status) for r in recorder.settled] == [(op.op_id, "applied")]
    finally:
        for each in links:
            each.stop()
        central.dispose()
