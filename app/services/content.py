"""Templates, canned answers and dispositions as the supervisor's admin pages edit them.

A template or canned answer is rendered on the sample data (app/templates.py, sandboxed,
StrictUndefined) before it is stored, so a typo in a variable is refused with the line and
the reason instead of failing in front of a customer. Changes are the ``save_content`` and
``add_disposition`` operations (supervisors only), so in team mode they reach the central
database; the functions below apply them to a store directly (CLI, tests).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select

from app.errors import UserError
from app.services.accounts import find_account
from app.services.operations import OpContext, Operation, Rejected, apply_or_raise, handler
from app.templates import preview
from storage.engine import Store
from storage.models import CannedAnswer, Disposition, EmailAccount, Template

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


def _supervisor_only(ctx: OpContext) -> None:
    if not ctx.supervisor:
        raise Rejected(
            "Only a supervisor may change templates, canned answers and dispositions; "
            f"{ctx.actor.name} is an agent."
        )


def _optional_id(payload: dict[str, Any], key: str, what: str) -> uuid.UUID | None:
    raw = payload.get(key)
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise Rejected(f"{raw!r} is not a {what} id.") from None


@handler("save_content")
def _save_content(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Create (no ``item``) or change a template or canned answer. Payload: kind
    (template | canned), item, name, body, subject (templates), account (canned answers;
    none: global). Refused if it does not render on the sample data."""
    _supervisor_only(ctx)
    kind = str(payload.get("kind", ""))
    if kind not in ("template", "canned"):
        raise Rejected(f"Content is a template or a canned answer (got {kind!r}).")
    item_id = _optional_id(payload, "item", kind)
    what = "template" if kind == "template" else "canned answer"
    name = _checked_name(str(payload.get("name") or ""), what)
    body = str(payload.get("body") or "")
    subject = str(payload.get("subject") or "") if kind == "template" else ""
    account = payload.get("account") if kind == "canned" else None
    preview(subject, name=f"{name} subject")  # raises TemplateRenderError, a UserError
    preview(body, name=name)
    session = ctx.session
    account_id = find_account(session, str(account)).id if account else None
    row: Template | CannedAnswer | None
    if kind == "template":
        row = session.get(Template, item_id) if item_id else Template(name=name)
        if row is None or row.deleted_at is not None:
            raise Rejected("That template no longer exists.")
        row.name, row.subject, row.body = name, subject, body
    else:
        row = session.get(CannedAnswer, item_id) if item_id else CannedAnswer(title=name)
        if row is None or row.deleted_at is not None:
            raise Rejected("That canned answer no longer exists.")
        row.title, row.body, row.account_id = name, body, account_id
    session.add(row)
    session.flush()
    ctx.event(f"{kind}.save", id=row.id, name=name, new=item_id is None)
    return {"kind": kind, "item": row.id, "name": name, "new": item_id is None}


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
    not render on the sample data (the ``save_content`` operation)."""
    result = apply_or_raise(
        store, save_content_op(actor, kind, item_id, name, body, subject, account)
    )
    name = str(result["name"])
    return ContentItem(
        kind,
        uuid.UUID(str(result["item"])),
        name,
        subject if kind == "template" else "",
        body,
        account if kind == "canned" else None,
    )


def save_content_op(
    actor: uuid.UUID,
    kind: Kind,
    item_id: uuid.UUID | None,
    name: str,
    body: str,
    subject: str = "",
    account: str | None = None,
) -> Operation:
    return Operation(
        "save_content",
        actor,
        {
            "kind": kind,
            "item": str(item_id) if item_id else None,
            "name": name,
            "body": body,
            "subject": subject,
            "account": account,
        },
    )


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


@handler("add_disposition")
def _add_disposition(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A disposition for every account (no ``account``) or for one. Payload: name, account."""
    _supervisor_only(ctx)
    name = _checked_name(str(payload.get("name") or ""), "disposition")
    account = payload.get("account") or None
    session = ctx.session
    account_id = find_account(session, str(account)).id if account else None
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
        raise Rejected(f"There is already a disposition {name!r} for {where}.")
    disposition = Disposition(name=name, account_id=account_id)
    session.add(disposition)
    session.flush()
    ctx.event("disposition.add", name=name, account=account)
    return {"disposition": disposition.id, "name": name, "account": account}


def add_disposition_op(actor: uuid.UUID, name: str, account: str | None = None) -> Operation:
    return Operation("add_disposition", actor, {"name": name, "account": account})


def add_disposition(
    store: Store, actor: uuid.UUID, name: str, account: str | None = None
) -> DispositionRow:
    """A disposition for every account (``account`` None) or for one (``add_disposition``)."""
    result = apply_or_raise(store, add_disposition_op(actor, name, account))
    return DispositionRow(str(result["name"]), account, True)
