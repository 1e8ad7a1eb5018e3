"""A bounce written by a real MTA (Debian's Exim) for a reply we sent through our own SMTP
path, ingested from Dovecot: linked to our message as bounced, with the reason, and never
offered to agents."""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.mail import outbox
from app.mail.fetch import fetch_once
from app.services.accounts import add_account
from app.services.agents import add_agent
from app.services.operations import Operation, apply
from app.services.settings import change_setting
from storage.models import Event, Interaction, Message
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser
from tests.servers.mta import LOCAL_DOMAIN, EximMta, exim_binary, start_exim

pytestmark = pytest.mark.imap

CUSTOMER = f"gone@{LOCAL_DOMAIN}"  # a mailbox the customer's server no longer has


@pytest.fixture
def exim() -> Iterator[EximMta]:
    binary = exim_binary()
    reason = None
    if binary is None:
        reason = "no exim binary (apt-get install exim4-daemon-light)"
    elif os.geteuid() != 0:
        reason = "Exim runs its transport as another user, which needs root"
    if reason is not None or binary is None:
        # Same policy as Dovecot: on CI a missing server must fail, not hide the test.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Exim unavailable on CI: {reason}", pytrace=False)
        pytest.skip(f"Exim unavailable: {reason}")
    # Not under tmp_path: Exim's unprivileged transport must be able to reach its spool.
    root = Path(tempfile.mkdtemp(prefix="relaydesk-exim-"))
    try:
        yield from start_exim(root, binary)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def account(
    ctx: AppContext, imap_user: ImapUser, exim: EximMta, trust_test_certificate: None
) -> uuid.UUID:
    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
        smtp_host=exim.host,
        smtp_port=exim.port,
        smtp_security="none",
    )
    change_setting(ctx.store, "smtp_auth", "none", account="support")
    add_agent(ctx.store, "alice", accounts=["support"])
    add_agent(ctx.store, "bob", accounts=["support"])
    return info.id


def test_a_real_mta_bounce_marks_our_reply_bounced_and_is_not_offered(
    ctx: AppContext, imap_user: ImapUser, exim: EximMta, account: uuid.UUID
) -> None:
    imap_user.server.append(
        imap_user.name,
        (
            f"From: Gina <{CUSTOMER}>\r\nTo: support@acme.test\r\nSubject: My order\r\n"
            "Message-ID: <g1@customers.test>\r\n\r\nWhere is it?\r\n"
        ).encode(),
    )
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        conversation = session.execute(select(Interaction.id)).scalar_one()

    # An agent answers through the one entry point; the outbox hands it to Exim.
    assert apply(ctx.store, Operation("claim", "alice", {"interaction": conversation})).applied
    replied = apply(
        ctx.store,
        Operation("reply", "alice", {"interaction": conversation, "body": "It is on its way."}),
        blobs=ctx.blobs,
    )
    assert replied.applied, replied.reason
    ours = uuid.UUID(replied.result["message"])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # past the undo window
    reports = outbox.send_due(ctx, now=later)
    assert [r.state for r in reports] == ["sent"], exim.log_tail()

    # Exim accepted it, failed the unknown user and wrote the bounce to our account.
    [bounce] = exim.wait_for_relayed(1)
    assert bounce.rcpt_tos == ["support@acme.test"]
    assert bounce.mail_from in ("", "<>")  # a bounce has the null sender (RFC 5321)
    report = email.message_from_bytes(bounce.original_content, policy=policy.default)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert f"Final-Recipient: rfc822;{CUSTOMER}" in bounce.original_content.decode()

    imap_user.server.append(imap_user.name, bounce.original_content)
    fetch_once(ctx, quick_options())

    with ctx.store.read() as session:
        reply = session.get(Message, ours)
        assert reply is not None and reply.delivery_state == "bounced"
        # The reason Exim gave: the status and the words for the unknown user.
        assert reply.delivery_detail.startswith("5.")
        assert f"550 5.1.1 <{CUSTOMER}>: user unknown" in reply.delivery_detail
        report_row = session.execute(
            select(Interaction).where(Interaction.id != conversation)
        ).scalar_one()
        assert (report_row.status, report_row.unread) == ("closed", False)
        events = session.execute(
            select(Event.interaction_id, Event.data).where(Event.kind == "delivery.bounced")
        ).all()
        assert [(str(i), d["message"]) for i, d in events] == [(str(conversation), str(ours))]
    # Not offered: another agent asking for work gets nothing.
    assert apply(ctx.store, Operation("claim", "bob")).result == {}
