"""Outgoing mail: building replies in thread, and sending against a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest

from app.demo.corpus import generate_corpus
from app.mail.compose import (
    ComposeError,
    Draft,
    DraftAttachment,
    Mailbox,
    build_message,
    make_message_id,
    parse_recipients,
    quote,
    reply_recipients,
    reply_references,
    reply_subject,
)
from app.mail.parse import parse_message
from app.mail.smtp import SmtpSettings, send
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.smtp import SmtpServer

SUPPORT = Mailbox("support@acme.test", "Acme Support")
ANNA = Mailbox("anna@example.org", "Anna Rossi")


def _draft(**changes: object) -> Draft:
    base: dict[str, object] = {
        "sender": SUPPORT,
        "to": (ANNA,),
        "subject": "Re: Order AC-1",
        "text": "Hello Anna,\n.\nA line starting with a dot.\n",
        "message_id": make_message_id(SUPPORT.email),
    }
    base.update(changes)
    return Draft(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Order AC-1", "Re: Order AC-1"),
        ("Re: Order AC-1", "Re: Order AC-1"),
        ("RE: AW: Re[2]: Order AC-1", "Re: Order AC-1"),
        ("SV: Sv: ordre", "Re: ordre"),
        ("回复：订单", "Re: 订单"),
    ],
)
def test_reply_subject_has_exactly_one_re(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_reply_to_a_corpus_message_threads_and_quotes() -> None:
    original = parse_message(generate_corpus(3, seed=1)[1].raw)
    assert original.from_ is not None and original.message_id
    sender = Mailbox(original.from_.email, original.from_.name)
    to, cc = reply_recipients(
        from_=sender,
        reply_to=(),
        to=(SUPPORT,),
        cc=(Mailbox("boss@example.org"),),
        own_addresses=[SUPPORT.email],
        reply_all=True,
    )
    assert [b.email for b in to] == [original.from_.email]
    assert [b.email for b in cc] == ["boss@example.org"]  # never ourselves
    draft = _draft(
        to=to,
        cc=cc,
        subject=reply_subject(original.subject),
        text="Thanks, we are on it.\n\n" + quote(original.text, sender.formatted(), original.date),
        in_reply_to=f"<{original.message_id}>",
        references=reply_references(original.references, original.message_id),
    )
    raw = build_message(draft)
    back = parse_message(raw)
    assert back.in_reply_to == original.message_id
    assert back.references[-1] == original.message_id
    assert back.subject.startswith("Re: ") and not back.subject.startswith("Re: Re:")
    assert "> " in back.text and back.message_id == draft.message_id.strip("<>")


def test_headers_with_line_breaks_and_bad_addresses_are_refused() -> None:
    with pytest.raises(ComposeError, match="line break"):
        build_message(_draft(subject="Hi\r\nBcc: victim@example.org"))
    with pytest.raises(ComposeError, match="not an email address"):
        build_message(_draft(to=(Mailbox("not an address"),)))
    with pytest.raises(ComposeError, match="line break"):
        parse_recipients("a@example.org\nBcc: x@example.org")
    with pytest.raises(ComposeError, match="no recipient"):
        build_message(_draft(to=()))


def test_bcc_is_in_the_envelope_only_and_attachments_round_trip() -> None:
    draft = _draft(
        bcc=(Mailbox("audit@acme.test"),),
        html="<p>Hello <img src='cid:logo@acme'></p>",
        attachments=(
            DraftAttachment("invoice.pdf", b"%PDF-1.4 fake"),
            DraftAttachment(
                "logo.png", b"\x89PNG fake", "image/png", inline=True, content_id="logo@acme"
            ),
        ),
    )
    raw = build_message(draft)
    assert b"audit@acme.test" not in raw and "audit@acme.test" in draft.recipients
    parsed = parse_message(raw)
    names = {a.filename: a for a in parsed.attachments}
    assert names["invoice.pdf"].data == b"%PDF-1.4 fake"
    assert names["logo.png"].content_id == "logo@acme" and names["logo.png"].inline


def _settings(server: SmtpServer, password: str = "smtp-pw") -> SmtpSettings:
    return SmtpSettings(
        server.host, server.port, "starttls", "smtp@example.test", password, timeout=10
    )


@pytest.fixture
def trusted(dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert_path))


def test_send_over_starttls_with_auth_delivers_the_exact_bytes(
    smtp_server: SmtpServer, trusted: None
) -> None:
    draft = _draft(cc=(Mailbox("boss@example.org"),), bcc=(Mailbox("audit@acme.test"),))
    raw = build_message(draft, date=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC))
    outcome = send(_settings(smtp_server), raw, SUPPORT.email, draft.recipients)
    assert outcome.status == "sent", outcome.detail
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["anna@example.org", "boss@example.org", "audit@acme.test"]
    received = email.message_from_bytes(envelope.original_content, policy=policy.SMTP)
    assert received["Message-ID"] == draft.message_id
    assert envelope.original_content.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


@pytest.mark.parametrize(
    ("reply", "status"),
    [("451 4.3.0 Try again later", "temporary"), ("554 5.7.1 Rejected as spam", "permanent")],
)
def test_server_refusals_are_classified_with_the_servers_words(
    smtp_server: SmtpServer, trusted: None, reply: str, status: str
) -> None:
    smtp_server.recorder.reply = reply
    draft = _draft()
    outcome = send(_settings(smtp_server), build_message(draft), SUPPORT.email, draft.recipients)
    assert outcome.status == status
    assert reply.split(" ", 1)[1] in outcome.detail


def test_a_connection_lost_after_data_is_uncertain_never_sent(
    smtp_server: SmtpServer, trusted: None
) -> None:
    smtp_server.recorder.reply = "disconnect"
    draft = _draft()
    outcome = send(_settings(smtp_server), build_message(draft), SUPPORT.email, draft.recipients)
    assert outcome.status == "uncertain"
    assert len(smtp_server.messages) == 1  # it did arrive: that is why we must not resend


def test_wrong_password_is_permanent_and_says_so(smtp_server: SmtpServer, trusted: None) -> None:
    draft = _draft()
    outcome = send(
        _settings(smtp_server, "wrong"), build_message(draft), SUPPORT.email, draft.recipients
    )
    assert outcome.status == "permanent"
    assert outcome.detail == "SMTP authentication failed: 5.7.8 Bad credentials"


def test_a_refused_recipient_among_others_is_reported(
    smtp_server: SmtpServer, trusted: None
) -> None:
    smtp_server.recorder.refuse_rcpt = {"ghost@example.org"}
    draft = _draft(cc=(Mailbox("ghost@example.org"),))
    outcome = send(_settings(smtp_server), build_message(draft), SUPPORT.email, draft.recipients)
    assert outcome.status == "sent"
    assert "ghost@example.org (550 5.1.1 No such user)" in outcome.detail


def test_a_server_that_is_down_is_temporary() -> None:
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings = SmtpSettings("127.0.0.1", port, "none", "u", "p", auth="none", timeout=2)
    outcome = send(settings, build_message(_draft()), SUPPORT.email, ["anna@example.org"])
    assert outcome.status == "temporary"


@pytest.mark.imap
def test_sent_copies_are_filed_and_found_by_message_id(imap_user: ImapUser, trusted: None) -> None:
    from app.mail.imap import (
        ImapSettings,
        append_to_sent,
        connect,
        find_sent_folder,
        logout,
        sent_copy_exists,
    )

    server = imap_user.server
    client = connect(
        ImapSettings(server.host, server.port, "starttls", imap_user.name, imap_user.password)
    )
    try:
        folder = find_sent_folder(client)
        assert folder == "Sent"
        draft = _draft()
        assert not sent_copy_exists(client, folder, draft.message_id)
        append_to_sent(client, build_message(draft), folder)
        assert sent_copy_exists(client, folder, draft.message_id)
        assert sent_copy_exists(client, folder, draft.message_id.strip("<>"))
    finally:
        logout(client)
    flags = server.flags(imap_user.name, "Sent")
    assert list(flags.values()) == [(b"\\Seen",)]


def test_implicit_tls_smtp(smtps_server: SmtpServer, trusted: None) -> None:
    settings = SmtpSettings(
        smtps_server.host, smtps_server.port, "ssl", "smtp@example.test", "smtp-pw", timeout=10
    )
    draft = _draft()
    outcome = send(settings, build_message(draft), SUPPORT.email, draft.recipients)
    assert outcome.status == "sent", outcome.detail
    assert len(smtps_server.messages) == 1


def test_xoauth2_smtp_login(smtp_server: SmtpServer, trusted: None) -> None:
    smtp_server.recorder.oauth_tokens.add("at-valid")
    draft = _draft()
    good = SmtpSettings(
        smtp_server.host,
        smtp_server.port,
        "starttls",
        "smtp@example.test",
        "at-valid",
        auth="xoauth2",
        timeout=10,
    )
    assert send(good, build_message(draft), SUPPORT.email, draft.recipients).status == "sent"
    stale = SmtpSettings(
        smtp_server.host,
        smtp_server.port,
        "starttls",
        "smtp@example.test",
        "at-expired",
        auth="xoauth2",
        timeout=10,
    )
    outcome = send(stale, build_message(draft), SUPPORT.email, draft.recipients)
    assert outcome.status == "permanent" and outcome.detail.startswith("SMTP authentication failed")
