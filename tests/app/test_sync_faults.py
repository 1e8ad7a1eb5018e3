"""The sync loop and the `relaydesk sync` process when the central database goes away."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.context import AppContext, open_local
from app.errors import ServerError
from app.services.sync import CHASE_S, CentralConfig, CentralSync, SyncLoop
from app.settings import set_value
from storage.engine import Store
from storage.models import Tag
from storage.sync import PullResult
from tests.servers.central import CentralCluster

pytestmark = [pytest.mark.pg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def local(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


def _add_tag(url: str, name: str) -> None:
    store = Store(url)
    try:
        with store.write() as session:
            session.add(Tag(name=name))
        with store.connect() as conn:  # the cluster runs with synchronous_commit=off
            conn.execute(text("CHECKPOINT"))
    finally:
        store.dispose()


def test_the_loop_reports_an_outage_and_catches_up_after_it(
    cluster: CentralCluster, local: AppContext
) -> None:
    url = cluster.migrated_database()
    _add_tag(url, "before")
    sync = CentralSync(local.store, CentralConfig(url, "test"))
    results: queue.Queue[PullResult] = queue.Queue()
    errors: queue.Queue[Exception] = queue.Queue()
    loop = SyncLoop(sync, interval=1, on_pulled=results.put, on_error=errors.put)
    loop.start()
    try:
        assert results.get(timeout=20).rows == 1
        assert loop.listening.wait(10)
        cluster.crash()
        error = errors.get(timeout=20)
        assert isinstance(error, ServerError) and "cannot be reached" in str(error)
        cluster.restart()
        _add_tag(url, "after")
        while True:  # pulls that found nothing may come first; the row must come
            if results.get(timeout=30).rows:
                break
        assert loop.listening.wait(10), "listening again"
        with local.store.read() as session:
            assert set(session.execute(select(Tag.name)).scalars()) == {"before", "after"}
    finally:
        loop.stop()
        loop.join(timeout=15)
        sync.close()
    assert not loop.is_alive()


def test_relaydesk_sync_pulls_on_notice_until_interrupted(
    cluster: CentralCluster, tmp_path: Path
) -> None:
    url = cluster.migrated_database()
    data = tmp_path / "desk"
    ctx = open_local(data)
    try:
        with ctx.store.write() as session:  # an hour between periodic pulls: notices only
            set_value(session, "global", "sync_interval_seconds", 3600)
    finally:
        ctx.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data), "sync", "--central", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "RELAYDESK_POLICY": str(tmp_path / "no-policy.toml")},
    )
    try:
        _add_tag(url, "first")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "pulled 1 rows"
        _add_tag(url, "second")
        assert proc.stdout.readline().strip() == "pulled 1 rows"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    ctx = open_local(data)
    try:
        with ctx.store.read() as session:
            assert set(session.execute(select(Tag.name)).scalars()) == {"first", "second"}
    finally:
        ctx.close()


def test_a_pull_held_back_by_an_open_transaction_catches_up_without_another_notice(
    cluster: CentralCluster, local: AppContext
) -> None:
    url = cluster.migrated_database()
    sync = CentralSync(local.store, CentralConfig(url, "test"))
    results: queue.Queue[PullResult] = queue.Queue()
    loop = SyncLoop(sync, interval=3600, on_pulled=results.put)  # notices only
    loop.start()
    central = Store(url)
    try:
        results.get(timeout=20)
        assert loop.listening.wait(10)
        with central.engine.connect() as blocker:
            blocker.execute(text("SELECT pg_current_xact_id()"))  # open, with an id
            _add_tag(url, "held back")  # commits, and its notice wakes the loop
            first = results.get(timeout=10)
            assert first.rows == 0, "the open older transaction holds the pull back"
            blocker.commit()  # ends without writing a synced row: no notice
        while True:  # pulls that found nothing may come first; the row must come
            if results.get(timeout=10).rows:
                break
        with local.store.read() as session:
            assert set(session.execute(select(Tag.name)).scalars()) == {"held back"}
    finally:
        loop.stop()
        loop.join(timeout=15)
        sync.close()
        central.dispose()


def test_a_tick_that_pulled_nothing_does_not_end_a_chase(local: AppContext) -> None:
    # A team link's tick that only pushed pulls nothing. While a held-back change is being
    # chased, its wait must stay short: the change's own notice may never come (migration
    # 0017 lets commits that end together share another's notice).
    sync = CentralSync(local.store, CentralConfig("postgresql+psycopg://127.0.0.1:9/none", "t"))
    loop = SyncLoop(sync, interval=3600)
    assert loop.chase_wait(None, 3600) == 3600  # nothing to chase
    assert loop.chase_wait(PullResult(0, 0, cursor=10, full=False, horizon=12), 3600) == CHASE_S
    assert loop.chase_wait(None, 3600) == CHASE_S
    assert loop.chase_wait(PullResult(2, 1, cursor=12, full=False, horizon=12), 3600) == 3600
    assert loop.chase_wait(None, 3600) == 3600
