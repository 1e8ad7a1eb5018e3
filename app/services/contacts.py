"""Contacts: senders saved on ingest, and a customer's history across conversations."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.engine import Store, allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Contact,
    ContactAddress,
    EmailAccount,
    Interaction,
    Ticket,
    utcnow,
)


def link_senders(session: Session, interaction_ids: list[uuid.UUID]) -> int:
    """Give each new conversation its contact, creating unknown senders in the account's
    default contact list; returns how many contacts were created."""
    created = 0
    rows = session.execute(
        select(Interaction, EmailAccount.default_contact_list_id)
        .join(EmailAccount, EmailAccount.id == Interaction.account_id)
        .where(Interaction.id.in_(interaction_ids), Interaction.contact_id.is_(None))
    ).all()
    known: dict[str, uuid.UUID] = {}
    emails = {i.customer_email for i, _ in rows if i.customer_email}
    if emails:
        known = {
            email: contact_id
            for email, contact_id in session.execute(
                select(ContactAddress.email, ContactAddress.contact_id).where(
                    ContactAddress.email.in_(emails), ContactAddress.deleted_at.is_(None)
                )
            ).all()
        }
    contacts: list[dict[str, object]] = []
    addresses: list[dict[str, object]] = []
    links: list[tuple[Interaction, uuid.UUID]] = []
    for interaction, list_id in rows:
        email = interaction.customer_email
        if not email:
            continue
        contact_id = known.get(email)
        if contact_id is None:
            contact_id = known[email] = new_id()
            contacts.append(
                {"id": contact_id, "list_id": list_id, "name": interaction.customer_name}
            )
            addresses.append({"id": new_id(), "contact_id": contact_id, "email": email})
            created += 1
        links.append((interaction, contact_id))
    # A first import brings thousands of senders: Core inserts, as ingest does (STYLE 13),
    # before the conversations point at them.
    _insert(session, Contact, contacts)
    _insert(session, ContactAddress, addresses)
    for interaction, contact_id in links:
        interaction.contact_id = contact_id
    return created


@dataclass(frozen=True)
class HistoryItem:
    interaction_id: uuid.UUID
    subject: str
    status: str
    account: str
    ticket_number: str | None
    last_activity_at: dt.datetime


def customer_history(
    store: Store, contact_id: uuid.UUID, *, exclude: uuid.UUID | None = None
) -> list[HistoryItem]:
    """The contact's conversations and their tickets, newest first (the customer panel)."""
    query = (
        select(
            Interaction.id,
            Interaction.subject,
            Interaction.status,
            EmailAccount.name,
            Ticket.number,
            Interaction.last_activity_at,
        )
        .join(EmailAccount, EmailAccount.id == Interaction.account_id)
        .outerjoin(Ticket, Ticket.id == Interaction.ticket_id)
        .where(Interaction.contact_id == contact_id, Interaction.deleted_at.is_(None))
        .order_by(Interaction.last_activity_at.desc(), Interaction.id.desc())
    )
    if exclude is not None:
        query = query.where(Interaction.id != exclude)
    with store.read() as session:
        return [HistoryItem(*row) for row in session.execute(query).all()]


def _insert(session: Session, model: type, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    seqs = allocate_change_seqs(session.connection(), len(rows))
    defaults = {"deleted_at": None, "phone": "", "company": "", "created_at": utcnow()}
    table = model.__table__  # type: ignore[attr-defined]
    session.execute(
        insert(table),
        [
            {**{k: v for k, v in defaults.items() if k in table.c}, **row, "change_seq": seq}
            for row, seq in zip(rows, seqs, strict=True)
        ],
    )
