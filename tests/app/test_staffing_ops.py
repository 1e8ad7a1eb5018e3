"""Agents, queues and accounts changed as named operations (app/services/staffing.py): each
kind is recorded in the operations table, refused for an agent whatever the client does, and
no password or mailbox secret ever lands in an operations row; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from app import secrets
from app.context import AppContext
from app.errors import UserError
from app.services import staffing
from app.services.accounts import get_account, list_accounts
from app.services.agents import get_agent, hash_password, verify_password
from app.services.operations import Operation, apply
from storage.models import Agent, AgentQueue, EmailAccount, Event
from storage.models import Operation as OperationRow
from tests.app.workflow import World, make_world

ORDER = [
    "add_agent",
    "set_role",
    "set_queue_membership",
    "set_account_membership",
    "add_queue",
    "rename_queue",
    "add_account",
    "remove_account",
]
KINDS = set(ORDER)


def agent_id(ctx: AppContext, name: str) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _operations(ctx: AppContext) -> list[OperationRow]:
    with ctx.store.read() as session:
        rows = list(
            session.execute(select(OperationRow).order_by(OperationRow.created_at)).scalars()
        )
        session.expunge_all()
        return rows


def _ops_for_every_kind(ctx: AppContext, actor: uuid.UUID) -> list[Operation]:
    carol = str(agent_id(ctx, "carol"))
    italian = next(q for q in staffing.staffing(ctx.store).queues if q.name == "Italian")
    return [
        staffing.add_agent_operation(actor, "dora", supervisor=False, password="dora-secret-1"),
        Operation("set_role", actor, {"agent": carol, "role": "supervisor"}),
        staffing.membership_operation(actor, uuid.UUID(carol), italian.id, False),
        staffing.account_membership_operation(actor, uuid.UUID(carol), "support", True),
        Operation("add_queue", actor, {"name": "Deutsch", "language": "de", "project": "ACM"}),
        Operation("rename_queue", actor, {"queue": str(italian.id), "name": "Italiano"}),
        staffing.add_account_operation(
            actor,
            {
                "name": "billing",
                "email": "billing@acme.test",
                "username": "b",
                "password": "pw",
                "smtp_host": "smtp.acme.test",
            },
        ),
        Operation("remove_account", actor, {"account": "sales"}),
    ]


def test_an_agent_is_refused_every_kind_and_nothing_changes(ctx: AppContext, world: World) -> None:
    alice = agent_id(ctx, "alice")
    before = (staffing.staffing(ctx.store), list_accounts(ctx.store))
    outcomes = [apply(ctx.store, op) for op in _ops_for_every_kind(ctx, alice)]
    assert [o.status for o in outcomes] == ["rejected"] * len(KINDS)
    assert {o.reason for o in outcomes} == {staffing.ONLY_SUPERVISORS}
    assert (staffing.staffing(ctx.store), list_accounts(ctx.store)) == before
    rows = _operations(ctx)
    assert {r.kind for r in rows} == KINDS
    assert {(r.status, r.actor_id) for r in rows} == {("rejected", alice)}


def test_a_supervisor_changes_people_queues_and_accounts_as_operations(
    ctx: AppContext, world: World
) -> None:
    sam = agent_id(ctx, "sam")
    outcomes = [apply(ctx.store, op) for op in _ops_for_every_kind(ctx, sam)]
    assert [o.reason for o in outcomes] == [""] * len(KINDS)
    rows = _operations(ctx)
    assert [r.kind for r in rows if r.status == "applied"] == ORDER
    data = staffing.staffing(ctx.store)
    agents = {a.name: a for a in data.agents}
    assert agents["dora"].role == "agent"
    assert agents["carol"].role == "supervisor"
    assert agents["carol"].accounts == ("support",)  # sales left with its account
    assert {q.name for q in data.queues} == {"Default", "Italiano", "Deutsch"}
    assert [a.name for a in list_accounts(ctx.store)] == ["billing", "support"]
    assert get_agent(ctx.store, "carol").queues == ()  # out of Italiano
    with ctx.store.read() as session:
        events = session.execute(select(Event.kind, Event.actor_id, Event.data)).all()
    audit = {kind: (actor, data) for kind, actor, data in events if actor == sam}
    assert set(audit) >= {
        "agent.add",
        "agent.role",
        "queue.member",
        "account.member",
        "queue.add",
        "queue.rename",
        "account.add",
        "account.remove",
    }
    assert audit["queue.rename"][1]["new"] == "Italiano"
    # The same operation again (a resend after a timeout) gets its outcome, changes nothing.
    again = Operation("add_queue", sam, {"name": "English", "language": "en", "project": "ACM"})
    first = apply(ctx.store, again)
    assert first.applied and apply(ctx.store, again) == first
    assert [q.name for q in staffing.staffing(ctx.store).queues].count("English") == 1


def test_no_plain_password_in_any_operations_row(ctx: AppContext, world: World) -> None:
    sam = agent_id(ctx, "sam")
    info = staffing.add_agent_as(ctx.store, sam, "erin", supervisor=True, password="erin-pw-4711")
    assert info.supervisor and info.name == "erin"
    account = staffing.add_account_as(
        ctx.store,
        sam,
        name="billing",
        email="billing@acme.test",
        username="b",
        password="mailbox-pw-0815",
        smtp_host="smtp.acme.test",
    )
    # Standalone: the mailbox password is in this machine's keyring once the account exists.
    assert secrets.get_secret(account.id, "password") == "mailbox-pw-0815"
    rows = _operations(ctx)
    assert {r.kind for r in rows} == {"add_agent", "add_account"}
    stored = json.dumps([[r.payload, r.result, r.reason] for r in rows])
    assert "erin-pw-4711" not in stored and "mailbox-pw-0815" not in stored
    (add_agent,) = [r for r in rows if r.kind == "add_agent"]
    assert add_agent.payload["password_hash"].startswith("scrypt$")
    assert "password" not in add_account_payload(rows)
    with ctx.store.read() as session:
        row = session.execute(select(Agent).where(Agent.name == "erin")).scalar_one()
        assert verify_password("erin-pw-4711", row.password_hash)
    with pytest.raises(UserError, match="at least 8 characters"):
        staffing.add_agent_as(ctx.store, sam, "fred", supervisor=False, password="short")


def add_account_payload(rows: list[OperationRow]) -> dict[str, object]:
    (row,) = [r for r in rows if r.kind == "add_account"]
    return dict(row.payload)


def test_secrets_sent_by_a_careless_client_are_refused(ctx: AppContext, world: World) -> None:
    sam = agent_id(ctx, "sam")
    plain = apply(
        ctx.store,
        Operation("add_agent", sam, {"name": "gus", "password_hash": "gus-plain-pw"}),
    )
    assert not plain.applied
    assert plain.reason == "The password must arrive hashed (scrypt), never in plain text."
    for key in ("password", "smtp_password", "oauth"):
        outcome = apply(
            ctx.store,
            Operation(
                "add_account",
                sam,
                {"name": "x", "email": "x@acme.test", "username": "x", key: "s3cret"},
            ),
        )
        assert not outcome.applied
        assert outcome.reason.startswith("An account's password or token never travels")
    assert "x" not in {a.name for a in list_accounts(ctx.store)}
    hashed = hash_password("gus-good-pw")
    assert apply(
        ctx.store, Operation("add_agent", sam, {"name": "gus", "password_hash": hashed})
    ).applied


def test_rules_are_the_handlers_whoever_calls(ctx: AppContext, world: World) -> None:
    sam, alice = agent_id(ctx, "sam"), agent_id(ctx, "alice")
    italian = next(q for q in staffing.staffing(ctx.store).queues if q.name == "Italian")
    refusals = {
        "set_queue_membership": (
            {"agent": str(alice), "queue": str(italian.id), "member": True, "skill": 101},
            "A skill level must be between 1 and 100 (got 101).",
        ),
        "set_role": ({"agent": str(sam), "role": "agent"}, "You cannot take away your own"),
        "rename_queue": ({"queue": str(italian.id), "name": "A/B"}, "A queue needs a name"),
        "add_queue": ({"name": "Italian", "project": "ACM"}, "Project Acme already has"),
        "add_account": (
            {"name": "support", "email": "s@acme.test", "username": "s", "smtp_host": "h"},
            "An email account named 'support' already exists.",
        ),
        "remove_account": ({"account": "nowhere"}, "There is no email account named 'nowhere'."),
        "set_account_membership": (
            {"agent": "alice", "account": "support", "member": "yes"},
            "Say whether the agent is a member",
        ),
    }
    for kind, (payload, reason) in refusals.items():
        outcome = apply(ctx.store, Operation(kind, sam, payload))
        assert not outcome.applied and outcome.reason.startswith(reason), (kind, outcome)
    # Agents by name work too (the CLI's way), and a skill is kept.
    payload = {"agent": "alice", "queue": str(italian.id), "member": True, "skill": 80}
    assert apply(ctx.store, Operation("set_queue_membership", sam, payload)).applied
    assert staffing.staffing(ctx.store).members[(alice, italian.id)] == 80
    with ctx.store.read() as session:
        assert (
            session.execute(select(AgentQueue.skill).where(AgentQueue.agent_id == alice))
            .scalars()
            .all()
            .count(80)
            == 1
        )
        assert session.execute(select(EmailAccount.name)).scalars().all().count("support") == 1
    assert get_account(ctx.store, "support").email == "support@acme.test"
