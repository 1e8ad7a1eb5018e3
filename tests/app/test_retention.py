"""Automatic deletion: old closed mail goes, with its tickets; contacts are anonymised."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from sqlalchemy import select, update

from app.context import AppContext, open_local
from app.services import retention
from app.services.accounts import add_account
from storage.models import (
    Contact,
    ContactAttribute,
    Event,
    Interaction,
    Project,
    Ticket,
)
from tests.app.test_cli import relaydesk
from tests.app.workflow import add_message, make_interaction

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _aged(
    ctx: AppContext,
    days: int,
    *,
    closed: bool,
    contact: uuid.UUID | None,
    ticket: uuid.UUID | None = None,
) -> uuid.UUID:
    interaction_id = make_interaction(ctx.store, "support")
    when = NOW - dt.timedelta(days=days)
    add_message(ctx.store, interaction_id, "in", when)
    with ctx.store.write() as session:
        session.execute(
            update(Interaction)
            .where(Interaction.id == interaction_id)
            .values(
                status="closed" if closed else "open",
                closed_at=when if closed else None,
                last_message_at=when,
                created_at=when,
                contact_id=contact,
                ticket_id=ticket,
            )
        )
    return interaction_id


def test_dry_run_equals_real_run_and_spares_the_young_and_open(ctx: AppContext) -> None:
    add_account(ctx.store, name="support", email="support@acme.test", username="s", imap_host="h")
    with ctx.store.write() as session:
        project = session.execute(select(Project)).scalar_one()
        project.auto_delete, project.auto_delete_days = True, 60
        gone_contact = Contact(name="Anna Rossi", phone="+39 02 1")
        kept_contact = Contact(name="Bob Brown")
        session.add_all([gone_contact, kept_contact])
        session.flush()
        session.add_all(
            [
                ContactAttribute(
                    contact_id=gone_contact.id, name="address", value="Via Roma 1", personal=True
                ),
                ContactAttribute(
                    contact_id=gone_contact.id, name="segment", value="gold", personal=False
                ),
            ]
        )
        ticket = Ticket(project_id=project.id, number="DEF-20260101-000001", title="Refund")
        session.add(ticket)
        session.flush()
        ids = (gone_contact.id, kept_contact.id, ticket.id)
    gone_contact_id, kept_contact_id, ticket_id = ids
    old = _aged(ctx, 90, closed=True, contact=gone_contact_id, ticket=ticket_id)
    young = _aged(ctx, 10, closed=True, contact=kept_contact_id)
    still_open = _aged(ctx, 200, closed=False, contact=kept_contact_id)
    old_of_kept = _aged(ctx, 95, closed=True, contact=kept_contact_id)

    preview = retention.purge(ctx.store, ctx.blobs, dry_run=True, now=NOW)
    assert set(preview.interactions) == {old, old_of_kept}
    assert preview.tickets == [ticket_id] and preview.contacts == [gone_contact_id]
    with ctx.store.read() as session:  # the dry run changed nothing
        assert session.get(Interaction, old).deleted_at is None  # type: ignore[union-attr]
    done = retention.purge(ctx.store, ctx.blobs, now=NOW)
    assert done.as_json() == preview.as_json()
    with ctx.store.read() as session:
        assert session.get(Interaction, young).deleted_at is None  # type: ignore[union-attr]
        assert session.get(Interaction, still_open).deleted_at is None  # type: ignore[union-attr]
        assert session.get(Ticket, ticket_id).deleted_at is not None  # type: ignore[union-attr]
        attributes = dict(
            session.execute(
                select(ContactAttribute.name, ContactAttribute.value).where(
                    ContactAttribute.contact_id == gone_contact_id
                )
            ).all()
        )
        assert attributes == {"address": retention.ANONYMISED, "segment": "gold"}
        assert session.get(Contact, kept_contact_id).name == "Bob Brown"  # type: ignore[union-attr]
        purge_event = session.execute(
            select(Event.data).where(Event.kind == "retention.purge")
        ).scalar_one()
    assert purge_event == {"interactions": 2, "tickets": 1, "contacts_anonymised": 1}
    assert retention.plan(ctx.store, NOW).interactions == []


def test_purge_command(data_dir: Path) -> None:
    ctx = open_local(data_dir)
    ctx.close()
    result = relaydesk(data_dir, "purge", "--dry-run", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "dry_run": True,
        "interactions": [],
        "tickets": [],
        "contacts_anonymised": [],
    }
    refused = relaydesk(data_dir, "interactions", "delete", str(uuid.uuid4()))
    assert refused.returncode == 1 and "--yes" in refused.stderr
