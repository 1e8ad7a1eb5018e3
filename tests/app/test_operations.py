"""The agent workflow through operations, one scenario per rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo

import pytest
from sqlalchemy import func, select, update

from app.context import AppContext
from app.errors import UserError
from app.services.agents import add_agent, get_agent, verify_password, visible_interactions
from app.services.operations import Operation, apply
from app.services.tickets import add_ticket_type, get_ticket, ticket_day
from storage.models import (
    Agent,
    AgentStateSpan,
    EmailAccount,
    Event,
    InteractionTag,
    Note,
    Project,
)
from storage.models import Operation as OperationRow
from tests.app.workflow import World, add_message, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _events(world: World, kind: str) -> list[Event]:
    with world.store.read() as session:
        return list(session.execute(select(Event).where(Event.kind == kind)).scalars())


def _agent(world: World, name: str) -> Agent:
    with world.store.read() as session:
        return session.execute(select(Agent).where(Agent.name == name)).scalar_one()


# --- agents, queues, membership ---------------------------------------------------------------


def test_agent_without_queue_joins_the_default_queue_of_its_accounts_project(
    world: World,
) -> None:
    assert get_agent(world.store, "alice").queues == ("Default",)
    assert get_agent(world.store, "carol").queues == ("Italian",)
    assert get_agent(world.store, "sam").supervisor


def test_password_is_stored_as_a_salted_scrypt_hash(world: World) -> None:
    add_agent(world.store, "dave", password="correct horse")
    add_agent(world.store, "erin", password="correct horse")
    dave, erin = _agent(world, "dave"), _agent(world, "erin")
    assert dave.password_hash and dave.password_hash.startswith("scrypt$")
    assert "correct horse" not in dave.password_hash
    assert dave.password_hash != erin.password_hash, "salted"
    assert verify_password("correct horse", dave.password_hash)
    assert not verify_password("wrong", dave.password_hash)
    assert not verify_password("correct horse", None)


def test_agent_names_and_queues_are_checked(world: World) -> None:
    with pytest.raises(UserError, match="already exists"):
        add_agent(world.store, "alice")
    with pytest.raises(UserError, match="no queue named 'Nope'"):
        add_agent(world.store, "zed", queues=["Nope"])


def test_agents_see_only_their_accounts_and_queues(world: World) -> None:
    support = world.interaction("support")
    sales_default = world.interaction("sales")
    sales_italian = world.interaction("sales", queue="Italian")
    assert [v.id for v in visible_interactions(world.store, "alice")] == [support]
    assert [v.id for v in visible_interactions(world.store, "carol")] == [sales_italian]
    everything = {v.id for v in visible_interactions(world.store, "sam")}
    assert everything == {support, sales_default, sales_italian}
    # and claiming what one cannot see is refused
    refused = world.op("claim", "alice", interaction=sales_italian)
    assert (refused.status, refused.reason) == (
        "rejected",
        "You do not work on this interaction's account and queue.",
    )
    # Both memberships count: Carol works on the sales account, not in its default queue.
    half = world.op("claim", "carol", interaction=sales_default)
    assert (half.status, half.reason) == (
        "rejected",
        "You do not work on this interaction's account and queue.",
    )
    assert world.op("claim", "carol", interaction=sales_italian).applied


def test_lock_emails_to_agents_hides_claimed_interactions_from_others(world: World) -> None:
    first, second = world.interaction(age_min=2), world.interaction(age_min=1)
    assert world.op("claim", "alice", interaction=first).applied
    assert [v.id for v in visible_interactions(world.store, "bob")] == [second]
    mine = visible_interactions(world.store, "alice")
    assert [(v.id, v.claimed_by) for v in mine] == [(first, "alice"), (second, None)]
    # supervisors see who holds it
    assert [(v.id, v.claimed_by) for v in visible_interactions(world.store, "sam")] == [
        (first, "alice"),
        (second, None),
    ]
    with world.store.write() as session:
        session.execute(update(Project).values(lock_emails_to_agents=False))
    assert [v.id for v in visible_interactions(world.store, "bob")] == [first, second]
    # released: back on everyone's list
    with world.store.write() as session:
        session.execute(update(Project).values(lock_emails_to_agents=True))
    assert world.op("release", "alice", interaction=first).applied
    assert [v.id for v in visible_interactions(world.store, "bob")] == [first, second]


# --- claiming ---------------------------------------------------------------------------------


def test_claim_by_id_gives_a_fence_an_event_and_the_in_email_state(world: World) -> None:
    interaction = world.interaction()
    result = world.op("claim", "alice", interaction=interaction)
    assert (result.status, result.result) == ("applied", {"id": str(interaction), "fence": 1})
    row = world.row(interaction)
    assert (row.claimed_by_id, row.claim_fence) == (_agent(world, "alice").id, 1)
    assert row.claimed_at is not None
    assert _agent(world, "alice").state == "in_email"
    [event] = _events(world, "claim")
    assert (event.actor_id, event.interaction_id) == (_agent(world, "alice").id, interaction)
    assert event.at is not None


def test_second_claim_is_refused_with_the_holders_name(world: World) -> None:
    interaction = world.interaction()
    assert world.op("claim", "alice", interaction=interaction).applied
    lost = world.op("claim", "bob", interaction=interaction)
    assert (lost.status, lost.reason) == ("rejected", "Already taken by alice.")
    assert world.row(interaction).claimed_by_id == _agent(world, "alice").id
    with world.store.read() as session:
        recorded = session.get(OperationRow, lost.op_id)
        assert recorded is not None
        assert (recorded.status, recorded.reason) == ("rejected", "Already taken by alice.")
    # the holder claiming again changes nothing
    again = world.op("claim", "alice", interaction=interaction)
    assert again.applied and again.result["fence"] == 1
    assert len(_events(world, "claim")) == 1


def test_an_operation_id_is_applied_once(world: World) -> None:
    interaction = world.interaction()
    op = Operation("claim", "alice", {"interaction": str(interaction)})
    first, second = apply(world.store, op), apply(world.store, op)
    assert first == second and first.applied
    assert len(_events(world, "claim")) == 1
    # a rejection is recorded too: resending it returns the same answer
    refused = Operation("claim", "bob", {"interaction": str(interaction)})
    assert apply(world.store, refused) == apply(world.store, refused)
    with world.store.read() as session:
        assert session.execute(select(func.count()).select_from(OperationRow)).scalar() == 2


def test_claim_next_takes_the_oldest_visible_unclaimed_interaction(world: World) -> None:
    newest = world.interaction(age_min=1)
    oldest = world.interaction(age_min=3)
    middle = world.interaction(age_min=2)
    world.interaction("sales", age_min=10)  # not alice's account
    assert world.op("claim", "bob", interaction=oldest).applied
    got = [world.op("claim", "alice").result.get("id") for _ in range(3)]
    assert got == [str(middle), str(newest), None]
    assert world.op("claim", "alice").result == {}
    # an agent may hold any number of interactions
    assert len([v for v in visible_interactions(world.store, "alice") if v.claimed_by]) == 2


def test_claim_next_makes_a_logged_out_agent_available(world: World) -> None:
    assert _agent(world, "alice").state == "logged_out"
    assert world.op("claim", "alice").result == {}
    assert _agent(world, "alice").state == "available"
    world.interaction()
    assert world.op("claim", "alice").result["fence"] == 1
    assert _agent(world, "alice").state == "in_email"
    with world.store.read() as session:
        spans = session.execute(
            select(AgentStateSpan.state, AgentStateSpan.ended_at)
            .join(Agent, Agent.id == AgentStateSpan.agent_id)
            .where(Agent.name == "alice")
            .order_by(AgentStateSpan.started_at, AgentStateSpan.change_seq)
        ).all()
    assert [s for s, _ in spans] == ["available", "in_email"]
    assert spans[0].ended_at is not None and spans[1].ended_at is None


def test_a_stale_holder_cannot_act(world: World) -> None:
    interaction = world.interaction()
    fence = world.op("claim", "alice", interaction=interaction).result["fence"]
    assert world.op("release", "alice", interaction=interaction, fence=fence).applied
    refence = world.op("claim", "alice", interaction=interaction).result["fence"]
    assert refence == fence + 2
    stale = world.op("close", "alice", interaction=interaction, fence=fence)
    assert stale.status == "rejected" and "changed hands" in stale.reason
    assert world.op("close", "alice", interaction=interaction, fence=refence).applied


def test_only_the_holder_or_a_supervisor_acts_on_a_claimed_interaction(world: World) -> None:
    interaction = world.interaction()
    assert world.op("close", "alice", interaction=interaction).reason == (
        "Accept this interaction first."
    )
    world.op("claim", "alice", interaction=interaction)
    assert world.op("close", "bob", interaction=interaction).reason == "Already taken by alice."
    assert world.op("release", "sam", interaction=interaction).applied
    assert world.row(interaction).claimed_by_id is None


# --- release and transfer ---------------------------------------------------------------------


def test_release_puts_it_back_and_frees_the_agent(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    result = world.op("release", "alice", interaction=interaction)
    assert result.applied and result.result["fence"] == 2
    assert world.row(interaction).claimed_by_id is None
    assert _agent(world, "alice").state == "available"
    assert world.op("claim", "bob").result["id"] == str(interaction)


def test_transfer_to_an_agent_and_to_a_queue(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("set_state", "bob", state="available")
    moved = world.op("transfer", "alice", interaction=interaction, to_agent="bob")
    assert moved.applied and moved.result["fence"] == 2
    assert world.row(interaction).claimed_by_id == _agent(world, "bob").id
    assert (_agent(world, "alice").state, _agent(world, "bob").state) == ("available", "in_email")
    assert world.op("transfer", "bob", interaction=interaction, to_agent="carol").reason == (
        "carol does not work on this account and queue."
    )
    queued = world.op("transfer", "bob", interaction=interaction, to_queue="Italian")
    assert queued.applied
    row = world.row(interaction)
    assert row.claimed_by_id is None and row.claim_fence == 3
    assert visible_interactions(world.store, "alice") == []  # alice is not in Italian


def test_transfers_follow_the_account_switches(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    with world.store.write() as session:
        session.execute(
            update(EmailAccount).values(transfer_to_agent=False, transfer_to_queue=False)
        )
    assert world.op("transfer", "alice", interaction=interaction, to_agent="bob").reason == (
        "Transfers to agents are off for account support."
    )
    assert world.op("transfer", "alice", interaction=interaction, to_queue="Default").reason == (
        "Transfers to queues are off for account support."
    )


# --- dispositions and closing -----------------------------------------------------------------


def test_mandatory_disposition_blocks_closing_without_one(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    with world.store.write() as session:
        session.execute(update(EmailAccount).values(mandatory_disposition=True))
    refused = world.op("close", "alice", interaction=interaction)
    assert refused.reason == "Choose a disposition first: account support requires one."
    assert world.row(interaction).status == "open"
    # the sales account's own disposition is not offered on support
    assert world.op("close", "alice", interaction=interaction, disposition="Refund").reason == (
        "There is no disposition 'Refund' for account support."
    )
    closed = world.op("close", "alice", interaction=interaction, disposition="Solved")
    assert closed.applied
    row = world.row(interaction)
    assert (row.status, row.closed_by_id) == ("closed", _agent(world, "alice").id)
    assert row.disposition_id is not None and row.closed_at is not None
    assert _agent(world, "alice").state == "available"


def test_pause_while_disposing(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    with world.store.write() as session:
        session.execute(update(EmailAccount).values(pause_while_disposing=True))
    assert world.op("start_disposing", "alice", interaction=interaction).result["paused"]
    alice = _agent(world, "alice")
    assert (alice.state, alice.state_reason) == ("paused", "Disposing")
    assert world.op("dispose", "alice", interaction=interaction, disposition="Solved").applied
    assert world.op("close", "alice", interaction=interaction).applied
    assert _agent(world, "alice").state == "available"


def test_a_closed_interaction_cannot_be_claimed_or_closed_again(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("close", "alice", interaction=interaction)
    assert world.op("close", "alice", interaction=interaction).reason == (
        "This interaction is closed."
    )
    assert world.op("claim", "bob", interaction=interaction).reason == (
        "This interaction is closed."
    )
    assert world.op("claim", "bob").result == {}


# --- tickets ----------------------------------------------------------------------------------


def test_ticket_numbers_use_project_key_local_date_and_a_daily_sequence(world: World) -> None:
    first, second = world.interaction(subject="Broken"), world.interaction(subject="Late")
    for interaction in (first, second):
        world.op("claim", "alice", interaction=interaction)
    rome = zoneinfo.ZoneInfo("Europe/Rome")
    before = dt.datetime.now(rome).strftime("%Y%m%d")
    a = world.op("assign_ticket", "alice", interaction=first, new=True).result["ticket"]
    b = world.op("assign_ticket", "alice", interaction=second, new=True).result["ticket"]
    after = dt.datetime.now(rome).strftime("%Y%m%d")
    if before == after:  # a run straddling midnight in Rome restarts the sequence
        assert (a, b) == (f"ACM-{before}-000001", f"ACM-{before}-000002")
    assert re.fullmatch(r"ACM-\d{8}-00000[12]", b)
    info = get_ticket(world.store, a)
    assert (info.title, info.responsible, info.interactions) == ("Broken", "alice", (first,))


def test_ticket_day_follows_the_project_time_zone() -> None:
    project = Project(name="x", key="XXX", time_zone="Pacific/Auckland")
    late_utc = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)  # already 2 March in Auckland
    assert ticket_day(project, late_utc) == "20260302"
    project.time_zone = "America/Los_Angeles"
    assert ticket_day(project, dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)) == "20260301"


def test_one_ticket_holds_the_conversation_and_its_facts(world: World) -> None:
    t0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    first, second = world.interaction(), world.interaction()
    add_message(world.store, first, "in", t0)
    add_message(world.store, first, "out", t0 + dt.timedelta(hours=2))
    add_message(world.store, second, "in", t0 + dt.timedelta(days=1))
    add_message(world.store, second, "out", t0 + dt.timedelta(days=1, hours=1))
    add_message(world.store, second, "out", t0 + dt.timedelta(days=2), delivery_state="failed")
    add_ticket_type(world.store, "ACM", "Complaint", "COMPL")
    for interaction in (first, second):
        world.op("claim", "alice", interaction=interaction)
    created = world.op(
        "assign_ticket", "alice", interaction=first, new=True, type="COMPL", title="Order 1"
    )
    number = created.result["ticket"]
    info = get_ticket(world.store, number)
    assert (info.type, info.title, info.sent_count, info.received_count) == (
        "Complaint",
        "Order 1",
        1,
        1,
    )
    assert info.sla == dt.timedelta(hours=2)
    assert world.op("assign_ticket", "alice", interaction=second, ticket=number).applied
    info = get_ticket(world.store, number)
    assert (info.sent_count, info.received_count) == (2, 2)
    assert (info.first_received_at, info.last_received_at) == (t0, t0 + dt.timedelta(days=1))
    assert (info.first_sent_at, info.last_sent_at) == (
        t0 + dt.timedelta(hours=2),
        t0 + dt.timedelta(days=1, hours=1),
    )
    assert set(info.interactions) == {first, second}
    assert info.sla == dt.timedelta(hours=2)
    assert world.op("assign_ticket", "alice", interaction=second, new=True, type="Nope").reason == (
        "There is no ticket type 'Nope' in this project."
    )
    assert world.op("assign_ticket", "alice", interaction=second, ticket="ACM-1").reason == (
        "There is no ticket 'ACM-1' in this project."
    )


def test_ticket_edits_and_shared_ticket_handling(world: World) -> None:
    interaction = world.interaction(subject="Printer")
    world.op("claim", "alice", interaction=interaction)
    number = world.op("assign_ticket", "alice", interaction=interaction, new=True).result["ticket"]
    assert world.op("update_ticket", "bob", ticket=number, title="Printer on fire").applied
    with world.store.write() as session:
        session.execute(update(Project).values(shared_ticket_handling=False))
    assert world.op("update_ticket", "bob", ticket=number, title="x").reason == (
        f"Ticket {number} belongs to another agent."
    )
    assert world.op("update_ticket", "sam", ticket=number, responsible="bob").applied
    info = get_ticket(world.store, number)
    assert (info.title, info.responsible) == ("Printer on fire", "bob")


# --- tags, notes, read state, agent states, settings ------------------------------------------


def test_tags_are_added_removed_and_added_again(world: World) -> None:
    interaction = world.interaction()
    assert world.op("tag", "alice", interaction=interaction, tag="vip").applied
    assert world.op("tag", "sam", interaction=interaction, tag="vip").applied  # no change
    assert world.op("untag", "bob", interaction=interaction, tag="vip").applied
    assert world.op("tag", "alice", interaction=interaction, tag="vip").applied
    with world.store.read() as session:
        links = session.execute(select(InteractionTag.deleted_at)).scalars().all()
    assert links == [None]
    assert [e.kind for e in _events(world, "tag")] == ["tag", "tag"]
    assert len(_events(world, "untag")) == 1


def test_notes_are_internal_and_need_a_body(world: World) -> None:
    interaction = world.interaction()
    assert world.op("note", "alice", interaction=interaction, body="  ").reason == (
        "A note cannot be empty."
    )
    assert world.op("note", "alice", interaction=interaction, body="Called them.").applied
    with world.store.read() as session:
        note = session.execute(select(Note)).scalar_one()
    assert (note.body, note.agent_id) == ("Called them.", _agent(world, "alice").id)
    # The rules' read is built once and run for every agent: each gets their own answer.
    assert world.op("note", "carol", interaction=interaction, body="Mine?").reason == (
        "You do not work on this interaction's account and queue."
    )
    assert world.op("note", "bob", interaction=interaction, body="Seen.").applied
    assert world.op("note", "sam", interaction=interaction, body="Checked.").applied
    with world.store.read() as session:
        authors = session.execute(
            select(Agent.name, Note.body).join(Note, Note.agent_id == Agent.id)
        )
        assert sorted(authors.all()) == [
            ("alice", "Called them."),
            ("bob", "Seen."),
            ("sam", "Checked."),
        ]


def test_mark_unread_and_locked_interactions(world: World) -> None:
    interaction = world.interaction()
    assert world.op("mark_unread", "alice", interaction=interaction, unread=False).applied
    assert world.row(interaction).unread is False
    world.op("claim", "alice", interaction=interaction)
    # locked to alice: bob cannot touch it, and learns who has it
    assert world.op("mark_unread", "bob", interaction=interaction).reason == (
        "Already taken by alice."
    )
    with world.store.write() as session:  # the account lets agents mark mail unread
        session.execute(update(EmailAccount).values(mark_as_unread=True))
    assert world.op("mark_unread", "alice", interaction=interaction).applied
    assert world.row(interaction).unread is True


def test_agent_states_are_timestamped_spans(world: World) -> None:
    assert world.op("set_state", "alice", state="available").applied
    assert world.op("set_state", "alice", state="paused", reason="Lunch").applied
    assert world.op("set_state", "alice", state="in_email").status == "rejected"
    assert world.op("set_state", "bob", state="paused", agent="alice").reason == (
        "Only a supervisor may change another agent's state."
    )
    assert world.op("set_state", "sam", state="logged_out", agent="alice").applied
    with world.store.read() as session:
        spans = (
            session.execute(
                select(AgentStateSpan)
                .join(Agent, Agent.id == AgentStateSpan.agent_id)
                .where(Agent.name == "alice")
                .order_by(AgentStateSpan.started_at, AgentStateSpan.change_seq)
            )
            .scalars()
            .all()
        )
    assert [(s.state, s.reason) for s in spans] == [
        ("available", ""),
        ("paused", "Lunch"),
        ("logged_out", ""),
    ]
    assert all(s.ended_at is not None for s in spans[:-1]) and spans[-1].ended_at is None
    assert all(s.started_at <= (s.ended_at or s.started_at) for s in spans)


def test_settings_are_changed_by_supervisors_only(world: World) -> None:
    refused = world.op(
        "change_setting", "alice", key="mandatory_disposition", value="on", account="support"
    )
    assert refused.reason == "Only a supervisor may change settings."
    bad = world.op("change_setting", "sam", key="new_email_list_size", value="0", project="ACM")
    assert bad.status == "rejected" and "between 1 and 250" in bad.reason
    ok = world.op(
        "change_setting", "sam", key="mandatory_disposition", value="on", account="support"
    )
    assert ok.applied and ok.result["value"] is True
    [event] = _events(world, "setting.change")
    assert event.actor_id == _agent(world, "sam").id


def test_unknown_operations_and_agents_are_refused(world: World) -> None:
    assert world.op("frobnicate", "alice").reason == "There is no operation called 'frobnicate'."
    assert world.op("claim", "nobody").reason == "There is no agent named nobody."
    assert world.op("claim", "alice", interaction="not-a-uuid").reason == (
        "'not-a-uuid' is not an interaction id."
    )
    missing = uuid.uuid4()
    assert world.op("claim", "alice", interaction=missing).reason == (
        f"There is no interaction {missing}."
    )


def test_every_change_is_an_audit_event_with_who_and_when(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("note", "alice", interaction=interaction, body="x")
    world.op("close", "alice", interaction=interaction, disposition="Solved")
    with world.store.read() as session:
        rows = session.execute(
            select(Event.kind, Event.actor_id, Event.at)
            .where(Event.interaction_id == interaction)
            .order_by(Event.change_seq)
        ).all()
        applied = session.execute(
            select(func.count()).select_from(OperationRow).where(OperationRow.status == "applied")
        ).scalar()
    assert [r.kind for r in rows] == ["claim", "note", "close"]
    assert {r.actor_id for r in rows} == {_agent(world, "alice").id}
    assert all(r.at is not None for r in rows)
    assert applied == 3


def test_offers_are_limited_by_the_new_email_list_size(world: World) -> None:
    from app.services.agents import offered_interactions

    made = [world.interaction(age_min=10 - n) for n in range(5)]
    with world.store.write() as session:
        session.execute(update(Project).values(new_email_list_size=3))
    offered = offered_interactions(world.store, "alice")
    assert [v.id for v in offered] == made[:3]  # the oldest three
    world.op("claim", "bob", interaction=made[0])
    assert [v.id for v in offered_interactions(world.store, "alice")] == made[1:4]


def test_mark_as_unread_follows_the_account_switch(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    assert world.op("mark_unread", "alice", interaction=interaction, unread=False).applied
    refused = world.op("mark_unread", "alice", interaction=interaction, unread=True)
    assert refused.reason == "Marking as unread is off for account support."
    with world.store.write() as session:
        session.execute(update(EmailAccount).values(mark_as_unread=True))
    assert world.op("mark_unread", "alice", interaction=interaction, unread=True).applied
    assert world.row(interaction).unread


def test_change_preferred_user_hands_it_over_when_the_project_allows(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    refused = world.op("change_preferred", "alice", interaction=interaction, agent="bob")
    assert refused.reason == "Changing the preferred agent is off for this project."
    with world.store.write() as session:
        session.execute(update(Project).values(change_preferred_user=True))
    done = world.op("change_preferred", "alice", interaction=interaction, agent="bob")
    assert done.applied, done.reason
    row = world.row(interaction)
    assert row.claimed_by_id == row.preferred_agent_id and row.unread
    assert world.op("change_preferred", "bob", interaction=interaction, agent="carol").reason == (
        "carol does not work on this account and queue."
    )
