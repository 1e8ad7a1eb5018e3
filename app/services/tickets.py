"""Tickets: numbers allocated once per project and day, and the facts derived from messages."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.accounts import find_project
from storage.engine import Store
from storage.models import (
    Agent,
    Event,
    Interaction,
    Message,
    Project,
    Ticket,
    TicketCounter,
    TicketType,
)


def ticket_day(project: Project, at: dt.datetime) -> str:
    """The creation date in the project's time zone, as it appears in ticket numbers."""
    return at.astimezone(zoneinfo.ZoneInfo(project.time_zone)).strftime("%Y%m%d")


def allocate_ticket_number(session: Session, project: Project, at: dt.datetime) -> str:
    """KEY-YYYYMMDD-NNNNNN from the project's counter for that day, in the caller's transaction.

    The UPDATE takes the counter row's lock until commit, so two allocations never return
    the same value, and a rolled-back one leaves no number behind.
    """
    day = ticket_day(project, at)
    values = {"project_id": project.id, "day": day, "last_value": 0}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(TicketCounter).values(values).on_conflict_do_nothing())
    value = session.execute(
        update(TicketCounter)
        .where(TicketCounter.project_id == project.id, TicketCounter.day == day)
        .values(last_value=TicketCounter.last_value + 1)
        .returning(TicketCounter.last_value)
    ).scalar_one()
    if value > 999_999:
        raise UserError(f"Project {project.key} has used every ticket number for {day}.")
    return f"{project.key}-{day}-{value:06d}"


def recompute_ticket_facts(session: Session, ticket_id: uuid.UUID) -> None:
    """First/last sent and received and the counts, from every message of the ticket."""
    session.flush()
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    # An outbound message counts once it left (no delivery state: recorded as already sent).
    went_out = or_(Message.delivery_state.is_(None), Message.delivery_state == "sent")
    sent_time = func.coalesce(Message.sent_at, Message.received_at)
    base = (
        select()
        .select_from(Message)
        .join(Interaction, Interaction.id == Message.interaction_id)
        .where(
            Interaction.ticket_id == ticket_id,
            Interaction.deleted_at.is_(None),
            Message.deleted_at.is_(None),
        )
    )
    sent = session.execute(
        base.add_columns(func.min(sent_time), func.max(sent_time), func.count()).where(
            Message.direction == "out", went_out
        )
    ).one()
    received = session.execute(
        base.add_columns(
            func.min(Message.received_at), func.max(Message.received_at), func.count()
        ).where(Message.direction == "in")
    ).one()
    ticket.first_sent_at, ticket.last_sent_at, ticket.sent_count = sent
    ticket.first_received_at, ticket.last_received_at, ticket.received_count = received


@dataclass(frozen=True)
class TicketInfo:
    id: uuid.UUID
    number: str
    title: str
    type: str | None
    responsible: str | None
    created_at: dt.datetime
    first_sent_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    first_received_at: dt.datetime | None
    last_received_at: dt.datetime | None
    sent_count: int
    received_count: int
    interactions: tuple[uuid.UUID, ...]

    @property
    def sla(self) -> dt.timedelta | None:
        """First received to first sent: how long the customer waited for an answer."""
        if self.first_received_at is None or self.first_sent_at is None:
            return None
        return self.first_sent_at - self.first_received_at

    def as_json(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        sla = self.sla
        return {
            "id": str(self.id),
            "number": self.number,
            "title": self.title,
            "type": self.type,
            "responsible": self.responsible,
            "created_at": iso(self.created_at),
            "first_sent_at": iso(self.first_sent_at),
            "last_sent_at": iso(self.last_sent_at),
            "first_received_at": iso(self.first_received_at),
            "last_received_at": iso(self.last_received_at),
            "sent_count": self.sent_count,
            "received_count": self.received_count,
            "sla_s": sla.total_seconds() if sla is not None else None,
            "interactions": [str(i) for i in self.interactions],
        }


def get_ticket(store: Store, number: str) -> TicketInfo:
    with store.read() as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.number == number, Ticket.deleted_at.is_(None))
        ).scalar()
        if ticket is None:
            raise UserError(f"There is no ticket {number!r}.")
        type_label = (
            session.execute(
                select(TicketType.label).where(TicketType.id == ticket.type_id)
            ).scalar()
            if ticket.type_id
            else None
        )
        responsible = (
            session.execute(select(Agent.name).where(Agent.id == ticket.responsible_id)).scalar()
            if ticket.responsible_id
            else None
        )
        interactions = session.execute(
            select(Interaction.id)
            .where(Interaction.ticket_id == ticket.id, Interaction.deleted_at.is_(None))
            .order_by(Interaction.created_at, Interaction.id)
        ).scalars()
        return TicketInfo(
            ticket.id,
            ticket.number,
            ticket.title,
            type_label,
            responsible,
            ticket.created_at,
            ticket.first_sent_at,
            ticket.last_sent_at,
            ticket.first_received_at,
            ticket.last_received_at,
            ticket.sent_count,
            ticket.received_count,
            tuple(interactions),
        )


def add_ticket_type(store: Store, project: str, label: str, export_value: str = "") -> uuid.UUID:
    label = label.strip()
    if not label:
        raise UserError("A ticket type needs a label.")
    with store.write() as session:
        proj = find_project(session, project)
        kind = TicketType(project_id=proj.id, label=label, export_value=export_value or label)
        session.add(kind)
        session.flush()
        session.add(Event(kind="ticket_type.add", data={"type": str(kind.id), "label": label}))
        return kind.id
