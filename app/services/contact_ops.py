"""The ``save_contact`` operation: agents (when their project allows it) and supervisors
create or edit a contact, e.g. from the thread view's customer panel; and
``create_contact_list`` / ``rename_contact_list`` (supervisors, the admin contact manager)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from app.services.agents import can_work_on, memberships
from app.services.contacts import (
    MAX_LENGTH,
    ContactError,
    check_length,
    clean_address,
    contact_attributes,
)
from app.services.operations import OpContext, Rejected, handler
from storage.models import (
    Contact,
    ContactAddress,
    ContactAttribute,
    ContactList,
    EmailAccount,
    Interaction,
    Project,
    utcnow,
)

SETTING_LABEL = "Enable agents to create new records"


def _check_allowed(ctx: OpContext, payload: dict[str, Any]) -> Interaction | None:
    """Supervisors always; agents when the project they work in says so. With an
    interaction named, that interaction's project decides (and the agent must work on it)."""
    interaction: Interaction | None = None
    if payload.get("interaction") is not None:
        try:
            interaction_id = uuid.UUID(str(payload["interaction"]))
        except ValueError:
            raise Rejected(f"{payload['interaction']!r} is not an interaction id.") from None
        interaction = ctx.session.get(Interaction, interaction_id)
        if interaction is None or interaction.deleted_at is not None:
            raise Rejected(f"There is no interaction {interaction_id}.")
    if ctx.supervisor:
        return interaction
    if interaction is not None:
        if not can_work_on(ctx.session, ctx.actor, interaction):
            raise Rejected("You do not work on this interaction's account and queue.")
        project_ids = [interaction.project_id]
    else:
        _queues, account_ids = memberships(ctx.session, ctx.actor)
        project_ids = list(
            ctx.session.execute(
                select(EmailAccount.project_id).where(EmailAccount.id.in_(account_ids))
            ).scalars()
        )
    allowed = ctx.session.execute(
        select(Project.name).where(
            Project.id.in_(project_ids), Project.agents_create_contacts.is_(True)
        )
    ).first()
    if allowed is None:
        raise Rejected(
            "Agents may not create or edit contacts here: a supervisor can turn on "
            f"\u201c{SETTING_LABEL}\u201d for the project."
        )
    return interaction


def _text(payload: dict[str, Any], key: str) -> str:
    value = str(payload[key] or "").strip()
    if "\n" in value or "\r" in value:
        raise Rejected(f"The {key} contains a line break.")
    return check_length(key, value)


def _addresses(payload: dict[str, Any]) -> list[str]:
    raw = payload["emails"]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise Rejected("emails must be a list of addresses.")
    found: dict[str, None] = {}
    for item in raw:
        found.setdefault(clean_address(str(item)), None)
    if not found:
        raise Rejected("A contact needs at least one email address.")
    return list(found)


def _attributes(payload: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    wanted: dict[str, tuple[str, bool]] = {}
    items = payload["attributes"]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Rejected("attributes must be a list of {name, value, personal}.")
    for item in items:
        name = str(item.get("name", "")).strip()
        if not name:
            raise Rejected("Every attribute needs a name.")
        if len(name) > MAX_LENGTH["attribute name"]:
            raise Rejected(
                f"The attribute name {name[:30]!r}... is longer than "
                f"{MAX_LENGTH['attribute name']} characters."
            )
        if name in wanted:
            raise Rejected(f"The attribute {name!r} is given twice.")
        wanted[name] = (str(item.get("value", "")), bool(item.get("personal", True)))
    return wanted


@handler("save_contact")
def _save_contact(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Create (no ``contact``) or edit a contact. Payload keys, each optional on an edit:
    name, phone, company, emails (the full list), attributes (the full list of
    {name, value, personal}), list (a contact list's name), unsubscribed (no automatic
    mail), interaction (link it)."""
    interaction = _check_allowed(ctx, payload)
    session = ctx.session
    try:
        fields = {k: _text(payload, k) for k in ("name", "phone", "company") if k in payload}
        emails = _addresses(payload) if "emails" in payload else None
        attributes = _attributes(payload) if "attributes" in payload else None
    except ContactError as exc:
        raise Rejected(str(exc)) from None
    contact_id = payload.get("contact")
    created = contact_id is None
    if created:
        if not emails:
            raise Rejected("A contact needs at least one email address.")
        contact = Contact(**fields)
        session.add(contact)
        session.flush()
    else:
        found = session.get(Contact, uuid.UUID(str(contact_id)))
        if found is None or found.deleted_at is not None:
            raise Rejected(f"There is no contact {contact_id}.")
        contact = found
        for key, value in fields.items():
            setattr(contact, key, value)
    if "list" in payload:
        list_name = payload["list"]
        if list_name:
            contact_list = session.execute(
                select(ContactList).where(
                    ContactList.name == str(list_name), ContactList.deleted_at.is_(None)
                )
            ).scalar()
            if contact_list is None:
                raise Rejected(f"There is no contact list named {list_name!r}.")
            contact.list_id = contact_list.id
        else:
            contact.list_id = None
    also: list[str] = []
    if "unsubscribed" in payload:
        # E.g. the customer asks by phone to get the automatic mail again.
        wanted = bool(payload["unsubscribed"])
        if wanted != (contact.unsubscribed_at is not None):
            contact.unsubscribed_at = utcnow() if wanted else None
            also.append("unsubscribed")
    if emails is not None:
        _set_addresses(ctx, contact, emails)
    if attributes is not None:
        _set_attributes(ctx, contact.id, attributes)
    if interaction is not None and interaction.contact_id != contact.id:
        interaction.contact_id = contact.id
    # The audit trail says what changed, not the personal data itself.
    lists = [k for k, v in (("emails", emails), ("attributes", attributes)) if v is not None]
    changed = sorted([*fields, *lists, *also])
    ctx.event(
        "contact.create" if created else "contact.edit",
        interaction=interaction.id if interaction else None,
        contact=contact.id,
        fields=changed,
    )
    return {"contact": contact.id, "created": created}


def _set_addresses(ctx: OpContext, contact: Contact, emails: list[str]) -> None:
    session = ctx.session
    taken = session.execute(
        select(ContactAddress.email, Contact.name)
        .join(Contact, Contact.id == ContactAddress.contact_id)
        .where(
            ContactAddress.email.in_(emails),
            ContactAddress.contact_id != contact.id,
            ContactAddress.deleted_at.is_(None),
            Contact.deleted_at.is_(None),
        )
    ).first()
    if taken is not None:
        owner = taken.name or "another contact"
        raise Rejected(f"{taken.email} is already an address of {owner}.")
    current = {
        a.email: a
        for a in session.execute(
            select(ContactAddress).where(ContactAddress.contact_id == contact.id)
        ).scalars()
    }
    now = utcnow()
    for email, address in current.items():
        if email not in emails and address.deleted_at is None:
            address.deleted_at = now
    for email in emails:
        kept = current.get(email)
        if kept is None:
            session.add(ContactAddress(contact_id=contact.id, email=email))
        elif kept.deleted_at is not None:
            kept.deleted_at = None


def _set_attributes(
    ctx: OpContext, contact_id: uuid.UUID, wanted: dict[str, tuple[str, bool]]
) -> None:
    existing = contact_attributes(ctx.session, contact_id)
    now = utcnow()
    for name, gone in existing.items():
        if name not in wanted:
            gone.deleted_at = now
    for name, (value, personal) in wanted.items():
        attribute = existing.get(name)
        if attribute is None:
            ctx.session.add(
                ContactAttribute(contact_id=contact_id, name=name, value=value, personal=personal)
            )
        else:
            attribute.value, attribute.personal = value, personal


# --- contact lists (supervisors) ------------------------------------------------------------

LIST_NAME_LENGTH = 200  # storage/models.py ContactList.name


def _list_name(payload: dict[str, Any]) -> str:
    name = str(payload.get("name") or "").strip()
    if not name:
        raise Rejected("A contact list needs a name.")
    if "\n" in name or "\r" in name:
        raise Rejected("The list name contains a line break.")
    if len(name) > LIST_NAME_LENGTH:
        raise Rejected(
            f"The list name is {len(name)} characters long; at most {LIST_NAME_LENGTH} fit."
        )
    return name


def _supervisor_only(ctx: OpContext, what: str) -> None:
    if not ctx.supervisor:
        raise Rejected(f"Only a supervisor may {what} contact lists; {ctx.actor.name} is an agent.")


def _name_free(ctx: OpContext, name: str, keep: uuid.UUID | None = None) -> None:
    # The name is unique among deleted lists too (the column's constraint).
    taken = ctx.session.execute(
        select(ContactList.id, ContactList.deleted_at).where(ContactList.name == name)
    ).first()
    if taken is not None and taken.id != keep:
        if taken.deleted_at is not None:
            raise Rejected(f"A deleted contact list was named {name!r}: choose another name.")
        raise Rejected(f"There is already a contact list named {name!r}.")


@handler("create_contact_list")
def _create_contact_list(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A new, empty contact list. Payload: name."""
    _supervisor_only(ctx, "create")
    name = _list_name(payload)
    _name_free(ctx, name)
    contact_list = ContactList(name=name)
    ctx.session.add(contact_list)
    ctx.session.flush()
    ctx.event("contact_list.create", list=contact_list.id, name=name)
    return {"list": contact_list.id, "name": name}


@handler("rename_contact_list")
def _rename_contact_list(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload: list (its id), name (the new one)."""
    _supervisor_only(ctx, "rename")
    try:
        list_id = uuid.UUID(str(payload.get("list")))
    except ValueError:
        raise Rejected(f"{payload.get('list')!r} is not a contact list id.") from None
    contact_list = ctx.session.get(ContactList, list_id)
    if contact_list is None or contact_list.deleted_at is not None:
        raise Rejected("That contact list no longer exists.")
    name = _list_name(payload)
    old = contact_list.name
    if name != old:
        _name_free(ctx, name, keep=contact_list.id)
        contact_list.name = name
    ctx.event("contact_list.rename", list=contact_list.id, old=old, name=name)
    return {"list": contact_list.id, "name": name}
