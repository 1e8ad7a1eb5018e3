"""Team mode: one worker at a time fetches a mailbox, and a stalled one cannot write.

Two "workers" share a central PostgreSQL and one Dovecot mailbox. The first takes the
mailbox's lease and stalls (stops renewing); the lease expires, the second takes it with
the next fence and ingests. The first one's writes, fenced by its old hold, then fail
inside their transaction and leave nothing behind.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import worker
from app.context import AppContext
from app.mail import imap
from app.mail.fetcher import MailboxSync, imap_settings, make_pool
from storage import leases
from storage.blobs import SqlBlobStore, open_local_blob_store
from storage.engine import Store
from storage.migrate import ensure_current
from storage.models import Message
from tests.app.mail.conftest import Mailbox, make_account, quick_options, wait_until
from tests.servers.central import CentralCluster
from tests.servers.dovecot import ImapUser

pytestmark = [pytest.mark.imap, pytest.mark.pg]

TTL_S = 1.0


def _mail(n: int) -> bytes:
    return (
        f"From: Anna <anna@example.org>\r\nTo: support@acme.test\r\nSubject: Parcel {n}\r\n"
        f"Message-ID: <lease{n}@example.org>\r\n\r\nWhere is parcel {n}?\r\n"
    ).encode()


def _messages(ctx: AppContext) -> int:
    with ctx.store.read() as session:
        return session.execute(select(func.count()).select_from(Message)).scalar_one()


@pytest.fixture
def team_mailbox(
    pg_store_url: str, data_dir: Path, imap_user: ImapUser, trust_test_certificate: None
) -> Iterator[Mailbox]:
    """The worker's view in team mode: the central database as its store."""
    store = Store(pg_store_url)
    ensure_current(store.engine)
    ctx = AppContext(data_dir, store, open_local_blob_store(data_dir / "blobs.sqlite3"))
    yield Mailbox(ctx, imap_user, make_account(ctx, imap_user))
    ctx.close()


def test_a_stalled_holder_cannot_write_after_its_mailbox_lease_is_taken(
    team_mailbox: Mailbox,
) -> None:
    ctx, user = team_mailbox.ctx, team_mailbox.user
    engine = ctx.store.engine
    name = worker.mailbox_lease(team_mailbox.account_id)
    user.server.append(user.name, _mail(1))

    stalled = leases.LeaseKeeper(engine, name, holder="worker-a", ttl_s=TTL_S)
    first = stalled.step()  # acquired once, then never renewed: a stalled worker
    assert first is not None and first.fence == 1
    rival = leases.LeaseKeeper(engine, name, holder="worker-b", ttl_s=60)
    assert rival.step() is None, "held by worker-a: nobody else fetches"

    target = imap_settings(ctx, team_mailbox.account_id)
    wait_until(lambda: rival.step() is not None, timeout=10)
    second = rival.hold
    assert second is not None and second.fence == 2

    # worker-a wakes up and syncs with its old fence: the write fails, nothing is stored.
    stale = MailboxSync(ctx, target, quick_options(), fence=lambda conn: leases.check(conn, first))
    client = imap.connect(target.settings)
    try:
        with pytest.raises(leases.LeaseLost, match="taken over"):
            stale.sync(client)
    finally:
        imap.logout(client)
    assert _messages(ctx) == 0

    # worker-b, holding the lease now, fetches the same mail once.
    fresh = MailboxSync(ctx, target, quick_options(), fence=lambda conn: leases.check(conn, second))
    client = imap.connect(target.settings)
    try:
        assert fresh.sync(client).new == 1
    finally:
        imap.logout(client)
    assert _messages(ctx) == 1


def test_the_worker_fetches_only_while_it_holds_the_mailbox_lease(
    team_mailbox: Mailbox,
) -> None:
    ctx, user = team_mailbox.ctx, team_mailbox.user
    engine = ctx.store.engine
    name = worker.mailbox_lease(team_mailbox.account_id)
    target = imap_settings(ctx, team_mailbox.account_id)
    other = leases.LeaseKeeper(engine, name, holder="another-worker", ttl_s=60)
    assert other.step() is not None  # another worker holds the mailbox
    user.server.append(user.name, _mail(1))

    # A long lease: this test is about waiting for a holder and taking over on release, not
    # about expiry (a 1 s lease could lapse between renewals on a loaded machine).
    keeper = leases.LeaseKeeper(engine, name, holder="this-worker", ttl_s=30, poll_s=0.1)
    stop = threading.Event()
    threads = [keeper.start(stop)]
    # IDLE renewed every 3 s, the worker's safety net for a notice the server never sends:
    # Dovecot, now and then, did not report an APPEND that raced the start of IDLE (seen in
    # CI: "+ idling", then silence for 20 s). This test is about the lease, not about IDLE.
    options = quick_options(idle_renew=dt.timedelta(seconds=3))
    fetch = threading.Thread(
        target=worker.fetch_while_leased,
        args=(ctx, target, options, keeper, stop),
        daemon=True,
    )
    fetch.start()
    threads.append(fetch)
    try:
        # Not ours: nothing fetched while the other worker's lease lasts.
        assert not keeper.held.wait(1.5)
        assert _messages(ctx) == 0
        # The other worker gives the mailbox up: this one takes it and catches up.
        hold = other.hold
        assert hold is not None
        leases.release(engine, hold)
        wait_until(lambda: _messages(ctx) == 1, timeout=20)
        assert keeper.hold is not None and keeper.hold.fence == 2
        # New mail while holding arrives (by IDLE or the renewal), fenced by the current hold.
        user.server.append(user.name, _mail(2))
        wait_until(lambda: _messages(ctx) == 2, timeout=20)
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT holder, fence FROM leases WHERE name = :n"), {"n": name}
            )
            assert tuple(row.one()) == ("this-worker", 2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not fetch.is_alive()


def test_fetching_goes_on_after_the_central_database_comes_back(
    tmp_path: Path,
    data_dir: Path,
    imap_user: ImapUser,
    trust_test_certificate: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A central database that goes away mid-sync stops nothing for good: the fetcher backs
    off, and once the server is back the mail that came meanwhile is stored, once."""
    cluster = CentralCluster(tmp_path / "pg")
    store = Store(cluster.migrated_database())
    ctx = AppContext(data_dir, store, open_local_blob_store(data_dir / "blobs.sqlite3"))
    stop = threading.Event()
    try:
        account_id = make_account(ctx, imap_user)
        sync = MailboxSync(ctx, imap_settings(ctx, account_id), quick_options())
        fetch = threading.Thread(target=sync.run, args=(stop,), daemon=True)
        imap_user.server.append(imap_user.name, _mail(1))
        fetch.start()
        wait_until(lambda: _messages(ctx) == 1, timeout=30)

        cluster.crash()
        imap_user.server.append(imap_user.name, _mail(2))
        wait_until(lambda: "the store is unreachable" in caplog.text, timeout=30)
        cluster.restart()
        wait_until(lambda: _messages(ctx) == 2, timeout=30)
        assert fetch.is_alive()
    finally:
        stop.set()
        ctx.close()
        cluster.stop()


def test_the_team_workers_parsing_processes_store_blobs_in_the_central_table(
    pg_store_url: str, data_dir: Path, imap_user: ImapUser, trust_test_certificate: None
) -> None:
    """A big catch-up parses in worker processes, which write the bytes themselves: in team
    mode into the central blob table that desks read, not into a file on the worker host."""
    store = Store(pg_store_url)
    ctx = AppContext(data_dir, store, SqlBlobStore(store.engine))
    raws = [_mail(n) for n in range(1, 7)]
    imap_user.server.append_many(imap_user.name, raws)
    try:
        target = imap_settings(ctx, make_account(ctx, imap_user))
        with make_pool() as pool:
            sync = MailboxSync(ctx, target, quick_options(batch_size=3), executor=pool)
            client = imap.connect(target.settings)
            try:
                assert sync.sync(client).new == 6
            finally:
                imap.logout(client)
        with ctx.store.read() as session:
            hashes = session.execute(select(Message.raw_hash)).scalars().all()
        assert sorted(ctx.blobs.get(h) for h in hashes) == sorted(raws)
        assert not list(Path.cwd().glob("relaydesk_s_*")), "no blob file beside the worker"
    finally:
        ctx.close()
