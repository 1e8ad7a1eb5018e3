"""The contact manager's reads and list operations: lists with counts and the accounts whose
default they are, a search by name, address or company with its own wildcards taken
literally, keyset pages over 10,000 contacts, and supervisors only."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.errors import UserError
from app.services.contact_io import import_contacts
from app.services.contact_lists import (
    contact_details,
    like_pattern,
    list_contact_lists,
    search_contacts,
)
from app.services.contacts import bulk_insert
from app.services.operations import Operation, apply
from storage.ids import new_id
from storage.models import Contact, ContactAddress, ContactList, EmailAccount, Event
from tests.app.workflow import World, make_world

CSV = (
    b"name,company,phone,email,email2,personal:Birthday,attribute:Tier\r\n"
    b"Anna Rossi,Rossi SpA,+39 06 1,anna@example.org,anna@work.example,1980-02-03,gold\r\n"
    b"Bruno 100%,Percent_Co,,bruno@example.org,,,\r\n"
    b"Carla Bianchi,Acme,,carla@example.org,,,\r\n"
    b"Dario,,,dario_x@example.org,,,\r\n"
)


@pytest.fixture
def world(ctx: AppContext) -> World:
    made = make_world(ctx.store)
    create = apply(ctx.store, Operation("create_contact_list", "sam", {"name": "Customers"}))
    assert create.applied, create.reason
    with ctx.store.write() as session:
        customers = session.execute(select(ContactList)).scalar_one()
        session.get(EmailAccount, made.support).default_contact_list_id = customers.id  # type: ignore[union-attr]
    import_contacts(ctx.store, CSV, actor="sam", list_name="Customers")
    return made


def _list_id(world: World, name: str) -> uuid.UUID:
    with world.store.read() as session:
        return session.execute(select(ContactList.id).where(ContactList.name == name)).scalar_one()


def _names(world: World, **query: object) -> list[str]:
    page = search_contacts(world.store, "sam", **query)  # type: ignore[arg-type]
    return [row.name for row in page.rows]


def test_lists_have_counts_and_show_whose_default_they_are(world: World) -> None:
    made = world.op("create_contact_list", "sam", name="  VIP ")
    assert made.applied and made.result["name"] == "VIP"
    loaded = list_contact_lists(world.store, "sam")
    assert [(r.name, r.contacts, r.default_for) for r in loaded.lists] == [
        ("Customers", 4, ("support",)),
        ("VIP", 0, ()),
    ]
    assert loaded.total == 4
    with world.store.read() as session:
        kinds = session.execute(select(Event.kind).where(Event.kind.like("contact_list.%")))
        assert sorted(kinds.scalars()) == ["contact_list.create", "contact_list.create"]


def test_renaming_a_list_and_the_refusals(world: World) -> None:
    customers = _list_id(world, "Customers")
    assert world.op("create_contact_list", "sam", name="VIP").applied
    taken = world.op("rename_contact_list", "sam", list=str(customers), name="VIP")
    assert taken.reason == "There is already a contact list named 'VIP'."
    empty = world.op("create_contact_list", "sam", name="   ")
    assert empty.reason == "A contact list needs a name."
    long = world.op("create_contact_list", "sam", name="x" * 201)
    assert long.reason == "The list name is 201 characters long; at most 200 fit."
    renamed = world.op("rename_contact_list", "sam", list=str(customers), name="Clients")
    assert renamed.applied, renamed.reason
    assert [r.name for r in list_contact_lists(world.store, "sam").lists] == ["Clients", "VIP"]
    # Contacts and the account's default follow the list, not its name.
    loaded = list_contact_lists(world.store, "sam").lists[0]
    assert (loaded.id, loaded.contacts, loaded.default_for) == (customers, 4, ("support",))


def test_agents_may_neither_change_nor_browse_lists(world: World) -> None:
    refused = world.op("create_contact_list", "alice", name="Mine")
    assert refused.reason == "Only a supervisor may create contact lists; alice is an agent."
    customers = _list_id(world, "Customers")
    refused = world.op("rename_contact_list", "alice", list=str(customers), name="Mine")
    assert refused.reason == "Only a supervisor may rename contact lists; alice is an agent."
    sentence = "Only a supervisor may manage the contact lists; alice is an agent."
    with pytest.raises(UserError, match=sentence):
        list_contact_lists(world.store, "alice")
    with pytest.raises(UserError, match=sentence):
        search_contacts(world.store, "alice", text="anna")


def test_search_by_name_address_or_company_in_any_case(world: World) -> None:
    assert _names(world) == ["Anna Rossi", "Bruno 100%", "Carla Bianchi", "Dario"]
    assert _names(world, text="ROSSI") == ["Anna Rossi"]  # name and company
    assert _names(world, text="work.example") == ["Anna Rossi"]  # second address
    assert _names(world, text="acme") == ["Carla Bianchi"]  # company
    assert _names(world, text="nobody") == []
    vip = world.op("create_contact_list", "sam", name="VIP").result["list"]
    assert _names(world, list_id=uuid.UUID(str(vip))) == []
    assert _names(world, list_id=_list_id(world, "Customers"), text="dario") == ["Dario"]
    (anna,) = search_contacts(world.store, "sam", text="anna").rows
    assert anna.emails == ("anna@example.org", "anna@work.example")
    assert (anna.company, anna.phone, anna.unsubscribed) == ("Rossi SpA", "+39 06 1", False)


def test_wildcards_in_the_search_are_taken_literally(world: World) -> None:
    assert like_pattern("100%_\\") == "%100\\%\\_\\\\%"
    assert _names(world, text="%") == ["Bruno 100%"]
    assert _names(world, text="_") == ["Bruno 100%", "Dario"]  # Percent_Co, dario_x@
    assert _names(world, text="o_x") == ["Dario"]
    assert _names(world, text="0%") == ["Bruno 100%"]


def test_details_of_one_contact(world: World) -> None:
    (anna,) = search_contacts(world.store, "sam", text="anna").rows
    details = contact_details(world.store, "sam", anna.id)
    assert (details.name, details.list_name, details.unsubscribed) == (
        "Anna Rossi",
        "Customers",
        False,
    )
    assert [(a.name, a.value, a.personal) for a in details.attributes] == [
        ("Birthday", "1980-02-03", True),
        ("Tier", "gold", False),
    ]
    with pytest.raises(UserError, match="That contact no longer exists"):
        contact_details(world.store, "sam", new_id())


def test_keyset_pages_over_ten_thousand_contacts_stay_fast(world: World) -> None:
    customers = _list_id(world, "Customers")
    count = 10_000
    contacts = [
        {"id": new_id(), "list_id": customers, "name": f"Person {n:05d}", "company": "Bulk"}
        for n in range(count)
    ]
    with world.store.write() as session:
        bulk_insert(session, Contact, contacts)
        bulk_insert(
            session,
            ContactAddress,
            [
                {"id": new_id(), "contact_id": c["id"], "email": f"p{n}@bulk.example"}
                for n, c in enumerate(contacts)
            ],
        )
    started = time.perf_counter()
    first = search_contacts(world.store, "sam", text="person", limit=100)
    by_address = search_contacts(world.store, "sam", text="p9999@bulk", limit=100)
    elapsed = time.perf_counter() - started
    assert [r.name for r in first.rows][:2] == ["Person 00000", "Person 00001"]
    assert len(first.rows) == 100 and first.after == ("Person 00099", first.rows[-1].id)
    assert [r.name for r in by_address.rows] == ["Person 09999"] and by_address.after is None
    # Generous for a slow CI machine; a query per row or a full load takes far longer.
    assert elapsed < 2.0, elapsed
    # Walking every page sees each contact once, in order.
    seen: list[str] = []
    after = None
    while True:
        page = search_contacts(world.store, "sam", text="bulk", after=after, limit=1000)
        seen += [r.name for r in page.rows]
        if page.after is None:
            break
        after = page.after
    assert len(seen) == count and seen == sorted(seen)
    assert list_contact_lists(world.store, "sam").lists[0].contacts == count + 4
