"""Reports: the email log, the ticket list and agent statistics, as JSON and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from app.context import AppContext
from app.services import reports
from storage.models import Interaction, Message
from tests.app.test_cli import relaydesk
from tests.app.workflow import World, add_message, make_world

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def test_reports_follow_the_work(world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    first, second = world.interaction(subject="Refund, please"), world.interaction()
    add_message(world.store, first, "in", now - dt.timedelta(hours=2))
    add_message(world.store, second, "in", now - dt.timedelta(hours=1))
    world.op("claim", "alice", interaction=first)
    assert world.op("assign_ticket", "alice", interaction=first, new=True).applied
    with world.store.write() as session:
        alice = session.get(Interaction, first).claimed_by_id  # type: ignore[union-attr]
        inter = session.get(Interaction, first)
        assert inter is not None
        session.add(
            Message(
                interaction_id=first,
                account_id=inter.account_id,
                direction="out",
                raw_hash="1" * 64,
                subject="Re: Refund, please",
                sent_by_id=alice,
                sent_at=now,
                received_at=now,
                in_reply_to="x@example.org",
                delivery_state="sent",
            )
        )
    assert world.op("dispose", "alice", interaction=first, disposition="Solved").applied
    assert world.op("close", "alice", interaction=first).applied

    plain = reports.email_log(world.store, START, END)
    every = reports.email_log(world.store, START, END, with_tickets=True)
    assert len(plain) == 1 and len(every) == 3
    assert {r["direction"] for r in every} == {"inbound", "outbound"}
    outbound = next(r for r in every if r["direction"] == "outbound")
    assert outbound["sent_by"] == "alice" and outbound["ticket_number"].startswith("ACM-")
    [ticket] = reports.ticket_list(world.store, START, END)
    assert (ticket["sent_count"], ticket["received_count"]) == (0, 1)  # facts at assignment
    stats = {r["agent"]: r for r in reports.agent_statistics(world.store, START, END)}
    alice_row = stats["alice"]
    assert (alice_row["emails_sent"], alice_row["responses"], alice_row["delivered"]) == (1, 1, 1)
    assert (alice_row["handled"], alice_row["dispositions"]) == (1, 1)
    assert alice_row["average_handling_seconds"] is not None
    assert alice_row["opened"] == reports.NOT_TRACKED


def test_csv_is_rfc_4180_and_parses_back() -> None:
    rows = [{"subject": 'He said "hi", then\nleft', "n": 1, "empty": None}]
    text = reports.to_csv(rows, bom=True)
    assert text.startswith("\ufeff") and "\r\n" in text
    back = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert back == [{"subject": 'He said "hi", then\nleft', "n": "1", "empty": ""}]


def test_report_command(data_dir: Path) -> None:
    assert relaydesk(data_dir, "report", "tickets").returncode == 2  # --json or --csv
    done = relaydesk(data_dir, "report", "agents", "--json", "--from", "2026-01-01")
    assert done.returncode == 0 and json.loads(done.stdout) == []
    bad = relaydesk(data_dir, "report", "email-log", "--csv", "--from", "yesterday")
    assert bad.returncode == 1 and "is not a date" in bad.stderr
