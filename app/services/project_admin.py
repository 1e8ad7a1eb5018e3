"""What a supervisor chooses per project for its agents: ticket types, senders and templates.

Every change is an operation (``save_ticket_type``, ``remove_ticket_type``,
``set_project_offer``) whose handler checks the supervisor role, so in team mode it reaches
the central database; rows are tombstoned, never deleted, so tickets keep their type in the
reports and the choices sync like the rest.
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
from app.services.operations import OpContext, Operation, Rejected, apply_or_raise, handler
from storage.engine import Store
from storage.models import (
    EmailAccount,
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


def _supervisor_only(ctx: OpContext) -> None:
    if not ctx.supervisor:
        raise Rejected(
            "Only a supervisor may change a project's ticket types, senders and templates; "
            f"{ctx.actor.name} is an agent."
        )


def _id(raw: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise Rejected(f"{raw!r} is not a {what} id.") from None


@handler("save_ticket_type")
def _save_ticket_type(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Add a ticket type (no ``type``) or change one; labels are unique per project.
    Payload: project, type, label, export_value (empty: the label)."""
    _supervisor_only(ctx)
    label = _checked(str(payload.get("label") or ""), "label")
    if not label:
        raise Rejected("A ticket type needs a label.")
    export_value = _checked(str(payload.get("export_value") or ""), "export value") or label
    type_id = _id(payload["type"], "ticket type") if payload.get("type") else None
    session = ctx.session
    project_id = find_project(session, str(payload.get("project", ""))).id
    clash = session.execute(
        select(TicketType.id).where(
            TicketType.project_id == project_id,
            TicketType.deleted_at.is_(None),
            func.lower(TicketType.label) == label.lower(),
            TicketType.id != (type_id or uuid.UUID(int=0)),
        )
    ).first()
    if clash is not None:
        raise Rejected(f"This project already has a ticket type {label!r}.")
    if type_id is None:
        row = TicketType(project_id=project_id, label=label, export_value=export_value)
        session.add(row)
        session.flush()
    else:
        found = session.get(TicketType, type_id)
        if found is None or found.deleted_at is not None or found.project_id != project_id:
            raise Rejected("That ticket type no longer exists.")
        row, row.label, row.export_value = found, label, export_value
    ctx.event("ticket_type.save", type=row.id, label=label, export_value=export_value)
    tickets = session.execute(
        select(func.count()).select_from(Ticket).where(Ticket.type_id == row.id)
    ).scalar_one()
    return {"type": row.id, "label": label, "export_value": export_value, "tickets": tickets}


def save_ticket_type_op(
    actor: uuid.UUID,
    project: str,
    type_id: uuid.UUID | None,
    label: str,
    export_value: str = "",
) -> Operation:
    return Operation(
        "save_ticket_type",
        actor,
        {
            "project": project,
            "type": str(type_id) if type_id else None,
            "label": label,
            "export_value": export_value,
        },
    )


def save_ticket_type(
    store: Store,
    actor: uuid.UUID,
    project: str,
    type_id: uuid.UUID | None,
    label: str,
    export_value: str = "",
) -> TicketTypeRow:
    """Add a ticket type (``type_id`` None) or change one (the ``save_ticket_type`` operation)."""
    result = apply_or_raise(
        store, save_ticket_type_op(actor, project, type_id, label, export_value)
    )
    return ticket_type_row(result)


def ticket_type_row(result: dict[str, Any]) -> TicketTypeRow:
    """The row a ``save_ticket_type`` outcome describes."""
    return TicketTypeRow(
        uuid.UUID(str(result["type"])),
        str(result["label"]),
        str(result["export_value"]),
        int(result["tickets"]),
    )


@handler("remove_ticket_type")
def _remove_ticket_type(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Agents no longer see the type; tickets that have it keep it (reports still say which).
    Payload: type."""
    _supervisor_only(ctx)
    row = ctx.session.get(TicketType, _id(payload.get("type"), "ticket type"))
    if row is None or row.deleted_at is not None:
        raise Rejected("That ticket type no longer exists.")
    row.deleted_at = utcnow()
    ctx.event("ticket_type.remove", type=row.id, label=row.label)
    return {"type": row.id, "label": row.label}


def remove_ticket_type_op(actor: uuid.UUID, type_id: uuid.UUID) -> Operation:
    return Operation("remove_ticket_type", actor, {"type": str(type_id)})


def remove_ticket_type(store: Store, actor: uuid.UUID, type_id: uuid.UUID) -> None:
    """Agents no longer see the type (the ``remove_ticket_type`` operation)."""
    apply_or_raise(store, remove_ticket_type_op(actor, type_id))


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


@handler("set_project_offer")
def _set_project_offer(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Choose the sender accounts and templates agents of a project see, and the default.
    Payload: project, senders (account ids), default_sender (an account id or none),
    templates (template ids)."""
    _supervisor_only(ctx)
    senders = [_id(a, "sender account") for a in _list(payload, "senders")]
    templates = [_id(t, "template") for t in _list(payload, "templates")]
    raw_default = payload.get("default_sender")
    default_sender = _id(raw_default, "sender account") if raw_default else None
    session = ctx.session
    proj = find_project(session, str(payload.get("project", "")))
    current = _offer(session, proj)
    sending = {s.account_id: s for s in current.senders}
    if [a for a in senders if a not in sending]:
        raise Rejected("A sender account must exist and have an SMTP server.")
    if set(templates) - {t.id for t in current.templates}:
        raise Rejected("That template no longer exists.")
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
            raise Rejected(
                f"The default sender {name} must be one of the sender accounts agents see."
            )
    _set_links(session, ProjectSenderAccount, "account_id", proj.id, set(senders))
    _set_links(session, ProjectTemplate, "template_id", proj.id, set(templates))
    proj.default_sender_account_id = default_sender
    ctx.event(
        "project.offer",
        project=proj.name,
        senders=sorted(str(a) for a in senders),
        default_sender=str(default_sender) if default_sender else None,
        templates=sorted(str(t) for t in templates),
    )
    return {"project": proj.name}


def _list(payload: dict[str, Any], key: str) -> list[Any]:
    items = payload.get(key) or []
    if not isinstance(items, list):
        raise Rejected(f"{key} must be a list of ids.")
    return items


def set_project_offer_op(
    actor: uuid.UUID,
    project: str,
    *,
    senders: Sequence[uuid.UUID],
    default_sender: uuid.UUID | None,
    templates: Sequence[uuid.UUID],
) -> Operation:
    return Operation(
        "set_project_offer",
        actor,
        {
            "project": project,
            "senders": [str(a) for a in senders],
            "default_sender": str(default_sender) if default_sender else None,
            "templates": [str(t) for t in templates],
        },
    )


def set_project_offer(
    store: Store,
    actor: uuid.UUID,
    project: str,
    *,
    senders: Sequence[uuid.UUID],
    default_sender: uuid.UUID | None,
    templates: Sequence[uuid.UUID],
) -> ProjectOffer:
    """Choose the sender accounts and templates agents of ``project`` see, and the default
    (the ``set_project_offer`` operation); the offer as it is now."""
    op = set_project_offer_op(
        actor, project, senders=senders, default_sender=default_sender, templates=templates
    )
    return project_offer(store, str(apply_or_raise(store, op)["project"]))
