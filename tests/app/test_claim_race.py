"""Twenty agent processes draining one queue at once: no double claim, nothing lost."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.services.agents import add_agent
from storage.models import Agent, Event, Interaction, Ticket
from tests.app.workflow import make_world, race_worker, racers, same_claim_worker

PROCESSES = 20
INTERACTIONS = 300


@pytest.mark.slow
def test_twenty_processes_claiming_from_one_queue(ctx: AppContext) -> None:
    world = make_world(ctx.store)
    agents = [f"racer{i:02d}" for i in range(PROCESSES)]
    for name in agents:
        add_agent(ctx.store, name, accounts=["support"])
    interactions = {world.interaction(age_min=i % 50) for i in range(INTERACTIONS)}

    mp = racers()
    barrier, results = mp.Barrier(PROCESSES), mp.Queue()
    procs = [
        mp.Process(target=race_worker, args=(ctx.store.url, name, barrier, results))
        for name in agents
    ]
    for proc in procs:
        proc.start()
    reports = dict(results.get(timeout=240) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0

    claims = [
        (agent, iid, fence, number)
        for agent, taken in reports.items()
        for iid, fence, number in taken
    ]
    claimed_ids = Counter(iid for _, iid, _, _ in claims)
    assert max(claimed_ids.values()) == 1, "an interaction was claimed twice"
    assert {str(i) for i in interactions} == set(claimed_ids), "an interaction was lost"
    numbers = [number for *_, number in claims]
    assert len(set(numbers)) == len(numbers) == INTERACTIONS
    assert sum(1 for taken in reports.values() if taken) > 1, "the race had one runner"

    with ctx.store.read() as session:
        holders = dict(
            session.execute(
                select(Interaction.id, Agent.name).join(
                    Agent, Agent.id == Interaction.claimed_by_id
                )
            ).all()
        )
        fences = set(session.execute(select(Interaction.claim_fence)).scalars())
        events = session.execute(
            select(func.count()).select_from(Event).where(Event.kind == "claim")
        ).scalar()
        tickets = session.execute(select(func.count(func.distinct(Ticket.number)))).scalar()
    assert {str(i): name for i, name in holders.items()} == {
        iid: agent for agent, iid, _, _ in claims
    }
    assert fences == {1} and events == INTERACTIONS and tickets == INTERACTIONS


@pytest.mark.slow
def test_twenty_processes_accepting_the_same_interaction(ctx: AppContext) -> None:
    world = make_world(ctx.store)
    agents = [f"racer{i:02d}" for i in range(PROCESSES)]
    for name in agents:
        add_agent(ctx.store, name, accounts=["support"])
    interaction = str(world.interaction())
    mp = racers()
    barrier, results = mp.Barrier(PROCESSES), mp.Queue()
    procs = [
        mp.Process(
            target=same_claim_worker, args=(ctx.store.url, name, interaction, barrier, results)
        )
        for name in agents
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    winners = [agent for agent, status, _ in outcomes if status == "applied"]
    assert len(winners) == 1
    losers = {reason for _, status, reason in outcomes if status == "rejected"}
    assert losers == {f"Already taken by {winners[0]}."}
    row = world.row(uuid.UUID(interaction))
    assert row.claim_fence == 1
