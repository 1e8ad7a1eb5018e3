"""A small contact centre for workflow tests: a project, accounts, queues and interactions."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import uuid
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from sqlalchemy import select

from app.services import accounts, operations
from app.services.agents import add_agent, add_queue
from app.services.operations import Operation, OpResult, apply
from storage.engine import Store
from storage.models import Disposition, EmailAccount, Interaction, Message, Queue, utcnow

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def racers() -> BaseContext:
    """Where the race tests' processes come from: forked from a server process that imported
    this module and the operations' rules once. Spawned, each of 20 children imported the
    whole application again, most of each race test's time on two cores. Never forked from
    the test process itself: a child would share (and at exit close) its connections."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Read when the server starts, with the first child of the session: later calls change
    # nothing, and every caller asks for the same modules.
    context.set_forkserver_preload([__name__, *operations._EXTENSIONS])
    return context


@dataclass(frozen=True)
class World:
    store: Store
    support: uuid.UUID
    sales: uuid.UUID

    def op(self, kind: str, actor: str, **payload: object) -> OpResult:
        return apply(self.store, Operation(kind, actor, dict(payload)))

    def interaction(
        self,
        account: str = "support",
        *,
        queue: str | None = None,
        subject: str = "Where is my order?",
        age_min: int = 0,
    ) -> uuid.UUID:
        return make_interaction(self.store, account, queue=queue, subject=subject, age_min=age_min)

    def row(self, interaction_id: uuid.UUID) -> Interaction:
        with self.store.read() as session:
            row = session.get(Interaction, interaction_id)
            assert row is not None
            return row


def make_world(store: Store) -> World:
    accounts.add_project(store, "Acme", "ACM", "Europe/Rome")
    support = accounts.add_account(
        store,
        name="support",
        email="support@acme.test",
        username="s",
        smtp_host="smtp.test",
        project="ACM",
    )
    sales = accounts.add_account(
        store,
        name="sales",
        email="sales@acme.test",
        username="s",
        smtp_host="smtp.test",
        project="ACM",
    )
    add_queue(store, "Italian", language="it", project="ACM")
    add_agent(store, "alice", accounts=["support"])
    add_agent(store, "bob", accounts=["support"])
    add_agent(store, "carol", accounts=["sales"], queues=["Italian"])
    add_agent(store, "sam", supervisor=True)
    with store.write() as session:
        session.add(Disposition(name="Solved"))
        session.add(Disposition(name="Refund", account_id=sales.id))
    return World(store, support.id, sales.id)


def make_interaction(
    store: Store,
    account: str,
    *,
    queue: str | None = None,
    subject: str = "Where is my order?",
    age_min: int = 0,
) -> uuid.UUID:
    """An open, unclaimed interaction, ``age_min`` minutes old (older ones are claimed first)."""
    with store.write() as session:
        acc = session.execute(select(EmailAccount).where(EmailAccount.name == account)).scalar_one()
        q = select(Queue).where(Queue.project_id == acc.project_id)
        q = q.where(Queue.name == queue) if queue else q.where(Queue.is_default.is_(True))
        queue_row = session.execute(q).scalar_one()
        created = utcnow() - dt.timedelta(minutes=age_min)
        row = Interaction(
            project_id=acc.project_id,
            account_id=acc.id,
            queue_id=queue_row.id,
            subject=subject,
            customer_email="customer@example.test",
            created_at=created,
        )
        session.add(row)
        session.flush()
        return row.id


def add_message(
    store: Store, interaction_id: uuid.UUID, direction: str, at: dt.datetime, **extra: object
) -> None:
    with store.write() as session:
        inter = session.get(Interaction, interaction_id)
        assert inter is not None
        session.add(
            Message(
                interaction_id=interaction_id,
                account_id=inter.account_id,
                direction=direction,
                sent_at=at,
                received_at=at,
                raw_hash=hashlib.sha256(f"{interaction_id}{direction}{at}".encode()).hexdigest(),
                **extra,
            )
        )


def race_worker(url: str, agent: str, barrier: Any, results: Any) -> None:
    """One agent in its own process: claim next and open a ticket on it until none is left."""
    store = Store(url)
    taken: list[tuple[str, int, str]] = []
    try:
        barrier.wait()
        while True:
            claimed = apply(store, Operation("claim", agent)).result
            if not claimed:
                break
            ticket = apply(
                store,
                Operation(
                    "assign_ticket",
                    agent,
                    {"interaction": claimed["id"], "new": True, "fence": claimed["fence"]},
                ),
            )
            assert ticket.applied, ticket.reason
            taken.append((claimed["id"], claimed["fence"], ticket.result["ticket"]))
    finally:
        results.put((agent, taken))
        store.dispose()


def same_claim_worker(url: str, agent: str, interaction: str, barrier: Any, results: Any) -> None:
    """One agent in its own process accepting one given interaction."""
    store = Store(url)
    try:
        barrier.wait()
        outcome = apply(store, Operation("claim", agent, {"interaction": interaction}))
        results.put((agent, outcome.status, outcome.reason))
    finally:
        store.dispose()
