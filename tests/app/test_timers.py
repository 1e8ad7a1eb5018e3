"""Timers: transfers nobody accepts return to the sender, unread, after the timeout."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.services.timers import run_due
from storage.models import Agent, Event, Timer
from tests.app.workflow import World, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _id(world: World, name: str) -> object:
    with world.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


def _due(world: World) -> dt.datetime:
    with world.store.read() as session:
        return session.execute(select(Timer.due_at)).scalar_one()


def test_an_unread_transfer_to_an_agent_returns_to_the_sender(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("mark_unread", "alice", interaction=interaction, unread=False)
    assert world.op("transfer", "alice", interaction=interaction, to_agent="bob").applied
    due = _due(world)
    assert run_due(world.store, now=due - dt.timedelta(seconds=1)) == 0
    assert world.row(interaction).claimed_by_id == _id(world, "bob")
    assert run_due(world.store, now=due) == 1
    row = world.row(interaction)
    assert row.claimed_by_id == _id(world, "alice") and row.unread and row.claim_fence == 3
    with world.store.read() as session:
        kinds = session.execute(select(Event.kind)).scalars().all()
    assert "transfer.returned" in kinds
    assert run_due(world.store, now=due + dt.timedelta(hours=1)) == 0  # fired once


def test_an_accepted_transfer_stays(world: World) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("transfer", "alice", interaction=interaction, to_agent="bob")
    world.op("mark_unread", "bob", interaction=interaction, unread=False)  # bob read it
    assert run_due(world.store, now=_due(world)) == 1
    assert world.row(interaction).claimed_by_id == _id(world, "bob")


def test_a_queue_transfer_nobody_claims_returns_and_a_claimed_one_stays(world: World) -> None:
    first, second = world.interaction(), world.interaction()
    for interaction in (first, second):
        world.op("claim", "alice", interaction=interaction)
        assert world.op("transfer", "alice", interaction=interaction, to_queue="Default").applied
    assert world.op("claim", "bob", interaction=second).applied
    with world.store.read() as session:
        latest = max(session.execute(select(Timer.due_at)).scalars())
    assert run_due(world.store, now=latest) == 2
    assert world.row(first).claimed_by_id == _id(world, "alice")
    assert world.row(second).claimed_by_id == _id(world, "bob")


def test_timers_survive_a_restart(world: World, ctx: AppContext) -> None:
    interaction = world.interaction()
    world.op("claim", "alice", interaction=interaction)
    world.op("transfer", "alice", interaction=interaction, to_agent="bob")
    due = _due(world)
    ctx.store.dispose()  # the worker goes away; the timer is a row, not a thread
    assert run_due(world.store, now=due) == 1
    assert world.row(interaction).claimed_by_id == _id(world, "alice")
