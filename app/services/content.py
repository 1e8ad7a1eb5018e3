"""Templates, canned answers and dispositions as the supervisor's admin pages edit them.

A template or canned answer is rendered on the sample data (app/templates.py, sandboxed,
StrictUndefined) before it is stored, so a typo in a variable is refused with the line and
the reason instead of failing in front of a customer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from app.errors import UserError
from app.services.accounts import find_account
from app.services.staffing import require_supervisor
from app.templates import preview
from storage.engine import Store
from storage.models import CannedAnswer, Disposition, EmailAccount, Event, Template

Kind = Literal["template", "canned"]
NAME_MAX = 200


@dataclass(frozen=True)
class ContentItem:
    kind: Kind
    id: uuid.UUID
    name: str
    subject: str  # templates only
    body: str
    account: str | None  # canned answers: None is global


@dataclass(frozen=True)
class DispositionRow:
    name: str
    account: str | None  # None: every account
    active: bool


def list_content(store: Store) -> list[ContentItem]:
    with store.read() as session:
        names = dict(session.execute(select(EmailAccount.id, EmailAccount.name)).all())
        templates = [
            ContentItem("template", t.id, t.name, t.subject, t.body, None)
            for t in session.execute(
                select(Template)
                .where(Template.deleted_at.is_(None), Template.kind == "email")
                .order_by(Template.name)
            ).scalars()
        ]
        canned = [
            ContentItem(
                "canned",
                c.id,
                c.title,
                "",
                c.body,
                names.get(c.account_id) if c.account_id else None,
            )
            for c in session.execute(
                select(CannedAnswer)
                .where(CannedAnswer.deleted_at.is_(None))
                .order_by(CannedAnswer.title)
            ).scalars()
        ]
    return templates + canned


def _checked_name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise UserError(f"A {what} needs a name of at most {NAME_MAX} characters.")
    return name


def save_content(
    store: Store,
    actor: uuid.UUID,
    kind: Kind,
    item_id: uuid.UUID | None,
    name: str,
    body: str,
    *,
    subject: str = "",
    account: str | None = None,
) -> ContentItem:
    """Create (``item_id`` None) or change a template or canned answer; refused if it does
    not render on the sample data."""
    require_supervisor(store, actor)
    what = "template" if kind == "template" else "canned answer"
    name = _checked_name(name, what)
    preview(subject, name=f"{name} subject")  # raises TemplateRenderError, a UserError
    preview(body, name=name)
    with store.write() as session:
        account_id = find_account(session, account).id if account else None
        row: Template | CannedAnswer | None
        if kind == "template":
            row = session.get(Template, item_id) if item_id else Template(name=name)
            if row is None or row.deleted_at is not None:
                raise UserError("That template no longer exists.")
            row.name, row.subject, row.body = name, subject, body
        else:
            row = session.get(CannedAnswer, item_id) if item_id else CannedAnswer(title=name)
            if row is None or row.deleted_at is not None:
                raise UserError("That canned answer no longer exists.")
            row.title, row.body, row.account_id = name, body, account_id
        session.add(row)
        session.flush()
        session.add(
            Event(
                kind=f"{kind}.save",
                actor_id=actor,
                data={"id": str(row.id), "name": name, "new": item_id is None},
            )
        )
        return ContentItem(kind, row.id, name, subject, body, account)


def list_dispositions(store: Store) -> list[DispositionRow]:
    with store.read() as session:
        names = dict(session.execute(select(EmailAccount.id, EmailAccount.name)).all())
        return [
            DispositionRow(d.name, names.get(d.account_id) if d.account_id else None, d.active)
            for d in session.execute(
                select(Disposition)
                .where(Disposition.deleted_at.is_(None))
                .order_by(Disposition.name)
            ).scalars()
        ]


def add_disposition(
    store: Store, actor: uuid.UUID, name: str, account: str | None = None
) -> DispositionRow:
    """A disposition for every account (``account`` None) or for one."""
    require_supervisor(store, actor)
    name = _checked_name(name, "disposition")
    with store.write() as session:
        account_id = find_account(session, account).id if account else None
        clash = session.execute(
            select(Disposition.id).where(
                Disposition.name == name,
                Disposition.deleted_at.is_(None),
                (Disposition.account_id.is_(None))
                if account_id is None
                else (Disposition.account_id == account_id),
            )
        ).first()
        if clash is not None:
            where = f"account {account}" if account else "every account"
            raise UserError(f"There is already a disposition {name!r} for {where}.")
        session.add(Disposition(name=name, account_id=account_id))
        session.add(
            Event(kind="disposition.add", actor_id=actor, data={"name": name, "account": account})
        )
    return DispositionRow(name, account, True)
