"""Agents, queues and who works on what: the agent x account and agent x queue matrices."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from app.errors import UserError
from app.services.accounts import default_project, find_account, find_project
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
    Ticket,
)

ROLES = ("agent", "supervisor")
# scrypt cost: ~50 ms on a laptop, so a stolen store cannot be brute-forced cheaply.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def hash_password(password: str) -> str:
    """A salted scrypt hash in one self-describing string."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class QueueInfo:
    id: uuid.UUID
    name: str
    project: str
    language: str | None
    is_default: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "project": self.project,
            "language": self.language,
            "default": self.is_default,
        }


@dataclass(frozen=True)
class AgentInfo:
    id: uuid.UUID
    name: str
    role: str
    state: str
    accounts: tuple[str, ...]
    queues: tuple[str, ...]

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"

    def added_event(self) -> dict[str, Any]:
        """The ``agent.add`` audit event's data."""
        return {
            "agent": str(self.id),
            "name": self.name,
            "role": self.role,
            "accounts": list(self.accounts),
            "queues": list(self.queues),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "role": self.role,
            "state": self.state,
            "accounts": list(self.accounts),
            "queues": list(self.queues),
        }


def find_agent(session: Session, name_or_id: str | uuid.UUID) -> Agent:
    agent: Agent | None
    if isinstance(name_or_id, uuid.UUID):
        agent = session.get(Agent, name_or_id)
    else:
        agent = session.execute(
            select(Agent).where(Agent.name == name_or_id, Agent.deleted_at.is_(None))
        ).scalar()
    if agent is None or agent.deleted_at is not None:
        raise UserError(f"There is no agent named {name_or_id!s:.100}.")
    return agent


def find_queue(session: Session, name: str) -> Queue:
    """A queue by name, or by ``KEY/name`` when several projects have one of that name."""
    key, _, bare = name.rpartition("/")
    query = select(Queue).where(Queue.name == bare, Queue.deleted_at.is_(None))
    if key:
        query = query.join(Project, Project.id == Queue.project_id).where(Project.key == key)
    queues = session.execute(query).scalars().all()
    if not queues:
        raise UserError(f"There is no queue named {name!r}.")
    if len(queues) > 1:
        raise UserError(
            f"Several projects have a queue named {name!r}: write it as KEY/{bare}, "
            "with the project key in front."
        )
    return queues[0]


def add_queue(
    store: Store, name: str, *, language: str | None = None, project: str | None = None
) -> QueueInfo:
    with store.write() as session:
        info, project_key = create_queue(session, name, language=language, project=project)
        session.add(
            Event(
                kind="queue.add",
                data={"queue": str(info.id), "name": info.name, "project": project_key},
            )
        )
        return info


def create_queue(
    session: Session, name: str, *, language: str | None = None, project: str | None = None
) -> tuple[QueueInfo, str]:
    """The rules for a new queue, inside the caller's transaction (no audit event); the
    queue and its project's key."""
    name = name.strip()
    if not name or "/" in name or len(name) > 200:
        raise UserError("A queue needs a name of at most 200 characters, without '/'.")
    if language is not None:
        language = language.strip().lower()
        if not _LANGUAGE.match(language):
            raise UserError(f"{language!r} is not a language code such as en, it or pt-br.")
    proj = find_project(session, project) if project else default_project(session)
    clash = session.execute(
        select(Queue).where(
            Queue.project_id == proj.id, Queue.name == name, Queue.deleted_at.is_(None)
        )
    ).scalar()
    if clash:
        raise UserError(f"Project {proj.name} already has a queue named {name!r}.")
    queue = Queue(project_id=proj.id, name=name, language=language, is_default=False)
    session.add(queue)
    session.flush()
    return QueueInfo(queue.id, name, proj.name, language, False), proj.key


def add_agent(
    store: Store,
    name: str,
    *,
    supervisor: bool = False,
    password: str | None = None,
    queues: Sequence[str] = (),
    accounts: Sequence[str] = (),
    full_name: str = "",
    email: str = "",
) -> AgentInfo:
    """Create an agent; with accounts but no queue named, they join each project's default."""
    password_hash = hash_password(password) if password is not None else None
    with store.write() as session:
        info = create_agent(
            session,
            name,
            role="supervisor" if supervisor else "agent",
            password_hash=password_hash,
            queues=queues,
            accounts=accounts,
            full_name=full_name,
            email=email,
        )
        session.add(Event(kind="agent.add", data=info.added_event()))
        return info


def is_password_hash(value: object) -> bool:
    """Whether ``value`` is a hash as ``hash_password`` makes it (never a plain password)."""
    if not isinstance(value, str):
        return False
    parts = value.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
        return False
    try:
        return len(base64.b64decode(parts[4], validate=True)) >= 16 and bool(
            base64.b64decode(parts[5], validate=True)
        )
    except ValueError:
        return False


def create_agent(
    session: Session,
    name: str,
    *,
    role: str = "agent",
    password_hash: str | None = None,
    queues: Sequence[str] = (),
    accounts: Sequence[str] = (),
    full_name: str = "",
    email: str = "",
) -> AgentInfo:
    """The rules for a new agent, inside the caller's transaction (no audit event).

    Takes the password's hash only: a plain password never travels further than the caller.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("An agent needs a name of at most 100 characters.")
    if role not in ROLES:
        raise UserError(f"A role is one of {', '.join(ROLES)} (got {role!r}).")
    if password_hash is not None and not is_password_hash(password_hash):
        raise UserError("The password must arrive hashed (scrypt), never in plain text.")
    if session.execute(select(Agent).where(Agent.name == name)).scalar():
        raise UserError(f"An agent named {name!r} already exists.")
    account_rows = [find_account(session, a) for a in dict.fromkeys(accounts)]
    queue_rows = [find_queue(session, q) for q in dict.fromkeys(queues)]
    if not queue_rows:
        for project_id in dict.fromkeys(a.project_id for a in account_rows):
            queue_rows.append(_default_queue(session, project_id))
    agent = Agent(
        name=name, full_name=full_name, email=email, role=role, password_hash=password_hash
    )
    session.add(agent)
    session.flush()
    session.add_all(AgentAccount(agent_id=agent.id, account_id=a.id) for a in account_rows)
    session.add_all(AgentQueue(agent_id=agent.id, queue_id=q.id) for q in queue_rows)
    return AgentInfo(
        agent.id,
        name,
        agent.role,
        agent.state,
        tuple(a.name for a in account_rows),
        tuple(q.name for q in queue_rows),
    )


def _default_queue(session: Session, project_id: uuid.UUID) -> Queue:
    queue = session.execute(
        select(Queue).where(
            Queue.project_id == project_id, Queue.is_default.is_(True), Queue.deleted_at.is_(None)
        )
    ).scalar()
    if queue is None:
        # Projects made before default queues existed: give them one now.
        queue = Queue(project_id=project_id, name="Default", is_default=True)
        session.add(queue)
        session.flush()
    return queue


def get_agent(store: Store, name: str) -> AgentInfo:
    with store.read() as session:
        agent = find_agent(session, name)
        accounts = session.execute(
            select(EmailAccount.name)
            .join(AgentAccount, AgentAccount.account_id == EmailAccount.id)
            .where(AgentAccount.agent_id == agent.id, AgentAccount.deleted_at.is_(None))
            .order_by(EmailAccount.name)
        ).scalars()
        queues = session.execute(
            select(Queue.name)
            .join(AgentQueue, AgentQueue.queue_id == Queue.id)
            .where(AgentQueue.agent_id == agent.id, AgentQueue.deleted_at.is_(None))
            .order_by(Queue.name)
        ).scalars()
        return AgentInfo(
            agent.id, agent.name, agent.role, agent.state, tuple(accounts), tuple(queues)
        )


# --- visibility -------------------------------------------------------------------------------


def memberships(session: Session, agent: Agent) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The agent's queue ids and account ids, in one round trip."""
    rows = session.execute(
        select(literal("q"), AgentQueue.queue_id)
        .where(AgentQueue.agent_id == agent.id, AgentQueue.deleted_at.is_(None))
        .union_all(
            select(literal("a"), AgentAccount.account_id).where(
                AgentAccount.agent_id == agent.id, AgentAccount.deleted_at.is_(None)
            )
        )
    ).all()
    return [i for k, i in rows if k == "q"], [i for k, i in rows if k == "a"]


def works_on(agent: Agent) -> ColumnElement[bool]:
    """Interactions of the agent's accounts and queues (every one, for a supervisor)."""
    if agent.role == "supervisor":
        return true()
    return member_of(agent.id)


def member_of(agent_id: Any) -> ColumnElement[bool]:
    """Interactions of the accounts and queues of the agent ``agent_id`` (a value, or a
    ``bindparam`` in a statement built once and run for every agent)."""
    return and_(
        Interaction.account_id.in_(
            select(AgentAccount.account_id).where(
                AgentAccount.agent_id == agent_id, AgentAccount.deleted_at.is_(None)
            )
        ),
        Interaction.queue_id.in_(
            select(AgentQueue.queue_id).where(
                AgentQueue.agent_id == agent_id, AgentQueue.deleted_at.is_(None)
            )
        ),
    )


def not_locked_away(agent: Agent) -> ColumnElement[bool]:
    """False for open interactions another agent holds in a project that locks emails."""
    if agent.role == "supervisor":
        return true()
    return not_held_by_others(agent.id)


def not_held_by_others(agent_id: Any) -> ColumnElement[bool]:
    """``not_locked_away`` for the agent ``agent_id`` (a value or a ``bindparam``)."""
    locking = select(Project.id).where(Project.lock_emails_to_agents.is_(True))
    return or_(
        Interaction.claimed_by_id.is_(None),
        Interaction.claimed_by_id == agent_id,
        Interaction.status != "open",
        Interaction.project_id.not_in(locking),
    )


def can_work_on(session: Session, agent: Agent, interaction: Interaction) -> bool:
    if agent.role == "supervisor":
        return True
    if interaction.queue_id is None:
        return False
    # One query, as rules ask it in the read of the interaction itself (operations.py).
    found = session.execute(select(works_on(agent)).where(Interaction.id == interaction.id))
    return bool(found.scalar())


@dataclass(frozen=True)
class InteractionView:
    """One row of an agent's or supervisor's interaction list."""

    id: uuid.UUID
    account: str
    queue: str | None
    subject: str
    customer: str
    status: str
    unread: bool
    claimed_by: str | None
    fence: int
    ticket: str | None
    created_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "account": self.account,
            "queue": self.queue,
            "subject": self.subject,
            "customer": self.customer,
            "status": self.status,
            "unread": self.unread,
            "claimed_by": self.claimed_by,
            "fence": self.fence,
            "ticket": self.ticket,
            "created_at": self.created_at.isoformat(),
        }


def visible_interactions(
    store: Store,
    agent: str | uuid.UUID,
    *,
    status: str | None = "open",
    limit: int | None = None,
    only: set[uuid.UUID] | None = None,
) -> list[InteractionView]:
    """What ``agent`` may see, oldest first; supervisors see all and who holds what."""
    holder = aliased(Agent)
    with store.read() as session:
        viewer = find_agent(session, agent)
        query = (
            select(
                Interaction.id,
                EmailAccount.name,
                Queue.name,
                Interaction.subject,
                Interaction.customer_email,
                Interaction.status,
                Interaction.unread,
                holder.name,
                Interaction.claim_fence,
                Ticket.number,
                Interaction.created_at,
            )
            .join(EmailAccount, EmailAccount.id == Interaction.account_id)
            .outerjoin(Queue, Queue.id == Interaction.queue_id)
            .outerjoin(holder, holder.id == Interaction.claimed_by_id)
            .outerjoin(Ticket, Ticket.id == Interaction.ticket_id)
            .where(Interaction.deleted_at.is_(None), works_on(viewer), not_locked_away(viewer))
            .order_by(Interaction.created_at, Interaction.id)
        )
        if status is not None:
            query = query.where(Interaction.status == status)
        if only is not None:
            query = query.where(Interaction.id.in_(only))
        if limit is not None:
            query = query.limit(limit)
        return [InteractionView(*row) for row in session.execute(query).all()]


def offered_interactions(store: Store, agent: str | uuid.UUID) -> list[InteractionView]:
    """New work offered to an agent: the oldest unclaimed ones they may take, at most the
    project's "new email list size" per project (1..250)."""
    with store.read() as session:
        viewer = find_agent(session, agent)
        ranked = (
            select(
                Interaction.id.label("id"),
                Interaction.project_id.label("project_id"),
                func.row_number()
                .over(
                    partition_by=Interaction.project_id,
                    order_by=(Interaction.created_at, Interaction.id),
                )
                .label("rank"),
            )
            .where(
                Interaction.deleted_at.is_(None),
                Interaction.status == "open",
                Interaction.claimed_by_id.is_(None),
                works_on(viewer),
            )
            .subquery()
        )
        chosen = set(
            session.execute(
                select(ranked.c.id)
                .join(Project, Project.id == ranked.c.project_id)
                .where(ranked.c.rank <= Project.new_email_list_size)
            ).scalars()
        )
    return visible_interactions(store, agent, only=chosen) if chosen else []
