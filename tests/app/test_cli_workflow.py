"""Agents, queues, claiming, tickets and closing through the relaydesk command."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.context import open_local
from app.services.agents import get_agent, verify_password
from storage.models import Agent
from tests.app.test_cli import relaydesk
from tests.app.workflow import make_interaction


def _ok(data_dir: Path, *args: str, stdin: str | None = None) -> Any:
    result = relaydesk(data_dir, *args, "--json", stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_agent_workflow_from_the_command_line(data_dir: Path) -> None:
    _ok(
        data_dir,
        "account",
        "add",
        "support",
        "--email",
        "support@acme.test",
        "--username",
        "s",
        "--smtp-host",
        "smtp.test",
    )
    queue = _ok(data_dir, "queue", "add", "Italian", "--language", "IT")
    assert queue == {
        "id": queue["id"],
        "name": "Italian",
        "project": "Default",
        "language": "it",
        "default": False,
    }
    alice = _ok(
        data_dir,
        "agent",
        "add",
        "alice",
        "--account",
        "support",
        "--password-stdin",
        stdin="pw of alice\n",
    )
    assert (alice["role"], alice["accounts"], alice["queues"]) == (
        "agent",
        ["support"],
        ["Default"],
    )
    bob = _ok(
        data_dir, "agent", "add", "bob", "--account", "support", "--queue", "Default", "Italian"
    )
    assert bob["queues"] == ["Default", "Italian"]
    assert _ok(data_dir, "agent", "add", "sam", "--supervisor")["role"] == "supervisor"

    ctx = open_local(data_dir)
    try:
        older = make_interaction(ctx.store, "support", subject="First", age_min=5)
        newer = make_interaction(ctx.store, "support", subject="Second", age_min=1)
        with ctx.store.read() as session:
            stored = session.query(Agent).filter_by(name="alice").one()
        assert verify_password("pw of alice", stored.password_hash)
    finally:
        ctx.close()

    first = _ok(data_dir, "claim", "next", "--agent", "alice")
    assert first == {"id": str(older), "fence": 1}
    assert _ok(data_dir, "claim", "next", "--agent", "alice") == {"id": str(newer), "fence": 1}
    assert _ok(data_dir, "claim", "next", "--agent", "alice") == {}
    text = relaydesk(data_dir, "claim", "next", "--agent", "alice")
    assert (text.returncode, text.stdout) == (0, "nothing to claim\n")

    opened = _ok(data_dir, "tickets", "assign", str(older), "--agent", "alice", "--new")
    number = opened["ticket"]
    assert re.fullmatch(r"DEF-\d{8}-000001", number)
    joined = _ok(data_dir, "tickets", "assign", str(newer), "--agent", "alice", "--ticket", number)
    assert (joined["ticket"], joined["new"]) == (number, False)
    shown = _ok(data_dir, "tickets", "show", number)
    assert (shown["title"], shown["responsible"], len(shown["interactions"])) == (
        "First",
        "alice",
        2,
    )

    taken = relaydesk(data_dir, "interactions", "close", str(older), "--agent", "bob")
    assert (taken.returncode, taken.stderr) == (1, "Already taken by alice.\n")
    unknown = relaydesk(
        data_dir, "interactions", "close", str(older), "--agent", "alice", "--disposition", "Nope"
    )
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "There is no disposition 'Nope' for account support.",
    )
    closed = _ok(data_dir, "interactions", "close", str(older), "--agent", "alice")
    assert closed == {"id": str(older), "status": "closed"}
    ctx = open_local(data_dir)
    try:
        assert get_agent(ctx.store, "alice").state == "in_email"  # still holds the newer one
    finally:
        ctx.close()
    assert relaydesk(data_dir, "interactions", "close", str(newer), "--agent", "alice").stdout == (
        f"closed {newer}\n"
    )


def test_workflow_usage_errors(data_dir: Path) -> None:
    both = relaydesk(data_dir, "tickets", "assign", "x", "--agent", "a", "--new", "--ticket", "T")
    assert both.returncode == 2
    typed = relaydesk(
        data_dir, "tickets", "assign", "x", "--agent", "a", "--ticket", "T", "--type", "Complaint"
    )
    assert (typed.returncode, typed.stderr.strip()) == (
        1,
        "--type applies to a new ticket only (with --new).",
    )
    nobody = relaydesk(data_dir, "claim", "next", "--agent", "nobody")
    assert (nobody.returncode, nobody.stderr.strip()) == (1, "There is no agent named nobody.")
    bad = relaydesk(data_dir, "queue", "add", "Q", "--language", "english!")
    assert (bad.returncode, bad.stderr.strip()) == (
        1,
        "'english!' is not a language code such as en, it or pt-br.",
    )


def test_account_plan_from_a_file_is_validated(tmp_path: Path) -> None:
    data = tmp_path / "d"
    added = relaydesk(
        data,
        "account",
        "add",
        "s",
        "--email",
        "s@acme.test",
        "--username",
        "u",
        "--imap-host",
        "h",
    )
    assert added.returncode == 0, added.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"applications": [{"action": "queue", "queue": "Nope"}]}))
    refused = relaydesk(data, "account", "plan", "s", str(bad))
    assert refused.returncode == 1
    assert refused.stderr.strip() == "Step 1: there is no queue 'Nope' in this project."
    good = {"applications": [], "fallback": {"action": "queue", "queue": "Default"}}
    done = relaydesk(data, "account", "plan", "s", "-", stdin=json.dumps(good))
    assert done.returncode == 0 and done.stdout.strip() == "action plan of s set"
