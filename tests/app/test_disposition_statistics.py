"""Per-disposition statistics on SQLite and PostgreSQL: interactions disposed in the period,
their agents' mail and its delivery outcomes, and disposition emails counted apart."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from sqlalchemy import select

from app.context import AppContext
from app.services import reports
from app.services.operations import Operation, apply
from storage.models import Agent, Disposition, Template
from tests.app.test_cli import relaydesk
from tests.app.workflow import World, add_message, make_world

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _agent_id(world: World, name: str) -> object:
    with world.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


def disposed_work(ctx: AppContext) -> World:
    """Three interactions disposed three ways, with outbound mail of every outcome."""
    world = make_world(ctx.store)
    with world.store.write() as session:
        survey = Template(name="Survey", subject="How did we do?", body="Tell us.")
        session.add(survey)
        session.flush()
        solved = session.execute(
            select(Disposition).where(Disposition.name == "Solved")
        ).scalar_one()
        solved.template_id = survey.id
        session.add(Disposition(name="Refund"))  # global; sales has its own "Refund"
        session.add(Disposition(name="Unused"))
    alice, carol = _agent_id(world, "alice"), _agent_id(world, "carol")
    now = dt.datetime.now(dt.UTC)

    def sent(interaction: object, minutes: int, state: str | None, **extra: object) -> None:
        at = now - dt.timedelta(minutes=minutes)
        add_message(world.store, interaction, "out", at, delivery_state=state, **extra)

    def op(kind: str, actor: str, **payload: object) -> None:
        outcome = apply(world.store, Operation(kind, actor, dict(payload)), blobs=ctx.blobs)
        assert outcome.applied, outcome.reason

    first = world.interaction(subject="Refund, please")
    add_message(world.store, first, "in", now - dt.timedelta(hours=2))
    op("claim", "alice", interaction=first)
    sent(first, 50, "sent", sent_by_id=alice, in_reply_to="a@example.org")
    sent(first, 40, "bounced", sent_by_id=alice)
    sent(first, 30, "queued", sent_by_id=alice)  # not sent yet: not counted
    sent(first, 20, "sent", sent_by_id=alice, auto_submitted=True)  # not the agent's own
    op("dispose", "alice", interaction=first, disposition="Solved")  # + the survey email
    op("dispose", "alice", interaction=first, disposition="Solved")  # no change, no count
    op("close", "alice", interaction=first)

    second = world.interaction()
    op("claim", "alice", interaction=second)
    sent(second, 45, "spam", sent_by_id=alice, in_reply_to="b@example.org")
    op("dispose", "alice", interaction=second, disposition="Refund")  # support: the global one
    op("close", "alice", interaction=second)

    third = world.interaction("sales", queue="Italian")
    op("claim", "carol", interaction=third)
    sent(third, 35, "failed", sent_by_id=carol)
    op("close", "carol", interaction=third, disposition="Refund")  # sales: its own one

    world.interaction()  # never disposed
    return world


def test_each_disposition_counts_its_interactions_and_their_mail(ctx: AppContext) -> None:
    world = disposed_work(ctx)
    rows = reports.disposition_statistics(world.store, START, END)
    by_key = {(r["disposition"], r["account"]): r for r in rows}
    assert [(r["disposition"], r["account"]) for r in rows] == [
        ("Refund", reports.ALL_ACCOUNTS),
        ("Refund", "sales"),
        ("Solved", reports.ALL_ACCOUNTS),
        ("Unused", reports.ALL_ACCOUNTS),
    ]
    mail = ("emails_sent", "responses", "delivered", "bounced", "dropped", "marked_as_spam")

    def numbers(key: tuple[str, str]) -> tuple[object, ...]:
        row = by_key[key]
        return (row["interactions"], *(row[c] for c in mail), row["disposition_emails"])

    assert numbers(("Solved", "all accounts")) == (1, 2, 1, 1, 1, 0, 0, 1)
    assert numbers(("Refund", "all accounts")) == (1, 1, 1, 0, 0, 0, 1, 0)
    assert numbers(("Refund", "sales")) == (1, 1, 0, 0, 0, 1, 0, 0)
    assert numbers(("Unused", "all accounts")) == (0, 0, 0, 0, 0, 0, 0, 0)
    assert by_key[("Solved", "all accounts")]["opened"] == reports.NOT_TRACKED
    assert by_key[("Solved", "all accounts")]["unsubscribed"] == reports.NOT_TRACKED

    # Disposed today: a period that ended yesterday sees the dispositions but no work.
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    before = reports.disposition_statistics(world.store, START, yesterday)
    assert len(before) == 4
    assert all(
        r["interactions"] == r["emails_sent"] == r["disposition_emails"] == 0 for r in before
    )


def test_report_dispositions_command(sqlite_ctx: AppContext, data_dir: Path) -> None:
    disposed_work(sqlite_ctx)
    done = relaydesk(data_dir, "report", "dispositions", "--json", "--from", "2026-01-01")
    assert done.returncode == 0, done.stderr
    rows = {(r["disposition"], r["account"]): r for r in json.loads(done.stdout)}
    assert rows[("Solved", "all accounts")]["interactions"] == 1
    assert rows[("Solved", "all accounts")]["disposition_emails"] == 1
    assert rows[("Refund", "sales")]["dropped"] == 1
    as_csv = relaydesk(data_dir, "report", "dispositions", "--csv")
    assert as_csv.returncode == 0, as_csv.stderr
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["disposition"] for r in parsed] == ["Refund", "Refund", "Solved", "Unused"]
    assert parsed[1]["account"] == "sales" and parsed[1]["interactions"] == "1"
    empty = relaydesk(
        data_dir, "report", "dispositions", "--json", "--from", "2026-01-01", "--to", "2026-01-31"
    )
    assert empty.returncode == 0
    assert all(r["interactions"] == 0 for r in json.loads(empty.stdout))
