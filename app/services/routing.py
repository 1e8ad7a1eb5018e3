"""What happens to mail after it is stored: action plans for new conversations, and the
waits for the assigned agent and queue when a held conversation gets a new message."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import RelaydeskError
from app.mail.dsn import read_report
from app.services import action_plans
from app.services.contacts import (
    link_senders,
    record_unsubscribes,
    record_unsubscribes_in_threads,
)
from app.services.replies import auto_respond
from app.services.tickets import recompute_ticket_facts
from app.services.timers import schedule, timer
from storage.engine import Store
from storage.models import Agent, EmailAccount, Event, Interaction, Message, Timer, utcnow

log = logging.getLogger("app")

AWAY = ("logged_out", "paused")


def on_new_interactions(
    ctx: AppContext, interaction_ids: list[uuid.UUID], now: dt.datetime | None = None
) -> None:
    """Link senders to contacts, run each account's action plan, then acknowledge."""
    now = now or utcnow()
    reports = _settle_delivery_reports(ctx, interaction_ids, now)
    interaction_ids = [i for i in interaction_ids if i not in reports]
    if not interaction_ids:
        return
    with ctx.store.write() as session:
        link_senders(session, interaction_ids)
        # Unsubscribe requests are recorded, not routed, planned or acknowledged.
        unsubscribes = record_unsubscribes(session, interaction_ids, now)
        interaction_ids = [i for i in interaction_ids if i not in unsubscribes]
        if not interaction_ids:
            return
        rows = session.execute(
            select(Interaction, EmailAccount.action_plan)
            .join(EmailAccount, EmailAccount.id == Interaction.account_id)
            .where(Interaction.id.in_(interaction_ids), EmailAccount.action_plan.is_not(None))
        ).all()
        for interaction, plan in rows:
            action_plans.run(session, ctx.blobs, interaction, plan, now)
    auto_respond(ctx, interaction_ids, now)


def _settle_delivery_reports(
    ctx: AppContext, interaction_ids: list[uuid.UUID], now: dt.datetime
) -> set[uuid.UUID]:
    """Bounces and complaints about our mail update it and are not offered to agents.

    A report that matches no outbound message of ours stays ordinary mail.
    """
    settled: set[uuid.UUID] = set()
    with ctx.store.write() as session:
        rows = session.execute(
            select(Message.interaction_id, Message.raw_hash).where(
                Message.interaction_id.in_(interaction_ids), Message.is_report.is_(True)
            )
        ).all()
        for interaction_id, raw_hash in rows:
            report = read_report(ctx.blobs.get(raw_hash))
            if report is None or not report.original_message_id:
                continue
            ours = session.execute(
                select(Message).where(
                    Message.message_id_hdr == report.original_message_id,
                    Message.direction == "out",
                )
            ).scalar()
            if ours is None:
                continue
            if report.kind in ("bounced", "spam") or ours.delivery_state in (None, "sent"):
                ours.delivery_state = report.kind
                ours.delivery_detail = report.detail
            interaction = session.get(Interaction, interaction_id)
            if interaction is not None:
                interaction.status = "closed"
                interaction.closed_at = now
                interaction.unread = False
            session.add(
                Event(
                    kind=f"delivery.{report.kind}",
                    interaction_id=ours.interaction_id,
                    data={"message": str(ours.id), "detail": report.detail[:500]},
                )
            )
            settled.add(interaction_id)
    return settled


def on_new_messages(
    store: Store,
    interaction_ids: list[uuid.UUID],
    now: dt.datetime | None = None,
    *,
    message_ids: list[uuid.UUID] | None = None,
) -> int:
    """A held conversation got mail while its agent is away: wait for them, then the queue.
    An unsubscribe request among the new ``message_ids`` is recorded first."""
    now = now or utcnow()
    scheduled = 0
    with store.write() as session:
        if message_ids:
            record_unsubscribes_in_threads(session, message_ids, now)
        ticketed = session.execute(
            select(Interaction.ticket_id)
            .where(Interaction.id.in_(interaction_ids), Interaction.ticket_id.is_not(None))
            .distinct()
        ).scalars()
        for ticket_id in list(ticketed):
            # Received counts and times change when a customer writes again.
            if ticket_id is not None:
                recompute_ticket_facts(session, ticket_id)
        rows = session.execute(
            select(Interaction, Agent.state, EmailAccount.wait_for_agent)
            .join(Agent, Agent.id == Interaction.claimed_by_id)
            .join(EmailAccount, EmailAccount.id == Interaction.account_id)
            .where(Interaction.id.in_(interaction_ids), Interaction.status == "open")
        ).all()
        for interaction, state, wait in rows:
            if state not in AWAY:
                continue
            schedule(
                session,
                "wait_agent",
                now + dt.timedelta(seconds=wait),
                interaction_id=interaction.id,
                payload={"fence": interaction.claim_fence},
            )
            scheduled += 1
    return scheduled


def _unchanged(session: Session, row: Timer) -> Interaction | None:
    interaction = session.get(Interaction, row.interaction_id) if row.interaction_id else None
    if interaction is None or interaction.status != "open":
        return None
    if interaction.claim_fence != int(row.payload.get("fence", -1)):
        return None  # somebody moved it on: the wait is over
    return interaction


@timer("wait_agent")
def _wait_agent(session: Session, row: Timer, now: dt.datetime) -> None:
    """The agent did not come back for it: it waits in their queue for another agent."""
    interaction = _unchanged(session, row)
    if interaction is None or not interaction.unread:
        return
    agent = session.get(Agent, interaction.claimed_by_id) if interaction.claimed_by_id else None
    if agent is not None and agent.state not in AWAY:
        return
    account = session.get(EmailAccount, interaction.account_id)
    interaction.preferred_agent_id = interaction.claimed_by_id
    interaction.claimed_by_id = None
    interaction.claimed_at = None
    interaction.claim_fence += 1
    session.add(Event(kind="wait.agent_expired", interaction_id=interaction.id, data={}))
    schedule(
        session,
        "wait_queue",
        now + dt.timedelta(seconds=account.wait_for_queue if account else 10),
        interaction_id=interaction.id,
        payload={"fence": interaction.claim_fence},
    )


@timer("wait_queue")
def _wait_queue(session: Session, row: Timer, now: dt.datetime) -> None:
    """Nobody in the queue took it: the account's action plan decides, if it has one."""
    interaction = _unchanged(session, row)
    if interaction is None or interaction.claimed_by_id is not None:
        return
    account = session.get(EmailAccount, interaction.account_id)
    session.add(Event(kind="wait.queue_expired", interaction_id=interaction.id, data={}))
    plan: dict[str, Any] | None = account.action_plan if account else None
    if plan:
        try:
            # Timers run without the message store: routing steps apply, automatic
            # responses are skipped (the conversation was acknowledged when it arrived).
            action_plans.run(session, None, interaction, plan, now)
        except RelaydeskError as exc:
            log.error("action plan failed for %s: %s", interaction.id, exc)
