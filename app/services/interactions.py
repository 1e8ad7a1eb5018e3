"""Reading interactions for lists, the CLI and exports."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from storage.engine import Store
from storage.models import EmailAccount, Interaction, Message


@dataclass(frozen=True)
class InteractionSummary:
    id: uuid.UUID
    account: str
    subject: str
    customer: str
    customer_name: str
    language: str
    message_count: int
    unparseable_count: int
    status: str
    unread: bool
    last_message_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "account": self.account,
            "subject": self.subject,
            "customer": self.customer,
            "customer_name": self.customer_name,
            "language": self.language,
            "message_count": self.message_count,
            "unparseable_count": self.unparseable_count,
            "status": self.status,
            "unread": self.unread,
            "last_message_at": self.last_message_at.isoformat() if self.last_message_at else None,
        }


def list_interactions(store: Store, limit: int | None = None) -> list[InteractionSummary]:
    query = (
        select(
            Interaction.id,
            EmailAccount.name,
            Interaction.subject,
            Interaction.customer_email,
            Interaction.customer_name,
            Interaction.language,
            Interaction.message_count,
            Interaction.unparseable_count,
            Interaction.status,
            Interaction.unread,
            Interaction.last_message_at,
        )
        .join(EmailAccount, EmailAccount.id == Interaction.account_id)
        .where(Interaction.deleted_at.is_(None))
        .order_by(Interaction.created_at, Interaction.id)
    )
    if limit is not None:
        query = query.limit(limit)
    with store.read() as session:
        return [InteractionSummary(*row) for row in session.execute(query).all()]


@dataclass(frozen=True)
class MessageSummary:
    id: uuid.UUID
    direction: str
    subject: str
    from_email: str
    sent_at: dt.datetime | None
    language: str
    parse_error: str | None
    raw_hash: str
    from_name: str
    text: str
    attachment_count: int


def thread_messages(store: Store, interaction_id: uuid.UUID) -> list[MessageSummary]:
    query = (
        select(
            Message.id,
            Message.direction,
            Message.subject,
            Message.from_email,
            Message.sent_at,
            Message.language,
            Message.parse_error,
            Message.raw_hash,
            Message.from_name,
            Message.text_body,
            Message.attachment_count,
        )
        .where(Message.interaction_id == interaction_id, Message.deleted_at.is_(None))
        .order_by(Message.received_at, Message.id)
    )
    with store.read() as session:
        return [MessageSummary(*row) for row in session.execute(query).all()]
