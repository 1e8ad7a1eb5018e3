"""Browsing contacts for the admin contact manager: the lists with their counts, a search by
name, address or company one page at a time, and one contact's full record (supervisors)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.agents import find_agent
from storage.engine import Store
from storage.models import (
    Contact,
    ContactAddress,
    ContactAttribute,
    ContactList,
    EmailAccount,
)

PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
MAX_SEARCH = 200  # characters of search text


@dataclass(frozen=True)
class ContactListRow:
    id: uuid.UUID
    name: str
    contacts: int
    default_for: tuple[str, ...]  # the accounts whose new senders land in this list


@dataclass(frozen=True)
class ContactLists:
    lists: tuple[ContactListRow, ...]
    total: int  # every live contact, in a list or not


@dataclass(frozen=True)
class ContactSummary:
    """One row of the contact table."""

    id: uuid.UUID
    name: str
    emails: tuple[str, ...]
    company: str
    phone: str
    unsubscribed: bool


@dataclass(frozen=True)
class ContactPage:
    rows: tuple[ContactSummary, ...]
    # Where the next page starts (keyset: the last row's name and id); None when none.
    after: tuple[str, uuid.UUID] | None


@dataclass(frozen=True)
class ContactAttributeRow:
    name: str
    value: str
    personal: bool


@dataclass(frozen=True)
class ContactDetails:
    id: uuid.UUID
    name: str
    phone: str
    company: str
    emails: tuple[str, ...]  # the first address first
    attributes: tuple[ContactAttributeRow, ...]  # by name
    list_id: uuid.UUID | None
    list_name: str | None
    unsubscribed: bool


def check_supervisor(session: Session, actor: str | uuid.UUID) -> uuid.UUID:
    """The actor's id when they are a supervisor; a sentence saying why not otherwise."""
    agent = find_agent(session, actor)
    if agent.role != "supervisor":
        raise UserError(
            f"Only a supervisor may manage the contact lists; {agent.name} is an agent."
        )
    return agent.id


def list_contact_lists(store: Store, actor: str | uuid.UUID) -> ContactLists:
    """Every live list with how many contacts it holds, by name."""
    with store.read() as session:
        check_supervisor(session, actor)
        counts = dict(
            session.execute(
                select(Contact.list_id, func.count())
                .where(Contact.deleted_at.is_(None))
                .group_by(Contact.list_id)
            ).all()
        )
        defaults: dict[uuid.UUID, list[str]] = {}
        for list_id, account in session.execute(
            select(EmailAccount.default_contact_list_id, EmailAccount.name)
            .where(
                EmailAccount.default_contact_list_id.is_not(None),
                EmailAccount.deleted_at.is_(None),
            )
            .order_by(EmailAccount.name)
        ):
            if list_id is not None:
                defaults.setdefault(list_id, []).append(account)
        lists = session.execute(
            select(ContactList.id, ContactList.name)
            .where(ContactList.deleted_at.is_(None))
            .order_by(ContactList.name)
        ).all()
        return ContactLists(
            tuple(
                ContactListRow(i, name, counts.get(i, 0), tuple(defaults.get(i, ())))
                for i, name in lists
            ),
            sum(counts.values()),
        )


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_contacts(
    store: Store,
    actor: str | uuid.UUID,
    *,
    list_id: uuid.UUID | None = None,
    text: str = "",
    after: tuple[str, uuid.UUID] | None = None,
    limit: int = PAGE_SIZE,
) -> ContactPage:
    """Contacts (of one list, or all) whose name, company or one of whose addresses contains
    ``text`` (any case), by name; at most ``limit`` of them, starting after ``after``.

    Keyset pagination on (name, id): each page costs the same however deep it is, and only
    the page's rows are read, so a store of 100,000 contacts answers as fast as a small one.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    text = text.strip()[:MAX_SEARCH]
    query = select(Contact.id, Contact.name, Contact.company, Contact.phone).where(
        Contact.deleted_at.is_(None)
    )
    if list_id is not None:
        query = query.where(Contact.list_id == list_id)
    if text:
        pattern = like_pattern(text)
        by_address = select(ContactAddress.contact_id).where(
            ContactAddress.deleted_at.is_(None),
            # Addresses are kept in lower case, so a plain LIKE on them can use no function.
            ContactAddress.email.like(pattern.lower(), escape="\\"),
        )
        query = query.where(
            or_(
                Contact.name.ilike(pattern, escape="\\"),
                Contact.company.ilike(pattern, escape="\\"),
                Contact.id.in_(by_address),
            )
        )
    if after is not None:
        name, last_id = after
        query = query.where(
            or_(Contact.name > name, and_(Contact.name == name, Contact.id > last_id))
        )
    query = query.order_by(Contact.name, Contact.id).limit(limit + 1)
    with store.read() as session:
        check_supervisor(session, actor)
        found = session.execute(query).all()
        more = len(found) > limit
        found = found[:limit]
        ids = [row.id for row in found]
        emails: dict[uuid.UUID, list[str]] = {}
        unsubscribed: set[uuid.UUID] = set()
        if ids:
            for contact_id, email in session.execute(
                select(ContactAddress.contact_id, ContactAddress.email)
                .where(ContactAddress.contact_id.in_(ids), ContactAddress.deleted_at.is_(None))
                .order_by(ContactAddress.id)  # time-ordered ids: the first address first
            ):
                emails.setdefault(contact_id, []).append(email)
            unsubscribed = set(
                session.execute(
                    select(Contact.id).where(
                        Contact.id.in_(ids), Contact.unsubscribed_at.is_not(None)
                    )
                ).scalars()
            )
    rows = tuple(
        ContactSummary(
            row.id,
            row.name,
            tuple(emails.get(row.id, ())),
            row.company,
            row.phone,
            row.id in unsubscribed,
        )
        for row in found
    )
    last = rows[-1] if rows else None
    return ContactPage(rows, (last.name, last.id) if more and last is not None else None)


def contact_details(store: Store, actor: str | uuid.UUID, contact_id: uuid.UUID) -> ContactDetails:
    """One contact as the editor shows it."""
    with store.read() as session:
        check_supervisor(session, actor)
        contact = session.get(Contact, contact_id)
        if contact is None or contact.deleted_at is not None:
            raise UserError("That contact no longer exists: it was deleted or merged.")
        emails = session.execute(
            select(ContactAddress.email)
            .where(ContactAddress.contact_id == contact_id, ContactAddress.deleted_at.is_(None))
            .order_by(ContactAddress.id)
        ).scalars()
        attributes = session.execute(
            select(ContactAttribute.name, ContactAttribute.value, ContactAttribute.personal)
            .where(ContactAttribute.contact_id == contact_id, ContactAttribute.deleted_at.is_(None))
            .order_by(ContactAttribute.name)
        ).all()
        contact_list = (
            session.get(ContactList, contact.list_id) if contact.list_id is not None else None
        )
        return ContactDetails(
            contact.id,
            contact.name,
            contact.phone,
            contact.company,
            tuple(emails),
            tuple(ContactAttributeRow(n, v, bool(p)) for n, v, p in attributes),
            contact.list_id,
            contact_list.name if contact_list is not None else None,
            contact.unsubscribed_at is not None,
        )
