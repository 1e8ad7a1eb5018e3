"""The monitoring snapshot and its version, through real operations on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from app.context import AppContext
from app.services.monitoring import monitoring_version, snapshot
from storage.models import EmailAccount, FolderState, utcnow
from tests.app.workflow import World, make_world


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _queue(world: World, name: str):  # type: ignore[no-untyped-def]
    (line,) = [q for q in snapshot(world.store).queues if q.name == name]
    return line


def _agent(world: World, name: str):  # type: ignore[no-untyped-def]
    (line,) = [a for a in snapshot(world.store).agents if a.name == name]
    return line


def _arrived_today(*ages_min: int) -> int:
    """How many interactions of these ages arrived since midnight UTC: what "offered" counts.
    Before five in the morning an older one arrived yesterday (these tests failed at night)."""
    now = utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return sum(now - dt.timedelta(minutes=age) >= midnight for age in ages_min)


def test_claim_and_close_move_agents_and_queues(world: World) -> None:
    old = world.interaction(subject="Old parcel", age_min=5 * 60)
    world.interaction(subject="New parcel", age_min=1)
    before = _queue(world, "Default")
    offered = _arrived_today(5 * 60, 1)  # 2, but 1 in the first five hours of a UTC day
    assert (before.waiting, before.offered, before.handled, before.sla_at_risk) == (
        2,
        offered,
        0,
        1,
    )
    assert before.oldest_waiting_at is not None
    assert _agent(world, "alice").state == "logged_out"

    version = monitoring_version(world.store)
    claimed = world.op("claim", "alice", interaction=str(old))
    assert claimed.applied, claimed.reason
    assert monitoring_version(world.store) > version

    alice = _agent(world, "alice")
    assert (alice.state, alice.holding, alice.current_subject) == ("in_email", 1, "Old parcel")
    after = _queue(world, "Default")
    assert (after.waiting, after.sla_at_risk) == (1, 0)
    assert snapshot(world.store).in_email == 1

    closed = world.op("close", "alice", interaction=str(old), fence=claimed.result["fence"])
    assert closed.applied, closed.reason
    alice = _agent(world, "alice")
    assert (alice.state, alice.holding, alice.handled_today, alice.current_subject) == (
        "available",
        0,
        1,
        "",
    )
    assert _queue(world, "Default").handled == 1
    assert 0 < alice.in_email_today_s < 600  # claimed a moment ago, closed since
    assert _agent(world, "bob").in_email_today_s == 0
    assert _queue(world, "Italian").waiting == 0


def test_accounts_show_open_work_and_fetch_health(world: World) -> None:
    world.interaction("support")
    with world.store.write() as session:
        support = session.get(EmailAccount, world.support)
        assert support is not None
        support.imap_host = "imap.acme.test"  # an inbound account: its fetches are judged
        session.add(
            FolderState(
                account_id=world.support,
                folder="INBOX",
                last_error="IMAP server imap.acme.test refused the password",
            )
        )
    accounts = {a.name: a for a in snapshot(world.store).accounts}
    assert (accounts["support"].open, accounts["support"].waiting) == (1, 1)
    assert (accounts["sales"].open, accounts["sales"].waiting) == (0, 0)
    assert accounts["support"].error == "IMAP server imap.acme.test refused the password"
    assert accounts["sales"].error == "" and accounts["sales"].last_fetch_at is None
    assert accounts["support"].active


def test_the_realtime_view_of_one_account_counts_only_its_work(world: World) -> None:
    world.interaction("support", subject="Support parcel", age_min=30)
    world.interaction("sales", subject="Sales order", age_min=20)
    world.interaction("sales", queue="Italian", subject="Ordine", age_min=10)
    claimed = world.op("claim", "carol")  # carol works on sales / Italian only
    assert claimed.applied and claimed.result, claimed.reason

    sales = snapshot(world.store, account=world.sales)
    assert [a.name for a in sales.accounts] == ["sales"]
    assert (sales.accounts[0].open, sales.accounts[0].waiting) == (2, 1)
    assert [a.name for a in sales.agents] == ["carol"]  # alice and bob work on support
    assert {q.name: q.waiting for q in sales.queues} == {"Default": 1, "Italian": 0}
    offered = {"Default": _arrived_today(20), "Italian": _arrived_today(10)}  # 1 each by day
    assert {q.name: q.offered for q in sales.queues} == offered

    support = snapshot(world.store, account=world.support)
    assert [a.name for a in support.agents] == ["alice", "bob"]
    assert {q.name: q.waiting for q in support.queues} == {"Default": 1, "Italian": 0}
    everything = snapshot(world.store)
    assert sum(q.waiting for q in everything.queues) == 2
    assert len(everything.accounts) == 2
