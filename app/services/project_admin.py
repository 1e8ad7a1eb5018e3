"""What a supervisor chooses per project for its agents: ticket types, senders and templates.

Every change checks the supervisor role (staffing.require_supervisor); rows are tombstoned,
never deleted, so tickets keep their type in the reports and the choices sync like the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.accounts import find_project
from app.services.staffing import require_supervisor
from storage.engine import Store
from storage.models import (
    EmailAccount,
    Event,
    Project,
    ProjectSenderAccount,
    ProjectTemplate,
    Template,
    Ticket,
    TicketType,
    utcnow,
)

LABEL_MAX = 200


# --- ticket types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketTypeRow:
    id: uuid.UUID
    label: str
    export_value: str  # what exports and reports write; the label when none is given
    tickets: int  # tickets of this type (removing the type keeps their label in reports)


def list_ticket_types(store: Store, project: str) -> list[TicketTypeRow]:
    with store.read() as session:
        project_id = find_project(session, project).id
        counts = dict(
            session.execute(
                select(Ticket.type_id, func.count())
                .where(Ticket.project_id == project_id, Ticket.deleted_at.is_(None))
                .group_by(Ticket.type_id)
            ).all()
        )
        return [
            TicketTypeRow(t.id, t.label, t.export_value, int(counts.get(t.id, 0)))
            for t in session.execute(
                select(TicketType)
                .where(TicketType.project_id == project_id, TicketType.deleted_at.is_(None))
                .order_by(TicketType.label)
            ).scalars()
        ]


def _checked(text: str, what: str) -> str:
    text = text.strip()
    if len(text) > LABEL_MAX:
        raise UserError(f"A ticket type's {what} has at most {LABEL_MAX} characters.")
    return text


def save_ticket_type(
    store: Store,
    actor: uuid.UUID,
    project: str,
    type_id: uuid.UUID | None,
    label: str,
    export_value: str = "",
) -> TicketTypeRow:
    """Add a ticket type (``type_id`` None) or change one; labels are unique per project."""
    require_supervisor(store, actor)
    label = _checked(label, "label")
    if not label:
        raise UserError("A ticket type needs a label.")
    export_value = _checked(export_value, "export value") or label
    with store.write() as session:
        project_id = find_project(session, project).id
        clash = session.execute(
            select(TicketType.id).where(
                TicketType.project_id == project_id,
                TicketType.deleted_at.is_(None),
                func.lower(TicketType.label) == label.lower(),
                TicketType.id != (type_id or uuid.UUID(int=0)),
            )
        ).first()
        if clash is not None:
            raise UserError(f"This project already has a ticket type {label!r}.")
        if type_id is None:
            row = TicketType(project_id=project_id, label=label, export_value=export_value)
            session.add(row)
            session.flush()
        else:
            found = session.get(TicketType, type_id)
            if found is None or found.deleted_at is not None or found.project_id != project_id:
                raise UserError("That ticket type no longer exists.")
            row, row.label, row.export_value = found, label, export_value
        session.add(
            Event(
                kind="ticket_type.save",
                actor_id=actor,
                data={"type": str(row.id), "label": label, "export_value": export_value},
            )
        )
        tickets = session.execute(
            select(func.count()).select_from(Ticket).where(Ticket.type_id == row.id)
        ).scalar_one()
        return TicketTypeRow(row.id, label, export_value, int(tickets))


def remove_ticket_type(store: Store, actor: uuid.UUID, type_id: uuid.UUID) -> None:
    """Agents no longer see the type; tickets that have it keep it (reports still say which)."""
    require_supervisor(store, actor)
    with store.write() as session:
        row = session.get(TicketType, type_id)
        if row is None or row.deleted_at is not None:
            raise UserError("That ticket type no longer exists.")
        row.deleted_at = utcnow()
        session.add(
            Event(
                kind="ticket_type.remove",
                actor_id=actor,
                data={"type": str(row.id), "label": row.label},
            )
        )


# --- sender accounts and templates agents are offered -----------------------------------------


@dataclass(frozen=True)
class SenderOption:
    account_id: uuid.UUID
    name: str
    email: str
    offered: bool  # ticked for this project


@dataclass(frozen=True)
class TemplateOption:
    id: uuid.UUID
    name: str
    offered: bool


@dataclass(frozen=True)
class ProjectOffer:
    """The sender accounts (those that can send) and email templates, ticked when offered.

    With no sender ticked, agents get the project's own sending accounts (replies.py).
    """

    project: str
    senders: tuple[SenderOption, ...]
    default_sender: uuid.UUID | None
    templates: tuple[TemplateOption, ...]


def _offer(session: Session, project: Project) -> ProjectOffer:
    offered_senders = set(
        session.execute(
            select(ProjectSenderAccount.account_id).where(
                ProjectSenderAccount.project_id == project.id,
                ProjectSenderAccount.deleted_at.is_(None),
            )
        ).scalars()
    )
    offered_templates = set(
        session.execute(
            select(ProjectTemplate.template_id).where(
                ProjectTemplate.project_id == project.id, ProjectTemplate.deleted_at.is_(None)
            )
        ).scalars()
    )
    senders = tuple(
        SenderOption(a.id, a.name, a.email, a.id in offered_senders)
        for a in session.execute(
            select(EmailAccount)
            .where(EmailAccount.deleted_at.is_(None), EmailAccount.smtp_host.is_not(None))
            .order_by(EmailAccount.name)
        ).scalars()
    )
    templates = tuple(
        TemplateOption(t.id, t.name, t.id in offered_templates)
        for t in session.execute(
            select(Template)
            .where(Template.deleted_at.is_(None), Template.kind == "email")
            .order_by(Template.name)
        ).scalars()
    )
    return ProjectOffer(project.name, senders, project.default_sender_account_id, templates)


def project_offer(store: Store, project: str) -> ProjectOffer:
    with store.read() as session:
        return _offer(session, find_project(session, project))


def _set_links(
    session: Session,
    model: type[ProjectSenderAccount] | type[ProjectTemplate],
    column: str,
    project_id: uuid.UUID,
    wanted: set[uuid.UUID],
) -> None:
    rows: dict[uuid.UUID, Any] = {
        getattr(row, column): row
        for row in session.execute(select(model).where(model.project_id == project_id)).scalars()
    }
    for target, row in rows.items():
        if target in wanted:
            row.deleted_at = None
        elif row.deleted_at is None:
            row.deleted_at = utcnow()
    for target in wanted - rows.keys():
        session.add(model(project_id=project_id, **{column: target}))


def set_project_offer(
    store: Store,
    actor: uuid.UUID,
    project: str,
    *,
    senders: Sequence[uuid.UUID],
    default_sender: uuid.UUID | None,
    templates: Sequence[uuid.UUID],
) -> ProjectOffer:
    """Choose the sender accounts and templates agents of ``project`` see, and the default."""
    require_supervisor(store, actor)
    with store.write() as session:
        proj = find_project(session, project)
        current = _offer(session, proj)
        sending = {s.account_id: s for s in current.senders}
        unknown = [a for a in senders if a not in sending]
        if unknown:
            raise UserError("A sender account must exist and have an SMTP server.")
        if set(templates) - {t.id for t in current.templates}:
            raise UserError("That template no longer exists.")
        if default_sender is not None:
            if senders:
                allowed = set(senders)
            else:  # nothing ticked: agents get the project's own sending accounts
                allowed = set(
                    session.execute(
                        select(EmailAccount.id).where(
                            EmailAccount.project_id == proj.id,
                            EmailAccount.deleted_at.is_(None),
                            EmailAccount.smtp_host.is_not(None),
                        )
                    ).scalars()
                )
            if default_sender not in allowed:
                name = sending[default_sender].name if default_sender in sending else "?"
                raise UserError(
                    f"The default sender {name} must be one of the sender accounts agents see."
                )
        _set_links(session, ProjectSenderAccount, "account_id", proj.id, set(senders))
        _set_links(session, ProjectTemplate, "template_id", proj.id, set(templates))
        proj.default_sender_account_id = default_sender
        session.add(
            Event(
                kind="project.offer",
                actor_id=actor,
                data={
                    "project": proj.name,
                    "senders": sorted(str(a) for a in senders),
                    "default_sender": str(default_sender) if default_sender else None,
                    "templates": sorted(str(t) for t in templates),
                },
            )
        )
        session.flush()
        return _offer(session, proj)
