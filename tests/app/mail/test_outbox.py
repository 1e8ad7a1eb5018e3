"""The durable outbox against real servers: once, in thread, never lost, never twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.mail import outbox
from app.mail.compose import Draft, Mailbox, make_message_id, reply_references, reply_subject
from app.mail.fetch import fetch_once
from app.services.accounts import add_account
from app.services.settings import change_setting
from storage.models import Interaction, Message, OutboxItem
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.imap

CUSTOMER = (
    b"From: Anna Rossi <anna@example.org>\r\nTo: support@acme.test\r\n"
    b"Subject: Order AC-1 missing\r\nMessage-ID: <q1@example.org>\r\n"
    b"Date: Mon, 05 Jan 2026 09:00:00 +0000\r\n\r\nWhere is my order?\r\n"
)


@pytest.fixture
def setup(
    sqlite_ctx: AppContext,
    imap_user: ImapUser,
    smtp_server: SmtpServer,
    trust_test_certificate: None,
) -> tuple[AppContext, ImapUser, SmtpServer, uuid.UUID]:
    info = add_account(
        sqlite_ctx.store,
        name="support",
        email="support@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security="starttls",
    )
    # The SMTP login differs from the IMAP one here; both are kept per account.
    change_setting(sqlite_ctx.store, "smtp_username", "smtp@example.test", account="support")
    imap_user.server.append(imap_user.name, CUSTOMER)
    fetch_once(sqlite_ctx, quick_options())
    return sqlite_ctx, imap_user, smtp_server, info.id


def _queue_reply(ctx: AppContext, account_id: uuid.UUID, now: dt.datetime) -> uuid.UUID:
    with ctx.store.write() as session:
        interaction = session.execute(select(Interaction)).scalar_one()
        original = (
            session.execute(
                select(Message).where(Message.direction == "in").order_by(Message.received_at)
            )
            .scalars()
            .first()
        )
        assert original is not None
        draft = Draft(
            sender=Mailbox("support@acme.test", "Acme Support"),
            to=(Mailbox("anna@example.org", "Anna Rossi"),),
            subject=reply_subject(original.subject),
            text="It left our warehouse today.",
            message_id=make_message_id("support@acme.test"),
            in_reply_to=f"<{original.message_id_hdr}>",
            references=reply_references([], original.message_id_hdr),
        )
        queued = outbox.queue(
            ctx.blobs,
            session,
            interaction_id=interaction.id,
            sender_account_id=account_id,
            draft=draft,
            sent_by_id=None,
            undo_seconds=10,
            now=now,
        )
        return queued.message_id


def _smtp_password(ctx: AppContext, account_id: uuid.UUID) -> None:
    from app import secrets

    secrets.set_secret(account_id, "smtp_password", "smtp-pw")


NOW = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


def test_reply_waits_for_the_undo_window_and_can_be_undone(setup: tuple) -> None:
    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    message_id = _queue_reply(ctx, account_id, NOW)
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=5)) == []
    with ctx.store.write() as session:
        outbox.cancel(session, message_id, now=NOW + dt.timedelta(seconds=6))
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=60)) == []
    assert smtp.messages == []
    with ctx.store.write() as session, pytest.raises(Exception, match=r"not waiting|Too late"):
        outbox.cancel(session, message_id, now=NOW + dt.timedelta(seconds=7))


def test_a_reply_is_sent_once_filed_in_sent_and_the_answer_joins_the_thread(
    setup: tuple,
) -> None:
    ctx, user, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    message_id = _queue_reply(ctx, account_id, NOW)
    reports = outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    assert [r.state for r in reports] == ["sent"]
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=60)) == []
    assert len(smtp.messages) == 1
    sent_flags = user.server.flags(user.name, "Sent")
    assert list(sent_flags.values()) == [(b"\\Seen",)]
    with ctx.store.read() as session:
        ours = session.get(Message, message_id)
        assert ours is not None and ours.delivery_state == "sent"
        assert ctx.blobs.get(ours.raw_hash).replace(b"\r\n", b"\n") == smtp.messages[
            0
        ].original_content.replace(b"\r\n", b"\n")
        rfc_id = ours.message_id_hdr
    # The customer answers our reply: it lands in the same interaction.
    answer = (
        f"From: Anna Rossi <anna@example.org>\r\nTo: support@acme.test\r\n"
        f"Subject: Re: Order AC-1 missing\r\nMessage-ID: <q2@example.org>\r\n"
        f"In-Reply-To: <{rfc_id}>\r\nReferences: <q1@example.org> <{rfc_id}>\r\n\r\nThanks!\r\n"
    ).encode()
    user.server.append(user.name, answer)
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        interaction = session.execute(select(Interaction)).scalar_one()
        assert interaction.message_count == 3


def test_temporary_failure_is_retried_later(setup: tuple) -> None:
    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    _queue_reply(ctx, account_id, NOW)
    smtp.recorder.reply = "451 4.3.0 Try again later"
    first = outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    assert [r.state for r in first] == ["queued"]
    smtp.recorder.reply = None
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=12)) == []  # backing off
    later = outbox.send_due(ctx, now=NOW + dt.timedelta(minutes=5))
    assert [r.state for r in later] == ["sent"] and len(smtp.messages) == 1


def test_permanent_failure_comes_back_with_the_servers_reason(setup: tuple) -> None:
    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    message_id = _queue_reply(ctx, account_id, NOW)
    smtp.recorder.reply = "554 5.7.1 Message rejected as spam"
    [report] = outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    assert report.state == "failed" and "5.7.1 Message rejected as spam" in report.detail
    with ctx.store.read() as session:
        assert session.get(Message, message_id).delivery_state == "failed"  # type: ignore[union-attr]


def test_disconnect_after_data_is_uncertain_and_never_resent(setup: tuple) -> None:
    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    message_id = _queue_reply(ctx, account_id, NOW)
    smtp.recorder.reply = "disconnect"
    [report] = outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    assert report.state == "uncertain"
    smtp.recorder.reply = None
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(hours=2)) == []
    assert len(smtp.messages) == 1
    with ctx.store.write() as session:
        outbox.resolve_uncertain(session, message_id, "sent", now=NOW + dt.timedelta(hours=3))
        assert outbox.outbox_state(session, message_id)["state"] == "sent"


def test_uncertain_is_settled_from_the_providers_sent_folder(setup: tuple) -> None:
    ctx, user, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    with ctx.store.write() as session:
        from storage.models import EmailAccount

        session.get(EmailAccount, account_id).provider_saves_sent = True  # type: ignore[union-attr]
    message_id = _queue_reply(ctx, account_id, NOW)
    smtp.recorder.reply = "disconnect"
    with ctx.store.read() as session:
        raw = ctx.blobs.get(session.get(Message, message_id).raw_hash)  # type: ignore[union-attr]
    # The provider filed it before the connection dropped, as Gmail and Microsoft 365 do.
    user.server.create_folder(user.name, "Sent")
    user.server.append(user.name, raw, folder="Sent")
    [report] = outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    assert report.state == "sent"


def test_a_crash_while_sending_leaves_the_message_uncertain(setup: tuple) -> None:
    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    message_id = _queue_reply(ctx, account_id, NOW)
    assert outbox._claim_due(ctx, NOW + dt.timedelta(seconds=11), 10)  # then the worker dies
    assert outbox.recover(ctx) == 1
    assert outbox.send_due(ctx, now=NOW + dt.timedelta(hours=1)) == []
    with ctx.store.read() as session:
        item = session.execute(select(OutboxItem)).scalar_one()
        assert item.state == "uncertain" and item.message_id == message_id
    assert smtp.messages == []


def test_the_reply_operation_queues_for_the_holder_only(setup: tuple) -> None:
    from app.services.agents import add_agent
    from app.services.operations import Operation, apply

    ctx, _, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    add_agent(ctx.store, "alice", accounts=["support"])
    add_agent(ctx.store, "bob", accounts=["support"])
    with ctx.store.read() as session:
        interaction_id = session.execute(select(Interaction.id)).scalar_one()
    claim = apply(ctx.store, Operation("claim", "alice", {"interaction": interaction_id}))
    assert claim.applied, claim.reason
    fence = claim.result["fence"]
    payload = {"interaction": interaction_id, "fence": fence, "body": "On its way!"}
    refused = apply(ctx.store, Operation("reply", "bob", payload), blobs=ctx.blobs)
    assert not refused.applied and refused.reason == "Already taken by alice."
    stale = apply(
        ctx.store, Operation("reply", "alice", {**payload, "fence": fence - 1}), blobs=ctx.blobs
    )
    assert not stale.applied and "changed hands" in stale.reason
    done = apply(ctx.store, Operation("reply", "alice", payload), blobs=ctx.blobs)
    assert done.applied, done.reason
    again = apply(ctx.store, Operation("reply", "alice", payload, done.op_id), blobs=ctx.blobs)
    assert again == done  # the same operation id is applied once
    reports = outbox.send_due(ctx, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=11))
    assert [r.state for r in reports] == ["sent"] and len(smtp.messages) == 1
    sent = smtp.messages[0].original_content
    assert b"Subject: Re: Order AC-1 missing" in sent and b"In-Reply-To: <q1@example.org>" in sent
    assert b"> Where is my order?" in sent


def test_a_new_email_to_a_contact_starts_a_conversation_the_answer_joins(setup: tuple) -> None:
    from app.services.agents import add_agent
    from app.services.operations import Operation, apply

    ctx, user, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    add_agent(ctx.store, "alice", accounts=["support"])
    payload = {
        "account": "support",
        "to": "Bob Brown <bob@example.org>",
        "subject": "Your refund",
        "body": "We refunded your order.",
    }
    assert apply(
        ctx.store, Operation("new_email", "alice", {**payload, "to": ""}), blobs=ctx.blobs
    ).reason == ("Name at least one recipient.")
    done = apply(ctx.store, Operation("new_email", "alice", payload), blobs=ctx.blobs)
    assert done.applied, done.reason
    [report] = outbox.send_due(ctx, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=11))
    assert report.state == "sent" and smtp.messages[0].rcpt_tos == ["bob@example.org"]
    answer = (
        "From: Bob Brown <bob@example.org>\r\nTo: support@acme.test\r\n"
        "Subject: Re: Your refund\r\nMessage-ID: <b2@example.org>\r\n"
        f"In-Reply-To: {done.result['message_id']}\r\n\r\nThanks\r\n"
    ).encode()
    user.server.append(user.name, answer)
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        row = session.get(Interaction, uuid.UUID(str(done.result["interaction"])))
        assert (
            row is not None and row.message_count == 2 and row.customer_email == "bob@example.org"
        )


def test_ticket_facts_follow_sent_replies_and_new_customer_mail(setup: tuple) -> None:
    from app.services.agents import add_agent
    from app.services.operations import Operation, apply
    from storage.models import Ticket

    ctx, user, _smtp, account_id = setup
    _smtp_password(ctx, account_id)
    add_agent(ctx.store, "alice", accounts=["support"])
    with ctx.store.read() as session:
        interaction_id = session.execute(select(Interaction.id)).scalar_one()
    claim = apply(ctx.store, Operation("claim", "alice", {"interaction": interaction_id}))
    ticket = apply(
        ctx.store, Operation("assign_ticket", "alice", {"interaction": interaction_id, "new": True})
    )
    assert ticket.applied, ticket.reason
    payload = {"interaction": interaction_id, "fence": claim.result["fence"], "body": "Done."}
    assert apply(ctx.store, Operation("reply", "alice", payload), blobs=ctx.blobs).applied
    outbox.send_due(ctx, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=11))
    with ctx.store.read() as session:
        row = session.execute(select(Ticket)).scalar_one()
        assert (row.sent_count, row.received_count) == (1, 1)
        assert row.first_sent_at is not None and row.first_received_at is not None
    user.server.append(
        user.name,
        b"From: anna@example.org\r\nTo: support@acme.test\r\nSubject: Re: Order AC-1 missing\r\n"
        b"Message-ID: <q3@example.org>\r\nIn-Reply-To: <q1@example.org>\r\n\r\nThanks\r\n",
    )
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        assert session.execute(select(Ticket.received_count)).scalar_one() == 2


def _dsn(original_id: str, n: int) -> bytes:
    """A bounce shaped like RFC 3464's examples (Postfix writes the same)."""
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        "To: support@acme.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn{n}@mx.example.org>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; anna@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <anna@example.org>: User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@acme.test\r\nTo: anna@example.org\r\nMessage-ID: {original_id}\r\n"
        "Subject: Re: Order AC-1 missing\r\n\r\n--B--\r\n"
    ).encode()


def _arf(original_id: str) -> bytes:
    """A spam complaint shaped like RFC 5965's example."""
    return (
        "From: <abusedesk@isp.example>\r\nTo: support@acme.test\r\nSubject: FW: complaint\r\n"
        "Message-ID: <arf1@isp.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="A"\r\n\r\n'
        "--A\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n"
        "--A\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n\r\n"
        "--A\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: support@acme.test\r\nTo: anna@example.org\r\nMessage-ID: {original_id}\r\n"
        "Subject: Re: Order AC-1 missing\r\n\r\nIt left our warehouse today.\r\n--A--\r\n"
    ).encode()


def test_bounces_and_complaints_update_our_message_and_are_not_offered(setup: tuple) -> None:
    ctx, user, _smtp, account_id = setup
    _smtp_password(ctx, account_id)
    bounced = _queue_reply(ctx, account_id, NOW)
    complained = _queue_reply(ctx, account_id, NOW)
    outbox.send_due(ctx, now=NOW + dt.timedelta(seconds=11))
    with ctx.store.read() as session:
        ids = {m: session.get(Message, m).message_id_hdr for m in (bounced, complained)}  # type: ignore[union-attr]
    user.server.append_many(
        user.name,
        [
            _dsn(f"<{ids[bounced]}>", 1),
            _arf(f"<{ids[complained]}>"),
            _dsn("<never-ours@elsewhere.example>", 2),
        ],
    )
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        states = {m: session.get(Message, m) for m in (bounced, complained)}
        assert states[bounced].delivery_state == "bounced"  # type: ignore[union-attr]
        assert "5.1.1" in states[bounced].delivery_detail  # type: ignore[union-attr]
        assert states[complained].delivery_state == "spam"  # type: ignore[union-attr]
        open_subjects = (
            session.execute(select(Interaction.subject).where(Interaction.status == "open"))
            .scalars()
            .all()
        )
    # The two reports about our mail are closed; the stray one stays as ordinary mail.
    assert sorted(open_subjects) == ["Order AC-1 missing", "Undelivered Mail Returned to Sender"]


def test_a_disposition_can_send_its_email_counted_apart(setup: tuple) -> None:
    from app.services.agents import add_agent
    from app.services.operations import Operation, apply
    from app.services.reports import agent_statistics
    from storage.models import Disposition, Template

    ctx, _user, smtp, account_id = setup
    _smtp_password(ctx, account_id)
    add_agent(ctx.store, "alice", accounts=["support"])
    with ctx.store.write() as session:
        template = Template(
            name="Survey",
            subject="How did we do, {{ customer.name }}?",
            body="Tell us at survey.example.",
        )
        session.add(template)
        session.flush()
        session.add(Disposition(name="Solved", template_id=template.id))
        interaction_id = session.execute(select(Interaction.id)).scalar_one()
    apply(ctx.store, Operation("claim", "alice", {"interaction": interaction_id}))
    done = apply(
        ctx.store,
        Operation("dispose", "alice", {"interaction": interaction_id, "disposition": "Solved"}),
        blobs=ctx.blobs,
    )
    assert done.applied and "message" in done.result, done.reason
    outbox.send_due(ctx, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert b"Subject: How did we do, Anna Rossi?" in smtp.messages[0].original_content
    far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    [alice] = [
        r
        for r in agent_statistics(ctx.store, NOW - dt.timedelta(days=1), far)
        if r["agent"] == "alice"
    ]
    assert (alice["emails_sent"], alice["disposition_emails"], alice["dispositions"]) == (0, 1, 1)
