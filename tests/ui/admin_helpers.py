"""Shared set-up for the admin page tests: a real store, a task runner and a supervisor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from app import policy
from app.context import AppContext
from storage.models import Agent
from ui.admin.settings_pages import AdminContext
from ui.tasks import TaskRunner


def agent_id(ctx: AppContext, name: str) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Agent.id).where(Agent.name == name)).scalar_one()


@contextmanager
def admin_context(ctx: AppContext, actor: str) -> Iterator[AdminContext]:
    tasks = TaskRunner()
    try:
        yield AdminContext(ctx, tasks, agent_id(ctx, actor))
    finally:
        tasks.shutdown()


@contextmanager
def it_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Iterator[None]:
    """An IT policy file in force for the duration (app/policy.py caches the file)."""
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(policy.POLICY_ENV, str(path))
    policy.current.cache_clear()
    try:
        assert not policy.current().problem, policy.current().problem
        yield
    finally:
        monkeypatch.delenv(policy.POLICY_ENV)
        policy.current.cache_clear()
