"""Realtime monitoring for supervisors: agents, queues and accounts in one small snapshot.

The wallboard asks ``monitoring_version`` (one row, one index lookup) every second and reads
a new ``snapshot`` only when it moved, so a refresh follows a change within a second without
re-reading the whole store on every tick. Time in state is counted by the page from
``state_since``; it needs no query.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, text, true
from sqlalchemy.orm import Session

from app.services.accounts import find_account
from app.services.health import mail_health
from storage.engine import CHANGE_SEQUENCE, Store
from storage.models import (
    Agent,
    AgentAccount,
    AgentStateSpan,
    EmailAccount,
    Event,
    Interaction,
    Project,
    Queue,
    utcnow,
)

# An open, unclaimed interaction waiting this long is "SLA at risk" (the list colours it the
# same way: ui/theme.py SLA_AT_RISK_AFTER).
SLA_AT_RISK_AFTER = dt.timedelta(hours=4)


@dataclass(frozen=True)
class AgentLine:
    id: uuid.UUID
    name: str
    role: str
    state: str
    state_reason: str
    state_since: dt.datetime
    current_subject: str  # the most recently accepted open interaction, "" when none
    holding: int  # open interactions the agent holds
    handled_today: int  # interactions the agent closed since midnight UTC
    in_email_today_s: float  # seconds in email status since midnight UTC


@dataclass(frozen=True)
class QueueLine:
    id: uuid.UUID
    name: str
    project: str
    language: str | None
    waiting: int  # open and nobody holds it
    oldest_waiting_at: dt.datetime | None
    offered: int  # arrived (or was routed) today
    handled: int  # closed today
    sla_at_risk: int  # waiting longer than SLA_AT_RISK_AFTER


@dataclass(frozen=True)
class AccountLine:
    name: str
    key: str
    active: bool
    open: int
    waiting: int
    last_fetch_at: dt.datetime | None
    error: str  # the last fetch error; "" when the last fetch succeeded (or none is due)


@dataclass(frozen=True)
class Snapshot:
    taken_at: dt.datetime
    version: int
    agents: tuple[AgentLine, ...]
    queues: tuple[QueueLine, ...]
    accounts: tuple[AccountLine, ...]

    @property
    def in_email(self) -> int:
        """Agents now in email status."""
        return sum(1 for a in self.agents if a.state == "in_email")

    @property
    def in_email_today_s(self) -> float:
        """Total time in email status today, all agents together."""
        return sum(a.in_email_today_s for a in self.agents)

    @property
    def waiting(self) -> int:
        return sum(q.waiting for q in self.queues)


def monitoring_version(store: Store) -> int:
    """A number that grows with every change to any synchronised row (cheap: one row)."""
    with store.read() as session:
        if session.get_bind().dialect.name == "postgresql":
            statement = text(f"SELECT last_value FROM {CHANGE_SEQUENCE}")
        else:
            statement = text("SELECT value FROM change_counter WHERE id = 1")
        return int(session.execute(statement).scalar() or 0)


def _midnight(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def snapshot(
    store: Store, now: dt.datetime | None = None, *, account: uuid.UUID | None = None
) -> Snapshot:
    """Everything the monitoring page shows, as plain values, read in one transaction.

    Only live rows are aggregated (open interactions through the partial index of unclaimed
    ones, today's arrivals through the age index, today's closes through the audit events),
    so the cost follows the work in progress, not the store's history. With ``account``, the
    realtime view of one account: its interactions, the agents who work on it, the queues of
    its project and its own fetch health.
    """
    version = monitoring_version(store)
    now = now or utcnow()
    today = _midnight(now)
    at_risk_before = now - SLA_AT_RISK_AFTER
    in_scope = Interaction.account_id == account if account is not None else true()
    open_live = and_(Interaction.status == "open", Interaction.deleted_at.is_(None), in_scope)
    waiting = and_(open_live, Interaction.claimed_by_id.is_(None))
    per_queue: dict[uuid.UUID | None, list[Any]] = defaultdict(lambda: [0, None, 0, 0, 0])
    per_account: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])  # open, waiting
    holding: dict[uuid.UUID, int] = defaultdict(int)
    handled: dict[uuid.UUID, int] = defaultdict(int)
    with store.read() as session:
        for queue_id, account_id, count, oldest, risk in session.execute(
            select(
                Interaction.queue_id,
                Interaction.account_id,
                func.count(),
                func.min(Interaction.created_at),
                func.count().filter(Interaction.created_at <= at_risk_before),
            )
            .where(waiting)
            .group_by(Interaction.queue_id, Interaction.account_id)
        ):
            line = per_queue[queue_id]
            line[0] += count
            line[1] = oldest if line[1] is None or oldest < line[1] else line[1]
            line[4] += risk
            per_account[account_id][0] += count
            per_account[account_id][1] += count
        for holder, account_id, count in session.execute(
            select(Interaction.claimed_by_id, Interaction.account_id, func.count())
            .where(open_live, Interaction.claimed_by_id.is_not(None))
            .group_by(Interaction.claimed_by_id, Interaction.account_id)
        ):
            if holder is not None:
                holding[holder] += count
            per_account[account_id][0] += count
        # Counted here rather than by GROUP BY: grouping makes SQLite walk a queue index
        # over the whole history instead of the age index over today's rows.
        for queue_id, count in Counter(
            session.execute(
                select(Interaction.queue_id).where(
                    Interaction.created_at >= today, Interaction.deleted_at.is_(None), in_scope
                )
            ).scalars()
        ).items():
            per_queue[queue_id][2] += count
        for agent_id, queue_id, count in session.execute(
            select(Event.actor_id, Interaction.queue_id, func.count())
            .join(Interaction, Interaction.id == Event.interaction_id)
            .where(Event.kind == "close", Event.at >= today, Event.deleted_at.is_(None), in_scope)
            .group_by(Event.actor_id, Interaction.queue_id)
        ):
            if agent_id is not None:
                handled[agent_id] += count
            per_queue[queue_id][3] += count
        # The subject of each agent's newest claim, in one pass over the held interactions.
        newest = (
            select(
                Interaction.claimed_by_id.label("agent_id"),
                Interaction.subject.label("subject"),
                func.row_number()
                .over(
                    partition_by=Interaction.claimed_by_id,
                    order_by=(Interaction.claimed_at.desc(), Interaction.id.desc()),
                )
                .label("rank"),
            )
            .where(open_live, Interaction.claimed_by_id.is_not(None))
            .subquery()
        )
        in_email = _in_email_since(session, today, now)
        current = dict(
            session.execute(
                select(newest.c.agent_id, newest.c.subject).where(newest.c.rank == 1)
            ).all()
        )
        agents = tuple(
            AgentLine(
                a.id,
                a.name,
                a.role,
                a.state,
                a.state_reason,
                a.state_since,
                current.get(a.id) or "",
                holding.get(a.id, 0),
                handled.get(a.id, 0),
                in_email.get(a.id, 0.0),
            )
            for a in session.execute(_agents_in_scope(account)).scalars()
        )
        queues = tuple(
            QueueLine(qid, name, project, language, *_queue_counts(per_queue.get(qid)))
            for qid, name, project, language in session.execute(
                select(Queue.id, Queue.name, Project.name, Queue.language)
                .join(Project, Project.id == Queue.project_id)
                .where(Queue.deleted_at.is_(None), _queues_in_scope(account))
                .order_by(Project.name, Queue.is_default.desc(), Queue.name)
            )
        )
        account_rows = session.execute(
            select(EmailAccount.id, EmailAccount.name, EmailAccount.key, EmailAccount.active)
            .where(
                EmailAccount.deleted_at.is_(None),
                EmailAccount.id == account if account is not None else true(),
            )
            .order_by(EmailAccount.name)
        ).all()
    health = {h.name: h for h in mail_health(store).accounts}
    accounts = tuple(
        AccountLine(
            name,
            key,
            bool(active),
            per_account[account_id][0] if account_id in per_account else 0,
            per_account[account_id][1] if account_id in per_account else 0,
            health[name].last_fetch_at if name in health else None,
            health[name].error if name in health else "",
        )
        for account_id, name, key, active in account_rows
    )
    return Snapshot(now, version, agents, queues, accounts)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _in_email_since(session: Session, today: dt.datetime, now: dt.datetime) -> dict[Any, float]:
    """Seconds each agent spent in email status since ``today``, from the state spans.

    Span ids are UUIDv7, so the spans begun since yesterday are a range of the primary key
    and the read does not grow with the history; a single span longer than a day that ends
    today is the one thing this leaves out.
    """
    since_ms = int((today - dt.timedelta(days=1)).timestamp() * 1000)
    floor = uuid.UUID(int=since_ms << 80)
    totals: dict[Any, float] = defaultdict(float)
    for agent_id, started, ended in session.execute(
        select(AgentStateSpan.agent_id, AgentStateSpan.started_at, AgentStateSpan.ended_at).where(
            AgentStateSpan.id >= floor,
            AgentStateSpan.state == "in_email",
            AgentStateSpan.deleted_at.is_(None),
        )
    ):
        start = max(_aware(started), today)
        end = _aware(ended) if ended is not None else now
        if end > start:
            totals[agent_id] += (end - start).total_seconds()
    return totals


def _queue_counts(
    line: list[Any] | None,
) -> tuple[int, dt.datetime | None, int, int, int]:
    """waiting, oldest waiting, offered, handled, SLA at risk."""
    if line is None:
        return 0, None, 0, 0, 0
    return int(line[0]), line[1], int(line[2]), int(line[3]), int(line[4])


def account_snapshot(store: Store, name: str, now: dt.datetime | None = None) -> Snapshot:
    """The realtime view of the account called ``name``."""
    with store.read() as session:
        account_id = find_account(session, name).id
    return snapshot(store, now, account=account_id)


def _agents_in_scope(account: uuid.UUID | None) -> Select[Agent]:
    query = select(Agent).where(Agent.deleted_at.is_(None)).order_by(Agent.name)
    if account is None:
        return query
    members = select(AgentAccount.agent_id).where(
        AgentAccount.account_id == account, AgentAccount.deleted_at.is_(None)
    )
    return query.where(Agent.id.in_(members))


def _queues_in_scope(account: uuid.UUID | None) -> ColumnElement[bool]:
    if account is None:
        return true()
    project = select(EmailAccount.project_id).where(EmailAccount.id == account)
    return Queue.project_id.in_(project.scalar_subquery())
