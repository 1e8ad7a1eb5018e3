"""The admin pages' changes to content, projects, interactions and contacts are operations:
applied once with an audit event, refused for agents (recorded as rejected), on SQLite and
PostgreSQL; deleting keeps ingest tombstones and removes blobs only after the commit; a
big contact import goes as several operations whose outcomes make one exact report."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.errors import UserError
from app.services import contact_io, content, interaction_admin, project_admin
from app.services.operations import Operation, OpResult, apply
from storage.blobs import digest
from storage.models import (
    Agent,
    Attachment,
    CannedAnswer,
    Contact,
    ContactList,
    Disposition,
    Event,
    IngestTombstone,
    Interaction,
    Message,
    Template,
    TicketType,
)
from storage.models import Operation as OperationRow
from tests.app.workflow import World, make_interaction, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _id(ctx: AppContext, name: str) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


def _recorded(ctx: AppContext, outcome: OpResult) -> tuple[str, str, dict[str, object]]:
    with ctx.store.read() as session:
        row = session.get(OperationRow, outcome.op_id)
        assert row is not None
        return row.kind, row.status, row.payload


def _events(ctx: AppContext, kind: str) -> list[dict[str, object]]:
    with ctx.store.read() as session:
        return list(session.execute(select(Event.data).where(Event.kind == kind)).scalars())


def test_content_changes_are_operations_and_agents_are_refused(
    ctx: AppContext, world: World
) -> None:
    sam, alice = _id(ctx, "sam"), _id(ctx, "alice")
    op = content.save_content_op(sam, "canned", None, " Thanks ", "Thank you!", "", "support")
    done = apply(ctx.store, op)
    assert done.applied and done.result["name"] == "Thanks"
    assert _recorded(ctx, done)[:2] == ("save_content", "applied")
    assert apply(ctx.store, op) == done, "the same id again: the recorded outcome"
    with ctx.store.read() as session:
        canned = session.execute(select(CannedAnswer)).scalar_one()
        assert (canned.title, canned.body, canned.account_id) == (
            "Thanks",
            "Thank you!",
            world.support,
        )
    (saved,) = _events(ctx, "canned.save")
    assert saved["op"] == str(op.op_id) and saved["new"] is True
    refused = apply(ctx.store, content.save_content_op(alice, "template", None, "T", "Hi"))
    assert not refused.applied
    assert refused.reason == (
        "Only a supervisor may change templates, canned answers and dispositions; "
        "alice is an agent."
    )
    assert _recorded(ctx, refused)[:2] == ("save_content", "rejected")
    bad = apply(ctx.store, content.save_content_op(sam, "template", None, "T", "{{ nope }}"))
    assert not bad.applied and "nope" in bad.reason
    with ctx.store.read() as session:
        assert session.execute(select(func.count()).select_from(Template)).scalar_one() == 0
    # The thin function keeps its signature and answer for the CLI.
    item = content.save_content(
        ctx.store, sam, "canned", canned.id, "Thanks", "Cheers", account=None
    )
    assert (item.id, item.body, item.account) == (canned.id, "Cheers", None)

    added = apply(ctx.store, content.add_disposition_op(sam, "Spam", "sales"))
    assert added.applied and added.result["account"] == "sales"
    assert not apply(ctx.store, content.add_disposition_op(alice, "Ham")).applied
    twice = apply(ctx.store, content.add_disposition_op(sam, "Spam", "sales"))
    assert twice.reason == "There is already a disposition 'Spam' for account sales."
    with ctx.store.read() as session:
        names = set(session.execute(select(Disposition.name)).scalars())
    assert names == {"Solved", "Refund", "Spam"}
    assert [e["name"] for e in _events(ctx, "disposition.add")] == ["Spam"]


def test_project_changes_are_operations_and_agents_are_refused(
    ctx: AppContext, world: World
) -> None:
    sam, carol = _id(ctx, "sam"), _id(ctx, "carol")
    saved = apply(ctx.store, project_admin.save_ticket_type_op(sam, "ACM", None, "Complaint"))
    assert saved.applied
    row = project_admin.ticket_type_row(saved.result)
    assert (row.label, row.export_value, row.tickets) == ("Complaint", "Complaint", 0)
    refused = apply(ctx.store, project_admin.save_ticket_type_op(carol, "ACM", row.id, "X"))
    assert refused.reason == (
        "Only a supervisor may change a project's ticket types, senders and templates; "
        "carol is an agent."
    )
    assert not apply(ctx.store, project_admin.remove_ticket_type_op(carol, row.id)).applied
    removed = apply(ctx.store, project_admin.remove_ticket_type_op(sam, row.id))
    assert removed.applied and removed.result["label"] == "Complaint"
    with ctx.store.read() as session:
        kind = session.get(TicketType, row.id)
        assert kind is not None and kind.deleted_at is not None and kind.label == "Complaint"
    again = apply(ctx.store, project_admin.remove_ticket_type_op(sam, row.id))
    assert again.reason == "That ticket type no longer exists."

    offer = project_admin.set_project_offer_op(
        sam, "ACM", senders=[world.sales], default_sender=world.sales, templates=[]
    )
    assert not apply(
        ctx.store,
        project_admin.set_project_offer_op(
            carol, "ACM", senders=[world.sales], default_sender=None, templates=[]
        ),
    ).applied
    assert not any(s.offered for s in project_admin.project_offer(ctx.store, "ACM").senders)
    applied = apply(ctx.store, offer)
    assert applied.applied and _recorded(ctx, applied)[2]["senders"] == [str(world.sales)]
    now = project_admin.project_offer(ctx.store, "ACM")
    assert now.default_sender == world.sales
    assert [s.name for s in now.senders if s.offered] == ["sales"]
    (event,) = _events(ctx, "project.offer")
    assert event["default_sender"] == str(world.sales) and event["op"] == str(offer.op_id)
    with pytest.raises(UserError, match="must be one of the sender accounts agents see"):
        project_admin.set_project_offer(
            ctx.store, sam, "ACM", senders=[world.sales], default_sender=world.support, templates=[]
        )


def _interaction_with_mail(ctx: AppContext, shared: bytes) -> tuple[uuid.UUID, str]:
    """An interaction with one message and an attachment; ``shared`` is the attachment's
    bytes (another interaction may hold the same file)."""
    interaction_id = make_interaction(ctx.store, "support")
    raw = f"Subject: hello\r\nMessage-ID: <{interaction_id}@x>\r\n\r\nhi\r\n".encode()
    raw_hash, file_hash = ctx.blobs.put_many([raw, shared])
    now = dt.datetime.now(dt.UTC)
    with ctx.store.write() as session:
        message = Message(
            interaction_id=interaction_id,
            account_id=session.get(Interaction, interaction_id).account_id,  # type: ignore[union-attr]
            direction="in",
            sent_at=now,
            received_at=now,
            raw_hash=raw_hash,
            message_id_hdr=f"{interaction_id}@x",
        )
        session.add(message)
        session.flush()
        session.add(Attachment(message_id=message.id, filename="a.pdf", blob_hash=file_hash))
    return interaction_id, raw_hash


def test_deleting_interactions_is_an_operation_that_keeps_tombstones(
    ctx: AppContext, world: World
) -> None:
    sam, alice = _id(ctx, "sam"), _id(ctx, "alice")
    shared = b"%PDF the same invoice twice"
    first, first_raw = _interaction_with_mail(ctx, shared)
    second, second_raw = _interaction_with_mail(ctx, shared)
    third, third_raw = _interaction_with_mail(ctx, b"%PDF another")
    # An agent is refused; nothing is deleted.
    refused = apply(
        ctx.store, interaction_admin.delete_interactions_op(alice, [first]), blobs=ctx.blobs
    )
    assert refused.reason == "Only a supervisor may delete interactions; alice is an agent."
    # One unknown id refuses the whole operation, rolled back: the blobs are all still there.
    gone = uuid.uuid4()
    rolled_back = apply(
        ctx.store, interaction_admin.delete_interactions_op(sam, [third, gone]), blobs=ctx.blobs
    )
    assert not rolled_back.applied and "does not exist" in rolled_back.reason
    assert ctx.blobs.has(third_raw) and ctx.blobs.has(digest(b"%PDF another"))
    with ctx.store.read() as session:
        row = session.get(Interaction, third)
        assert row is not None and row.deleted_at is None
    # Without the message store the rule refuses instead of leaving blobs behind.
    assert not apply(ctx.store, interaction_admin.delete_interactions_op(sam, [first])).applied

    op = interaction_admin.delete_interactions_op(sam, [first, third])
    done = apply(ctx.store, op, blobs=ctx.blobs)
    assert done.applied and done.result == {"deleted": 2, "messages": 2}
    assert _recorded(ctx, done)[2] == {"interactions": [str(first), str(third)]}
    assert not ctx.blobs.has(first_raw) and not ctx.blobs.has(third_raw)
    assert not ctx.blobs.has(digest(b"%PDF another"))
    assert ctx.blobs.has(digest(shared)), "the second interaction still needs the file"
    assert ctx.blobs.has(second_raw)
    with ctx.store.read() as session:
        tombstones = set(session.execute(select(IngestTombstone.raw_hash)).scalars())
        events = session.execute(
            select(Event.interaction_id, Event.data).where(Event.kind == "interaction.delete")
        ).all()
    assert tombstones == {first_raw, third_raw}
    assert {e.interaction_id for e in events} == {first, third}
    assert all(e.data["op"] == str(op.op_id) for e in events)
    # The thin function (the CLI's) answers how many, and the file goes with the last user.
    assert interaction_admin.delete_interactions(ctx.store, ctx.blobs, sam, [second]) == 1
    assert not ctx.blobs.has(digest(shared))


def _csv(lines: int, bad: set[int]) -> bytes:
    """A header and ``lines`` contacts (file lines 2…); the lines in ``bad`` lack an address."""
    out = ["name,email,attribute:Tier"]
    for line in range(2, lines + 2):
        out.append(f"Person {line},{'' if line in bad else f'p{line}@example.org'},gold")
    return ("\r\n".join(out) + "\r\n").encode()


def test_a_big_import_goes_in_batches_and_reports_every_refused_line(
    ctx: AppContext, world: World
) -> None:
    sam = _id(ctx, "sam")
    with ctx.store.write() as session:
        session.add(ContactList(name="Customers"))
    contact_io.import_contacts(ctx.store, b"name,email\r\nOld,p700@example.org\r\n", actor="sam")
    bad = {3, 501, 502, 1100}
    data = _csv(1200, bad)
    ops = contact_io.import_operations(data, actor=sam, list_name="Customers")
    assert [o.kind for o in ops] == ["import_contacts"] * 3
    sizes = [len(o.payload["rows"]) + len(o.payload["refused"]) for o in ops]
    assert sizes == [500, 500, 200] and max(sizes) <= contact_io.IMPORT_BATCH
    report = contact_io.import_report(ops, [apply(ctx.store, op) for op in ops])
    assert (report.created, report.updated) == (1200 - len(bad) - 1, 1)
    assert [p.line for p in report.problems] == sorted(bad)
    assert report.problems[0].message == "No email address: contacts are matched by address."
    with ctx.store.read() as session:
        in_list = session.execute(
            select(func.count())
            .select_from(Contact)
            .join(ContactList, ContactList.id == Contact.list_id)
            .where(ContactList.name == "Customers")
        ).scalar_one()
        events = list(
            session.execute(
                select(Event.data).where(Event.kind == "contacts.import").order_by(Event.at)
            ).scalars()
        )
    assert in_list == 1200 - len(bad) - 1 + 1  # the earlier contact joins the list too
    imported = [e for e in events if e["list"] == "Customers"]
    assert sorted(line for e in imported for line in e["refused_lines"]) == sorted(bad)
    assert sum(e["created"] for e in imported) == report.created


def test_import_rows_are_checked_again_and_refusals_make_the_report(
    ctx: AppContext, world: World
) -> None:
    sam, alice = _id(ctx, "sam"), _id(ctx, "alice")
    # The central database trusts no desk: a row the desk did not check is checked there.
    payload = {
        "list": None,
        "rows": [
            {"line": 2, "emails": ["not an address"], "name": "X"},
            {"line": 3, "emails": ["ok@example.org"], "name": "Ok", "attributes": []},
            {"line": 4, "emails": ["OK@example.org"], "name": "Again"},
            {"line": 5, "emails": ["long@example.org"], "name": "n" * 5000},
        ],
        "refused": [{"line": 6, "message": "parsed badly"}],
    }
    done = apply(ctx.store, Operation("import_contacts", sam, payload))
    assert done.applied, done.reason
    assert done.result["created"] == 1
    assert [p["line"] for p in done.result["problems"]] == [2, 4, 5, 6]
    assert done.result["problems"][1]["message"] == "ok@example.org is already on line 3."
    too_many = {"rows": [], "refused": [{"line": n, "message": "x"} for n in range(501)]}
    assert not apply(ctx.store, Operation("import_contacts", sam, too_many)).applied
    # An agent is refused as a whole: a UserError with the reason, nothing imported.
    ops = contact_io.import_operations(_csv(3, set()), actor=alice)
    outcomes = [apply(ctx.store, op) for op in ops]
    with pytest.raises(UserError, match="Only a supervisor may import contacts; alice"):
        contact_io.import_report(ops, outcomes)
    # One batch refused of several: its lines are reported with the reason, the rest kept.
    ops = contact_io.import_operations(_csv(600, {7}), actor=sam)
    first = apply(ctx.store, ops[0])
    lost = OpResult(ops[1].op_id, "rejected", "The central database restarted.", {})
    report = contact_io.import_report(ops, [first, lost])
    assert report.created == 499
    assert [p.line for p in report.problems] == [7, *range(502, 602)]
    assert report.problems[-1].message == "The central database restarted."
