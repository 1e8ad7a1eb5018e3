"""One desk, agents on shifts: each agent's link pushes and settles only that agent's operations.

Against a real central PostgreSQL under row security (each agent's own database role, as
``relaydesk db grant-agent`` makes it) and a real desk store: what one agent leaves queued
waits, untouched and in order, while the next agent's operations go; it goes, once, when its
agent signs in at the desk again. Links tick on the test's thread; the worker's applier runs
as the owner between ticks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.context import AppContext, open_local
from app.services import accounts, push
from app.services.agents import add_agent
from app.services.db_roles import grant_agent
from app.services.operations import Operation
from app.services.sync import CentralConfig
from app.services.team import TeamLink
from storage.engine import Store
from storage.models import Note, OpOutboxEntry
from storage.models import Operation as OperationRow
from tests.app.workflow import make_interaction
from tests.servers.central import CentralCluster

pytestmark = [pytest.mark.pg, pytest.mark.slow]


@dataclass(frozen=True)
class Centre:
    url: str  # the owner's: the worker's applier
    store: Store
    alice: uuid.UUID
    bob: uuid.UUID
    interaction: uuid.UUID  # in the support queue, which both work

    def link(self, desk: AppContext, role: str, agent: uuid.UUID | None = None) -> TeamLink:
        url = make_url(self.url).set(username=role).render_as_string(hide_password=False)
        return TeamLink(desk.store, CentralConfig(url, "--central"), interval=30, agent=agent)


@pytest.fixture
def centre(shared_cluster: CentralCluster) -> Iterator[Centre]:
    url = shared_cluster.migrated_database()
    store = Store(url)
    try:
        accounts.add_project(store, "Acme", "ACM")
        accounts.add_account(
            store,
            name="support",
            email="support@acme.test",
            username="support",
            smtp_host="smtp.test",
            project="ACM",
        )
        alice = add_agent(store, "alice", accounts=["support"], full_name="Alice Abbott").id
        bob = add_agent(store, "bob", accounts=["support"]).id
        interaction = make_interaction(store, "support", subject="A parcel gone astray")
        owner = CentralConfig(url, "--central")
        grant_agent(owner, "alice", "rd_alice")
        grant_agent(owner, "bob", "rd_bob")
        yield Centre(url, store, alice, bob, interaction)
    finally:
        store.dispose()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_local(tmp_path / "desk")
    yield ctx
    ctx.close()


def _note(centre: Centre, agent: uuid.UUID, body: str) -> Operation:
    return Operation("note", agent, {"interaction": centre.interaction, "body": body})


def _outbox(desk: AppContext) -> dict[uuid.UUID, tuple[str, int, str]]:
    with desk.store.read() as session:
        rows = session.execute(
            select(
                OpOutboxEntry.id, OpOutboxEntry.state, OpOutboxEntry.attempts, OpOutboxEntry.status
            )
        ).all()
    return {r.id: (r.state, r.attempts, r.status or "") for r in rows}


def _central_ops(centre: Centre) -> list[tuple[uuid.UUID, str]]:
    with centre.store.read() as session:
        rows = session.execute(
            select(OperationRow.id, OperationRow.status).order_by(
                OperationRow.created_at, OperationRow.id
            )
        ).all()
    return [(r.id, r.status) for r in rows]


def _central_notes(centre: Centre) -> list[str]:
    with centre.store.read() as session:
        return list(session.execute(select(Note.body).order_by(Note.created_at, Note.id)).scalars())


def test_what_alice_leaves_queued_waits_for_her_while_bobs_operations_go(
    centre: Centre, desk: AppContext
) -> None:
    # Alice's shift: her link (as her role) pulls the desk's copy and pushes her first note.
    alice_link = centre.link(desk, "rd_alice", centre.alice)
    first = _note(centre, centre.alice, "Alice 1: asked the courier")
    push.submit(desk.store, first)
    status = alice_link.tick()
    assert status.online, status.last_error
    assert _outbox(desk)[first.op_id][0] == "pushed"  # not applied yet: the worker is slow
    # Then the central database is out of her reach: two more notes wait in the outbox.
    later = [_note(centre, centre.alice, f"Alice {n}: courier called back") for n in (2, 3)]
    for op in later:
        push.submit(desk.store, op)
    alice_link.stop()  # she signs out

    # Bob at the same desk, his link as his role: his note goes, hers stay as they are.
    bob_link = centre.link(desk, "rd_bob", centre.bob)
    mine = _note(centre, centre.bob, "Bob: the parcel is in Milan")
    push.submit(desk.store, mine)
    before = _outbox(desk)
    status = bob_link.tick()
    assert status.online, status.last_error
    assert [op for op, _ in _central_ops(centre)] == [first.op_id, mine.op_id]
    assert push.apply_batch(centre.store)  # the worker applies what reached it
    status = bob_link.tick()
    assert status.online and not status.last_error, status.last_error
    outcome = push.outcome(desk.store, mine.op_id)
    assert outcome is not None and outcome.applied
    after = _outbox(desk)
    for op in later:
        assert after[op.op_id] == before[op.op_id] == ("queued", 0, ""), "untouched, not refused"
    # Her pushed note is applied centrally, but Bob's role may not read it: it waits for her
    # link to settle it, and is not taken for lost and queued again.
    assert after[first.op_id] == ("pushed", 0, "")
    # The status bar: Bob has nothing pending; three of Alice's wait for her.
    assert status.pending == 0
    assert status.others == (("Alice Abbott", 3),)
    bob_link.stop()

    # Alice back (the desk's copy now knows whose role rd_alice is): hers go, in order, once.
    alice_back = centre.link(desk, "rd_alice")
    assert push.actors_of(desk.store, role="rd_alice") == {str(centre.alice), "alice"}
    status = alice_back.tick()
    assert status.online, status.last_error
    assert push.apply_batch(centre.store)
    status = alice_back.tick()
    assert (status.pending, status.others) == (0, ())
    alice_back.stop()
    ops = _central_ops(centre)
    assert [op for op, _ in ops] == [first.op_id, mine.op_id, *(op.op_id for op in later)]
    assert {state for _, state in ops} == {"applied"}
    assert _central_notes(centre) == [
        "Alice 1: asked the courier",
        "Bob: the parcel is in Milan",
        "Alice 2: courier called back",
        "Alice 3: courier called back",
    ]
    assert {entry[:1] + entry[2:] for entry in _outbox(desk).values()} == {("settled", "applied")}


def test_the_owners_link_still_pushes_everyones_operations(
    centre: Centre, desk: AppContext
) -> None:
    # A role that is no agent's (the central database's owner, under no row security).
    owner_role = make_url(centre.url).username or ""
    link = TeamLink(desk.store, CentralConfig(centre.url, "--central"), interval=30)
    assert push.actors_of(desk.store, role=owner_role) is None
    ops = [_note(centre, centre.alice, "Alice's"), _note(centre, centre.bob, "Bob's")]
    for op in ops:
        push.submit(desk.store, op)
    assert link.tick().online
    assert push.apply_batch(centre.store)
    status = link.tick()
    link.stop()
    assert (status.pending, status.others) == (0, ())
    assert [op for op, _ in _central_ops(centre)] == [op.op_id for op in ops]
    assert _central_notes(centre) == ["Alice's", "Bob's"]


def test_a_link_learns_whose_role_it_is_from_its_first_pull(
    centre: Centre, desk: AppContext
) -> None:
    # A fresh desk's copy has no agents yet: the first push cannot tell whose operations the
    # role may queue, and sends what is there. The link keeps that answer between pushes,
    # so the pull that brings the agents must make it ask again: else Bob's note, queued
    # later at this desk, would go with Alice's and row security would refuse the push.
    link = centre.link(desk, "rd_alice")
    first = _note(centre, centre.alice, "Alice 1")
    push.submit(desk.store, first)
    status = link.tick()  # pushes before it pulls: a first sync
    assert status.online, status.last_error
    assert _outbox(desk)[first.op_id][0] == "pushed"
    theirs = _note(centre, centre.bob, "Bob, left for his shift")
    mine = _note(centre, centre.alice, "Alice 2")
    push.submit(desk.store, theirs)
    push.submit(desk.store, mine)
    status = link.tick()
    assert status.online and not status.last_error, status.last_error
    assert [op for op, _ in _central_ops(centre)] == [first.op_id, mine.op_id]
    assert _outbox(desk)[theirs.op_id] == ("queued", 0, "")
    assert (status.pending, status.others) == (2, (("bob", 1),))
    link.stop()
