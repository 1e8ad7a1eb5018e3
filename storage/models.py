"""SQLAlchemy models for the whole domain, the same on SQLite and PostgreSQL.

Every synchronised table carries a stable global id (UUIDv7), a ``change_seq`` that a
monotonic sequence sets on each insert and update (never a timestamp, so clock skew between
machines cannot reorder changes) and a ``deleted_at`` tombstone instead of hard deletes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.ids import new_id

NIL_ID = uuid.UUID(int=0)
"""The scope id of global settings (a NULL would defeat the unique constraint)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
    }


class Synced:
    """Columns every synchronised row has."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Central PostgreSQL only: the writing transaction's id, stamped by a trigger
    # (storage/sync.py). Pulls read below the oldest running transaction, so rows committed
    # out of order are never skipped. NULL in a local store for rows made locally.
    change_xid: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)


def fk(target: str, *, nullable: bool = False, ondelete: str | None = None) -> Any:
    return mapped_column(
        ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True, default=None
    )


# --- organisation -------------------------------------------------------------------------


class Project(Synced, Base):
    """A VCC-style project: the email-handling settings live here; accounts belong to one."""

    __tablename__ = "projects"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key: Mapped[str] = mapped_column(String(3), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    new_email_list_size: Mapped[int] = mapped_column(default=10)
    lock_emails_to_agents: Mapped[bool] = mapped_column(default=True)
    change_preferred_user: Mapped[bool] = mapped_column(default=False)
    # Plain ids, not foreign keys: templates and accounts point back at projects.
    auto_response_template_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    default_sender_account_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    auto_response_period_s: Mapped[int] = mapped_column(default=86400)
    agents_create_contacts: Mapped[bool] = mapped_column(default=False)
    search_within_tickets: Mapped[bool] = mapped_column(default=True)
    shared_ticket_handling: Mapped[bool] = mapped_column(default=True)
    display_address: Mapped[bool] = mapped_column(default=False)
    display_template_cc: Mapped[bool] = mapped_column(default=False)
    display_template_bcc: Mapped[bool] = mapped_column(default=False)
    language_detection: Mapped[bool] = mapped_column(default=True)
    language_queues: Mapped[bool] = mapped_column(default=False)
    auto_delete: Mapped[bool] = mapped_column(default=False)
    auto_delete_days: Mapped[int] = mapped_column(default=365)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContactList(Synced, Base):
    __tablename__ = "contact_lists"
    name: Mapped[str] = mapped_column(String(200), unique=True)


class EmailAccount(Synced, Base):
    """A shared mailbox (inbound and/or outbound) with every XCALLY account setting."""

    __tablename__ = "email_accounts"
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key: Mapped[str] = mapped_column(String(5))
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    default_contact_list_id: Mapped[uuid.UUID | None] = fk("contact_lists.id", nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    service: Mapped[str] = mapped_column(String(16), default="custom")
    description: Mapped[str] = mapped_column(Text, default="")
    # inbound (IMAP); no host means a sender-only account
    imap_host: Mapped[str | None] = mapped_column(String(255), default=None)
    imap_port: Mapped[int | None] = mapped_column(default=None)
    imap_security: Mapped[str] = mapped_column(String(8), default="ssl")
    imap_auth: Mapped[str] = mapped_column(String(8), default="password")
    imap_username: Mapped[str] = mapped_column(String(320), default="")
    imap_mailbox: Mapped[str] = mapped_column(String(255), default="INBOX")
    connect_timeout: Mapped[int] = mapped_column(default=10)
    auth_timeout: Mapped[int] = mapped_column(default=5)
    # outbound (SMTP); no host means an inbound-only account
    smtp_host: Mapped[str | None] = mapped_column(String(255), default=None)
    smtp_port: Mapped[int | None] = mapped_column(default=None)
    smtp_security: Mapped[str] = mapped_column(String(8), default="starttls")
    smtp_auth: Mapped[str] = mapped_column(String(8), default="password")
    smtp_username: Mapped[str] = mapped_column(String(320), default="")
    provider_saves_sent: Mapped[bool] = mapped_column(default=False)
    sent_folder: Mapped[str] = mapped_column(String(255), default="Sent")
    # handling
    mark_as_unread: Mapped[bool] = mapped_column(default=False)
    wait_for_agent: Mapped[int] = mapped_column(default=10)
    wait_for_queue: Mapped[int] = mapped_column(default=10)
    transfer_to_queue: Mapped[bool] = mapped_column(default=True)
    transfer_to_queue_timeout: Mapped[int] = mapped_column(default=300)
    transfer_to_agent: Mapped[bool] = mapped_column(default=True)
    transfer_to_agent_timeout: Mapped[int] = mapped_column(default=300)
    mandatory_disposition: Mapped[bool] = mapped_column(default=False)
    pause_while_disposing: Mapped[bool] = mapped_column(default=False)
    notification_sound: Mapped[bool] = mapped_column(default=True)
    notification_shake: Mapped[bool] = mapped_column(default=False)
    notification_template: Mapped[str] = mapped_column(Text, default="")
    template_font_family: Mapped[str] = mapped_column(String(100), default="")
    template_font_size: Mapped[int] = mapped_column(default=11)
    template_body: Mapped[str] = mapped_column(Text, default="")
    template_logo_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    action_plan: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # mail older than this is history: never auto-answered (a first import sends nothing)
    service_start_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def inbound(self) -> bool:
        return bool(self.imap_host)

    @property
    def outbound(self) -> bool:
        return bool(self.smtp_host)


class Agent(Synced, Base):
    __tablename__ = "agents"
    name: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent | supervisor
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    # Team mode: the PostgreSQL login role this agent connects with (migration 0009's
    # row-level security shows that role only this agent's accounts and queues).
    db_role: Mapped[str | None] = mapped_column(String(63), unique=True, default=None)
    state: Mapped[str] = mapped_column(String(16), default="logged_out")
    state_reason: Mapped[str] = mapped_column(String(200), default="")
    state_since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AgentStateSpan(Synced, Base):
    """One stretch of time an agent spent in one state (for time-in-state reports)."""

    __tablename__ = "agent_state_spans"
    agent_id: Mapped[uuid.UUID] = fk("agents.id")
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Queue(Synced, Base):
    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    is_default: Mapped[bool] = mapped_column(default=False)


class AgentAccount(Synced, Base):
    __tablename__ = "agent_accounts"
    __table_args__ = (UniqueConstraint("agent_id", "account_id"),)
    agent_id: Mapped[uuid.UUID] = fk("agents.id")
    account_id: Mapped[uuid.UUID] = fk("email_accounts.id")


class AgentQueue(Synced, Base):
    """The agent x queue matrix; a skill level only means membership, never a rank."""

    __tablename__ = "agent_queues"
    __table_args__ = (UniqueConstraint("agent_id", "queue_id"),)
    agent_id: Mapped[uuid.UUID] = fk("agents.id")
    queue_id: Mapped[uuid.UUID] = fk("queues.id")
    skill: Mapped[int | None] = mapped_column(default=None)


# --- contacts -----------------------------------------------------------------------------


class Contact(Synced, Base):
    __tablename__ = "contacts"
    list_id: Mapped[uuid.UUID | None] = fk("contact_lists.id", nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # An RFC 2369 unsubscribe request by mail: no more automatic responses or disposition
    # emails to this contact.
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ContactAddress(Synced, Base):
    __tablename__ = "contact_addresses"
    contact_id: Mapped[uuid.UUID] = fk("contacts.id")
    email: Mapped[str] = mapped_column(String(320), index=True)


class ContactAttribute(Synced, Base):
    __tablename__ = "contact_attributes"
    contact_id: Mapped[uuid.UUID] = fk("contacts.id")
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text, default="")
    personal: Mapped[bool] = mapped_column(default=True)


# --- templates, dispositions, tickets -----------------------------------------------------


class Template(Synced, Base):
    __tablename__ = "templates"
    project_id: Mapped[uuid.UUID | None] = fk("projects.id", nullable=True)
    account_id: Mapped[uuid.UUID | None] = fk("email_accounts.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="email")
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    cc: Mapped[str] = mapped_column(Text, default="")
    bcc: Mapped[str] = mapped_column(Text, default="")


class ProjectTemplate(Synced, Base):
    """Which email templates agents of a project may use."""

    __tablename__ = "project_templates"
    __table_args__ = (UniqueConstraint("project_id", "template_id"),)
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    template_id: Mapped[uuid.UUID] = fk("templates.id")


class ProjectSenderAccount(Synced, Base):
    """Which sender accounts agents of a project may choose from."""

    __tablename__ = "project_sender_accounts"
    __table_args__ = (UniqueConstraint("project_id", "account_id"),)
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    account_id: Mapped[uuid.UUID] = fk("email_accounts.id")


class CannedAnswer(Synced, Base):
    __tablename__ = "canned_answers"
    account_id: Mapped[uuid.UUID | None] = fk("email_accounts.id", nullable=True)  # None: global
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class Disposition(Synced, Base):
    __tablename__ = "dispositions"
    account_id: Mapped[uuid.UUID | None] = fk("email_accounts.id", nullable=True)  # None: global
    name: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[uuid.UUID | None] = fk("templates.id", nullable=True)
    active: Mapped[bool] = mapped_column(default=True)


class TicketType(Synced, Base):
    __tablename__ = "ticket_types"
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    label: Mapped[str] = mapped_column(String(200))
    export_value: Mapped[str] = mapped_column(String(200), default="")


class Ticket(Synced, Base):
    __tablename__ = "tickets"
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type_id: Mapped[uuid.UUID | None] = fk("ticket_types.id", nullable=True)
    title: Mapped[str] = mapped_column(Text, default="")
    responsible_id: Mapped[uuid.UUID | None] = fk("agents.id", nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # first open time
    first_sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    first_received_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_received_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    sent_count: Mapped[int] = mapped_column(default=0)
    received_count: Mapped[int] = mapped_column(default=0)


class TicketCounter(Base):
    """Per-project, per-day ticket sequence; only the authority writes it."""

    __tablename__ = "ticket_counters"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, project time
    last_value: Mapped[int] = mapped_column(default=0)


class Tag(Synced, Base):
    __tablename__ = "tags"
    name: Mapped[str] = mapped_column(String(100), unique=True)


# --- interactions and messages ------------------------------------------------------------


class Interaction(Synced, Base):
    """A conversation with a customer on one account: the unit agents accept and close."""

    __tablename__ = "interactions"
    __table_args__ = (
        # The list's keyset pages: newest activity first, whole store, per account, per queue.
        Index("ix_interactions_activity", "last_activity_at", "id"),
        Index("ix_interactions_age", "created_at", "id"),
        Index("ix_interactions_account_activity", "account_id", "last_activity_at", "id"),
        Index("ix_interactions_queue_activity", "queue_id", "last_activity_at", "id"),
        Index("ix_interactions_queue_status", "queue_id", "status", "claimed_by_id"),
        Index("ix_interactions_thread_lookup", "account_id", "thread_subject", "customer_email"),
        # "next" claims scan only unclaimed open rows: keeps SKIP LOCKED linear as queues drain
        Index(
            "ix_interactions_unclaimed",
            "queue_id",
            "created_at",
            postgresql_where=text("claimed_by_id IS NULL AND status = 'open'"),
            sqlite_where=text("claimed_by_id IS NULL AND status = 'open'"),
        ),
    )
    project_id: Mapped[uuid.UUID] = fk("projects.id")
    account_id: Mapped[uuid.UUID] = fk("email_accounts.id")
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queues.id"), default=None)
    contact_id: Mapped[uuid.UUID | None] = fk("contacts.id", nullable=True)
    ticket_id: Mapped[uuid.UUID | None] = fk("tickets.id", nullable=True)
    disposition_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dispositions.id"), default=None
    )
    subject: Mapped[str] = mapped_column(Text, default="")
    thread_subject: Mapped[str] = mapped_column(String(255), default="")
    customer_email: Mapped[str] = mapped_column(String(320), default="")
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(16), default="unknown")
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    unread: Mapped[bool] = mapped_column(default=True)
    claimed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    claim_fence: Mapped[int] = mapped_column(BigInteger, default=0)
    preferred_agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id"), default=None
    )
    message_count: Mapped[int] = mapped_column(default=0)
    unparseable_count: Mapped[int] = mapped_column(default=0)
    first_message_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_message_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_activity_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"), default=None)


CLAIM_ORDER_INDEX = "ix_interactions_claim_order"
"""PostgreSQL only (migration 0015): each queue's free open rows in ``claim_order``.

Claims walk this index rather than ``ix_interactions_unclaimed``, whose (queue_id,
created_at) order ``ix_interactions_age`` also gives. With one queue and statistics taken
while every row was free, PostgreSQL costs the two walks alike and may keep the age walk in
the plan it caches for the connection; that walk passes every row claimed since, so each
claim costs more than the last until the next ANALYZE. Only this index gives claim order."""


def claim_order(created_at: Any) -> Any:
    """The order claims take free rows on PostgreSQL: ``created_at`` in UTC, the same order
    as ``created_at`` itself, spelt as the index's expression (a literal zone, not a bound
    parameter, so that a cached plan still matches the index)."""
    return func.timezone(literal_column("'UTC'"), created_at)


class Message(Synced, Base):
    """One email, inbound or outbound; the raw bytes live byte-exact in the blob store."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("account_id", "raw_hash"),)
    interaction_id: Mapped[uuid.UUID] = fk("interactions.id")
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("email_accounts.id"))
    direction: Mapped[str] = mapped_column(String(4), default="in")  # in | out
    message_id_hdr: Mapped[str | None] = mapped_column(String(998), default=None, index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998), default=None, index=True)
    references: Mapped[str] = mapped_column(Text, default="")  # space-separated ids
    subject: Mapped[str] = mapped_column(Text, default="")
    from_email: Mapped[str] = mapped_column(String(320), default="")
    from_name: Mapped[str] = mapped_column(String(200), default="")
    recipients: Mapped[dict[str, Any]] = mapped_column(default=dict)  # to/cc/bcc/reply_to
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # the Date header
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text, default=None)
    raw_hash: Mapped[str] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(16), default="unknown")
    parse_error: Mapped[str | None] = mapped_column(Text, default=None)
    defects: Mapped[str] = mapped_column(Text, default="")
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    is_report: Mapped[bool] = mapped_column(default=False)
    attachment_count: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"), default=None)
    delivery_state: Mapped[str | None] = mapped_column(String(16), default=None)
    delivery_detail: Mapped[str] = mapped_column(Text, default="")


class OutboxItem(Synced, Base):
    """An outgoing message on its way: committed before any network step, sent once.

    States: queued (waiting for its undo window or a retry), sending (handed to SMTP),
    sent, uncertain (the connection died after the data: never resent automatically),
    failed (the server refused; the reason is kept), cancelled (undone in time).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), unique=True)
    account_id: Mapped[uuid.UUID] = fk("email_accounts.id")  # the sender account
    state: Mapped[str] = mapped_column(String(16), default="queued")
    envelope_from: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"to": [...], ...}
    not_before: Mapped[dt.datetime] = mapped_column(default=utcnow)  # end of the undo window
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    sending_since: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    filed_in_sent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Attachment(Synced, Base):
    __tablename__ = "attachments"
    message_id: Mapped[uuid.UUID] = fk("messages.id")
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(255))
    original_filename: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    content_id: Mapped[str | None] = mapped_column(String(998), default=None)
    inline: Mapped[bool] = mapped_column(default=False)
    dangerous: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int] = mapped_column(default=0)
    blob_hash: Mapped[str] = mapped_column(String(64), index=True)


class MailboxEntry(Synced, Base):
    """A message's identity on the IMAP server: (account, folder, UIDVALIDITY, UID)."""

    __tablename__ = "mailbox_entries"
    __table_args__ = (UniqueConstraint("account_id", "folder", "uidvalidity", "uid"),)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("email_accounts.id"))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[uuid.UUID] = fk("messages.id")
    modseq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    flags: Mapped[str] = mapped_column(Text, default="")
    missing_since: Mapped[dt.datetime | None] = mapped_column(default=None)
    gone_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class FolderState(Synced, Base):
    """How far ingest got in one folder; committed with the messages it covers."""

    __tablename__ = "folder_states"
    __table_args__ = (UniqueConstraint("account_id", "folder"),)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("email_accounts.id"))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uidnext: Mapped[int] = mapped_column(BigInteger, default=1)
    highestmodseq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_full_check_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_fetch_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")


class IngestTombstone(Synced, Base):
    """What a deleted message looked like, so no resync brings it back."""

    __tablename__ = "ingest_tombstones"
    account_id: Mapped[uuid.UUID] = fk("email_accounts.id")
    folder: Mapped[str | None] = mapped_column(String(255), default=None)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    message_id_hdr: Mapped[str | None] = mapped_column(String(998), default=None, index=True)
    raw_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InteractionTag(Synced, Base):
    __tablename__ = "interaction_tags"
    __table_args__ = (UniqueConstraint("interaction_id", "tag_id"),)
    interaction_id: Mapped[uuid.UUID] = fk("interactions.id")
    tag_id: Mapped[uuid.UUID] = fk("tags.id")


class Note(Synced, Base):
    """An internal note on an interaction: never sent to the customer."""

    __tablename__ = "notes"
    interaction_id: Mapped[uuid.UUID] = fk("interactions.id")
    agent_id: Mapped[uuid.UUID | None] = fk("agents.id", nullable=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SavedSearch(Synced, Base):
    """A supervisor's named interactions search (words, filters, builder conditions) as data.

    The message full-text index itself is not a model: it is database-specific (SQLite FTS5
    tables, a PostgreSQL GIN expression index) and made by migration 0005.
    """

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)
    owner_id: Mapped[uuid.UUID] = fk("agents.id")
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[dict[str, Any]] = mapped_column()  # app/services/saved_searches.py
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ComposerDraft(Base):
    """What an agent is writing, saved as they type so a crash loses nothing (this desk only).

    ``slot`` names the composer: an interaction id, or "new" for a new email; or a panel's
    unsaved edits kept when the agent left the desk ("ticket:<id>", "contact:<id>"). No
    foreign key to the interaction: purging an interaction must not be blocked by a forgotten
    draft.
    """

    __tablename__ = "composer_drafts"
    __table_args__ = (UniqueConstraint("agent_id", "slot"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agent_id: Mapped[uuid.UUID] = fk("agents.id")
    slot: Mapped[str] = mapped_column(String(64))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- operations, timers, audit, settings --------------------------------------------------


class Operation(Synced, Base):
    """A named change an agent or supervisor asked for, keyed by its idempotency id."""

    __tablename__ = "operations"
    __table_args__ = (
        # Team mode: appliers claim pending rows with SKIP LOCKED; without this partial index
        # every claim rescans the rows already applied and the queue slows down as it grows.
        Index(
            "ix_operations_pending",
            "created_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # An agent's operations apply in the order made: a claim waits for the agent's
        # earlier pending ones, looked up here.
        Index(
            "ix_operations_pending_actor",
            "actor_id",
            "created_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = fk("agents.id", nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class OpOutboxEntry(Base):
    """An operation this desk queued for the central database, until its outcome is back.

    Local only (never synchronised): ``state`` goes queued -> pushed -> settled, and the
    outcome (``status``, ``reason``, ``result``) is copied back from the central row.
    """

    __tablename__ = "op_outbox"
    __table_args__ = (Index("ix_op_outbox_state", "state", "created_at"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    settled_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Lease(Base):
    """A named lease (a mailbox, the operation queue) held by one worker at a time.

    ``fence`` grows by one on every change of holder; writes made under the lease check it.
    """

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    fence: Mapped[int] = mapped_column(BigInteger, default=1)
    acquired_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class Timer(Synced, Base):
    """A persisted due-time (waits, transfer timeouts, scheduled jobs) run by the worker."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "fired_at", "due_at"),)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[dt.datetime]
    interaction_id: Mapped[uuid.UUID | None] = fk("interactions.id", nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fired_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Event(Synced, Base):
    """The audit trail: every operation that changed something, with who and when."""

    __tablename__ = "events"
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = fk("agents.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    interaction_id: Mapped[uuid.UUID | None] = fk("interactions.id", nullable=True)
    ticket_id: Mapped[uuid.UUID | None] = fk("tickets.id", nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Setting(Synced, Base):
    """A value of a setting declared in the settings registry (app/settings.py)."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("scope", "scope_id", "key"),)
    scope: Mapped[str] = mapped_column(String(8))  # global | project | account | agent
    scope_id: Mapped[uuid.UUID] = mapped_column(default=NIL_ID)
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict[str, Any]] = mapped_column()  # {"v": <value>}


class SyncState(Base):
    """Team-mode bookkeeping as small JSON values: the central schema epoch and identity
    (central database) or the pull cursor (local store)."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()


class ChangeCounter(Base):
    """SQLite's stand-in for a sequence: one row whose value only grows."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


SYNCED_TABLES = tuple(
    str(m.persist_selectable.description)
    for m in Base.registry.mappers
    if issubclass(m.class_, Synced)
)
