"""``relaydesk demo``: a realistic store to explore with no mail server.

Projects, accounts (by key), language queues, agents, a few thousand conversations with
threads, attachments and odd charsets from the corpus generator, tickets, dispositions,
tags, notes and canned answers, all made through the same services the product uses.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

from sqlalchemy import insert, select

from app.context import AppContext
from app.demo.corpus import generate_corpus
from app.errors import UserError
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.accounts import add_account, add_project
from app.services.agents import add_agent, add_queue
from app.services.contacts import link_senders
from app.services.operations import Operation, apply
from storage.ids import new_id
from storage.models import (
    CannedAnswer,
    Disposition,
    EmailAccount,
    FolderState,
    Project,
    TicketType,
)

DEMO_PASSWORD = "relaydesk-demo"
Progress = Callable[[int, int], None]

LANGUAGE_QUEUES = {"it": "Italiano", "de": "Deutsch", "fr": "Français", "es": "Español"}


def seed(ctx: AppContext, messages: int = 3000, progress: Progress | None = None) -> dict[str, int]:
    """Fill an empty store; refuses a store that already has accounts."""
    with ctx.store.read() as session:
        if session.execute(select(EmailAccount.id).limit(1)).first() is not None:
            raise UserError("The store is not empty; use a new --data-dir for the demo.")
    add_project(ctx.store, "Acme Support", "ACM", "Europe/Rome")
    add_project(ctx.store, "Acme Sales", "SAL", "Europe/Berlin")
    for code, name in LANGUAGE_QUEUES.items():
        add_queue(ctx.store, name, language=code, project="ACM")
    support = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="support",
        imap_host="imap.acme.test",
        smtp_host="smtp.acme.test",
        project="ACM",
        key="SUP",
        display_name="Acme Support",
    )
    sales = add_account(
        ctx.store,
        name="sales",
        email="sales@acme.test",
        username="sales",
        imap_host="imap.acme.test",
        smtp_host="smtp.acme.test",
        project="SAL",
        key="SAL",
        display_name="Acme Sales",
    )
    from app.services.settings import change_setting

    change_setting(ctx.store, "language_queues", True, project="ACM")
    add_agent(ctx.store, "sam", supervisor=True, password=DEMO_PASSWORD, full_name="Sam Rivera")
    agents = [
        ("giulia", "Giulia Bianchi", ["Italiano", "ACM/Default"]),
        ("lukas", "Lukas Weber", ["Deutsch", "ACM/Default"]),
        ("amelie", "Amélie Laurent", ["Français", "ACM/Default"]),
        ("carmen", "Carmen Ortiz", ["Español", "ACM/Default"]),
        ("david", "David Morgan", ["ACM/Default"]),
    ]
    for name, full, queues in agents:
        add_agent(
            ctx.store,
            name,
            password=DEMO_PASSWORD,
            full_name=full,
            accounts=["support"],
            queues=queues,
        )
    add_agent(
        ctx.store, "nina", password=DEMO_PASSWORD, full_name="Nina Keller", accounts=["sales"]
    )
    with ctx.store.write() as session:
        session.add_all(
            [
                Disposition(name="Solved"),
                Disposition(name="No reply needed"),
                Disposition(name="Refund issued", account_id=support.id),
                CannedAnswer(title="Greeting", body="Dear {{ customer.name }},"),
                CannedAnswer(title="Refund timing", body="Refunds reach your account in 5 days."),
                CannedAnswer(
                    account_id=support.id,
                    title="Tracking link",
                    body="You can follow your parcel with the tracking link in your order.",
                ),
            ]
        )
    with ctx.store.write() as session:
        for project in session.execute(select(Project)).scalars():
            session.add(TicketType(project_id=project.id, label="Complaint", export_value="CMP"))
            session.add(TicketType(project_id=project.id, label="Question", export_value="QST"))
    first = messages * 5 // 6
    created = _ingest(ctx, support.id, first, progress, 0, messages)
    created += _ingest(ctx, sales.id, messages - first, progress, first, messages, seed=7)
    worked = _work(ctx, [name for name, _, _ in agents])
    return {"interactions": created, "worked": worked}


def _ingest(
    ctx: AppContext,
    account_id: uuid.UUID,
    count: int,
    progress: Progress | None,
    offset: int,
    total: int,
    seed: int = 3,
) -> int:
    corpus = generate_corpus(count, seed=seed)
    with ctx.store.connect() as conn:
        conn.execute(
            insert(FolderState).values(
                id=new_id(),
                account_id=account_id,
                folder="INBOX",
                uidvalidity=1,
                uidnext=1,
                change_seq=0,
            )
        )
    made = 0
    for start in range(0, len(corpus), 200):
        fetched = [
            FetchedMessage(uid=start + i + 1, raw=m.raw)
            for i, m in enumerate(corpus[start : start + 200])
        ]
        prepared = prepare_batch([(f.raw, f.uid) for f in fetched], True, ctx.blobs)
        with ctx.store.connect() as conn:
            account = load_account(conn, account_id, 14)
            outcome = write_batch(conn, account, "INBOX", 1, fetched, prepared)
        with ctx.store.write() as session:
            link_senders(session, outcome.new_interaction_ids)
        made += outcome.new_interactions
        if progress:
            progress(offset + start + len(fetched), total)
    return made


def _work(ctx: AppContext, agents: list[str]) -> int:
    """Agents at work: claims, tickets, tags, notes, dispositions, some closed."""
    rng = random.Random(11)
    worked = 0
    for _round in range(120):
        agent = rng.choice(agents)
        claim = apply(ctx.store, Operation("claim", agent, {}), blobs=ctx.blobs)
        if not claim.applied or not claim.result:
            continue
        interaction = claim.result["id"]
        worked += 1
        roll = rng.random()
        if roll < 0.5:
            apply(
                ctx.store,
                Operation(
                    "assign_ticket",
                    agent,
                    {
                        "interaction": interaction,
                        "new": True,
                        "type": rng.choice(["Complaint", "Question"]),
                    },
                ),
            )
        if roll < 0.3:
            apply(
                ctx.store,
                Operation(
                    "tag",
                    agent,
                    {"interaction": interaction, "tag": rng.choice(["vip", "refund", "late"])},
                ),
            )
        if roll < 0.2:
            apply(
                ctx.store,
                Operation(
                    "note",
                    agent,
                    {"interaction": interaction, "body": "Called the courier; waiting for news."},
                ),
            )
        if roll > 0.45:
            apply(
                ctx.store,
                Operation("dispose", agent, {"interaction": interaction, "disposition": "Solved"}),
            )
            apply(ctx.store, Operation("close", agent, {"interaction": interaction}))
    return worked
