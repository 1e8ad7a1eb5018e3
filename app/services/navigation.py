"""The agent desktop's left pane: projects, accounts and queues with counts, the agent's state.

Plain frozen values only, so the window can take them across threads (STYLE.md habit 3).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from app.services.agents import find_agent, memberships, not_locked_away
from storage.engine import Store
from storage.models import Agent, EmailAccount, Interaction, Project, Queue


@dataclass(frozen=True)
class Counted:
    """An account or a queue with its open unread and waiting (unclaimed) interactions."""

    id: uuid.UUID
    name: str
    key: str  # an account's short key; empty for a queue
    unread: int
    waiting: int


@dataclass(frozen=True)
class ProjectCounts:
    id: uuid.UUID
    name: str
    key: str
    accounts: tuple[Counted, ...]
    queues: tuple[Counted, ...]

    @property
    def unread(self) -> int:
        return sum(a.unread for a in self.accounts)

    @property
    def waiting(self) -> int:
        return sum(a.waiting for a in self.accounts)


def navigation_counts(store: Store, agent: str | uuid.UUID | None = None) -> list[ProjectCounts]:
    """Projects, their accounts and queues with counts; with ``agent``, only what they work on.

    A supervisor (or no agent: the window before sign-in) sees everything.
    """
    with store.read() as session:
        viewer: Agent | None = find_agent(session, agent) if agent is not None else None
        queue_ids: set[uuid.UUID] | None = None
        account_ids: set[uuid.UUID] | None = None
        if viewer is not None and viewer.role != "supervisor":
            member_queues, member_accounts = memberships(session, viewer)
            queue_ids, account_ids = set(member_queues), set(member_accounts)
        projects = session.execute(
            select(Project.id, Project.name, Project.key)
            .where(Project.deleted_at.is_(None))
            .order_by(Project.name)
        ).all()
        account_rows = session.execute(
            select(EmailAccount.id, EmailAccount.project_id, EmailAccount.name, EmailAccount.key)
            .where(EmailAccount.deleted_at.is_(None))
            .order_by(EmailAccount.key, EmailAccount.name)
        ).all()
        queue_rows = session.execute(
            select(Queue.id, Queue.project_id, Queue.name)
            .where(Queue.deleted_at.is_(None))
            .order_by(Queue.is_default.desc(), Queue.name)
        ).all()
        open_rows = and_(Interaction.deleted_at.is_(None), Interaction.status == "open")
        if viewer is not None:
            open_rows = and_(open_rows, not_locked_away(viewer))
        unread = func.sum(case((Interaction.unread.is_(True), 1), else_=0))
        waiting = func.sum(case((Interaction.claimed_by_id.is_(None), 1), else_=0))
        tally = select(Interaction.account_id, Interaction.queue_id, unread, waiting).group_by(
            Interaction.account_id, Interaction.queue_id
        )
        # Through the (queue_id, status, …) index, queue by queue: the cost follows the open
        # interactions, not the closed history that makes up most of a big store.
        tallies = [
            *session.execute(
                tally.where(open_rows, Interaction.queue_id.in_([q[0] for q in queue_rows]))
            ),
            *session.execute(tally.where(open_rows, Interaction.queue_id.is_(None))),
        ]
    by_account: dict[uuid.UUID, list[int]] = {}
    by_queue: dict[uuid.UUID, list[int]] = {}
    for account_id, queue_id, n_unread, n_waiting in tallies:
        # An agent counts only what they could open: their accounts and their queues.
        if account_ids is not None and (
            account_id not in account_ids or queue_id not in (queue_ids or set())
        ):
            continue
        for table, key in ((by_account, account_id), (by_queue, queue_id)):
            if key is None:
                continue
            slot = table.setdefault(key, [0, 0])
            slot[0] += int(n_unread or 0)
            slot[1] += int(n_waiting or 0)
    result = []
    for project_id, name, key in projects:
        accounts = tuple(
            Counted(a_id, a_name, a_key, *by_account.get(a_id, [0, 0]))
            for a_id, a_project, a_name, a_key in account_rows
            if a_project == project_id and (account_ids is None or a_id in account_ids)
        )
        queues = tuple(
            Counted(q_id, q_name, "", *by_queue.get(q_id, [0, 0]))
            for q_id, q_project, q_name in queue_rows
            if q_project == project_id and (queue_ids is None or q_id in queue_ids)
        )
        if accounts or queues:
            result.append(ProjectCounts(project_id, name, key, accounts, queues))
    return result


@dataclass(frozen=True)
class AgentStatus:
    name: str
    state: str  # logged_out | available | paused | in_email
    reason: str
    since: dt.datetime


def agent_status(store: Store, agent: str | uuid.UUID) -> AgentStatus:
    with store.read() as session:
        row = find_agent(session, agent)
        return AgentStatus(row.name, row.state, row.state_reason, row.state_since)
