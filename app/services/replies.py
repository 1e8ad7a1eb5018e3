"""Writing to customers: reply drafts with the account's frame, templates, canned answers,
and the automatic acknowledgement of new conversations."""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import UserError
from app.mail import outbox
from app.mail.autoresponse import AUTO_SUBMITTED_HEADER, refusal
from app.mail.compose import (
    Draft,
    DraftAttachment,
    Mailbox,
    forward_subject,
    make_message_id,
    parse_recipients,
    quote,
    reply_recipients,
    reply_references,
    reply_subject,
)
from app.mail.conversations import thread_subject
from app.mail.parse import parse_message
from app.services.accounts import find_account
from app.services.agents import memberships
from app.services.contacts import is_unsubscribed, unsubscribe_header
from app.services.operations import OpContext, Rejected, handler, held_interaction
from app.settings import get_value
from app.templates import render
from storage.blobs import SqlBlobStore
from storage.models import (
    Agent,
    CannedAnswer,
    EmailAccount,
    Interaction,
    Message,
    Project,
    ProjectSenderAccount,
    ProjectTemplate,
    Queue,
    Template,
    Ticket,
    utcnow,
)


@dataclass(frozen=True)
class CannedAnswerView:
    id: uuid.UUID
    title: str
    body: str
    origin: str  # global | account


def canned_answers(
    session: Session, account_id: uuid.UUID, search: str = ""
) -> list[CannedAnswerView]:
    """Global and this account's canned answers in one list, each marked by origin."""
    query = select(CannedAnswer).where(
        CannedAnswer.deleted_at.is_(None),
        or_(CannedAnswer.account_id.is_(None), CannedAnswer.account_id == account_id),
    )
    if search.strip():
        # % and _ typed by the agent are letters to find, not wildcards.
        escaped = search.strip().lower().replace("\\", "\\\\")
        escaped = escaped.replace("%", "\\%").replace("_", "\\_")
        needle = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(CannedAnswer.title).like(needle, escape="\\"),
                func.lower(CannedAnswer.body).like(needle, escape="\\"),
            )
        )
    rows = session.execute(query.order_by(CannedAnswer.title, CannedAnswer.id)).scalars()
    return [
        CannedAnswerView(r.id, r.title, r.body, "global" if r.account_id is None else "account")
        for r in rows
    ]


def template_variables(
    session: Session, interaction: Interaction, agent: Agent | None
) -> dict[str, Any]:
    """What templates may use: customer, agent, ticket, account, queue, date, contact."""
    account = session.get(EmailAccount, interaction.account_id)
    project = session.get(Project, interaction.project_id)
    queue = session.get(Queue, interaction.queue_id) if interaction.queue_id else None
    ticket = session.get(Ticket, interaction.ticket_id) if interaction.ticket_id else None
    zone = zoneinfo.ZoneInfo(project.time_zone if project else "UTC")
    return {
        "customer": {"name": interaction.customer_name, "email": interaction.customer_email},
        "agent": {"name": (agent.full_name or agent.name) if agent else ""},
        "ticket": {
            "number": ticket.number if ticket else "",
            "title": ticket.title if ticket else "",
        },
        "account": {
            "name": account.name if account else "",
            "email": account.email if account else "",
            "display_name": account.display_name if account else "",
        },
        "queue": {"name": queue.name if queue else ""},
        "date": dt.datetime.now(zone).date(),
        "contact": {},
    }


def _frame(
    account: EmailAccount, body: str, variables: dict[str, Any]
) -> tuple[str, str | None, list[DraftAttachment], Any]:
    """The account template around the agent's text: plain text, HTML with font and logo."""
    text = body
    if account.template_body.strip():
        text = render(
            account.template_body, {**variables, "body": body}, name=f"{account.name} frame"
        )
    if not (account.template_font_family or account.template_logo_hash):
        return text, None, [], None
    style = []
    if account.template_font_family:
        style.append(f"font-family: {htmlmod.escape(account.template_font_family)}")
    style.append(f"font-size: {int(account.template_font_size)}pt")
    html = f'<div style="{"; ".join(style)}">' + htmlmod.escape(text).replace("\n", "<br>\n")
    attachments: list[DraftAttachment] = []
    if account.template_logo_hash:
        html += '<br><img src="cid:logo@relaydesk" alt="">'
        attachments.append(
            DraftAttachment("logo.png", b"", "image/png", inline=True, content_id="logo@relaydesk")
        )
    return text, html + "</div>", attachments, account.template_logo_hash


def build_draft(
    blobs: SqlBlobStore,
    session: Session,
    *,
    interaction_id: uuid.UUID,
    agent_id: uuid.UUID | None,
    body: str,
    mode: str = "reply",  # reply | reply_all | forward | new
    to: str = "",
    cc: str = "",
    bcc: str = "",
    template_id: uuid.UUID | None = None,
    sender_account_id: uuid.UUID | None = None,
    attachments: tuple[DraftAttachment, ...] = (),
    subject: str | None = None,
) -> tuple[Draft, uuid.UUID]:
    """A ready-to-queue draft and its sender account, following the thread's last mail."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise UserError("That interaction no longer exists.")
    agent = session.get(Agent, agent_id) if agent_id else None
    sender_id = sender_account_id or interaction.account_id
    sender = session.get(EmailAccount, sender_id)
    if sender is None or not sender.smtp_host:
        raise UserError("Choose a sender account that can send mail (it has no SMTP server).")
    variables = template_variables(session, interaction, agent)
    template = session.get(Template, template_id) if template_id else None
    if template is not None:
        body = render(template.body, variables, name=template.name) + ("\n" + body if body else "")
    last = session.execute(
        select(Message)
        .where(Message.interaction_id == interaction_id, Message.direction == "in")
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(1)
    ).scalar()
    own = [a for (a,) in session.execute(select(EmailAccount.email)).all()]
    to_boxes: tuple[Mailbox, ...] = parse_recipients(to, "To") if to else ()
    cc_boxes = parse_recipients(cc, "Cc") if cc else ()
    bcc_boxes = parse_recipients(bcc, "Bcc") if bcc else ()
    if template is not None:
        cc_boxes += (
            parse_recipients(render(template.cc, variables, name=template.name), "Cc")
            if template.cc
            else ()
        )
        bcc_boxes += (
            parse_recipients(render(template.bcc, variables, name=template.name), "Bcc")
            if template.bcc
            else ()
        )
    in_reply_to = None
    references: tuple[str, ...] = ()
    quoted = ""
    new_subject = subject if subject is not None else interaction.subject
    forwarded: list[DraftAttachment] = []
    if last is not None and mode in ("reply", "reply_all", "forward"):
        parsed = parse_message(blobs.get(last.raw_hash))
        author = parsed.from_.email if parsed.from_ else last.from_email
        quoted = "\n\n" + quote(parsed.text, author, parsed.date)
        if mode == "forward":
            new_subject = subject or forward_subject(parsed.subject)
            forwarded = [
                DraftAttachment(a.filename, a.data, a.content_type) for a in parsed.attachments
            ]
        else:
            new_subject = subject or reply_subject(parsed.subject)
            in_reply_to = f"<{parsed.message_id}>" if parsed.message_id else None
            references = reply_references(parsed.references, parsed.message_id)
            if not to_boxes:
                primary, others = reply_recipients(
                    from_=Mailbox(parsed.from_.email, parsed.from_.name) if parsed.from_ else None,
                    reply_to=tuple(Mailbox(a.email, a.name) for a in parsed.reply_to),
                    to=tuple(Mailbox(a.email, a.name) for a in parsed.to),
                    cc=tuple(Mailbox(a.email, a.name) for a in parsed.cc),
                    own_addresses=own,
                    reply_all=mode == "reply_all",
                )
                to_boxes, cc_boxes = primary, others + cc_boxes
    if not to_boxes and mode != "forward" and interaction.customer_email:
        to_boxes = (Mailbox(interaction.customer_email, interaction.customer_name),)
    text, html, frame_attachments, logo_hash = _frame(sender, body, variables)
    if logo_hash:
        frame_attachments = [
            DraftAttachment(a.filename, blobs.get(logo_hash), a.content_type, True, a.content_id)
            for a in frame_attachments
        ]
    draft = Draft(
        sender=Mailbox(sender.email, sender.display_name),
        to=to_boxes,
        cc=cc_boxes,
        bcc=bcc_boxes,
        subject=new_subject,
        text=text + quoted,
        html=html,
        message_id=make_message_id(sender.email),
        in_reply_to=in_reply_to,
        references=references,
        attachments=tuple(frame_attachments) + tuple(forwarded) + attachments,
    )
    return draft, sender_id


def acknowledge(
    blobs: SqlBlobStore,
    session: Session,
    interaction: Interaction,
    template: Template,
    now: dt.datetime,
) -> bool:
    """Queue ``template`` to the customer as an automatic response, if RFC 3834 allows."""
    account = session.get(EmailAccount, interaction.account_id)
    project = session.get(Project, interaction.project_id)
    if account is None or project is None or not account.smtp_host:
        return False
    first = session.execute(
        select(Message)
        .where(Message.interaction_id == interaction.id, Message.direction == "in")
        .order_by(Message.received_at)
        .limit(1)
    ).scalar()
    if first is None:
        return False
    last_sent = session.execute(
        select(func.max(Message.sent_at))
        .join(Interaction, Interaction.id == Message.interaction_id)
        .where(
            Interaction.customer_email == interaction.customer_email,
            Message.direction == "out",
            Message.auto_submitted.is_(True),
        )
    ).scalar()
    parsed = parse_message(blobs.get(first.raw_hash))
    reason = refusal(
        parsed,
        own_addresses=[a for (a,) in session.execute(select(EmailAccount.email)).all()],
        # The earlier of the Date header and the server's receipt time: a first import
        # of an old mailbox must send nothing, whatever either clock says.
        received_at=min(first.received_at, first.sent_at or first.received_at),
        service_start_at=account.service_start_at,
        last_response_to_sender=last_sent,
        period=dt.timedelta(seconds=project.auto_response_period_s),
        now=now,
    )
    if reason is not None or is_unsubscribed(session, interaction.customer_email):
        return False
    variables = template_variables(session, interaction, None)
    draft = Draft(
        sender=Mailbox(account.email, account.display_name),
        to=(Mailbox(interaction.customer_email, interaction.customer_name),),
        subject=render(template.subject, variables, name=template.name)
        or reply_subject(interaction.subject),
        text=render(template.body, variables, name=template.name),
        message_id=make_message_id(account.email),
        in_reply_to=f"<{first.message_id_hdr}>" if first.message_id_hdr else None,
        references=reply_references(parsed.references, parsed.message_id),
        headers=(AUTO_SUBMITTED_HEADER, unsubscribe_header(account.email)),
    )
    result = outbox.queue(
        blobs,
        session,
        interaction_id=interaction.id,
        sender_account_id=account.id,
        draft=draft,
        sent_by_id=None,
        undo_seconds=0,
        now=now,
    )
    message = session.get(Message, result.message_id)
    if message is not None:
        message.auto_submitted = True
    return True


def auto_respond(
    ctx: AppContext, interaction_ids: list[uuid.UUID], now: dt.datetime | None = None
) -> int:
    """Queue the project's acknowledgement to new conversations that may have one."""
    now = now or utcnow()
    queued = 0
    with ctx.store.read() as session:
        # Most projects have no acknowledgement: one query, then nothing to do.
        wanted = list(
            session.execute(
                select(Interaction.id)
                .join(Project, Project.id == Interaction.project_id)
                .where(
                    Interaction.id.in_(interaction_ids),
                    Project.auto_response_template_id.is_not(None),
                )
                # Oldest first: the first message of a sender is the one acknowledged.
                .order_by(Interaction.first_message_at, Interaction.id)
            ).scalars()
        )
    for interaction_id in wanted:
        with ctx.store.write() as session:
            interaction = session.get(Interaction, interaction_id)
            project = session.get(Project, interaction.project_id) if interaction else None
            if interaction is None or project is None or not project.auto_response_template_id:
                continue
            template = session.get(Template, project.auto_response_template_id)
            if template is not None and acknowledge(ctx.blobs, session, interaction, template, now):
                queued += 1
    return queued


@dataclass(frozen=True)
class SenderChoice:
    account_id: uuid.UUID
    label: str  # what the composer shows: the display name, with the address if the
    # project's "display address" is on
    is_default: bool


def sender_choices(session: Session, project_id: uuid.UUID) -> list[SenderChoice]:
    """The sender accounts agents of a project may choose from, default first."""
    project = session.get(Project, project_id)
    if project is None:
        raise UserError("That project no longer exists.")
    rows = (
        session.execute(
            select(EmailAccount)
            .join(ProjectSenderAccount, ProjectSenderAccount.account_id == EmailAccount.id)
            .where(
                ProjectSenderAccount.project_id == project_id,
                ProjectSenderAccount.deleted_at.is_(None),
                EmailAccount.deleted_at.is_(None),
                EmailAccount.smtp_host.is_not(None),
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        # Nothing chosen yet: the project's own accounts that can send.
        rows = (
            session.execute(
                select(EmailAccount).where(
                    EmailAccount.project_id == project_id,
                    EmailAccount.deleted_at.is_(None),
                    EmailAccount.smtp_host.is_not(None),
                )
            )
            .scalars()
            .all()
        )
    choices = []
    for acc in rows:
        name = acc.display_name or acc.name
        label = f"{name} <{acc.email}>" if project.display_address else name
        choices.append(SenderChoice(acc.id, label, acc.id == project.default_sender_account_id))
    return sorted(choices, key=lambda c: (not c.is_default, c.label.casefold()))


@dataclass(frozen=True)
class TemplateChoice:
    id: uuid.UUID
    name: str
    show_cc: str  # the template's CC as agents may see it ('' when the project hides it)
    show_bcc: str


def template_choices(session: Session, project_id: uuid.UUID) -> list[TemplateChoice]:
    """Email templates agents of a project may use, with CC/BCC shown per project setting."""
    project = session.get(Project, project_id)
    if project is None:
        raise UserError("That project no longer exists.")
    rows = session.execute(
        select(Template)
        .join(ProjectTemplate, ProjectTemplate.template_id == Template.id)
        .where(
            ProjectTemplate.project_id == project_id,
            ProjectTemplate.deleted_at.is_(None),
            Template.deleted_at.is_(None),
            Template.kind == "email",
        )
        .order_by(Template.name)
    ).scalars()
    return [
        TemplateChoice(
            t.id,
            t.name,
            t.cc if project.display_template_cc else "",
            t.bcc if project.display_template_bcc else "",
        )
        for t in rows
    ]


# --- operations: replying goes through the one entry point like every other change -------


def _attachments(blobs: SqlBlobStore, items: list[dict[str, Any]]) -> tuple[DraftAttachment, ...]:
    """Files the composer put in the blob store before asking for the reply."""
    found = []
    for item in items:
        try:
            data = blobs.get(str(item["blob"]))
        except KeyError:
            raise Rejected(
                f"The attachment {item.get('filename', '')!r} is missing; add it again."
            ) from None
        found.append(
            DraftAttachment(
                str(item.get("filename") or "attachment"), data, str(item.get("content_type", ""))
            )
        )
    return tuple(found)


def _queue_by_agent(
    ctx: OpContext, interaction_id: uuid.UUID, sender: uuid.UUID, draft: Draft
) -> outbox.QueuedMessage:
    """What an agent wrote, into the outbox with the undo window."""
    return outbox.queue(
        ctx.blob_store(),
        ctx.session,
        interaction_id=interaction_id,
        sender_account_id=sender,
        draft=draft,
        sent_by_id=ctx.actor.id,
        undo_seconds=int(get_value(ctx.session, "global", "undo_send_seconds")),
    )


@handler("reply")
def _reply(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Reply, reply all, forward or write anew: stored at once, sent after the undo window."""
    interaction = held_interaction(ctx, payload)
    mode = str(payload.get("mode", "reply"))
    if mode not in ("reply", "reply_all", "forward", "new"):
        raise Rejected(f"Unknown way to answer: {mode!r}.")
    body = str(payload.get("body", ""))
    template_id = payload.get("template")
    if not body.strip() and template_id is None:
        raise Rejected("The reply is empty.")
    blobs = ctx.blob_store()
    sender_id = payload.get("sender_account")
    draft, sender = build_draft(
        blobs,
        ctx.session,
        interaction_id=interaction.id,
        agent_id=ctx.actor.id,
        body=body,
        mode=mode,
        to=str(payload.get("to", "")),
        cc=str(payload.get("cc", "")),
        bcc=str(payload.get("bcc", "")),
        template_id=uuid.UUID(str(template_id)) if template_id else None,
        sender_account_id=uuid.UUID(str(sender_id)) if sender_id else None,
        attachments=_attachments(blobs, list(payload.get("attachments", []))),
        subject=payload.get("subject"),
    )
    queued = _queue_by_agent(ctx, interaction.id, sender, draft)
    ctx.event("reply", interaction=interaction.id, mode=mode, message=queued.message_id)
    return {
        "message": queued.message_id,
        "message_id": queued.rfc_message_id,
        "not_before": queued.not_before.isoformat(),
    }


def _own_outgoing(ctx: OpContext, payload: dict[str, Any]) -> uuid.UUID:
    message_id = uuid.UUID(str(payload.get("message")))
    message = ctx.session.get(Message, message_id)
    if message is None or message.direction != "out":
        raise Rejected("There is no such outgoing message.")
    if not ctx.supervisor and message.sent_by_id != ctx.actor.id:
        raise Rejected("Only its author or a supervisor can change this message.")
    return message_id


@handler("cancel_send")
def _cancel_send(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    message_id = _own_outgoing(ctx, payload)
    outbox.cancel(ctx.session, message_id)
    ctx.event("cancel_send", message=message_id)
    return {"message": message_id, "state": "cancelled"}


@handler("resolve_send")
def _resolve_send(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """An uncertain send: 'resend' it, or accept that it was 'sent'."""
    message_id = _own_outgoing(ctx, payload)
    decision = str(payload.get("decision", ""))
    outbox.resolve_uncertain(ctx.session, message_id, decision)
    ctx.event("resolve_send", message=message_id, decision=decision)
    return {"message": message_id, "state": "queued" if decision == "resend" else "sent"}


@handler("new_email")
def _new_email(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A new outbound email to a contact: a new interaction, held by its author, and the mail.

    The customer's answer threads into it like any reply, by its Message-ID.
    """
    account = find_account(ctx.session, str(payload.get("account", "")))
    if not account.smtp_host:
        raise Rejected(f"Email account {account.name} cannot send mail (no SMTP server).")
    recipients = parse_recipients(str(payload.get("to", "")), "To")
    if not recipients:
        raise Rejected("Name at least one recipient.")
    subject = str(payload.get("subject", "")).strip()
    if not subject:
        raise Rejected("A new email needs a subject.")
    _queue_ids, account_ids = memberships(ctx.session, ctx.actor)
    if not ctx.supervisor and account.id not in account_ids:
        raise Rejected(f"You do not work on email account {account.name}.")
    default_queue = ctx.session.execute(
        select(Queue.id).where(
            Queue.project_id == account.project_id,
            Queue.is_default.is_(True),
            Queue.deleted_at.is_(None),
        )
    ).scalar()
    now = utcnow()
    interaction = Interaction(
        project_id=account.project_id,
        account_id=account.id,
        queue_id=default_queue,
        subject=subject,
        thread_subject=thread_subject(subject),
        customer_email=recipients[0].email.lower(),
        customer_name=recipients[0].name,
        unread=False,
        claimed_by_id=ctx.actor.id,
        claimed_at=now,
        claim_fence=1,
        created_at=now,
        last_activity_at=now,
        first_message_at=now,
    )
    ctx.session.add(interaction)
    ctx.session.flush()
    blobs = ctx.blob_store()
    draft, sender = build_draft(
        blobs,
        ctx.session,
        interaction_id=interaction.id,
        agent_id=ctx.actor.id,
        body=str(payload.get("body", "")),
        mode="new",
        to=str(payload.get("to", "")),
        cc=str(payload.get("cc", "")),
        bcc=str(payload.get("bcc", "")),
        sender_account_id=account.id,
        attachments=_attachments(blobs, list(payload.get("attachments", []))),
        subject=subject,
    )
    queued = _queue_by_agent(ctx, interaction.id, sender, draft)
    ctx.event("new_email", interaction=interaction.id, message=queued.message_id)
    return {
        "interaction": interaction.id,
        "fence": interaction.claim_fence,
        "message": queued.message_id,
        "message_id": queued.rfc_message_id,
    }


def render_canned(
    session: Session, answer_id: uuid.UUID, interaction_id: uuid.UUID, agent_id: uuid.UUID | None
) -> str:
    """A canned answer filled in for this conversation, with the template variables."""
    answer = session.get(CannedAnswer, answer_id)
    interaction = session.get(Interaction, interaction_id)
    if answer is None or answer.deleted_at is not None or interaction is None:
        raise UserError("That canned answer or interaction no longer exists.")
    if answer.account_id not in (None, interaction.account_id):
        raise UserError("That canned answer belongs to another account.")
    agent = session.get(Agent, agent_id) if agent_id else None
    variables = template_variables(session, interaction, agent)
    return render(answer.body, variables, name=answer.title)


def disposition_email(
    ctx: OpContext, interaction: Interaction, template_id: uuid.UUID
) -> uuid.UUID | None:
    """Queue a disposition's template to the customer; counted apart from replies."""
    template = ctx.session.get(Template, template_id)
    account = ctx.session.get(EmailAccount, interaction.account_id)
    if template is None or account is None or not account.smtp_host:
        return None
    if not interaction.customer_email or is_unsubscribed(ctx.session, interaction.customer_email):
        return None
    variables = template_variables(ctx.session, interaction, ctx.actor)
    draft = Draft(
        sender=Mailbox(account.email, account.display_name),
        to=(Mailbox(interaction.customer_email, interaction.customer_name),),
        subject=render(template.subject, variables, name=template.name)
        or reply_subject(interaction.subject),
        text=render(template.body, variables, name=template.name),
        message_id=make_message_id(account.email),
        headers=(AUTO_SUBMITTED_HEADER, unsubscribe_header(account.email)),
    )
    queued = outbox.queue(
        ctx.blob_store(),
        ctx.session,
        interaction_id=interaction.id,
        sender_account_id=account.id,
        draft=draft,
        sent_by_id=ctx.actor.id,
        undo_seconds=0,
    )
    message = ctx.session.get(Message, queued.message_id)
    if message is not None:
        message.auto_submitted = True  # not an agent's own email in the statistics
    ctx.event("disposition_email", interaction=interaction.id, message=queued.message_id)
    return queued.message_id
