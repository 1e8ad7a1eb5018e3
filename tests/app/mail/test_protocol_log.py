"""The per-account protocol log against the real Dovecot and aiosmtpd: commands and answers
are kept, passwords, AUTH payloads and message bodies never are."""

from __future__ import annotations

import base64
import logging
import uuid

import pytest

from app import secrets
from app.context import AppContext
from app.mail import protocol_log
from app.mail.fetch import fetch_once
from app.mail.smtp import SmtpSettings, send
from app.services.accounts import add_account
from app.services.verify import protocol_lines, verify_account
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser
from tests.servers.smtp import SmtpServer

BODY_TEXT = "The-secret-body-line-4711 of the customer"
SUBJECT_TEXT = "Subject-marker-0815"


def _account(ctx: AppContext, user: ImapUser, smtp: SmtpServer | None = None) -> uuid.UUID:
    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=user.name,
        password=user.password,
        imap_host=user.server.host,
        imap_port=user.server.port,
        imap_security="starttls",
        smtp_host=smtp.host if smtp else None,
        smtp_port=smtp.port if smtp else None,
        smtp_security="starttls",
        smtp_username="smtp@example.test",
    )
    if smtp is not None:
        secrets.set_secret(info.id, "smtp_password", "smtp-pw")
    protocol_log.clear(info.id)
    return info.id


@pytest.mark.imap
def test_verify_fills_the_log_without_a_password(
    sqlite_ctx: AppContext,
    imap_user: ImapUser,
    smtp_server: SmtpServer,
    trust_test_certificate: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _account(sqlite_ctx, imap_user, smtp_server)
    caplog.set_level(logging.DEBUG)
    steps = verify_account(sqlite_ctx, "support")
    assert [(s.protocol, s.ok) for s in steps] == [("IMAP", True), ("SMTP", True)], steps
    lines = protocol_lines(sqlite_ctx, "support")
    text = "\n".join(lines)
    assert any(" IMAP S: * CAPABILITY " in line for line in lines), text
    assert any(" IMAP C: " in line and " STARTTLS" in line for line in lines), text
    assert any(" SMTP C: EHLO " in line for line in lines), text
    assert any(" SMTP S: 250" in line for line in lines), text
    assert any(line.endswith(" LOGIN ***") for line in lines), text
    assert any(" SMTP C: AUTH " in line and line.endswith(" ***") for line in lines), text
    # Neither password, nor an AUTH PLAIN / LOGIN payload carrying one.
    assert imap_user.password not in text
    assert "smtp-pw" not in text
    for payload in (b"\0smtp@example.test\0smtp-pw", b"smtp-pw"):
        assert base64.b64encode(payload).decode() not in text
    # The trace stays in the protocol log: no debug record of it reaches the log files.
    assert not [r for r in caplog.records if r.name.startswith("imapclient")], caplog.text


@pytest.mark.imap
def test_a_fetch_records_sizes_never_the_message(
    sqlite_ctx: AppContext, imap_user: ImapUser, trust_test_certificate: None
) -> None:
    account_id = _account(sqlite_ctx, imap_user)
    raw = (
        f"From: Anna <anna@example.org>\r\nTo: support@acme.test\r\nSubject: {SUBJECT_TEXT}\r\n"
        f"Message-ID: <p1@example.org>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n"
        f"{BODY_TEXT}\r\n"
    ).encode()
    imap_user.server.append(imap_user.name, raw)
    report = fetch_once(sqlite_ctx, quick_options(), "support")
    assert not report.errors and report.result.seen == 1, report
    text = "\n".join(str(line) for line in protocol_log.lines(account_id))
    assert " FETCH " in text and "<message data, " in text, text
    assert BODY_TEXT not in text
    assert SUBJECT_TEXT not in text
    assert imap_user.password not in text


def test_a_send_records_the_body_as_its_size(
    smtp_server: SmtpServer, trust_test_certificate: None
) -> None:
    account_id = uuid.uuid4()
    raw = f"Subject: hello\r\nFrom: support@acme.test\r\n\r\n{BODY_TEXT}\r\n".encode()
    settings = SmtpSettings(
        smtp_server.host, smtp_server.port, "starttls", "smtp@example.test", "smtp-pw", timeout=10
    )
    with protocol_log.capture(account_id):
        outcome = send(settings, raw, "support@acme.test", ["anna@example.org"])
    assert outcome.status == "sent", outcome.detail
    assert BODY_TEXT in smtp_server.messages[0].content.decode()  # it did go out whole
    lines = [str(line) for line in protocol_log.lines(account_id)]
    text = "\n".join(lines)
    assert any(" SMTP C: <message body, " in line for line in lines), text
    assert any(" SMTP S: 354 " in line for line in lines), text
    assert BODY_TEXT not in text and "smtp-pw" not in text
    # Outside a capture nothing is recorded for anyone.
    send(settings, raw, "support@acme.test", ["anna@example.org"])
    assert len(protocol_log.lines(account_id)) == len(lines)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("> b'AB1 LOGIN anna s3cret'", ("C", "AB1 LOGIN ***")),
        ("> b'AB1 AUTHENTICATE XOAUTH2 dXNlcj1h'", ("C", "AB1 AUTHENTICATE ***")),
        ("read literal size 5321", ("S", "<message data, 5321 bytes>")),
        ("write literal size 42", ("C", "<message data, 42 bytes>")),
        ("   (literal) > b'From: a'", ("C", "<message data>")),
        (
            '< b\'* 1 FETCH (UID 1 ENVELOPE ("Mon" "Refund please"))\'',
            ("S", '* 1 FETCH (UID 1 ENVELOPE ("<3 characters>" "<13 characters>"))'),
        ),
        ("untagged_responses[FETCH] => [(b'1 (RFC822 {5}', b'hello')]", None),
        ("\tmatched b'x' => (b'1',)", None),
    ],
)
def test_imap_lines_are_whitelisted_and_redacted(
    message: str, expected: tuple[str, str] | None
) -> None:
    assert protocol_log.imap_text(message) == expected


def test_the_log_is_bounded_per_account() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    with protocol_log.capture(first):
        for number in range(protocol_log.CAPACITY + 10):
            protocol_log.record("IMAP", "C", f"line {number}")
        with protocol_log.capture(second):
            protocol_log.record("SMTP", "C", "NOOP")
    kept = protocol_log.lines(first)
    assert len(kept) == protocol_log.CAPACITY
    assert kept[-1].text == f"line {protocol_log.CAPACITY + 9}"
    assert [line.text for line in protocol_log.lines(second)] == ["NOOP"]
