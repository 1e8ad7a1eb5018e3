"""The advanced search builder: all/any, disabled conditions, hostile input as plain text."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.context import AppContext
from app.errors import UserError
from app.services.search import Condition, compile_search, search
from storage.models import Interaction
from tests.app.workflow import World, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _subjects(world: World, conditions: list[Condition], match: str = "all") -> list[str]:
    return sorted(h.subject for h in search(world.store, conditions, match))


def test_all_any_and_disabled_conditions(world: World) -> None:
    world.interaction(subject="Refund for order 100%")
    world.interaction(subject="Order_42 missing")
    world.interaction(account="sales", subject="Quote request")
    refund = Condition("subject", "contains", "refund")
    sales = Condition("account", "equals", "sales")
    assert _subjects(world, [refund, sales], "any") == ["Quote request", "Refund for order 100%"]
    assert _subjects(world, [refund, sales], "all") == []
    assert _subjects(world, [refund, sales.disabled()], "all") == ["Refund for order 100%"]
    assert len(_subjects(world, [refund.disabled(), sales.disabled()])) == 3
    assert _subjects(world, [Condition("subject", "starts_with", "order_")]) == ["Order_42 missing"]
    assert _subjects(world, [Condition("subject", "ends_with", "100%")]) == [
        "Refund for order 100%"
    ]
    # wildcards typed by a person match literally
    assert _subjects(world, [Condition("subject", "contains", "%")]) == ["Refund for order 100%"]
    assert _subjects(world, [Condition("subject", "contains", "_")]) == ["Order_42 missing"]


def test_numbers_dates_and_empty(world: World) -> None:
    first = world.interaction(subject="A")
    world.interaction(subject="B")
    with world.store.write() as session:
        session.execute(update(Interaction).where(Interaction.id == first).values(message_count=5))
    assert _subjects(world, [Condition("messages", "greater_than", "3")]) == ["A"]
    assert _subjects(world, [Condition("messages", "between", ("0", "1"))]) == ["B"]
    assert len(_subjects(world, [Condition("started", "greater_than", "2000-01-01")])) == 2
    assert len(_subjects(world, [Condition("ticket", "is_empty")])) == 2
    with pytest.raises(UserError, match="needs a whole number"):
        compile_search([Condition("messages", "greater_than", "many")])
    with pytest.raises(UserError, match="no field 'password'"):
        compile_search([Condition("password", "equals", "x")])


def test_hostile_values_are_only_ever_values(world: World) -> None:
    world.interaction(subject="x'); DROP TABLE interactions; --")
    hostile = Condition("subject", "equals", "x'); DROP TABLE interactions; --")
    assert _subjects(world, [hostile]) == ["x'); DROP TABLE interactions; --"]
    compiled = str(compile_search([hostile]).compile())
    assert "DROP" not in compiled  # the text is a bound parameter, not SQL
    with world.store.read() as session:
        assert session.execute(select(Interaction.id)).first() is not None
