"""Contacts: senders saved on ingest, a customer's history across conversations, field rules
shared by editing and CSV import, and unsubscribe requests by mail (RFC 2369 mailto)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from app.errors import UserError
from app.mail.compose import ComposeError, Mailbox, check_address
from storage.engine import Store, allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Contact,
    ContactAddress,
    ContactAttribute,
    EmailAccount,
    Event,
    Interaction,
    InteractionTag,
    Message,
    Tag,
    Ticket,
    utcnow,
)

# Column sizes of the contact tables (storage/models.py), checked before the database does.
MAX_LENGTH = {
    "name": 200,
    "phone": 64,
    "company": 200,
    "email": 320,
    "attribute name": 100,
}
UNSUBSCRIBE_SUBJECT = "unsubscribe"
UNSUBSCRIBE_TAG = "unsubscribe"


class ContactError(UserError):
    """A contact field that cannot be stored as given."""


def clean_address(raw: str) -> str:
    """An email address as contacts keep it (trimmed, lower case), or a ContactError."""
    address = raw.strip().lower()
    if len(address) > MAX_LENGTH["email"]:
        raise ContactError(
            f"The address {raw[:40]!r}... is longer than {MAX_LENGTH['email']} characters."
        )
    try:
        check_address(Mailbox(address, ""), "address")
    except ComposeError:
        raise ContactError(f"{raw.strip()!r} is not an email address.") from None
    return address


def check_length(what: str, value: str) -> str:
    limit = MAX_LENGTH[what]
    if len(value) > limit:
        raise ContactError(f"The {what} is {len(value)} characters long; at most {limit} fit.")
    return value


def link_senders(session: Session, interaction_ids: list[uuid.UUID]) -> int:
    """Give each new conversation its contact, creating unknown senders in the account's
    default contact list; returns how many contacts were created.

    Core statements throughout (STYLE 13): ingest runs this for every batch of a catch-up,
    where loading and flushing each conversation through the ORM cost more than storing it.
    """
    created = 0
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.customer_email,
            Interaction.customer_name,
            EmailAccount.default_contact_list_id,
        )
        .join(EmailAccount, EmailAccount.id == Interaction.account_id)
        .where(Interaction.id.in_(interaction_ids), Interaction.contact_id.is_(None))
    ).all()
    known: dict[str, uuid.UUID] = {}
    emails = {email for _, email, _, _ in rows if email}
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
    links: list[tuple[uuid.UUID, uuid.UUID]] = []
    for interaction_id, email, name, list_id in rows:
        if not email:
            continue
        contact_id = known.get(email)
        if contact_id is None:
            contact_id = known[email] = new_id()
            contacts.append({"id": contact_id, "list_id": list_id, "name": name})
            addresses.append({"id": new_id(), "contact_id": contact_id, "email": email})
            created += 1
        links.append((interaction_id, contact_id))
    bulk_insert(session, Contact, contacts)
    bulk_insert(session, ContactAddress, addresses)
    if links:
        table = cast(Table, Interaction.__table__)
        seqs = allocate_change_seqs(session.connection(), len(links))
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(contact_id=bindparam("b_contact"), change_seq=bindparam("b_seq")),
            [
                {"b_id": interaction_id, "b_contact": contact_id, "b_seq": seq}
                for (interaction_id, contact_id), seq in zip(links, seqs, strict=True)
            ],
        )
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


def bulk_insert(session: Session, model: type, rows: list[dict[str, object]]) -> None:
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


# --- unsubscribe requests (RFC 2369 List-Unsubscribe by mail) -------------------------------


def unsubscribe_header(account_email: str) -> tuple[str, str]:
    """What automatic mail from ``account_email`` carries so a customer can opt out."""
    return ("List-Unsubscribe", f"<mailto:{account_email}?subject={UNSUBSCRIBE_SUBJECT}>")


def is_unsubscribe_request(subject: str) -> bool:
    return subject.strip().lower() == UNSUBSCRIBE_SUBJECT


def is_unsubscribed(session: Session, email: str) -> bool:
    """True when a contact with this address asked for no more automatic mail."""
    if not email:
        return False
    found = session.execute(
        select(Contact.id)
        .join(ContactAddress, ContactAddress.contact_id == Contact.id)
        .where(
            ContactAddress.email == email.strip().lower(),
            ContactAddress.deleted_at.is_(None),
            Contact.deleted_at.is_(None),
            Contact.unsubscribed_at.is_not(None),
        )
        .limit(1)
    ).first()
    return found is not None


def record_unsubscribes(
    session: Session, interaction_ids: list[uuid.UUID], now: dt.datetime
) -> set[uuid.UUID]:
    """New conversations that are unsubscribe requests: recorded against the sender's
    contact, tagged and closed (nothing for an agent to answer). Run after link_senders."""
    if not interaction_ids:
        return set()
    # Nearly every batch holds none: a narrow look first (a superset of the exact test
    # below, which is made in Python), and no conversation loaded when there is none.
    interaction_ids = list(
        session.execute(
            select(Message.interaction_id)
            .where(
                Message.interaction_id.in_(interaction_ids),
                Message.direction == "in",
                Message.subject.ilike(f"%{UNSUBSCRIBE_SUBJECT}%"),
            )
            .distinct()
        ).scalars()
    )
    if not interaction_ids:
        return set()
    first_in = (
        select(Message.interaction_id, func.min(Message.received_at).label("first"))
        .where(Message.interaction_id.in_(interaction_ids), Message.direction == "in")
        .group_by(Message.interaction_id)
        .subquery()
    )
    rows = session.execute(
        select(Interaction, Message.subject, Message.auto_submitted, Message.is_report)
        .join(first_in, first_in.c.interaction_id == Interaction.id)
        .join(
            Message,
            (Message.interaction_id == Interaction.id)
            & (Message.received_at == first_in.c.first)
            & (Message.direction == "in"),
        )
        .where(Interaction.contact_id.is_not(None))
    ).all()
    done: set[uuid.UUID] = set()
    for interaction, subject, automatic, report in rows:
        if interaction.id in done or automatic or report or not is_unsubscribe_request(subject):
            continue
        contact = session.get(Contact, interaction.contact_id)
        if contact is None or contact.deleted_at is not None:
            continue
        _unsubscribe(session, contact, interaction.id, now)
        interaction.status = "closed"
        interaction.closed_at = now
        interaction.unread = False
        done.add(interaction.id)
    return done


def record_unsubscribes_in_threads(
    session: Session, message_ids: list[uuid.UUID], now: dt.datetime
) -> set[uuid.UUID]:
    """Unsubscribe requests that arrived inside conversations that already existed (the
    customer replied to our mail with the subject "unsubscribe"): recorded against the
    sender's contact and tagged like a new request. The conversation is closed only when the
    request is all the customer wrote in it and no agent holds it; otherwise it stays an
    agent's work. ``message_ids`` are the batch's new messages in existing conversations;
    returns the conversations that were closed."""
    if not message_ids:
        return set()
    requests = [
        (interaction_id, message_id, sender, name)
        for message_id, interaction_id, subject, sender, name in session.execute(
            select(
                Message.id,
                Message.interaction_id,
                Message.subject,
                Message.from_email,
                Message.from_name,
            ).where(
                Message.id.in_(message_ids),
                Message.direction == "in",
                Message.auto_submitted.is_(False),
                Message.is_report.is_(False),
            )
        ).all()
        if is_unsubscribe_request(subject) and sender
    ]
    if not requests:
        return set()
    requests_in: dict[uuid.UUID, set[uuid.UUID]] = {}
    for interaction_id, message_id, _sender, _name in requests:
        requests_in.setdefault(interaction_id, set()).add(message_id)
    closed: set[uuid.UUID] = set()
    for interaction_id, _message_id, sender, name in requests:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None or interaction.deleted_at is not None:
            continue
        try:
            contact = _sender_contact(session, interaction, sender, name)
        except ContactError:
            continue  # a From address we could not write back to anyway
        _unsubscribe(session, contact, interaction.id, now)
        if interaction.status != "open" or interaction.claimed_by_id is not None:
            continue
        other = session.execute(
            select(func.count())
            .select_from(Message)
            .where(
                Message.interaction_id == interaction.id,
                Message.direction == "in",
                Message.deleted_at.is_(None),
                Message.id.not_in(requests_in[interaction.id]),
            )
        ).scalar_one()
        if other == 0:
            interaction.status = "closed"
            interaction.closed_at = now
            interaction.unread = False
            closed.add(interaction.id)
    return closed


def _sender_contact(session: Session, interaction: Interaction, sender: str, name: str) -> Contact:
    """The contact the request's sender is (by address); a new one in the account's default
    list when nobody has that address yet (a conversation we started, say)."""
    address = clean_address(sender)
    found = session.execute(
        select(Contact)
        .join(ContactAddress, ContactAddress.contact_id == Contact.id)
        .where(
            ContactAddress.email == address,
            ContactAddress.deleted_at.is_(None),
            Contact.deleted_at.is_(None),
        )
        .limit(1)
    ).scalar()
    if found is None:
        account = session.get(EmailAccount, interaction.account_id)
        found = Contact(
            list_id=account.default_contact_list_id if account is not None else None,
            name=name[: MAX_LENGTH["name"]],
        )
        session.add(found)
        session.flush()
        session.add(ContactAddress(contact_id=found.id, email=address))
    if interaction.contact_id is None and address == (interaction.customer_email or "").lower():
        interaction.contact_id = found.id
    return found


def _unsubscribe(
    session: Session, contact: Contact, interaction_id: uuid.UUID, now: dt.datetime
) -> None:
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
        session.add(
            Event(
                kind="contact.unsubscribe",
                interaction_id=interaction_id,
                data={"contact": str(contact.id)},
                at=now,
            )
        )
    _tag(session, interaction_id, UNSUBSCRIBE_TAG)


def _tag(session: Session, interaction_id: uuid.UUID, name: str) -> None:
    tag = session.execute(select(Tag).where(Tag.name == name)).scalar()
    if tag is None:
        tag = Tag(name=name)
        session.add(tag)
        session.flush()
    tag.deleted_at = None
    link = session.execute(
        select(InteractionTag).where(
            InteractionTag.interaction_id == interaction_id, InteractionTag.tag_id == tag.id
        )
    ).scalar()
    if link is None:
        session.add(InteractionTag(interaction_id=interaction_id, tag_id=tag.id))
    else:
        link.deleted_at = None


def contact_attributes(session: Session, contact_id: uuid.UUID) -> dict[str, ContactAttribute]:
    """The contact's live attributes by name."""
    rows = session.execute(
        select(ContactAttribute).where(
            ContactAttribute.contact_id == contact_id, ContactAttribute.deleted_at.is_(None)
        )
    ).scalars()
    return {a.name: a for a in rows}


@dataclass(frozen=True)
class CustomerCard:
    """The thread view's customer panel: who writes, and what else they have with us."""

    interaction_id: uuid.UUID
    contact_id: uuid.UUID | None
    name: str
    emails: tuple[str, ...]
    phone: str
    company: str
    attributes: tuple[tuple[str, str], ...]  # (name, value), non-empty values only
    unsubscribed: bool
    history: tuple[HistoryItem, ...]  # other conversations, newest first


def customer_card(store: Store, interaction_id: uuid.UUID) -> CustomerCard:
    """The contact of an interaction (or just its sender, when not linked) and their history."""
    with store.read() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None or interaction.deleted_at is not None:
            raise UserError("That interaction no longer exists.")
        contact = (
            session.get(Contact, interaction.contact_id)
            if interaction.contact_id is not None
            else None
        )
        if contact is None or contact.deleted_at is not None:
            return CustomerCard(
                interaction_id,
                None,
                interaction.customer_name,
                (interaction.customer_email,) if interaction.customer_email else (),
                "",
                "",
                (),
                False,
                (),
            )
        emails = session.execute(
            select(ContactAddress.email)
            .where(ContactAddress.contact_id == contact.id, ContactAddress.deleted_at.is_(None))
            .order_by(ContactAddress.email)
        ).scalars()
        attributes = session.execute(
            select(ContactAttribute.name, ContactAttribute.value)
            .where(
                ContactAttribute.contact_id == contact.id,
                ContactAttribute.deleted_at.is_(None),
                ContactAttribute.value != "",
            )
            .order_by(ContactAttribute.name)
        ).all()
        contact_id = contact.id
        card = CustomerCard(
            interaction_id,
            contact_id,
            contact.name,
            tuple(emails),
            contact.phone,
            contact.company,
            tuple((name, value) for name, value in attributes),
            contact.unsubscribed_at is not None,
            (),
        )
    history = customer_history(store, contact_id, exclude=interaction_id)
    return dataclasses.replace(card, history=tuple(history))
