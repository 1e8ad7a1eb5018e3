"""Reply drafts, canned answers and automatic acknowledgements, on real stores and servers."""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.mail.compose import build_message
from app.mail.fetch import fetch_once
from app.mail.parse import parse_message
from app.services.accounts import add_account
from app.services.replies import auto_respond, build_draft, canned_answers
from storage.models import (
    CannedAnswer,
    EmailAccount,
    Interaction,
    Message,
    OutboxItem,
    Project,
    Template,
)
from tests.app.mail.conftest import quick_options
from tests.servers.dovecot import ImapUser


def _mail(
    sender: str, subject: str, msgid: str, extra: str = "", when: dt.datetime | None = None
) -> bytes:
    date = email.utils.format_datetime(when or dt.datetime.now(dt.UTC))
    return (
        f"From: Customer <{sender}>\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\nDate: {date}\r\n{extra}\r\nHello, I need help with my order.\r\n"
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
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_security="none",
        display_name="Acme Support",
    )
    return info.id


@pytest.mark.imap
def test_reply_draft_follows_the_thread_with_the_account_frame_and_template(
    ctx: AppContext, imap_user: ImapUser, account: uuid.UUID
) -> None:
    imap_user.server.append(
        imap_user.name,
        _mail("anna@example.org", "AW: Order AC-7", "c1@example.org", "Cc: bob@example.org\r\n"),
    )
    fetch_once(ctx, quick_options())
    with ctx.store.write() as session:
        acc = session.get(EmailAccount, account)
        assert acc is not None
        acc.template_body = "{{ body }}\n\n-- \n{{ agent.name or account.display_name }}"
        acc.template_font_family = "Verdana"
        template = Template(
            name="Apology",
            subject="",
            body="Dear {{ customer.name }},",
            cc="",
            bcc="audit@acme.test",
        )
        session.add(template)
        session.flush()
        interaction_id = session.execute(select(Interaction.id)).scalar_one()
        draft, sender = build_draft(
            ctx.blobs,
            session,
            interaction_id=interaction_id,
            agent_id=None,
            body="we are sorry.",
            mode="reply_all",
            template_id=template.id,
        )
    assert sender == account
    assert draft.subject == "Re: Order AC-7"
    assert draft.in_reply_to == "<c1@example.org>"
    assert [b.email for b in draft.to] == ["anna@example.org"]
    assert [b.email for b in draft.cc] == ["bob@example.org"]
    assert [b.email for b in draft.bcc] == ["audit@acme.test"]
    assert draft.text.startswith("Dear Customer,\nwe are sorry.\n\n-- \nAcme Support")
    assert "> Hello, I need help" in draft.text
    assert draft.html is not None and "font-family: Verdana" in draft.html
    parsed = parse_message(build_message(draft))
    assert parsed.in_reply_to == "c1@example.org"


def test_canned_answers_are_one_blended_searchable_list(ctx: AppContext) -> None:
    info = add_account(ctx.store, name="s", email="s@acme.test", username="s", imap_host="h")
    other = add_account(ctx.store, name="o", email="o@acme.test", username="o", imap_host="h")
    with ctx.store.write() as session:
        session.add_all(
            [
                CannedAnswer(title="Refund policy", body="Refunds take 5 days."),
                CannedAnswer(account_id=info.id, title="Shipping times", body="2-3 days."),
                CannedAnswer(account_id=other.id, title="Other account only", body="x"),
                CannedAnswer(title="Discounts", body="Up to 100% off_season."),
            ]
        )
    with ctx.store.read() as session:
        every = canned_answers(session, info.id)
        found = canned_answers(session, info.id, "REFUND")
        percent = canned_answers(session, info.id, "%")
        underscore = canned_answers(session, info.id, "f_")
    assert [(c.title, c.origin) for c in every] == [
        ("Discounts", "global"),
        ("Refund policy", "global"),
        ("Shipping times", "account"),
    ]
    assert [c.title for c in found] == ["Refund policy"]
    # Typed % and _ are searched for literally, not as wildcards.
    assert [c.title for c in percent] == ["Discounts"]
    assert [c.title for c in underscore] == ["Discounts"]


@pytest.mark.imap
def test_new_conversations_get_one_acknowledgement_and_machines_none(
    ctx: AppContext, imap_user: ImapUser, account: uuid.UUID
) -> None:
    with ctx.store.write() as session:
        template = Template(
            kind="auto_response",
            name="Ack",
            subject="We got your message: {{ customer.email }}",
            body="Dear {{ customer.name }}, we will answer soon.",
        )
        session.add(template)
        session.flush()
        project = session.execute(select(Project)).scalar_one()
        project.auto_response_template_id = template.id
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    imap_user.server.append_many(
        imap_user.name,
        [
            _mail("anna@example.org", "Order AC-1", "a1@example.org"),
            _mail("anna@example.org", "Another question", "a2@example.org"),  # same sender, soon
            _mail("news@list.example", "Newsletter", "n1@list.example", "List-Id: <l.example>\r\n"),
            _mail("noreply@shop.example", "Your receipt", "r1@shop.example"),
        ],
    )
    # History: written and received long before the account's start of service.
    imap_user.server.append(
        imap_user.name,
        _mail("bob@example.org", "Old history", "b0@example.org", when=old),
        msg_time=old,
    )
    fetch_once(ctx, quick_options())
    with ctx.store.read() as session:
        items = session.execute(select(OutboxItem)).scalars().all()
        messages = {m.id: m for m in session.execute(select(Message)).scalars()}
    assert len(items) == 1
    ack = messages[items[0].message_id]
    assert ack.auto_submitted and ack.subject == "We got your message: anna@example.org"
    raw = ctx.blobs.get(ack.raw_hash)
    assert b"Auto-Submitted: auto-replied" in raw and b"In-Reply-To: <a1@example.org>" in raw
    assert auto_respond(ctx, []) == 0


def test_sender_accounts_and_templates_agents_may_choose(ctx: AppContext) -> None:
    from app.services.replies import sender_choices, template_choices
    from storage.models import ProjectSenderAccount, ProjectTemplate

    support = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="s",
        imap_host="h",
        smtp_host="smtp.acme.test",
        display_name="Acme Support",
    )
    sales = add_account(
        ctx.store,
        name="sales",
        email="sales@acme.test",
        username="s",
        smtp_host="smtp.acme.test",
        display_name="Acme Sales",
    )
    add_account(ctx.store, name="inbound", email="in@acme.test", username="s", imap_host="h")
    with ctx.store.write() as session:
        project = session.execute(select(Project)).scalar_one()
        assert [c.label for c in sender_choices(session, project.id)] == [
            "Acme Sales",
            "Acme Support",
        ]
        session.add(ProjectSenderAccount(project_id=project.id, account_id=sales.id))
        project.default_sender_account_id = sales.id
        project.display_address = True
        visible = Template(name="Apology", cc="boss@acme.test", bcc="audit@acme.test")
        hidden = Template(name="Internal only")
        session.add_all([visible, hidden])
        session.flush()
        session.add(ProjectTemplate(project_id=project.id, template_id=visible.id))
        project.display_template_cc = True
        session.flush()
        choices = sender_choices(session, project.id)
        templates = template_choices(session, project.id)
    assert [(c.label, c.is_default) for c in choices] == [("Acme Sales <sales@acme.test>", True)]
    assert support.id not in {c.account_id for c in choices}
    assert [(t.name, t.show_cc, t.show_bcc) for t in templates] == [
        ("Apology", "boss@acme.test", ""),
    ]


def test_canned_answers_fill_in_variables_and_the_frame_carries_the_logo(ctx: AppContext) -> None:
    from app.services.replies import render_canned
    from tests.app.workflow import make_interaction

    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="s",
        imap_host="h",
        smtp_host="smtp.acme.test",
        display_name="Acme",
    )
    interaction_id = make_interaction(ctx.store, "support")
    logo = b"\x89PNG\r\n\x1a\n fake logo"
    logo_hash = ctx.blobs.put(logo)
    with ctx.store.write() as session:
        answer = CannedAnswer(
            title="Thanks", body="Thanks {{ customer.email }} from {{ account.display_name }}"
        )
        session.add(answer)
        acc = session.get(EmailAccount, info.id)
        assert acc is not None
        acc.template_logo_hash = logo_hash
        session.flush()
        assert render_canned(session, answer.id, interaction_id, None) == (
            "Thanks customer@example.test from Acme"
        )
        draft, _ = build_draft(
            ctx.blobs,
            session,
            interaction_id=interaction_id,
            agent_id=None,
            body="Hello",
            mode="new",
            to="x@example.org",
        )
    parsed = parse_message(build_message(draft))
    [image] = [a for a in parsed.attachments if a.content_id == "logo@relaydesk"]
    assert image.data == logo and image.inline
    assert parsed.html is not None and "cid:logo@relaydesk" in parsed.html
