"""Supervisor-only admin services: removing an account, ticket types, and the sender accounts
and templates agents of a project are offered (what the composer then shows)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app import secrets
from app.context import AppContext
from app.errors import UserError
from app.services import project_admin, staffing
from app.services.accounts import add_account, list_accounts
from app.services.desk import composer_setup, ticket_choices
from storage.models import Agent, EmailAccount, Event, Project, Template
from tests.app.workflow import World, make_world


def agent_id(ctx: AppContext, name: str) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _project_id(ctx: AppContext) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Project.id).where(Project.key == "ACM")).scalar_one()


def test_removing_an_account_needs_a_supervisor_and_keeps_its_interactions(
    ctx: AppContext, world: World
) -> None:
    sam, alice = agent_id(ctx, "sam"), agent_id(ctx, "alice")
    first, second = world.interaction("sales"), world.interaction("sales")
    secrets.set_secret(world.sales, "password", "sales-pw")
    with ctx.store.write() as session:
        project = session.get(Project, _project_id(ctx))
        assert project is not None
        project.default_sender_account_id = world.sales
    usage = staffing.account_usage(ctx.store, "sales")
    assert (usage.name, usage.email, usage.interactions) == ("sales", "sales@acme.test", 2)
    with pytest.raises(UserError, match="Only a supervisor"):
        staffing.remove_account_as(ctx.store, alice, "sales")
    assert "sales" in {a.name for a in list_accounts(ctx.store)}
    staffing.remove_account_as(ctx.store, sam, "sales")
    assert [a.name for a in list_accounts(ctx.store)] == ["support"]
    assert secrets.get_secret(world.sales, "password") is None
    with ctx.store.read() as session:
        row = session.get(EmailAccount, world.sales)
        assert row is not None and row.deleted_at is not None and not row.active
        project = session.get(Project, _project_id(ctx))
        assert project is not None and project.default_sender_account_id is None
        event = session.execute(select(Event).where(Event.kind == "account.remove")).scalar_one()
        assert event.actor_id == sam
    assert world.row(first).account_id == world.sales  # history stays for the reports
    assert world.row(second).deleted_at is None
    # A long name still leaves room for the tombstone's suffix (the column has 200).
    long_name = "x" * 200
    add_account(ctx.store, name=long_name, email="x@acme.test", username="x", smtp_host="h")
    staffing.remove_account_as(ctx.store, sam, long_name)
    with ctx.store.read() as session:
        names = session.execute(
            select(EmailAccount.name).where(EmailAccount.deleted_at.is_not(None))
        ).scalars()
        assert all(len(n) <= 200 for n in names)


def test_ticket_types_are_edited_by_supervisors_and_agents_follow(
    ctx: AppContext, world: World
) -> None:
    sam, alice = agent_id(ctx, "sam"), agent_id(ctx, "alice")
    with pytest.raises(UserError, match="Only a supervisor"):
        project_admin.save_ticket_type(ctx.store, alice, "ACM", None, "Complaint", "CMP")
    complaint = project_admin.save_ticket_type(ctx.store, sam, "ACM", None, " Complaint ", "CMP")
    question = project_admin.save_ticket_type(ctx.store, sam, "Acme", None, "Question")
    assert (complaint.label, complaint.export_value) == ("Complaint", "CMP")
    assert question.export_value == "Question"  # the label when no export value is given
    with pytest.raises(UserError, match="already has a ticket type 'complaint'"):
        project_admin.save_ticket_type(ctx.store, sam, "ACM", None, "complaint")
    with pytest.raises(UserError, match="needs a label"):
        project_admin.save_ticket_type(ctx.store, sam, "ACM", None, "  ")
    renamed = project_admin.save_ticket_type(
        ctx.store, sam, "ACM", question.id, "General question", "GQ"
    )
    assert renamed.id == question.id
    rows = project_admin.list_ticket_types(ctx.store, "ACM")
    assert [(r.label, r.export_value) for r in rows] == [
        ("Complaint", "CMP"),
        ("General question", "GQ"),
    ]
    assert ticket_choices(ctx.store, _project_id(ctx)).types == ("Complaint", "General question")
    # An agent puts an interaction on a ticket of the type, then the type is removed.
    interaction = world.interaction()
    assert world.op("claim", "alice", interaction=str(interaction)).applied
    assert world.op(
        "assign_ticket", "alice", interaction=str(interaction), new=True, type="CMP"
    ).applied
    assert [r.tickets for r in project_admin.list_ticket_types(ctx.store, "ACM")] == [1, 0]
    with pytest.raises(UserError, match="Only a supervisor"):
        project_admin.remove_ticket_type(ctx.store, alice, complaint.id)
    project_admin.remove_ticket_type(ctx.store, sam, complaint.id)
    assert ticket_choices(ctx.store, _project_id(ctx)).types == ("General question",)
    other = world.interaction()
    assert world.op("claim", "alice", interaction=str(other)).applied
    refused = world.op("assign_ticket", "alice", interaction=str(other), new=True, type="Complaint")
    assert not refused.applied and "no ticket type 'Complaint'" in refused.reason
    # The removed label can be used again.
    project_admin.save_ticket_type(ctx.store, sam, "ACM", None, "Complaint", "CMP2")


def test_agents_sender_choices_and_templates_follow_the_project_offer(
    ctx: AppContext, world: World
) -> None:
    sam, carol = agent_id(ctx, "sam"), agent_id(ctx, "carol")
    project_id = _project_id(ctx)
    inbound = add_account(
        ctx.store, name="inbound", email="in@acme.test", username="i", imap_host="h"
    )
    with ctx.store.write() as session:
        apology, internal = Template(name="Apology"), Template(name="Internal")
        session.add_all([apology, internal])
        session.flush()
        apology_id, internal_id = apology.id, internal.id
    offer = project_admin.project_offer(ctx.store, "ACM")
    assert [(s.name, s.offered) for s in offer.senders] == [("sales", False), ("support", False)]
    assert inbound.id not in {s.account_id for s in offer.senders}  # cannot send
    assert [(t.name, t.offered) for t in offer.templates] == [
        ("Apology", False),
        ("Internal", False),
    ]
    before = composer_setup(ctx.store, project_id, world.support)
    assert {s.account_id for s in before.senders} == {world.support, world.sales}
    with pytest.raises(UserError, match="Only a supervisor"):
        project_admin.set_project_offer(
            ctx.store, carol, "ACM", senders=[world.sales], default_sender=None, templates=[]
        )
    with pytest.raises(UserError, match="default sender support must be one of"):
        project_admin.set_project_offer(
            ctx.store, sam, "ACM", senders=[world.sales], default_sender=world.support, templates=[]
        )
    with pytest.raises(UserError, match="SMTP server"):
        project_admin.set_project_offer(
            ctx.store, sam, "ACM", senders=[inbound.id], default_sender=None, templates=[]
        )
    offer = project_admin.set_project_offer(
        ctx.store,
        sam,
        "ACM",
        senders=[world.sales],
        default_sender=world.sales,
        templates=[apology_id],
    )
    assert [(s.name, s.offered) for s in offer.senders] == [("sales", True), ("support", False)]
    assert offer.default_sender == world.sales
    setup = composer_setup(ctx.store, project_id, world.support)
    assert [(s.account_id, s.is_default) for s in setup.senders] == [(world.sales, True)]
    assert [t.name for t in setup.templates] == ["Apology"]
    # Changing it again tombstones and revives the links instead of duplicating them.
    project_admin.set_project_offer(
        ctx.store,
        sam,
        "ACM",
        senders=[world.support, world.sales],
        default_sender=world.support,
        templates=[internal_id],
    )
    project_admin.set_project_offer(
        ctx.store,
        sam,
        "ACM",
        senders=[world.support, world.sales],
        default_sender=world.support,
        templates=[internal_id, apology_id],
    )
    setup = composer_setup(ctx.store, project_id, world.sales)
    assert [(s.account_id, s.is_default) for s in setup.senders] == [
        (world.support, True),
        (world.sales, False),
    ]
    assert [t.name for t in setup.templates] == ["Apology", "Internal"]
    # Nothing ticked: the project's own sending accounts, and the default must be one of them.
    offer = project_admin.set_project_offer(
        ctx.store, sam, "ACM", senders=[], default_sender=world.sales, templates=[]
    )
    assert not any(s.offered for s in offer.senders) and offer.default_sender == world.sales
    assert composer_setup(ctx.store, project_id, world.support).templates == ()
