"""Senders become contacts on ingest; the customer panel lists their other conversations."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.mail.fetch import fetch_once
from app.services.accounts import add_account
from app.services.contacts import customer_history
from storage.models import (
    Contact,
    ContactAddress,
    ContactList,
    EmailAccount,
    Interaction,
    Message,
)
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser


def _mail(sender: str, subject: str, n: int) -> bytes:
    return (
        f"From: Anna Rossi <{sender}>\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <c{n}@example.org>\r\n\r\nHello\r\n"
    ).encode()


@pytest.mark.imap
def test_unknown_senders_are_saved_once_in_the_default_list(
    ctx: AppContext, imap_user: ImapUser, trust_test_certificate: None
) -> None:
    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
    )
    with ctx.store.write() as session:
        contact_list = ContactList(name="Customers")
        session.add(contact_list)
        session.flush()
        session.get(EmailAccount, info.id).default_contact_list_id = contact_list.id  # type: ignore[union-attr]
        list_id = contact_list.id
    imap_user.server.append_many(
        imap_user.name,
        [
            _mail("anna@example.org", "First question", 1),
            _mail("ANNA@example.org", "Second question", 2),
            _mail("bob@example.org", "Hello", 3),
        ],
    )
    fetch_once(ctx, quick_options())
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        contacts = session.execute(select(Contact)).scalars().all()
        assert len(contacts) == 2 and {c.list_id for c in contacts} == {list_id}
        anna = session.execute(
            select(ContactAddress.contact_id).where(ContactAddress.email == "anna@example.org")
        ).scalar_one()
        linked = session.execute(
            select(func.count()).select_from(Interaction).where(Interaction.contact_id == anna)
        ).scalar_one()
        # Linking is a change desks must pull: each conversation's marker moved past its
        # messages', which were stored after it.
        stale = session.execute(
            select(func.count())
            .select_from(Interaction)
            .join(Message, Message.interaction_id == Interaction.id)
            .where(Interaction.change_seq <= Message.change_seq)
        ).scalar_one()
    assert linked == 2 and stale == 0
    history = customer_history(ctx.store, anna)
    assert [h.subject for h in history] == ["Second question", "First question"]
    assert len(customer_history(ctx.store, anna, exclude=history[0].interaction_id)) == 1
