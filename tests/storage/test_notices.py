"""Change notices of quiet commits (storage/notices.py), on a real PostgreSQL.

The hot path's connections (``Store.statements``) commit without announcing; the store's
announcer sends the notices after the commits, gathered. A desk must still hear of every
change, after it has ended, and a broken link must not lose what was named.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import insert, select, text, update

from storage import notices
from storage.engine import Store, sqlite_url
from storage.models import Tag
from storage.notices import Announcer
from storage.sync import NOTIFY_CHANNEL
from tests.servers.postgres import libpq_url


@pytest.fixture
def store(pg_store_url: str) -> Iterator[Store]:
    store = Store(pg_store_url)
    yield store
    store.dispose()


@pytest.fixture
def listener(pg_store_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(libpq_url(pg_store_url), autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield conn


def _hear_until(listener: psycopg.Connection, last: str) -> list[str]:
    """The notices' payloads up to and including the first ``last`` (10 s at most)."""
    heard: list[str] = []
    for notice in listener.notifies(timeout=10):
        heard.append(notice.payload)
        if notice.payload == last:
            break
    return heard


def _counting_connect(url: str, opened: list[psycopg.Connection]) -> Callable[[], object]:
    """An announcer's ``connect`` that keeps each connection it opens in ``opened``."""

    def connect() -> psycopg.Connection:
        opened.append(psycopg.connect(libpq_url(url), autocommit=True))
        return opened[-1]

    return connect


def _tag(store: Store, name: str) -> None:
    with store.write() as session:
        session.add(Tag(name=name))


@pytest.mark.pg
def test_a_quiet_commit_is_heard_only_when_announced(
    store: Store, listener: psycopg.Connection
) -> None:
    _tag(store, "first")
    assert _hear_until(listener, "tags") == ["tags"]
    with store.statements() as conn:
        conn.execute(update(Tag).where(Tag.name == "first").values(name="renamed"))
    _tag(store, "marker")  # an ordinary commit after it, announced by the trigger
    store.announce("tags", "events")
    heard = _hear_until(listener, "events")
    # A trigger's notice for the quiet update would come first, before the marker's.
    assert heard == ["tags", "tags", "events"]
    with store.read() as session:
        assert session.execute(select(Tag.name).order_by(Tag.name)).scalars().all() == [
            "marker",
            "renamed",
        ]


@pytest.mark.pg
def test_the_quiet_pool_says_so_and_the_others_do_not(store: Store) -> None:
    with store.statements() as conn:
        assert conn.scalar(text("SELECT current_setting('relaydesk.announce', true)")) == "quiet"
    with store.queue_statements() as conn:
        assert not conn.scalar(text("SELECT current_setting('relaydesk.announce', true)"))
    with store.read() as session:
        assert not session.scalar(text("SELECT current_setting('relaydesk.announce', true)"))


@pytest.mark.pg
def test_many_announcements_go_in_few_rounds_and_close_sends_the_rest(
    pg_store_url: str, listener: psycopg.Connection
) -> None:
    opened: list[psycopg.Connection] = []
    connect = _counting_connect(pg_store_url, opened)
    announcer = Announcer(connect, NOTIFY_CHANNEL)

    def named(n: int) -> None:
        for _ in range(n):
            announcer.announce(["interactions"])

    threads = [threading.Thread(target=named, args=(250,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    announcer.announce(["last"])
    announcer.close()  # sends "last" before it returns, however recently it was named
    heard = _hear_until(listener, "last")
    assert heard[-1] == "last"
    rounds = heard.count("interactions")
    # 1,000 announcements within a few rounds' time (a round rests SPACING_S).
    assert 1 <= rounds <= announcer.sent_rounds and rounds < 100
    assert len(opened) == 1 and opened[0].closed
    with pytest.raises(RuntimeError, match="closed"):
        announcer.announce(["late"])


@pytest.mark.pg
def test_a_broken_link_keeps_the_notices_for_the_next_connection(
    pg_store_url: str, listener: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "RETRY_S", 0.05)
    opened: list[psycopg.Connection] = []
    connect = _counting_connect(pg_store_url, opened)
    announcer = Announcer(connect, NOTIFY_CHANNEL)
    try:
        announcer.announce(["interactions"])
        assert _hear_until(listener, "interactions") == ["interactions"]
        # The server ends the sender's session (a restart, an administrator, a failover).
        listener.execute("SELECT pg_terminate_backend(%s)", (opened[0].info.backend_pid,))
        announcer.announce(["events"])
        assert _hear_until(listener, "events") == ["events"]
        assert len(opened) == 2
    finally:
        announcer.close()


@pytest.mark.pg
def test_a_disposed_store_sends_its_last_notices_and_announces_again_when_used(
    store: Store, listener: psycopg.Connection
) -> None:
    store.announce("interactions")
    store.dispose()
    assert _hear_until(listener, "interactions") == ["interactions"]
    with store.statements() as conn:
        conn.execute(insert(Tag).values(id=uuid.uuid4(), name="after"))
    store.announce("tags")
    assert _hear_until(listener, "tags") == ["tags"]


def test_a_sqlite_store_announces_nothing(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path / "s.db"))
    store.announce("interactions")  # no listeners on a file: nothing to send, no thread
    assert store._announcer is None
    store.dispose()


class _RecordedWaits(threading.Event):
    """An event whose timed waits return at once, noting how long they would have been."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def test_a_server_that_stays_down_is_tried_less_and_less_often() -> None:
    tries = 0
    enough = threading.Event()

    def connect() -> psycopg.Connection:
        nonlocal tries
        tries += 1
        if tries == 8:
            enough.set()
        raise psycopg.OperationalError("connection refused")

    announcer = Announcer(connect, NOTIFY_CHANNEL)
    stop = announcer._stop = _RecordedWaits()
    announcer.announce(["interactions"])
    assert enough.wait(10)
    announcer.close()
    assert stop.waits[:7] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


@pytest.mark.pg
def test_a_process_that_exits_without_disposing_sends_what_is_pending(
    pg_store_url: str, listener: psycopg.Connection
) -> None:
    # A one-shot command (relaydesk claim next on the centre) ends right after its claim.
    script = (
        "import sys\n"
        "from storage.engine import Store\n"
        "Store(sys.argv[1]).announce('interactions')\n"
        "print('announced', flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, pg_store_url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "announced\n"
    assert _hear_until(listener, "interactions") == ["interactions"]
