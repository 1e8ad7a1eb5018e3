"""Unsubscribe requests by mail (RFC 2369 List-Unsubscribe mailto), through the real ingest
path: recorded against the sender's contact, tagged, and no more automatic mail to them."""

from __future__ import annotations

import email
import email.utils
import uuid
from email import policy

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.mail.fetch import fetch_once
from app.services.accounts import add_account
from app.services.agents import add_agent
from app.services.operations import Operation, apply
from storage.models import (
    Contact,
    ContactAddress,
    Disposition,
    Event,
    Interaction,
    InteractionTag,
    Message,
    OutboxItem,
    Project,
    Tag,
    Template,
)
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser

pytestmark = pytest.mark.imap

UNSUBSCRIBE = "<mailto:support@acme.test?subject=unsubscribe>"


def _mail(sender: str, subject: str, msgid: str) -> bytes:
    date = email.utils.format_datetime(email.utils.localtime())
    return (
        f"From: Customer <{sender}>\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\nDate: {date}\r\n\r\nHello.\r\n"
    ).encode()


@pytest.fixture
def account(ctx: AppContext, imap_user: ImapUser, trust_test_certificate: None) -> uuid.UUID:
    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
        smtp_host="127.0.0.1",  # mail is only queued here, never sent
        smtp_port=2525,
        smtp_security="none",
    )
    add_agent(ctx.store, "alice", accounts=["support"])
    with ctx.store.write() as session:
        ack = Template(kind="auto_response", name="Ack", subject="Got it", body="We will answer.")
        survey = Template(name="Survey", subject="How did we do?", body="Tell us.")
        session.add_all([ack, survey])
        session.flush()
        session.execute(select(Project)).scalar_one().auto_response_template_id = ack.id
        session.add(Disposition(name="Solved", template_id=survey.id))
    return info.id


def _automatic_mail_to(ctx: AppContext) -> dict[str, list[bytes]]:
    """Queued automatic messages by recipient, as raw bytes."""
    found: dict[str, list[bytes]] = {}
    with ctx.store.read() as session:
        rows = session.execute(
            select(Message.raw_hash, OutboxItem.recipients)
            .join(OutboxItem, OutboxItem.message_id == Message.id)
            .where(Message.auto_submitted.is_(True))
        ).all()
    for raw_hash, recipients in rows:
        for address in recipients["all"]:
            found.setdefault(address, []).append(ctx.blobs.get(raw_hash))
    return found


def _interaction(ctx: AppContext, subject: str) -> Interaction:
    with ctx.store.read() as session:
        return session.execute(
            select(Interaction).where(Interaction.subject == subject)
        ).scalar_one()


def test_an_unsubscribe_by_mail_stops_automatic_mail_to_that_contact(
    ctx: AppContext, imap_user: ImapUser, account: uuid.UUID
) -> None:
    server = imap_user.server
    server.append(imap_user.name, _mail("bob@example.org", "Where is my parcel?", "b1@x"))
    fetch_once(ctx, quick_options())
    [ack] = _automatic_mail_to(ctx)["bob@example.org"]
    parsed = email.message_from_bytes(ack, policy=policy.default)
    assert parsed["List-Unsubscribe"] == UNSUBSCRIBE

    # What a mail program sends for that mailto link (some capitalise it), beside mail that
    # only mentions the word.
    server.append_many(
        imap_user.name,
        [
            _mail("Anna@Example.org", "UNSUBSCRIBE", "a0@x"),
            _mail("gina@example.org", "How do I unsubscribe?", "g0@x"),
        ],
    )
    fetch_once(ctx, quick_options())
    request = _interaction(ctx, "UNSUBSCRIBE")
    assert _interaction(ctx, "How do I unsubscribe?").status == "open"
    assert request.status == "closed"  # nothing for an agent to answer
    with ctx.store.read() as session:
        contact = session.execute(
            select(Contact)
            .join(ContactAddress, ContactAddress.contact_id == Contact.id)
            .where(ContactAddress.email == "anna@example.org")
        ).scalar_one()
        tags = session.execute(
            select(Tag.name)
            .join(InteractionTag, InteractionTag.tag_id == Tag.id)
            .where(InteractionTag.interaction_id == request.id)
        ).scalars()
        assert list(tags) == ["unsubscribe"]
        recorded = session.execute(
            select(Event.interaction_id, Event.data).where(Event.kind == "contact.unsubscribe")
        ).one()
    assert contact.unsubscribed_at is not None and request.contact_id == contact.id
    assert recorded == (request.id, {"contact": str(contact.id)})
    assert "anna@example.org" not in _automatic_mail_to(ctx)

    # Later mail: Anna gets no acknowledgement, Carol (never acknowledged either) does.
    server.append_many(
        imap_user.name,
        [
            _mail("anna@example.org", "Order AC-7 is late", "a1@x"),
            _mail("carol@example.org", "Order AC-8 is late", "c1@x"),
        ],
    )
    fetch_once(ctx, quick_options())
    sent = _automatic_mail_to(ctx)
    assert "anna@example.org" not in sent and len(sent["carol@example.org"]) == 1
    anna = _interaction(ctx, "Order AC-7 is late")
    assert anna.status == "open" and anna.contact_id == contact.id  # still an agent's work

    # A disposition's email goes to Carol with the opt-out link, and not to Anna.
    for subject in ("Order AC-7 is late", "Order AC-8 is late"):
        interaction_id = str(_interaction(ctx, subject).id)
        claimed = apply(ctx.store, Operation("claim", "alice", {"interaction": interaction_id}))
        assert claimed.applied, claimed.reason
        done = apply(
            ctx.store,
            Operation("dispose", "alice", {"interaction": interaction_id, "disposition": "Solved"}),
            blobs=ctx.blobs,
        )
        assert done.applied, done.reason
        assert ("message" in done.result) == (subject == "Order AC-8 is late")
    sent = _automatic_mail_to(ctx)
    assert "anna@example.org" not in sent
    survey = next(m for m in sent["carol@example.org"] if b"How did we do?" in m)
    assert email.message_from_bytes(survey, policy=policy.default)["List-Unsubscribe"] == (
        UNSUBSCRIBE
    )


def _reply(sender: str, subject: str, msgid: str, in_reply_to: str) -> bytes:
    date = email.utils.format_datetime(email.utils.localtime())
    return (
        f"From: Customer <{sender}>\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\nIn-Reply-To: <{in_reply_to}>\r\n"
        f"References: <{in_reply_to}>\r\nDate: {date}\r\n\r\nPlease stop.\r\n"
    ).encode()


def test_an_unsubscribe_inside_a_conversation_is_recorded_and_the_conversation_stays_open(
    ctx: AppContext, imap_user: ImapUser, account: uuid.UUID
) -> None:
    server = imap_user.server
    server.append(imap_user.name, _mail("dora@example.org", "Broken kettle", "d1@x"))
    fetch_once(ctx, quick_options())
    conversation = _interaction(ctx, "Broken kettle")
    assert "dora@example.org" in _automatic_mail_to(ctx)  # acknowledged once

    # Dora answers in the same thread with the opt-out subject.
    server.append(imap_user.name, _reply("Dora@Example.org", "unsubscribe", "d2@x", "d1@x"))
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        threaded = session.execute(
            select(Message.interaction_id).where(Message.message_id_hdr == "d2@x")
        ).scalar_one()
        after = session.get(Interaction, conversation.id)
        contact = session.get(Contact, conversation.contact_id)
        tags = list(
            session.execute(
                select(Tag.name)
                .join(InteractionTag, InteractionTag.tag_id == Tag.id)
                .where(InteractionTag.interaction_id == conversation.id)
            ).scalars()
        )
        recorded = session.execute(
            select(Event.interaction_id, Event.data).where(Event.kind == "contact.unsubscribe")
        ).one()
        new_ones = session.execute(select(func.count()).select_from(Interaction)).scalar_one()
    assert threaded == conversation.id and new_ones == 1  # no conversation of its own
    assert after is not None and after.status == "open"  # Dora's kettle is still work
    assert contact is not None and contact.unsubscribed_at is not None
    assert tags == ["unsubscribe"]
    assert recorded == (conversation.id, {"contact": str(contact.id)})

    # Her next conversation gets no acknowledgement.
    server.append(imap_user.name, _mail("dora@example.org", "Another kettle", "d3@x"))
    fetch_once(ctx, quick_options())
    assert len(_automatic_mail_to(ctx)["dora@example.org"]) == 1
    assert _interaction(ctx, "Another kettle").status == "open"


def test_an_unsubscribe_answering_our_own_mail_closes_that_conversation(
    ctx: AppContext, imap_user: ImapUser, account: uuid.UUID
) -> None:
    payload = {"account": "support", "to": "Eva <eva@example.org>", "subject": "Our new shop"}
    sent = apply(ctx.store, Operation("new_email", "alice", payload), blobs=ctx.blobs)
    assert sent.applied, sent.reason
    interaction_id = uuid.UUID(str(sent.result["interaction"]))
    released = apply(
        ctx.store,
        Operation(
            "release",
            "alice",
            {"interaction": str(interaction_id), "fence": sent.result["fence"]},
        ),
    )
    assert released.applied, released.reason
    # The request is all Eva ever wrote in it: nothing left for an agent.
    answer = _reply("eva@example.org", "unsubscribe", "e1@x", sent.result["message_id"].strip("<>"))
    imap_user.server.append(imap_user.name, answer)
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        row = session.get(Interaction, interaction_id)
        count = session.execute(select(func.count()).select_from(Interaction)).scalar_one()
        contact = session.execute(
            select(Contact)
            .join(ContactAddress, ContactAddress.contact_id == Contact.id)
            .where(ContactAddress.email == "eva@example.org")
        ).scalar_one()
        tags = list(
            session.execute(
                select(Tag.name)
                .join(InteractionTag, InteractionTag.tag_id == Tag.id)
                .where(InteractionTag.interaction_id == interaction_id)
            ).scalars()
        )
    assert count == 1 and row is not None
    assert (row.status, row.unread, row.contact_id) == ("closed", False, contact.id)
    assert contact.unsubscribed_at is not None and contact.name == "Customer"
    assert tags == ["unsubscribe"]
