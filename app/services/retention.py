"""Automatic deletion (VCC "Automatic deletion of e-mails and related tickets").

Conversations are deleted N days (at least 30) after both the receipt of their last
message and their closure; a ticket left with no conversation goes too; a contact left
with no ticket has the attributes marked as personal data anonymised. The dry run reports
exactly what the real run deletes. The audit trail keeps that a deletion happened, not
what was deleted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from app.services.exports import delete_interaction
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import (
    Contact,
    ContactAttribute,
    Event,
    Interaction,
    Project,
    Ticket,
    utcnow,
)

ANONYMISED = "(anonymised)"


@dataclass
class PurgePlan:
    interactions: list[uuid.UUID] = field(default_factory=list)
    tickets: list[uuid.UUID] = field(default_factory=list)
    contacts: list[uuid.UUID] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return {
            "interactions": [str(i) for i in self.interactions],
            "tickets": [str(t) for t in self.tickets],
            "contacts_anonymised": [str(c) for c in self.contacts],
        }


def plan(store: Store, now: dt.datetime | None = None) -> PurgePlan:
    """What a purge would delete now (the dry run shows exactly this)."""
    now = now or utcnow()
    result = PurgePlan()
    with store.read() as session:
        projects = session.execute(
            select(Project.id, Project.auto_delete_days).where(
                Project.auto_delete.is_(True), Project.deleted_at.is_(None)
            )
        ).all()
        for project_id, days in projects:
            cutoff = now - dt.timedelta(days=max(30, days))
            result.interactions += (
                session.execute(
                    select(Interaction.id)
                    .where(
                        Interaction.project_id == project_id,
                        Interaction.deleted_at.is_(None),
                        Interaction.status == "closed",
                        Interaction.closed_at < cutoff,
                        func.coalesce(Interaction.last_message_at, Interaction.created_at) < cutoff,
                    )
                    .order_by(Interaction.created_at)
                )
                .scalars()
                .all()
            )
        doomed = set(result.interactions)
        tickets = session.execute(
            select(Interaction.ticket_id, Interaction.id).where(
                Interaction.ticket_id.is_not(None), Interaction.deleted_at.is_(None)
            )
        ).all()
        by_ticket: dict[uuid.UUID, set[uuid.UUID]] = {}
        for ticket_id, interaction_id in tickets:
            if ticket_id is not None:
                by_ticket.setdefault(ticket_id, set()).add(interaction_id)
        result.tickets = sorted(t for t, ids in by_ticket.items() if ids <= doomed)
        contacts = session.execute(
            select(Interaction.contact_id, Interaction.id).where(
                Interaction.contact_id.is_not(None), Interaction.deleted_at.is_(None)
            )
        ).all()
        # A contact is anonymised only when nothing of theirs is left: no ticket, and (more
        # careful than the letter of the rule) no conversation still kept.
        kept: set[uuid.UUID] = set()
        affected: set[uuid.UUID] = set()
        for contact_id, interaction_id in contacts:
            if contact_id is None:
                continue
            (affected if interaction_id in doomed else kept).add(contact_id)
        result.contacts = sorted(affected - kept)
    return result


def purge(
    store: Store, blobs: SqlBlobStore, *, dry_run: bool = False, now: dt.datetime | None = None
) -> PurgePlan:
    """Carry out the plan (or only report it)."""
    now = now or utcnow()
    todo = plan(store, now)
    if dry_run:
        return todo
    for interaction_id in todo.interactions:
        delete_interaction(store, blobs, interaction_id, None)
    with store.write() as session:
        for ticket_id in todo.tickets:
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                ticket.deleted_at = now
                ticket.title = ""
        for contact_id in todo.contacts:
            contact = session.get(Contact, contact_id)
            if contact is None:
                continue
            contact.name = ANONYMISED
            contact.phone = ""
            for attribute in session.execute(
                select(ContactAttribute).where(
                    and_(ContactAttribute.contact_id == contact_id, ContactAttribute.personal)
                )
            ).scalars():
                attribute.value = ANONYMISED
        session.add(
            Event(
                kind="retention.purge",
                data={
                    "interactions": len(todo.interactions),
                    "tickets": len(todo.tickets),
                    "contacts_anonymised": len(todo.contacts),
                },
            )
        )
    return todo
