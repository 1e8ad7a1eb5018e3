"""Saved searches: stored as data per owner, read back exactly, run like the search they name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.errors import UserError
from app.services import saved_searches
from app.services.fulltext import Filters, InteractionSearch, find
from app.services.operations import apply
from app.services.search import Condition
from storage.models import Event, SavedSearch
from storage.models import Operation as OperationRow
from tests.app.workflow import T0, World, add_message, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


OPEN_REFUNDS = InteractionSearch(
    "refund",
    Filters.of(status="open", started_from="2026-01-01", tags=()),
    (
        Condition("subject", "contains", "x'); DROP TABLE saved_searches; --"),
        Condition("started", "between", ("2026-01-01", "2026-12-31"), enabled=False),
        Condition("customer", "ends_with", "@example.test"),
    ),
    "any",
)


def test_a_saved_search_reads_back_as_data_and_runs(world: World) -> None:
    interaction = world.interaction(subject="Refund")
    add_message(world.store, interaction, "in", T0, text_body="refund please")
    info = saved_searches.save(world.store, "sam", "Open refunds", OPEN_REFUNDS)
    assert info.search == OPEN_REFUNDS
    loaded = saved_searches.load(world.store, "sam", "Open refunds")
    assert loaded.search == OPEN_REFUNDS, "conditions, disabled flags, filters and match survive"
    with world.store.read() as session:
        stored = session.execute(select(SavedSearch.query)).scalar_one()
    assert stored["conditions"][0] == {
        "field": "subject",
        "operator": "contains",
        "value": "x'); DROP TABLE saved_searches; --",
        "enabled": True,
    }
    assert stored["filters"] == {"started_from": "2026-01-01", "status": "open"}
    hits = saved_searches.run(world.store, "sam", "Open refunds")
    assert [h.id for h in hits] == [interaction] == [h.id for h in find(world.store, OPEN_REFUNDS)]


def test_names_are_per_owner_and_never_silently_overwritten(world: World) -> None:
    first = InteractionSearch("refund")
    second = InteractionSearch("invoice", Filters.of(unread=True))
    saved_searches.save(world.store, "sam", "Mine", first)
    saved_searches.save(world.store, "alice", "Mine", second)
    with pytest.raises(UserError, match="sam already has a saved search named 'Mine'"):
        saved_searches.save(world.store, "sam", "  Mine ", second)
    assert saved_searches.load(world.store, "sam", "Mine").search == first
    saved_searches.save(world.store, "sam", "Mine", second, replace=True)
    assert saved_searches.load(world.store, "sam", "Mine").search == second
    assert [s.name for s in saved_searches.list_saved(world.store, "alice")] == ["Mine"]


def test_rename_and_delete_keep_tombstones_and_free_the_name(world: World) -> None:
    search = InteractionSearch("refund")
    saved_searches.save(world.store, "sam", "B", search)
    saved_searches.save(world.store, "sam", "A", search)
    with pytest.raises(UserError, match="already has a saved search named 'B'"):
        saved_searches.rename(world.store, "sam", "A", "B")
    saved_searches.delete(world.store, "sam", "B")
    assert [s.name for s in saved_searches.list_saved(world.store, "sam")] == ["A"]
    with pytest.raises(UserError, match="no saved search named 'B'"):
        saved_searches.load(world.store, "sam", "B")
    renamed = saved_searches.rename(world.store, "sam", "A", "B")  # onto the deleted name
    assert renamed.name == "B"
    saved_searches.save(world.store, "sam", "A", InteractionSearch("again"))  # freed by rename
    assert [s.name for s in saved_searches.list_saved(world.store, "sam")] == ["A", "B"]
    with world.store.read() as session:
        rows = session.execute(select(SavedSearch.deleted_at)).scalars().all()
    assert sum(r is not None for r in rows) == 1, "the deleted search stays as a tombstone"


def test_bad_input_is_refused_and_nothing_is_stored(world: World) -> None:
    good = InteractionSearch("refund")
    with pytest.raises(UserError, match="no agent named nobody"):
        saved_searches.save(world.store, "nobody", "X", good)
    with pytest.raises(UserError, match="name of 1 to 200 characters"):
        saved_searches.save(world.store, "sam", "   ", good)
    with pytest.raises(UserError, match="name of 1 to 200 characters"):
        saved_searches.save(world.store, "sam", "n" * 201, good)
    with pytest.raises(UserError, match="no field 'password'"):
        saved_searches.save(
            world.store,
            "sam",
            "X",
            InteractionSearch(conditions=(Condition("password", "equals", "x"),)),
        )
    with pytest.raises(UserError, match="Match 'all' or 'any'"):
        saved_searches.save(world.store, "sam", "X", InteractionSearch("a", match="some"))
    with pytest.raises(UserError, match="Type a word or number"):
        saved_searches.save(world.store, "sam", "X", InteractionSearch("***"))
    with world.store.read() as session:
        assert session.execute(select(SavedSearch.id)).first() is None


def test_stored_json_is_checked_when_read(world: World) -> None:
    saved_searches.save(world.store, "sam", "Mine", InteractionSearch("refund"))
    with world.store.write() as session:  # e.g. written by a newer version, or damaged
        row = session.execute(select(SavedSearch)).scalar_one()
        row.query = {"text": "refund", "filters": {"status": "pending"}, "conditions": []}
        row.updated_at = dt.datetime.now(dt.UTC)
    with pytest.raises(UserError, match="Status is open or closed"):
        saved_searches.run(world.store, "sam", "Mine")
    with world.store.write() as session:
        row = session.execute(select(SavedSearch)).scalar_one()
        row.query = {"conditions": [{"field": "subject"}]}
    with pytest.raises(UserError, match="needs a field and an operator"):
        saved_searches.load(world.store, "sam", "Mine")


def test_saving_renaming_and_deleting_are_operations_of_their_owner(world: World) -> None:
    """So in team mode they go to the central database and follow the supervisor."""
    saved_searches.save(world.store, "sam", "Refunds", OPEN_REFUNDS)
    saved_searches.rename(world.store, "sam", "Refunds", "Open refunds")
    again = apply(world.store, saved_searches.rename_op("sam", "Refunds", "Other"))
    assert not again.applied and again.reason == "sam has no saved search named 'Refunds'."
    saved_searches.delete(world.store, "sam", "Open refunds")
    with world.store.read() as session:
        ops = session.execute(
            select(OperationRow.kind, OperationRow.status).order_by(OperationRow.created_at)
        ).all()
        kinds = session.execute(
            select(Event.kind).where(Event.kind.like("saved_search.%")).order_by(Event.id)
        ).scalars()
        assert list(kinds) == ["saved_search.save", "saved_search.rename", "saved_search.delete"]
    assert [tuple(o) for o in ops] == [
        ("save_search", "applied"),
        ("rename_search", "applied"),
        ("rename_search", "rejected"),
        ("delete_search", "applied"),
    ]
    assert saved_searches.list_saved(world.store, "sam") == []
