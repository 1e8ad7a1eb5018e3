"""What the supervisor's admin pages read and change about people and queues.

Every change here checks that the acting agent is a supervisor (``require_supervisor``): the
pages are only shown in admin mode, but hiding a page is not a permission.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.errors import UserError
from app.services.accounts import AccountInfo, add_account, find_account, remove_account
from app.services.agents import (
    ROLES,
    AgentInfo,
    QueueInfo,
    add_agent,
    add_queue,
    find_agent,
)
from storage.engine import Store
from storage.models import (
    Agent,
    AgentAccount,
    AgentQueue,
    EmailAccount,
    Event,
    Interaction,
    Project,
    Queue,
    utcnow,
)

SKILL_RANGE = (1, 100)


@dataclass(frozen=True)
class AgentRow:
    id: uuid.UUID
    name: str
    full_name: str
    role: str
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class Staffing:
    """Agents, queues and the agent x queue matrix (``skills``: None is a member without one)."""

    agents: tuple[AgentRow, ...]
    queues: tuple[QueueInfo, ...]
    members: dict[tuple[uuid.UUID, uuid.UUID], int | None]  # (agent, queue) -> skill
    accounts: tuple[str, ...]


def require_supervisor(store: Store, actor: uuid.UUID) -> None:
    with store.read() as session:
        agent = session.get(Agent, actor)
        role = agent.role if agent is not None and agent.deleted_at is None else None
    if role != "supervisor":
        raise UserError("Only a supervisor may change accounts, agents and queues.")


def staffing(store: Store) -> Staffing:
    with store.read() as session:
        account_names = dict(
            session.execute(
                select(EmailAccount.id, EmailAccount.name).where(EmailAccount.deleted_at.is_(None))
            ).all()
        )
        per_agent: dict[uuid.UUID, list[str]] = {}
        for agent_id, account_id in session.execute(
            select(AgentAccount.agent_id, AgentAccount.account_id).where(
                AgentAccount.deleted_at.is_(None)
            )
        ):
            if account_id in account_names:
                per_agent.setdefault(agent_id, []).append(account_names[account_id])
        agents = tuple(
            AgentRow(a.id, a.name, a.full_name, a.role, tuple(sorted(per_agent.get(a.id, []))))
            for a in session.execute(
                select(Agent).where(Agent.deleted_at.is_(None)).order_by(Agent.name)
            ).scalars()
        )
        queues = tuple(
            QueueInfo(q.id, q.name, project, q.language, q.is_default)
            for q, project in session.execute(
                select(Queue, Project.name)
                .join(Project, Project.id == Queue.project_id)
                .where(Queue.deleted_at.is_(None))
                .order_by(Project.name, Queue.is_default.desc(), Queue.name)
            )
        )
        members = {
            (agent_id, queue_id): skill
            for agent_id, queue_id, skill in session.execute(
                select(AgentQueue.agent_id, AgentQueue.queue_id, AgentQueue.skill).where(
                    AgentQueue.deleted_at.is_(None)
                )
            )
        }
    return Staffing(agents, queues, members, tuple(sorted(account_names.values())))


def set_membership(
    store: Store,
    actor: uuid.UUID,
    agent_id: uuid.UUID,
    queue_id: uuid.UUID,
    member: bool,
    skill: int | None = None,
) -> None:
    """Put an agent in a queue (with an optional skill level 1..100) or take them out."""
    require_supervisor(store, actor)
    if skill is not None and not SKILL_RANGE[0] <= skill <= SKILL_RANGE[1]:
        raise UserError(
            f"A skill level must be between {SKILL_RANGE[0]} and {SKILL_RANGE[1]} (got {skill})."
        )
    with store.write() as session:
        agent = find_agent(session, agent_id)
        queue = session.get(Queue, queue_id)
        if queue is None or queue.deleted_at is not None:
            raise UserError("That queue no longer exists.")
        row = session.execute(
            select(AgentQueue).where(
                AgentQueue.agent_id == agent.id, AgentQueue.queue_id == queue_id
            )
        ).scalar()
        if member:
            if row is None:
                session.add(AgentQueue(agent_id=agent.id, queue_id=queue_id, skill=skill))
            else:
                row.deleted_at, row.skill = None, skill
        elif row is not None and row.deleted_at is None:
            row.deleted_at = utcnow()
        session.add(
            Event(
                kind="queue.member",
                actor_id=actor,
                data={
                    "agent": agent.name,
                    "queue": queue.name,
                    "member": member,
                    "skill": skill,
                },
            )
        )


def add_agent_as(
    store: Store,
    actor: uuid.UUID,
    name: str,
    *,
    supervisor: bool,
    password: str,
    accounts: Sequence[str] = (),
) -> AgentInfo:
    require_supervisor(store, actor)
    if len(password) < 8:
        raise UserError("Choose a password of at least 8 characters.")
    return add_agent(store, name, supervisor=supervisor, password=password, accounts=accounts)


def add_queue_as(
    store: Store, actor: uuid.UUID, name: str, *, language: str | None, project: str | None = None
) -> QueueInfo:
    require_supervisor(store, actor)
    return add_queue(store, name, language=language or None, project=project)


def rename_queue(store: Store, actor: uuid.UUID, queue_id: uuid.UUID, new_name: str) -> None:
    """The default queue can be renamed, never removed; any queue may be renamed."""
    require_supervisor(store, actor)
    new_name = new_name.strip()
    if not new_name or "/" in new_name or len(new_name) > 200:
        raise UserError("A queue needs a name of at most 200 characters, without '/'.")
    with store.write() as session:
        row = session.get(Queue, queue_id)
        if row is None or row.deleted_at is not None:
            raise UserError("That queue no longer exists.")
        clash = session.execute(
            select(Queue.id).where(
                Queue.project_id == row.project_id,
                Queue.name == new_name,
                Queue.id != row.id,
                Queue.deleted_at.is_(None),
            )
        ).first()
        if clash is not None:
            raise UserError(f"This project already has a queue named {new_name!r}.")
        old, row.name = row.name, new_name
        session.add(Event(kind="queue.rename", actor_id=actor, data={"old": old, "new": new_name}))


def set_account_membership(
    store: Store, actor: uuid.UUID, agent_id: uuid.UUID, account: str, member: bool
) -> None:
    """Let an agent work an account's interactions, or stop them."""
    require_supervisor(store, actor)
    with store.write() as session:
        agent = find_agent(session, agent_id)
        account_id = find_account(session, account).id
        row = session.execute(
            select(AgentAccount).where(
                AgentAccount.agent_id == agent.id, AgentAccount.account_id == account_id
            )
        ).scalar()
        if member:
            if row is None:
                session.add(AgentAccount(agent_id=agent.id, account_id=account_id))
            else:
                row.deleted_at = None
        elif row is not None and row.deleted_at is None:
            row.deleted_at = utcnow()
        session.add(
            Event(
                kind="account.member",
                actor_id=actor,
                data={"agent": agent.name, "account": account, "member": member},
            )
        )


def set_role(store: Store, actor: uuid.UUID, agent_id: uuid.UUID, role: str) -> None:
    """Make an agent a supervisor or a supervisor an agent; the desk never loses its last
    supervisor, and nobody demotes themselves (another supervisor has to)."""
    require_supervisor(store, actor)
    if role not in ROLES:
        raise UserError(f"A role is one of {', '.join(ROLES)} (got {role!r}).")
    with store.write() as session:
        agent = find_agent(session, agent_id)
        if agent.role == role:
            return
        if role == "agent":
            if agent.id == actor:
                raise UserError("You cannot take away your own supervisor role.")
            others = session.execute(
                select(func.count())
                .select_from(Agent)
                .where(Agent.role == "supervisor", Agent.deleted_at.is_(None), Agent.id != agent.id)
            ).scalar_one()
            if not others:
                raise UserError(f"{agent.name} is the last supervisor; make another one first.")
        old, agent.role = agent.role, role
        session.add(
            Event(
                kind="agent.role",
                actor_id=actor,
                data={"agent": agent.name, "old": old, "role": role},
            )
        )


def add_account_as(store: Store, actor: uuid.UUID, **fields: Any) -> AccountInfo:
    """Add an email account (app/services/accounts.py add_account) as a supervisor."""
    require_supervisor(store, actor)
    return add_account(store, **fields)


@dataclass(frozen=True)
class AccountUsage:
    """What removing an account touches, for the confirmation a supervisor answers."""

    name: str
    email: str
    interactions: int


def account_usage(store: Store, name: str) -> AccountUsage:
    with store.read() as session:
        account = find_account(session, name)
        count = session.execute(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.account_id == account.id, Interaction.deleted_at.is_(None))
        ).scalar_one()
        return AccountUsage(account.name, account.email, int(count))


def remove_account_as(store: Store, actor: uuid.UUID, name: str) -> None:
    """Remove an email account as a supervisor; its interactions stay for the reports."""
    require_supervisor(store, actor)
    remove_account(store, name, actor=actor)
