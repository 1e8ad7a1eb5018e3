"""Agents create and edit contacts through the save_contact operation, when the project's
"Enable agents to create new records" allows it; supervisors always may."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.services.operations import Operation, apply
from app.services.settings import change_setting
from storage.models import (
    Contact,
    ContactAddress,
    ContactAttribute,
    ContactList,
    Event,
    Interaction,
)
from storage.models import (
    Operation as OperationRow,
)
from tests.app.workflow import World, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    made = make_world(ctx.store)
    with ctx.store.write() as session:
        session.add(ContactList(name="VIP"))
    return made


def _contact(world: World, contact_id: object) -> tuple[object, ...]:
    with world.store.read() as session:
        contact = session.get(Contact, uuid.UUID(str(contact_id)))
        assert contact is not None
        emails = sorted(
            session.execute(
                select(ContactAddress.email).where(
                    ContactAddress.contact_id == contact.id, ContactAddress.deleted_at.is_(None)
                )
            ).scalars()
        )
        attributes = sorted(
            (a.name, a.value, a.personal)
            for a in session.execute(
                select(ContactAttribute).where(
                    ContactAttribute.contact_id == contact.id,
                    ContactAttribute.deleted_at.is_(None),
                )
            ).scalars()
        )
        list_name = session.get(ContactList, contact.list_id).name if contact.list_id else None  # type: ignore[union-attr]
        return contact.name, contact.phone, contact.company, emails, attributes, list_name


NEW = {
    "name": "Anna Rossi",
    "phone": "+39 06 1234",
    "company": "Rossi SpA",
    "emails": ["Anna@Example.org", "anna@work.example"],
    "attributes": [
        {"name": "Birthday", "value": "1980-02-03", "personal": True},
        {"name": "Tier", "value": "gold", "personal": False},
    ],
    "list": "VIP",
}


def test_agents_are_refused_while_the_setting_is_off(world: World) -> None:
    outcome = world.op("save_contact", "alice", **NEW)
    assert not outcome.applied
    assert outcome.reason == (
        "Agents may not create or edit contacts here: a supervisor can turn on "
        "\u201cEnable agents to create new records\u201d for the project."
    )
    with world.store.read() as session:
        assert session.execute(select(Contact)).first() is None
        row = session.get(OperationRow, outcome.op_id)
        assert row is not None and row.status == "rejected"


def test_an_agent_creates_and_edits_a_contact_when_allowed(world: World) -> None:
    change_setting(world.store, "agents_create_contacts", "true", project="ACM")
    interaction = world.interaction()
    created = world.op("save_contact", "alice", interaction=str(interaction), **NEW)
    assert created.applied, created.reason
    contact_id = created.result["contact"]
    assert created.result["created"] is True
    assert _contact(world, contact_id) == (
        "Anna Rossi",
        "+39 06 1234",
        "Rossi SpA",
        ["anna@example.org", "anna@work.example"],
        [("Birthday", "1980-02-03", True), ("Tier", "gold", False)],
        "VIP",
    )
    assert str(world.row(interaction).contact_id) == contact_id

    edited = world.op(
        "save_contact",
        "alice",
        contact=contact_id,
        phone="+39 333",
        emails=["anna@example.org", "anna@home.example"],
        attributes=[{"name": "Tier", "value": "platinum", "personal": False}],
    )
    assert edited.applied and edited.result == {"contact": contact_id, "created": False}
    assert _contact(world, contact_id) == (
        "Anna Rossi",
        "+39 333",
        "Rossi SpA",
        ["anna@example.org", "anna@home.example"],
        [("Tier", "platinum", False)],
        "VIP",
    )
    with world.store.read() as session:
        events = session.execute(
            select(Event.kind, Event.data).where(Event.kind.like("contact.%")).order_by(Event.at)
        ).all()
    assert [k for k, _ in events] == ["contact.create", "contact.edit"]
    # The audit trail names what changed, never the personal data itself.
    assert events[1][1]["fields"] == ["attributes", "emails", "phone"]
    # (The values, not a digit run: a random id in the events may contain "333".)
    for value in ("+39 333", "+39 06 1234", "anna@home.example", "platinum", "Rossi SpA"):
        assert value not in repr(events), value


def test_an_agent_may_not_edit_through_someone_elses_interaction(world: World) -> None:
    change_setting(world.store, "agents_create_contacts", "true", project="ACM")
    elsewhere = world.interaction("sales")
    outcome = world.op("save_contact", "alice", interaction=str(elsewhere), **NEW)
    assert outcome.reason == "You do not work on this interaction's account and queue."


def test_supervisors_may_always_and_bad_input_is_refused_whole(world: World) -> None:
    made = world.op("save_contact", "sam", emails="bob@example.org", name="Bob")
    assert made.applied, made.reason
    for payload, reason in [
        ({"emails": ["not an address"]}, "'not an address' is not an email address."),
        ({"emails": []}, "A contact needs at least one email address."),
        ({"name": "x" * 201, "emails": ["c@example.org"]}, "at most 200 fit"),
        ({"name": "a\nb", "emails": ["c@example.org"]}, "The name contains a line break."),
        ({"emails": ["BOB@example.org"]}, "bob@example.org is already an address of Bob."),
        (
            {"emails": ["c@example.org"], "attributes": [{"name": "", "value": "x"}]},
            "Every attribute needs a name.",
        ),
        ({"emails": ["c@example.org"], "list": "Nope"}, "There is no contact list named 'Nope'."),
        ({"contact": str(uuid.uuid4()), "name": "X"}, "There is no contact"),
        ({"emails": {"a": 1}}, "emails must be a list of addresses."),
        ({"emails": ["c@example.org"], "attributes": "x"}, "attributes must be a list"),
    ]:
        outcome = world.op("save_contact", "sam", **payload)
        assert not outcome.applied and reason in outcome.reason, (payload, outcome.reason)
    with world.store.read() as session:
        assert len(session.execute(select(Contact)).all()) == 1
        assert session.execute(select(Interaction.contact_id)).first() is None


def test_the_operation_is_idempotent(world: World) -> None:
    op = Operation("save_contact", "sam", {"emails": ["d@example.org"]})
    first = apply(world.store, op)
    second = apply(world.store, op)
    assert first.applied and second.result == first.result
    with world.store.read() as session:
        assert len(session.execute(select(ContactAddress)).all()) == 1


def test_an_unsubscribe_can_be_recorded_and_lifted(world: World) -> None:
    made = world.op("save_contact", "sam", emails=["e@example.org"], unsubscribed=True)
    contact_id = uuid.UUID(made.result["contact"])
    with world.store.read() as session:
        assert session.get(Contact, contact_id).unsubscribed_at is not None  # type: ignore[union-attr]
    lifted = world.op("save_contact", "sam", contact=str(contact_id), unsubscribed=False)
    assert lifted.applied
    with world.store.read() as session:
        assert session.get(Contact, contact_id).unsubscribed_at is None  # type: ignore[union-attr]
        fields = session.execute(
            select(Event.data).where(Event.kind == "contact.edit")
        ).scalar_one()["fields"]
    assert fields == ["unsubscribed"]
