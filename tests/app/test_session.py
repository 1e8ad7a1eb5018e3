"""Signing in, the first supervisor, and the admin-mode role check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app import policy
from app.context import AppContext
from app.errors import AuthError, UserError
from app.services.agents import add_agent
from app.services.session import (
    create_first_supervisor,
    may_enter_admin_mode,
    needs_first_supervisor,
    sign_in,
)
from storage.models import Agent, Event


def test_first_start_creates_the_supervisor_then_people_sign_in(ctx: AppContext) -> None:
    assert needs_first_supervisor(ctx.store)
    with pytest.raises(UserError, match="at least 8"):
        create_first_supervisor(ctx.store, "sam", "short")
    sam = create_first_supervisor(ctx.store, "sam", "correct horse")
    assert sam.supervisor and not needs_first_supervisor(ctx.store)
    with pytest.raises(UserError, match="already a supervisor"):
        create_first_supervisor(ctx.store, "eve", "another password")
    add_agent(ctx.store, "alice", password="alice's secret")
    alice = sign_in(ctx.store, "alice", "alice's secret")
    assert not alice.supervisor
    for name, password in (("alice", "wrong"), ("nobody", "x")):
        with pytest.raises(AuthError, match=r"^The name or the password is not right\.$"):
            sign_in(ctx.store, name, password)
    with ctx.store.read() as session:
        stored = session.execute(select(Agent.password_hash).where(Agent.name == "alice")).scalar()
        kinds = session.execute(select(Event.kind)).scalars().all()
    assert stored and "alice's secret" not in stored and stored.startswith("scrypt")
    assert kinds.count("signin.failed") == 2


def test_only_supervisors_enter_admin_mode(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = create_first_supervisor(ctx.store, "sam", "correct horse")
    alice = add_agent(ctx.store, "alice", password="alice's secret")
    may_enter_admin_mode(ctx.store, sam.agent_id)
    with pytest.raises(AuthError, match="Only supervisors"):
        may_enter_admin_mode(ctx.store, alice.id)
    path = tmp_path / "policy.toml"
    path.write_text("allow_local_admin = false\n")
    monkeypatch.setenv(policy.POLICY_ENV, str(path))
    policy.reload()
    try:
        with pytest.raises(AuthError, match="IT policy"):
            may_enter_admin_mode(ctx.store, sam.agent_id)
    finally:
        monkeypatch.delenv(policy.POLICY_ENV)
        policy.reload()
