"""What the agent desk reads and keeps (app/services/desk.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.context import AppContext
from app.errors import UserError
from app.services import desk
from app.services.agents import get_agent
from tests.app.workflow import World, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def test_drafts_are_kept_per_agent_and_interaction_and_discarded(
    ctx: AppContext, world: World
) -> None:
    alice, bob = get_agent(ctx.store, "alice").id, get_agent(ctx.store, "bob").id
    interaction = world.interaction()
    assert desk.load_draft(ctx.store, alice, interaction) is None
    desk.save_draft(ctx.store, alice, interaction, {"body": "first", "mode": "reply"})
    desk.save_draft(ctx.store, alice, interaction, {"body": "second", "mode": "reply_all"})
    desk.save_draft(ctx.store, alice, None, {"body": "a new email", "mode": "new"})
    desk.save_draft(ctx.store, bob, interaction, {"body": "bob's", "mode": "reply"})
    mine = desk.load_draft(ctx.store, alice, interaction)
    assert mine is not None
    assert (mine.content, mine.interaction_id) == (
        {"body": "second", "mode": "reply_all"},
        interaction,
    )
    new = desk.load_draft(ctx.store, alice, None)
    assert new is not None and new.slot == "new" and new.content["body"] == "a new email"
    desk.discard_draft(ctx.store, alice, interaction)
    assert desk.load_draft(ctx.store, alice, interaction) is None
    theirs = desk.load_draft(ctx.store, bob, interaction)
    assert theirs is not None and theirs.content["body"] == "bob's"


def test_desk_state_says_who_holds_it_and_what_the_account_allows(
    ctx: AppContext, world: World
) -> None:
    alice, bob = get_agent(ctx.store, "alice").id, get_agent(ctx.store, "bob").id
    interaction = world.interaction()
    waiting = desk.desk_state(ctx.store, interaction, alice)
    assert (waiting.holder, waiting.mine, waiting.status) == (None, False, "open")
    claimed = world.op("claim", "alice", interaction=str(interaction))
    assert claimed.applied
    held = desk.desk_state(ctx.store, interaction, alice)
    assert (held.holder, held.mine, held.fence) == ("alice", True, claimed.result["fence"])
    assert (held.account_name, held.transfer_to_agent) == ("support", True)
    assert desk.desk_state(ctx.store, interaction, bob).mine is False


def test_ticket_search_by_number_title_and_customer(ctx: AppContext, world: World) -> None:
    project = world.row(world.interaction()).project_id
    numbers = []
    for subject in ("Lost parcel", "Broken hinge"):
        interaction = world.interaction(subject=subject)
        claimed = world.op("claim", "alice", interaction=str(interaction))
        done = world.op(
            "assign_ticket", "alice", interaction=str(interaction), new=True, title=subject
        )
        assert claimed.applied and done.applied, done.reason
        numbers.append(done.result["ticket"])
    newest_first = desk.search_tickets(ctx.store, project, "")
    assert [t.number for t in newest_first] == numbers[::-1]
    assert [t.title for t in desk.search_tickets(ctx.store, project, numbers[0][-6:])] == [
        "Lost parcel"
    ]
    assert [t.number for t in desk.search_tickets(ctx.store, project, "HINGE")] == [numbers[1]]
    by_customer = desk.search_tickets(ctx.store, project, "customer@example")
    assert {t.customer for t in by_customer} == {"customer@example.test"}
    assert len(by_customer) == 2
    assert desk.search_tickets(ctx.store, project, "%") == []  # a wildcard is just text
    assert desk.search_tickets(ctx.store, project, "lost_parcel") == []
    details = desk.ticket_details(ctx.store, numbers[0])
    assert (details.title, details.responsible, len(details.interactions)) == (
        "Lost parcel",
        "alice",
        1,
    )
    with pytest.raises(UserError, match="There is no ticket 'nope'"):
        desk.ticket_details(ctx.store, "nope")


def test_dispositions_senders_and_transfer_targets(ctx: AppContext, world: World) -> None:
    assert desk.dispositions_for(ctx.store, world.support) == ["Solved"]
    assert desk.dispositions_for(ctx.store, world.sales) == ["Refund", "Solved"]
    alice, sam = get_agent(ctx.store, "alice").id, get_agent(ctx.store, "sam").id
    assert [s.name for s in desk.new_email_senders(ctx.store, alice)] == ["support"]
    assert [s.name for s in desk.new_email_senders(ctx.store, sam)] == ["sales", "support"]
    targets = desk.transfer_targets(ctx.store, world.interaction(), alice)
    assert targets.queues == (("Default", "ACM/Default"), ("Italian", "ACM/Italian"))
    assert "alice" not in targets.agents and "carol" not in targets.agents  # self; sales only
    assert "bob" in targets.agents


def test_staging_an_attachment_refuses_what_cannot_be_sent(ctx: AppContext, tmp_path: Path) -> None:
    ok = tmp_path / "notes.txt"
    ok.write_text("hello")
    staged = desk.stage_attachment(ctx.blobs, ok)
    assert (staged.filename, staged.content_type, staged.size) == ("notes.txt", "text/plain", 5)
    assert ctx.blobs.get(staged.blob) == b"hello"
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as f:
        f.truncate(desk.MAX_ATTACHMENT_BYTES + 1)  # sparse: no disk used
    with pytest.raises(UserError, match=r"huge.bin is 25.0 MB; mail servers refuse more"):
        desk.stage_attachment(ctx.blobs, huge)
    with pytest.raises(UserError, match=r"Cannot read gone\.pdf: No such file or directory"):
        desk.stage_attachment(ctx.blobs, tmp_path / "gone.pdf")
    with pytest.raises(UserError, match="is not a file"):
        desk.stage_attachment(ctx.blobs, tmp_path)
    assert os.path.getsize(huge) > desk.MAX_ATTACHMENT_BYTES


def test_preview_is_built_like_the_reply(ctx: AppContext, world: World) -> None:
    alice = get_agent(ctx.store, "alice").id
    interaction = world.interaction(subject="Where is my order?")
    shown = desk.preview(
        ctx.store, ctx.blobs, interaction_id=interaction, agent_id=alice, mode="reply", body="Hi"
    )
    assert (shown.to, shown.subject, shown.text) == (
        "customer@example.test",
        "Where is my order?",
        "Hi",
    )
    with pytest.raises(UserError, match="'nobody' in To is not an email address"):
        desk.preview(
            ctx.store, ctx.blobs, interaction_id=interaction, agent_id=alice, mode="reply",
            to="nobody",
        )  # fmt: skip
