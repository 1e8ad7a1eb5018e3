"""Action plans and the waits for the assigned agent and queue, with a controlled clock."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.services import action_plans, routing
from app.services.timers import run_due
from app.settings import SettingError
from storage.models import Agent, InteractionTag, Queue, Tag, Timer
from tests.app.workflow import World, make_world

# Monday 10:00 and Saturday 10:00 in Rome (the world's project time zone), as UTC.
MONDAY_10 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SATURDAY_10 = dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.UTC)

PLAN = {
    "applications": [
        {"action": "tag", "tag": "weekend", "intervals": [{"days": ["sat", "sun"]}]},
        {
            "action": "queue",
            "queue": "Italian",
            "intervals": [
                {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}
            ],
        },
    ],
    "fallback": {"action": "queue", "queue": "Default"},
}


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _queue_name(world: World, interaction: uuid.UUID) -> str:
    with world.store.read() as session:
        queue_id = world.row(interaction).queue_id
        return session.execute(select(Queue.name).where(Queue.id == queue_id)).scalar_one()


def _tags(world: World, interaction: uuid.UUID) -> list[str]:
    with world.store.read() as session:
        return list(
            session.execute(
                select(Tag.name)
                .join(InteractionTag, InteractionTag.tag_id == Tag.id)
                .where(InteractionTag.interaction_id == interaction)
            ).scalars()
        )


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"applications": [{"action": "queue", "queue": "Nope"}]}, "Step 1: there is no queue"),
        ({"applications": [{"action": "fly"}]}, "Step 1 must have an action"),
        (
            {"applications": [{"action": "tag", "tag": "x", "intervals": [{"from": "9am"}]}]},
            "'from' must be a time such as 09:00",
        ),
        ({"applications": [], "fallback": {"action": "tag", "tag": "x"}}, "The fallback must"),
    ],
)
def test_bad_plans_are_refused_with_the_step(world: World, plan: dict, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        action_plans.set_plan(world.store, "support", plan)


def test_the_plan_routes_by_working_hours_and_tags(ctx: AppContext, world: World) -> None:
    action_plans.set_plan(world.store, "support", PLAN)
    weekday, weekend = world.interaction(), world.interaction()
    routing.on_new_interactions(ctx, [weekday], MONDAY_10)
    routing.on_new_interactions(ctx, [weekend], SATURDAY_10)
    assert (_queue_name(world, weekday), _tags(world, weekday)) == ("Italian", [])
    assert (_queue_name(world, weekend), _tags(world, weekend)) == ("Default", ["weekend"])


def test_mail_for_an_away_agent_waits_for_them_then_the_queue_then_the_plan(
    world: World,
) -> None:
    action_plans.set_plan(
        world.store,
        "support",
        {"applications": [], "fallback": {"action": "queue", "queue": "Italian"}},
    )
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("set_state", "alice", state="paused", reason="Lunch")
    assert routing.on_new_messages(world.store, [interaction], MONDAY_10) == 1
    # wait_for_agent and wait_for_queue are 10 s by default
    assert run_due(world.store, MONDAY_10 + dt.timedelta(seconds=9)) == 0
    assert run_due(world.store, MONDAY_10 + dt.timedelta(seconds=10)) == 1
    row = world.row(interaction)
    with world.store.read() as session:
        alice = session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()
    assert row.claimed_by_id is None and row.preferred_agent_id == alice
    assert _queue_name(world, interaction) == "Default"
    assert run_due(world.store, MONDAY_10 + dt.timedelta(seconds=20)) == 1
    assert _queue_name(world, interaction) == "Italian"  # the plan decided


def test_an_agent_who_is_there_or_comes_back_keeps_it(world: World) -> None:
    present, back = world.interaction(), world.interaction()
    for interaction in (present, back):
        world.op("claim", "alice", interaction=interaction)
    assert routing.on_new_messages(world.store, [present], MONDAY_10) == 0  # in_email
    world.op("set_state", "alice", state="paused", reason="Lunch")
    assert routing.on_new_messages(world.store, [back], MONDAY_10) == 1
    world.op("mark_unread", "alice", interaction=back, unread=False)  # she read it
    run_due(world.store, MONDAY_10 + dt.timedelta(minutes=5))
    with world.store.read() as session:
        alice = session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()
        assert session.execute(select(Timer.fired_at)).scalar() is not None
    assert world.row(back).claimed_by_id == alice
