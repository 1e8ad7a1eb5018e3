"""What the agent desk reads and keeps: an interaction's state for the action bar, composer
set-up and previews, drafts saved while typing, ticket search, dispositions, transfer targets.

Everything here returns frozen dataclasses or plain values, opens and closes its own session,
and changes nothing an operation should change: claims, replies, tickets and dispositions go
through ``app.services.operations.apply``. Drafts are the exception on purpose: they are the
agent's scratch space on this desk, not a change to the shared work.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, func, or_, select

from app.errors import UserError
from app.mail.compose import ComposeError
from app.services.agents import can_work_on, find_agent, memberships
from app.services.replies import (
    CannedAnswerView,
    SenderChoice,
    TemplateChoice,
    build_draft,
    canned_answers,
    render_canned,
    sender_choices,
    template_choices,
)
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import (
    Agent,
    ComposerDraft,
    Disposition,
    EmailAccount,
    Interaction,
    InteractionTag,
    OutboxItem,
    Project,
    Queue,
    Tag,
    Ticket,
    TicketType,
    utcnow,
)

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # what common providers accept in one message
NEW_EMAIL_SLOT = "new"


# --- the interaction as the action bar sees it -----------------------------------------------


@dataclass(frozen=True)
class DeskState:
    interaction_id: uuid.UUID
    project_id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    subject: str
    customer: str
    status: str  # open | closed
    holder: str | None  # the agent holding it, by name
    mine: bool
    fence: int
    ticket_number: str | None
    disposition: str | None
    mandatory_disposition: bool
    pause_while_disposing: bool
    transfer_to_agent: bool
    transfer_to_queue: bool


def desk_state(store: Store, interaction_id: uuid.UUID, agent_id: uuid.UUID) -> DeskState:
    with store.read() as session:
        row = session.get(Interaction, interaction_id)
        if row is None or row.deleted_at is not None:
            raise UserError("That interaction no longer exists.")
        account = session.get(EmailAccount, row.account_id)
        assert account is not None
        holder = session.get(Agent, row.claimed_by_id) if row.claimed_by_id else None
        ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
        disposition = session.get(Disposition, row.disposition_id) if row.disposition_id else None
        return DeskState(
            interaction_id=row.id,
            project_id=row.project_id,
            account_id=row.account_id,
            account_name=account.name,
            subject=row.subject,
            customer=row.customer_name or row.customer_email,
            status=row.status,
            holder=holder.name if holder else None,
            mine=row.claimed_by_id == agent_id,
            fence=row.claim_fence,
            ticket_number=ticket.number if ticket else None,
            disposition=disposition.name if disposition else None,
            mandatory_disposition=account.mandatory_disposition,
            pause_while_disposing=account.pause_while_disposing,
            transfer_to_agent=account.transfer_to_agent,
            transfer_to_queue=account.transfer_to_queue,
        )


# --- composing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComposerSetup:
    senders: tuple[SenderChoice, ...]
    templates: tuple[TemplateChoice, ...]
    default_sender: uuid.UUID | None


def composer_setup(store: Store, project_id: uuid.UUID, account_id: uuid.UUID) -> ComposerSetup:
    """Sender accounts and templates of the project; the interaction's own account first."""
    with store.read() as session:
        senders = sender_choices(session, project_id)
        templates = template_choices(session, project_id)
    chosen = [s for s in senders if s.account_id == account_id]
    default = chosen[0].account_id if chosen else (senders[0].account_id if senders else None)
    return ComposerSetup(tuple(senders), tuple(templates), default)


@dataclass(frozen=True)
class Preview:
    to: str
    cc: str
    subject: str
    text: str  # what the customer gets: the agent's text in the account's frame, then the quote
    attachments: tuple[str, ...]  # file names added by the frame or a forward


def preview(
    store: Store,
    blobs: SqlBlobStore,
    *,
    interaction_id: uuid.UUID,
    agent_id: uuid.UUID,
    mode: str,
    body: str = "",
    to: str = "",
    cc: str = "",
    subject: str | None = None,
    template_id: uuid.UUID | None = None,
    sender_account_id: uuid.UUID | None = None,
) -> Preview:
    """The message as it would leave now, built by the same code the reply operation uses."""
    try:
        with store.read() as session:
            draft, _sender = build_draft(
                blobs,
                session,
                interaction_id=interaction_id,
                agent_id=agent_id,
                body=body,
                mode=mode,
                to=to,
                cc=cc,
                template_id=template_id,
                sender_account_id=sender_account_id,
                subject=subject or None,
            )
    except ComposeError as exc:
        raise UserError(str(exc)) from None
    return Preview(
        to=", ".join(m.formatted() for m in draft.to),
        cc=", ".join(m.formatted() for m in draft.cc),
        subject=draft.subject,
        text=draft.text,
        attachments=tuple(a.filename for a in draft.attachments),
    )


def find_canned(store: Store, account_id: uuid.UUID, search: str = "") -> list[CannedAnswerView]:
    with store.read() as session:
        return canned_answers(session, account_id, search)


def fill_canned(
    store: Store, answer_id: uuid.UUID, interaction_id: uuid.UUID, agent_id: uuid.UUID
) -> str:
    with store.read() as session:
        return render_canned(session, answer_id, interaction_id, agent_id)


@dataclass(frozen=True)
class StagedAttachment:
    blob: str
    filename: str
    content_type: str
    size: int

    def as_payload(self) -> dict[str, Any]:
        return {"blob": self.blob, "filename": self.filename, "content_type": self.content_type}


def stage_attachment(blobs: SqlBlobStore, path: Path) -> StagedAttachment:
    """Put a file into the blob store, where the reply operation picks it up by its hash."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UserError(f"{path.name} is not a file; attach files one by one.")
        if size > MAX_ATTACHMENT_BYTES:
            raise UserError(
                f"{path.name} is {size / 1024 / 1024:.1f} MB; mail servers refuse more than "
                f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"Cannot read {path.name}: {exc.strerror}.") from None
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return StagedAttachment(blobs.put(data), path.name, content_type, len(data))


# --- drafts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedDraft:
    slot: str
    interaction_id: uuid.UUID | None
    content: dict[str, Any]
    updated_at: dt.datetime


def draft_slot(interaction_id: uuid.UUID | None) -> str:
    return str(interaction_id) if interaction_id is not None else NEW_EMAIL_SLOT


def _write_draft(
    store: Store,
    agent_id: uuid.UUID,
    slot: str,
    interaction_id: uuid.UUID | None,
    content: dict[str, Any],
) -> dt.datetime:
    now = utcnow()
    with store.write() as session:
        row = session.execute(
            select(ComposerDraft).where(
                ComposerDraft.agent_id == agent_id, ComposerDraft.slot == slot
            )
        ).scalar()
        if row is None:
            row = ComposerDraft(agent_id=agent_id, slot=slot, interaction_id=interaction_id)
            session.add(row)
        row.content = dict(content)
        row.updated_at = now
    return now


def _read_draft(store: Store, agent_id: uuid.UUID, slot: str) -> ComposerDraft | None:
    with store.read() as session:
        row = session.execute(
            select(ComposerDraft).where(
                ComposerDraft.agent_id == agent_id, ComposerDraft.slot == slot
            )
        ).scalar()
        if row is not None:
            session.expunge(row)
        return row


def _delete_draft(store: Store, agent_id: uuid.UUID, slot: str) -> None:
    with store.write() as session:
        session.execute(
            delete(ComposerDraft).where(
                ComposerDraft.agent_id == agent_id, ComposerDraft.slot == slot
            )
        )


def save_draft(
    store: Store, agent_id: uuid.UUID, interaction_id: uuid.UUID | None, content: dict[str, Any]
) -> dt.datetime:
    """Keep what the composer holds (text, recipients, staged attachments); one row per slot."""
    return _write_draft(store, agent_id, draft_slot(interaction_id), interaction_id, content)


def load_draft(
    store: Store, agent_id: uuid.UUID, interaction_id: uuid.UUID | None
) -> SavedDraft | None:
    row = _read_draft(store, agent_id, draft_slot(interaction_id))
    if row is None:
        return None
    return SavedDraft(row.slot, row.interaction_id, dict(row.content), row.updated_at)


def discard_draft(store: Store, agent_id: uuid.UUID, interaction_id: uuid.UUID | None) -> None:
    _delete_draft(store, agent_id, draft_slot(interaction_id))


# Panels beside the composer (the ticket panel, the customer panel) keep an agent's unsaved
# edits when the agent leaves the desk: one row per agent, panel and interaction, in the
# drafts table under the slot "<panel>:<interaction id>". They come back when that agent
# shows the interaction again, and never to another agent.
PANEL_DRAFTS = ("ticket", "contact")


def panel_draft_slot(panel: str, interaction_id: uuid.UUID) -> str:
    if panel not in PANEL_DRAFTS:
        raise ValueError(panel)
    return f"{panel}:{interaction_id}"


def save_panel_draft(
    store: Store,
    agent_id: uuid.UUID,
    panel: str,
    interaction_id: uuid.UUID,
    content: dict[str, Any],
) -> None:
    """Keep a panel's unsaved edits; with nothing unsaved, an older kept copy is stale and goes."""
    slot = panel_draft_slot(panel, interaction_id)
    if content:
        _write_draft(store, agent_id, slot, interaction_id, content)
    else:
        _delete_draft(store, agent_id, slot)


def load_panel_draft(
    store: Store, agent_id: uuid.UUID, panel: str, interaction_id: uuid.UUID
) -> dict[str, Any] | None:
    row = _read_draft(store, agent_id, panel_draft_slot(panel, interaction_id))
    return dict(row.content) if row is not None else None


def discard_panel_draft(
    store: Store, agent_id: uuid.UUID, panel: str, interaction_id: uuid.UUID
) -> None:
    _delete_draft(store, agent_id, panel_draft_slot(panel, interaction_id))


# --- tickets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    number: str
    title: str
    customer: str
    type: str | None
    responsible: str | None


@dataclass(frozen=True)
class TicketInteraction:
    id: uuid.UUID
    subject: str
    customer: str
    status: str
    last_activity_at: dt.datetime | None


@dataclass(frozen=True)
class TicketDetails:
    number: str
    title: str
    type: str | None
    responsible: str | None
    interactions: tuple[TicketInteraction, ...]


@dataclass(frozen=True)
class TicketChoices:
    types: tuple[str, ...]
    agents: tuple[str, ...]


def ticket_choices(store: Store, project_id: uuid.UUID) -> TicketChoices:
    with store.read() as session:
        types = session.execute(
            select(TicketType.label)
            .where(TicketType.project_id == project_id, TicketType.deleted_at.is_(None))
            .order_by(TicketType.label)
        ).scalars()
        agents = session.execute(
            select(Agent.name).where(Agent.deleted_at.is_(None)).order_by(Agent.name)
        ).scalars()
        return TicketChoices(tuple(types), tuple(agents))


def _ticket_facts(session: Any, ticket: Ticket) -> tuple[str | None, str | None]:
    kind = (
        session.execute(select(TicketType.label).where(TicketType.id == ticket.type_id)).scalar()
        if ticket.type_id
        else None
    )
    responsible = (
        session.execute(select(Agent.name).where(Agent.id == ticket.responsible_id)).scalar()
        if ticket.responsible_id
        else None
    )
    return kind, responsible


def search_tickets(
    store: Store, project_id: uuid.UUID, text: str, limit: int = 50
) -> list[TicketRow]:
    """Tickets of the project whose number, title or a customer contains ``text``, newest first."""
    # The agent's % and _ are text, not wildcards.
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    needle = f"%{escaped}%"
    on_ticket = (Interaction.ticket_id == Ticket.id) & Interaction.deleted_at.is_(None)
    customer = (
        select(
            func.coalesce(func.nullif(Interaction.customer_name, ""), Interaction.customer_email)
        )
        .where(on_ticket)
        .order_by(Interaction.created_at, Interaction.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Ticket, customer)
        .where(Ticket.project_id == project_id, Ticket.deleted_at.is_(None))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    if text.strip():
        customer_matches = exists().where(
            on_ticket,
            or_(
                func.lower(Interaction.customer_name).like(needle, escape="\\"),
                func.lower(Interaction.customer_email).like(needle, escape="\\"),
            ),
        )
        query = query.where(
            or_(
                func.lower(Ticket.number).like(needle, escape="\\"),
                func.lower(Ticket.title).like(needle, escape="\\"),
                customer_matches,
            )
        )
    with store.read() as session:
        rows = []
        for ticket, who in session.execute(query).all():
            kind, responsible = _ticket_facts(session, ticket)
            rows.append(TicketRow(ticket.number, ticket.title, who or "", kind, responsible))
        return rows


def ticket_details(store: Store, number: str) -> TicketDetails:
    with store.read() as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.number == number, Ticket.deleted_at.is_(None))
        ).scalar()
        if ticket is None:
            raise UserError(f"There is no ticket {number!r}.")
        kind, responsible = _ticket_facts(session, ticket)
        rows = session.execute(
            select(Interaction)
            .where(Interaction.ticket_id == ticket.id, Interaction.deleted_at.is_(None))
            .order_by(Interaction.created_at, Interaction.id)
        ).scalars()
        return TicketDetails(
            ticket.number,
            ticket.title,
            kind,
            responsible,
            tuple(
                TicketInteraction(
                    r.id,
                    r.subject,
                    r.customer_name or r.customer_email,
                    r.status,
                    r.last_activity_at,
                )
                for r in rows
            ),
        )


# --- dispositions and transfers -------------------------------------------------------------


def dispositions_for(store: Store, account_id: uuid.UUID) -> list[str]:
    """Active dispositions of the account and the global ones, each name once."""
    with store.read() as session:
        names = session.execute(
            select(Disposition.name)
            .where(
                Disposition.active.is_(True),
                Disposition.deleted_at.is_(None),
                or_(Disposition.account_id == account_id, Disposition.account_id.is_(None)),
            )
            .order_by(Disposition.name)
        ).scalars()
        return sorted(set(names), key=str.casefold)


@dataclass(frozen=True)
class TransferTargets:
    queues: tuple[tuple[str, str], ...]  # (label, name as the transfer operation takes it)
    agents: tuple[str, ...]


def transfer_targets(
    store: Store, interaction_id: uuid.UUID, agent_id: uuid.UUID
) -> TransferTargets:
    """Queues of the interaction's project and agents who may work on it, except oneself."""
    with store.read() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None:
            raise UserError("That interaction no longer exists.")
        project = session.get(Project, interaction.project_id)
        assert project is not None
        queues = session.execute(
            select(Queue.name)
            .where(Queue.project_id == project.id, Queue.deleted_at.is_(None))
            .order_by(Queue.name)
        ).scalars()
        agents = session.execute(
            select(Agent).where(Agent.deleted_at.is_(None), Agent.id != agent_id)
        ).scalars()
        return TransferTargets(
            tuple((name, f"{project.key}/{name}") for name in queues),
            tuple(sorted(a.name for a in agents if can_work_on(session, a, interaction))),
        )


def agent_name(store: Store, agent_id: uuid.UUID) -> str:
    with store.read() as session:
        return find_agent(session, agent_id).name


@dataclass(frozen=True)
class NewEmailSender:
    account_id: uuid.UUID
    name: str  # what the new_email operation takes
    label: str


def new_email_senders(store: Store, agent_id: uuid.UUID) -> list[NewEmailSender]:
    """Accounts this agent works on that can send (every one for a supervisor)."""
    with store.read() as session:
        agent = find_agent(session, agent_id)
        query = select(EmailAccount).where(
            EmailAccount.deleted_at.is_(None), EmailAccount.smtp_host.is_not(None)
        )
        if agent.role != "supervisor":
            _queues, account_ids = memberships(session, agent)
            query = query.where(EmailAccount.id.in_(account_ids))
        rows = session.execute(query.order_by(EmailAccount.name)).scalars()
        return [
            NewEmailSender(a.id, a.name, f"{a.display_name or a.name} <{a.email}>") for a in rows
        ]


def send_deadline(store: Store, message_id: uuid.UUID) -> dt.datetime | None:
    """Until when a queued message can still be undone (None once it is not waiting)."""
    with store.read() as session:
        item = session.execute(
            select(OutboxItem).where(OutboxItem.message_id == message_id)
        ).scalar()
        if item is None or item.state != "queued" or item.attempts > 0:
            return None
        return item.not_before


# --- tags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TagChoices:
    interaction_id: uuid.UUID
    current: tuple[str, ...]  # the interaction's tags, by name
    known: tuple[str, ...]  # every tag in use anywhere, to pick from


def tag_choices(store: Store, interaction_id: uuid.UUID) -> TagChoices:
    """What the tags dialog offers: this interaction's tags and every known one."""
    with store.read() as session:
        current = session.execute(
            select(Tag.name)
            .join(InteractionTag, InteractionTag.tag_id == Tag.id)
            .where(
                InteractionTag.interaction_id == interaction_id,
                InteractionTag.deleted_at.is_(None),
            )
            .order_by(Tag.name)
        ).scalars()
        current_names = tuple(current)
        known = session.execute(
            select(Tag.name).where(Tag.deleted_at.is_(None)).order_by(Tag.name)
        ).scalars()
        return TagChoices(interaction_id, current_names, tuple(known))
