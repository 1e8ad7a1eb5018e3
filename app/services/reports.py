"""Reports supervisors read and export: the email log, the ticket list, agent and
disposition statistics.

Each report is a list of plain rows (column -> value) so the same data feeds the report
pages, CSV export and ``relaydesk report``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from storage.engine import Store
from storage.models import (
    Agent,
    Disposition,
    EmailAccount,
    Event,
    Interaction,
    Message,
    Queue,
    Ticket,
    TicketType,
)

NOT_TRACKED = "not tracked"
"""Opens, link clicks and unsubscribes would need tracking pixels or rewritten links."""

ALL_ACCOUNTS = "all accounts"
"""The account column of a global disposition."""

Row = dict[str, Any]

# An outbound message's delivery state -> the statistics column it counts in.
OUTCOME_COLUMN = {
    "sent": "delivered",
    "bounced": "bounced",
    "failed": "dropped",
    "spam": "marked_as_spam",
}
NOT_SENT = ("queued", "cancelled")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def email_log(
    store: Store, start: dt.datetime, end: dt.datetime, *, with_tickets: bool = False
) -> list[Row]:
    """Every email received or sent in [start, end); ticketed ones only when asked for."""
    holder, sender = aliased(Agent), aliased(Agent)
    # Received for inbound mail, queued for outbound: when it entered the system.
    when = Message.received_at
    query = (
        select(Message, Interaction, Queue.name, holder.name, sender.name, Ticket.number)
        .join(Interaction, Interaction.id == Message.interaction_id)
        .outerjoin(Queue, Queue.id == Interaction.queue_id)
        .outerjoin(holder, holder.id == Interaction.claimed_by_id)
        .outerjoin(sender, sender.id == Message.sent_by_id)
        .outerjoin(Ticket, Ticket.id == Interaction.ticket_id)
        .where(when >= start, when < end, Message.deleted_at.is_(None))
        .order_by(when, Message.id)
    )
    if not with_tickets:
        query = query.where(Interaction.ticket_id.is_(None))
    rows = []
    with store.read() as session:
        for message, interaction, queue, locked_by, sent_by, number in session.execute(query):
            to = ", ".join(addr for _name, addr in message.recipients.get("to", []))
            rows.append(
                {
                    "date": _iso(message.received_at),
                    "direction": "inbound" if message.direction == "in" else "outbound",
                    "from": message.from_email,
                    "to": to,
                    "subject": message.subject,
                    "language": message.language,
                    "queue": queue or "",
                    "locked_by_agent": locked_by or "",
                    "locked_at": _iso(interaction.claimed_at),
                    "ticket_number": number or "",
                    "sent_by": sent_by or "",
                }
            )
    return rows


def ticket_list(store: Store, start: dt.datetime, end: dt.datetime) -> list[Row]:
    """Tickets opened in [start, end), with their facts and SLA (first received to sent)."""
    query = (
        select(Ticket, TicketType.label, Agent.name)
        .outerjoin(TicketType, TicketType.id == Ticket.type_id)
        .outerjoin(Agent, Agent.id == Ticket.responsible_id)
        .where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.deleted_at.is_(None))
        .order_by(Ticket.created_at, Ticket.number)
    )
    rows = []
    with store.read() as session:
        for ticket, type_label, agent in session.execute(query):
            sla = (
                (ticket.first_sent_at - ticket.first_received_at).total_seconds()
                if ticket.first_sent_at and ticket.first_received_at
                else None
            )
            rows.append(
                {
                    "number": ticket.number,
                    "id": str(ticket.id),
                    "type": type_label or "",
                    "title": ticket.title,
                    "agent": agent or "",
                    "first_open_time": _iso(ticket.created_at),
                    "first_sent": _iso(ticket.first_sent_at),
                    "last_sent": _iso(ticket.last_sent_at),
                    "first_received": _iso(ticket.first_received_at),
                    "last_received": _iso(ticket.last_received_at),
                    "sent_count": ticket.sent_count,
                    "received_count": ticket.received_count,
                    "sla_seconds": sla,
                }
            )
    return rows


def agent_statistics(store: Store, start: dt.datetime, end: dt.datetime) -> list[Row]:
    """Per agent over [start, end): what they sent and handled, and how fast."""
    with store.read() as session:
        agents = session.execute(select(Agent.id, Agent.name).order_by(Agent.name)).all()
        sent = session.execute(
            select(Message.sent_by_id, Message.delivery_state, Message.in_reply_to).where(
                Message.direction == "out",
                Message.sent_by_id.is_not(None),
                Message.auto_submitted.is_(False),  # disposition emails count apart
                Message.sent_at >= start,
                Message.sent_at < end,
                Message.deleted_at.is_(None),
            )
        ).all()
        events = session.execute(
            select(Event.actor_id, Event.kind, Event.interaction_id, Event.at)
            .where(
                Event.at >= start - dt.timedelta(days=30),
                Event.at < end,
                Event.kind.in_(("claim", "close", "dispose", "disposition_email")),
            )
            .order_by(Event.at)
        ).all()
        first_reply = session.execute(
            select(
                Message.sent_by_id,
                Interaction.first_message_at,
                func.min(Message.sent_at),
            )
            .join(Interaction, Interaction.id == Message.interaction_id)
            .where(
                and_(Message.direction == "out", Message.sent_by_id.is_not(None)),
                Message.sent_at >= start,
                Message.sent_at < end,
            )
            .group_by(Message.sent_by_id, Interaction.id, Interaction.first_message_at)
        ).all()
    stats: dict[Any, Row] = {
        agent_id: {
            "agent": name,
            "emails_sent": 0,
            "responses": 0,
            "dispositions": 0,
            "disposition_emails": 0,
            "handled": 0,
            "average_handling_seconds": None,
            "average_first_response_seconds": None,
            "delivered": 0,
            "bounced": 0,
            "dropped": 0,
            "marked_as_spam": 0,
            "opened": NOT_TRACKED,
            "link_clicks": NOT_TRACKED,
            "unsubscribed": NOT_TRACKED,
        }
        for agent_id, name in agents
    }
    for agent_id, state, in_reply_to in sent:
        row = stats.get(agent_id)
        if row is None or state in NOT_SENT:
            continue
        row["emails_sent"] += 1
        row["responses"] += 1 if in_reply_to else 0
        column = OUTCOME_COLUMN.get(state or "sent")
        if column:
            row[column] += 1
    claimed_at: dict[tuple[Any, Any], dt.datetime] = {}
    handling: dict[Any, list[float]] = defaultdict(list)
    for actor, kind, interaction_id, at in events:
        if kind == "claim":
            claimed_at[(actor, interaction_id)] = at
        elif at >= start and actor in stats:
            key = {"close": "handled", "dispose": "dispositions"}.get(kind, "disposition_emails")
            stats[actor][key] += 1
            began = claimed_at.get((actor, interaction_id))
            if kind == "close" and began is not None:
                handling[actor].append((at - began).total_seconds())
    responses: dict[Any, list[float]] = defaultdict(list)
    for agent_id, first_message, first_sent in first_reply:
        if first_message and first_sent:
            responses[agent_id].append((first_sent - first_message).total_seconds())
    for agent_id, row in stats.items():
        if handling[agent_id]:
            row["average_handling_seconds"] = round(statistics.fmean(handling[agent_id]), 1)
        if responses[agent_id]:
            row["average_first_response_seconds"] = round(statistics.fmean(responses[agent_id]), 1)
    return list(stats.values())


_MAIL_COLUMNS = ("emails_sent", "responses", "delivered", "bounced", "dropped", "marked_as_spam")


def disposition_statistics(store: Store, start: dt.datetime, end: dt.datetime) -> list[Row]:
    """Per disposition over [start, end): the interactions disposed with it and their mail.

    An interaction counts for each disposition it was given in the period (by ``dispose``, or
    by ``close`` with a disposition), once each. Its agents' emails count whenever they were
    sent: they are the work that led to this outcome. Disposition emails count apart, as in
    the agent statistics.
    """
    kinds = ("dispose", "close", "disposition_email")
    in_period = and_(
        Event.at >= start,
        Event.at < end,
        Event.kind.in_(kinds),
        Event.interaction_id.is_not(None),
    )
    with store.read() as session:
        dispositions = session.execute(
            select(Disposition.id, Disposition.name, Disposition.account_id, EmailAccount.name)
            .outerjoin(EmailAccount, EmailAccount.id == Disposition.account_id)
            .where(Disposition.deleted_at.is_(None))
        ).all()
        events = session.execute(
            select(Event.kind, Event.interaction_id, Event.data, Interaction.account_id)
            .join(Interaction, Interaction.id == Event.interaction_id)
            .where(in_period, Interaction.deleted_at.is_(None))
            .order_by(Event.at, Event.id)
        ).all()
        mail = session.execute(
            select(Message.interaction_id, Message.delivery_state, Message.in_reply_to).where(
                Message.interaction_id.in_(select(Event.interaction_id).where(in_period)),
                Message.direction == "out",
                Message.sent_by_id.is_not(None),
                Message.auto_submitted.is_(False),
                Message.deleted_at.is_(None),
            )
        ).all()
    # The account's own disposition wins a name clash with a global one (as when disposing).
    named = {(name, account_id): disp_id for disp_id, name, account_id, _acc in dispositions}

    def resolve(name: Any, account_id: Any) -> Any:
        if not name:
            return None
        return named.get((str(name), account_id)) or named.get((str(name), None))

    disposed: dict[Any, set[Any]] = defaultdict(set)
    emails: dict[Any, int] = defaultdict(int)
    by_op: dict[Any, Any] = {}  # the disposition an operation gave, for its email
    for kind, interaction_id, data, account_id in events:
        if kind == "disposition_email":
            continue
        disp_id = resolve((data or {}).get("disposition"), account_id)
        if disp_id is not None:
            disposed[disp_id].add(interaction_id)
            by_op[(data or {}).get("op")] = disp_id
    for kind, _interaction_id, data, _account_id in events:
        if kind == "disposition_email":
            disp_id = by_op.get((data or {}).get("op"))
            if disp_id is not None:
                emails[disp_id] += 1
    per_interaction: dict[Any, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(_MAIL_COLUMNS, 0)
    )
    for interaction_id, state, in_reply_to in mail:
        if state in NOT_SENT:
            continue
        counts = per_interaction[interaction_id]
        counts["emails_sent"] += 1
        counts["responses"] += 1 if in_reply_to else 0
        column = OUTCOME_COLUMN.get(state or "sent")
        if column:
            counts[column] += 1
    # By name, a global one before the accounts' own (NULLs sort apart on each database).
    ordered = sorted(
        dispositions, key=lambda d: (d[1].casefold(), d[3] is not None, (d[3] or "").casefold())
    )
    rows = []
    for disp_id, name, _account_id, account in ordered:
        interactions = disposed.get(disp_id, set())
        row: Row = {
            "disposition": name,
            "account": account or ALL_ACCOUNTS,
            "interactions": len(interactions),
        }
        for column in _MAIL_COLUMNS:
            row[column] = sum(
                per_interaction[i][column] for i in interactions if i in per_interaction
            )
        row |= {
            "disposition_emails": emails.get(disp_id, 0),
            "opened": NOT_TRACKED,
            "link_clicks": NOT_TRACKED,
            "unsubscribed": NOT_TRACKED,
        }
        rows.append(row)
    return rows


def to_csv(rows: Sequence[Row], *, bom: bool = False) -> str:
    """RFC 4180: CRLF line ends, quotes where needed; a BOM helps spreadsheet programs."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return ("\ufeff" if bom else "") + out.getvalue()
