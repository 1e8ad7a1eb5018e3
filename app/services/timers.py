"""Persisted timers: waits and timeouts that fire even while every window is closed.

A timer is a row with a due time, run by the mail worker; firing and its effect commit
together, so a worker that dies mid-way fires it again after restart, never half. A timer
whose condition no longer holds (the transfer was accepted) does nothing when it fires.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.engine import Store
from storage.models import Agent, Event, Interaction, Timer, utcnow

log = logging.getLogger("app")

TimerHandler = Callable[[Session, Timer, dt.datetime], None]
_TIMERS: dict[str, TimerHandler] = {}


def timer(kind: str) -> Callable[[TimerHandler], TimerHandler]:
    def register(fn: TimerHandler) -> TimerHandler:
        _TIMERS[kind] = fn
        return fn

    return register


def schedule(
    session: Session,
    kind: str,
    due_at: dt.datetime,
    *,
    interaction_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> Timer:
    row = Timer(kind=kind, due_at=due_at, interaction_id=interaction_id, payload=payload or {})
    session.add(row)
    return row


# Modules that register timer kinds; imported before the first timer runs.
_EXTENSIONS = ("app.services.routing",)


def run_due(store: Store, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Fire every timer due by ``now``, each in its own transaction; returns how many."""
    for module in _EXTENSIONS:
        importlib.import_module(module)
    now = now or utcnow()
    fired = 0
    while fired < limit:
        with store.write() as session:
            query = (
                select(Timer)
                .where(Timer.fired_at.is_(None), Timer.due_at <= now, Timer.deleted_at.is_(None))
                .order_by(Timer.due_at)
                .limit(1)
            )
            if not store.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            row = session.execute(query).scalar()
            if row is None:
                return fired
            handler = _TIMERS.get(row.kind)
            if handler is None:
                log.error("no handler for timer kind %r; dropping it", row.kind)
            else:
                handler(session, row, now)
            row.fired_at = now
            fired += 1
    return fired


@timer("transfer_timeout")
def _transfer_timeout(session: Session, row: Timer, now: dt.datetime) -> None:
    """A transfer nobody accepted in time goes back to the agent who made it, unread.

    Accepted means: for a transfer to an agent, the agent read it (or anything moved it on:
    release, another transfer, a close); for a transfer to a queue, someone claimed it. The
    claim fence tells whether anything moved it on.
    """
    interaction = session.get(Interaction, row.interaction_id) if row.interaction_id else None
    if interaction is None or interaction.status != "open":
        return
    payload = row.payload
    if interaction.claim_fence != int(payload.get("fence", -1)):
        return
    if payload.get("to") == "agent" and not interaction.unread:
        return
    sender_id = uuid.UUID(payload["from"]) if payload.get("from") else None
    sender = session.get(Agent, sender_id) if sender_id else None
    interaction.claimed_by_id = sender.id if sender else None
    interaction.claimed_at = now if sender else None
    interaction.claim_fence += 1
    interaction.unread = True
    interaction.last_activity_at = now
    session.add(
        Event(
            kind="transfer.returned",
            interaction_id=interaction.id,
            data={"to_agent": sender.name if sender else None, "fence": interaction.claim_fence},
        )
    )
