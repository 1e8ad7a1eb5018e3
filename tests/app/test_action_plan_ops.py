"""The action plan as a supervisor's operation: checked, recorded, and then obeyed by routing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.services import action_plans, routing
from app.settings import SettingError
from storage.models import EmailAccount, Event, Queue, Template
from tests.app.workflow import World, make_world

MONDAY_10 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 in Rome
MONDAY_20 = dt.datetime(2026, 3, 2, 19, 0, tzinfo=dt.UTC)  # 20:00 in Rome

PLAN = {
    "applications": [
        {
            "action": "queue",
            "queue": "Italian",
            "intervals": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00"}],
        }
    ],
    "fallback": {"action": "queue", "queue": "Default"},
}


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _plan(world: World, account: str = "support") -> object:
    with world.store.read() as session:
        return session.execute(
            select(EmailAccount.action_plan).where(EmailAccount.name == account)
        ).scalar_one()


def _queue_name(world: World, interaction: uuid.UUID) -> str:
    with world.store.read() as session:
        queue_id = world.row(interaction).queue_id
        return session.execute(select(Queue.name).where(Queue.id == queue_id)).scalar_one()


def test_a_supervisor_sets_the_plan_and_new_mail_follows_it(ctx: AppContext, world: World) -> None:
    done = world.op("set_action_plan", "sam", account="support", plan=PLAN)
    assert done.applied, done.reason
    assert done.result["plan"] == PLAN and _plan(world) == PLAN
    with world.store.read() as session:
        kinds = list(session.execute(select(Event.kind)).scalars())
    assert "action_plan.set" in kinds

    morning, evening = world.interaction(), world.interaction()
    routing.on_new_interactions(ctx, [morning], MONDAY_10)
    routing.on_new_interactions(ctx, [evening], MONDAY_20)
    assert _queue_name(world, morning) == "Italian"
    assert _queue_name(world, evening) == "Italian"  # "to" left out: until the end of day

    removed = world.op("set_action_plan", "sam", account="support", plan=None)
    assert removed.applied and _plan(world) is None


def test_an_agent_may_not_change_the_plan(world: World) -> None:
    refused = world.op("set_action_plan", "alice", account="support", plan=PLAN)
    assert not refused.applied
    assert refused.reason == "Only a supervisor may change an account's action plan."
    assert _plan(world) is None


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"action": "tag", "tag": "x", "intervals": [{"from": "18:00", "to": "09:00"}]},
            "Step 1: an interval ends at 09:00 before it starts at 18:00;"
            " choose a later 'to' time.",
        ),
        ({"action": "queue", "queue": "Nope"}, "Step 1: there is no queue 'Nope' in this project."),
    ],
)
def test_a_bad_plan_is_refused_with_a_sentence(world: World, step: dict, message: str) -> None:
    refused = world.op("set_action_plan", "sam", account="support", plan={"applications": [step]})
    assert (refused.applied, refused.reason) == (False, message)
    assert _plan(world) is None
    with pytest.raises(SettingError, match="ends at 09:00"):
        action_plans.set_plan(
            world.store,
            "support",
            {
                "applications": [
                    {"action": "close", "intervals": [{"from": "18:00", "to": "09:00"}]}
                ]
            },
        )


def test_the_end_of_the_day_is_24_00(world: World) -> None:
    step = {"action": "close", "intervals": [{"from": "18:00", "to": "24:00"}]}
    assert world.op(
        "set_action_plan", "sam", account="support", plan={"applications": [step]}
    ).applied
    assert action_plans.in_intervals(step, dt.datetime(2026, 3, 2, 23, 59))
    assert not action_plans.in_intervals(step, dt.datetime(2026, 3, 2, 17, 59))


def test_the_editor_choices_name_the_projects_queues_agents_and_templates(
    world: World,
) -> None:
    with world.store.write() as session:
        session.add(Template(name="Out of hours", subject="Closed", body="Back at 9"))
    action_plans.set_plan(world.store, "support", PLAN)
    choices = action_plans.plan_choices(world.store, "support")
    assert choices.account == "support" and choices.time_zone == "Europe/Rome"
    assert choices.plan == PLAN
    assert choices.queues == ("Default", "Italian")
    assert choices.agents == ("alice", "bob", "carol", "sam")
    assert choices.templates == ("Out of hours",)
