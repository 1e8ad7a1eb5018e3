"""The durable outbox: a reply is committed before any network step, then sent exactly once.

The mail worker takes due items, marks them ``sending`` in their own transaction, talks to
SMTP, and records the outcome. An item still ``sending`` when a worker starts was cut off
mid-conversation by a crash: it may or may not have left, so it becomes ``uncertain``, for
the Sent folder or a person to settle, and is never resent automatically.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import oauth, secrets
from app.context import AppContext
from app.errors import ConfigError, RelaydeskError, UserError
from app.mail import imap, protocol_log
from app.mail.compose import Draft, build_message
from app.mail.smtp import SendOutcome, SmtpSettings, send
from app.services.tickets import recompute_ticket_facts
from storage.blobs import SqlBlobStore, digest
from storage.models import EmailAccount, Interaction, Message, OutboxItem, utcnow

log = logging.getLogger("smtp")

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)


@dataclass(frozen=True)
class QueuedMessage:
    message_id: uuid.UUID
    rfc_message_id: str
    not_before: dt.datetime


def queue(
    blobs: SqlBlobStore,
    session: Session,
    *,
    interaction_id: uuid.UUID,
    sender_account_id: uuid.UUID,
    draft: Draft,
    sent_by_id: uuid.UUID | None,
    undo_seconds: int,
    now: dt.datetime | None = None,
) -> QueuedMessage:
    """Build the message once, keep its bytes, and put it in the interaction and the outbox.

    Runs inside the caller's transaction (the reply operation), so the agent's text is in
    the store before anything touches the network.
    """
    now = now or utcnow()
    raw = build_message(draft, date=now)
    blobs.put(raw)  # durable before the rows that point at it commit
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise UserError("That interaction no longer exists.")
    message = Message(
        interaction_id=interaction_id,
        account_id=interaction.account_id,
        direction="out",
        message_id_hdr=draft.message_id.strip("<>"),
        in_reply_to=(draft.in_reply_to or "").strip("<>") or None,
        references=" ".join(r.strip("<>") for r in draft.references),
        subject=draft.subject,
        from_email=draft.sender.email.lower(),
        from_name=draft.sender.name,
        recipients={
            "to": [[b.name, b.email] for b in draft.to],
            "cc": [[b.name, b.email] for b in draft.cc],
            "bcc": [[b.name, b.email] for b in draft.bcc],
        },
        sent_at=now,
        received_at=now,
        text_body=draft.text,
        html_body=draft.html,
        raw_hash=digest(raw),
        raw_size=len(raw),
        language=interaction.language,
        attachment_count=len(draft.attachments),
        sent_by_id=sent_by_id,
        delivery_state="queued",
    )
    session.add(message)
    session.flush()
    not_before = now + dt.timedelta(seconds=max(0, undo_seconds))
    session.add(
        OutboxItem(
            message_id=message.id,
            account_id=sender_account_id,
            envelope_from=draft.sender.email,
            recipients={"all": draft.recipients},
            not_before=not_before,
            next_attempt_at=not_before,
        )
    )
    interaction.message_count += 1
    interaction.last_message_at = now
    interaction.last_activity_at = now
    return QueuedMessage(message.id, draft.message_id, not_before)


def cancel(session: Session, message_id: uuid.UUID, now: dt.datetime | None = None) -> None:
    """Undo a send inside its window; refused once the message may have left."""
    now = now or utcnow()
    item = session.execute(
        select(OutboxItem).where(OutboxItem.message_id == message_id)
    ).scalar_one_or_none()
    if item is None:
        raise UserError("That message is not waiting to be sent.")
    if item.state != "queued" or item.attempts > 0 or now >= item.not_before:
        raise UserError("Too late to undo: the message is already on its way.")
    item.state = "cancelled"
    item.updated_at = now
    message = session.get(Message, message_id)
    if message is not None:
        message.delivery_state = "cancelled"
        message.deleted_at = now


def _set_state(
    session: Session, item: OutboxItem, state: str, now: dt.datetime, detail: str = ""
) -> None:
    item.state = state
    item.updated_at = now
    if detail:
        item.last_error = detail
    message = session.get(Message, item.message_id)
    if message is not None:
        message.delivery_state = state
        message.delivery_detail = detail or message.delivery_detail
        interaction = session.get(Interaction, message.interaction_id)
        if state == "sent" and interaction is not None and interaction.ticket_id is not None:
            # First/last sent, counts and SLA change when a message of the ticket leaves.
            recompute_ticket_facts(session, interaction.ticket_id)


def recover(ctx: AppContext, now: dt.datetime | None = None) -> int:
    """At worker start: anything left 'sending' may have left; never send it again blindly."""
    now = now or utcnow()
    with ctx.store.write() as session:
        items = session.execute(select(OutboxItem).where(OutboxItem.state == "sending")).scalars()
        count = 0
        for item in items:
            _set_state(
                session,
                item,
                "uncertain",
                now,
                "The sending was interrupted; the message may have been sent.",
            )
            count += 1
    return count


def _claim_due(ctx: AppContext, now: dt.datetime, limit: int) -> list[uuid.UUID]:
    with ctx.store.write() as session:
        query = (
            select(OutboxItem)
            .where(
                OutboxItem.state == "queued",
                OutboxItem.not_before <= now,
                OutboxItem.next_attempt_at <= now,
            )
            .order_by(OutboxItem.next_attempt_at)
            .limit(limit)
        )
        if not ctx.store.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for item in session.execute(query).scalars():
            item.state = "sending"
            item.sending_since = now
            item.attempts += 1
            item.updated_at = now
            claimed.append(item.id)
        return claimed


def smtp_settings(ctx: AppContext, account_id: uuid.UUID) -> SmtpSettings:
    with ctx.store.read() as session:
        acc = session.get(EmailAccount, account_id)
        if acc is None or not acc.smtp_host:
            raise ConfigError("The sender account has no SMTP server.")
        host, port, security = acc.smtp_host, acc.smtp_port or 465, acc.smtp_security
        auth, username, timeout, service = (
            acc.smtp_auth,
            acc.smtp_username,
            float(acc.connect_timeout) * 3,
            acc.service,
        )
        provider = oauth.configured_provider(session, service) if auth == "xoauth2" else None
    password = ""
    if provider is not None:
        password = oauth.access_token(account_id, provider)
    elif auth == "password":
        password = smtp_password(account_id)
    return SmtpSettings(host, port, security, username, password, auth, timeout)


def smtp_password(account_id: uuid.UUID) -> str:
    """SMTP may have its own password (custom servers); most accounts share the IMAP one."""
    return (
        secrets.get_secret(account_id, "smtp_password")
        or secrets.get_secret(account_id, "password")
        or ""
    )


@dataclass(frozen=True)
class SendReport:
    message_id: uuid.UUID
    state: str
    detail: str


Sender = Callable[[SmtpSettings, bytes, str, list[str]], SendOutcome]


def send_due(
    ctx: AppContext, *, now: dt.datetime | None = None, limit: int = 20, sender: Sender = send
) -> list[SendReport]:
    """Send what is due; each outcome is recorded before the next message is touched."""
    now = now or utcnow()
    reports = []
    for item_id in _claim_due(ctx, now, limit):
        reports.append(_send_one(ctx, item_id, now, sender))
    return reports


def _send_one(ctx: AppContext, item_id: uuid.UUID, now: dt.datetime, sender: Sender) -> SendReport:
    with ctx.store.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        message = session.get(Message, item.message_id)
        assert message is not None
        account = session.get(EmailAccount, item.account_id)
        recipients = list(item.recipients.get("all", []))
        envelope_from, raw_hash, attempts = item.envelope_from, message.raw_hash, item.attempts
        saves_sent = bool(account and account.provider_saves_sent)
        sent_folder = account.sent_folder if account else "Sent"
        has_imap = bool(account and account.imap_host)
        rfc_id = message.message_id_hdr or ""
    try:
        settings = smtp_settings(ctx, item.account_id)
        with protocol_log.capture(item.account_id):
            outcome = sender(settings, ctx.blobs.get(raw_hash), envelope_from, recipients)
    except RelaydeskError as exc:
        outcome = SendOutcome("temporary", str(exc))
    state: str = outcome.status
    detail = outcome.detail
    with ctx.store.write() as session:
        row = session.get(OutboxItem, item_id)
        assert row is not None
        if state == "temporary":
            if attempts >= MAX_ATTEMPTS:
                _set_state(session, row, "failed", now, f"gave up after {attempts} tries: {detail}")
                state = "failed"
            else:
                delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempts - 1))
                row.next_attempt_at = now + delay
                _set_state(session, row, "queued", now, detail)
                state = "queued"
        elif state == "permanent":
            _set_state(session, row, "failed", now, detail)
            state = "failed"
        else:
            _set_state(session, row, state, now, detail)
    if has_imap and state in ("sent", "uncertain"):
        with protocol_log.capture(item.account_id):
            state = _settle_with_sent_folder(
                ctx, item_id, state, saves_sent, sent_folder, rfc_id, now
            )
    return SendReport(message.id, state, detail)


def _settle_with_sent_folder(
    ctx: AppContext,
    item_id: uuid.UUID,
    state: str,
    saves_sent: bool,
    folder: str,
    rfc_id: str,
    now: dt.datetime,
) -> str:
    """File sent mail in Sent (unless the provider does); settle 'uncertain' by looking there."""
    from app.mail.fetcher import imap_settings

    with ctx.store.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        account_id, message_id = item.account_id, item.message_id
        raw_hash = session.get(Message, message_id).raw_hash  # type: ignore[union-attr]
    try:
        client = imap.connect(imap_settings(ctx, account_id).settings)
    except RelaydeskError as exc:
        log.warning("could not reach the Sent folder: %s", exc)
        return state
    try:
        sent = imap.find_sent_folder(client, folder)
        if state == "uncertain":
            if saves_sent and imap.sent_copy_exists(client, sent, rfc_id):
                with ctx.store.write() as session:
                    row = session.get(OutboxItem, item_id)
                    assert row is not None
                    _set_state(session, row, "sent", now, "found in the Sent folder")
                return "sent"
            return state
        if not saves_sent:
            imap.append_to_sent(client, ctx.blobs.get(raw_hash), sent)
            with ctx.store.write() as session:
                session.execute(
                    update(OutboxItem).where(OutboxItem.id == item_id).values(filed_in_sent=True)
                )
        return state
    except Exception as exc:  # filing a copy must never undo a send that happened
        log.warning("could not file the sent copy: %s", exc)
        return state
    finally:
        imap.logout(client)


def resolve_uncertain(
    session: Session, message_id: uuid.UUID, decision: str, now: dt.datetime | None = None
) -> None:
    """The agent decides: 'resend' queues it again, 'sent' accepts that it went out."""
    now = now or utcnow()
    item = session.execute(
        select(OutboxItem).where(OutboxItem.message_id == message_id)
    ).scalar_one_or_none()
    if item is None or item.state != "uncertain":
        raise UserError("That message is not waiting for a decision.")
    if decision == "resend":
        item.next_attempt_at = now
        item.not_before = now
        _set_state(session, item, "queued", now, "resent by decision of an agent")
    elif decision == "sent":
        _set_state(session, item, "sent", now, "marked as sent by an agent")
    else:
        raise UserError("Decide 'resend' or 'sent'.")


def outbox_state(session: Session, message_id: uuid.UUID) -> dict[str, Any]:
    item = session.execute(
        select(OutboxItem).where(OutboxItem.message_id == message_id)
    ).scalar_one()
    return {"state": item.state, "attempts": item.attempts, "detail": item.last_error}
