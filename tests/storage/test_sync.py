"""Pull from a real central PostgreSQL into a real local SQLite file."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import select, text, update

from storage import opqueue
from storage.blobs import SqlBlobStore, open_local_blob_store
from storage.engine import CURRENT_XID, Store, StoreError, sqlite_url
from storage.migrate import (
    downgrade,
    ensure_current,
    head_revision,
    revision_module,
    upgrade,
)
from storage.models import EmailAccount, Interaction, Message, Project, Setting, Tag, utcnow
from storage.sync import (
    ANNOUNCER_LOCK,
    NOTICE_GATE,
    NOTIFY_CHANNEL,
    OPERATIONS_CHANNEL,
    CentralBlobs,
    PullCancelled,
    Puller,
    PullResult,
    PullState,
    SchemaMismatch,
    bump_epoch,
    check_central_schema,
)
from tests.servers.central import CentralCluster
from tests.servers.postgres import libpq_url
from tests.storage.sqlite_trace import traced_statements

pytestmark = pytest.mark.pg


@pytest.fixture
def pg_url(shared_cluster: CentralCluster) -> str:
    """An empty database."""
    return shared_cluster.empty_database()


@pytest.fixture
def central(shared_cluster: CentralCluster) -> Iterator[Store]:
    store = Store(shared_cluster.migrated_database())
    yield store
    store.dispose()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Store]:
    store = Store(sqlite_url(tmp_path / "local.sqlite3"))
    ensure_current(store.engine)
    yield store
    store.dispose()


def _tags(store: Store) -> dict[str, Tag]:
    with store.read() as session:
        return {t.name: t for t in session.execute(select(Tag)).scalars()}


def test_rows_committed_out_of_order_are_not_skipped(central: Store, local: Store) -> None:
    slow = central._sessions()  # a transaction that takes its change marker first...
    slow.begin()
    slow.add(Tag(name="slow"))
    slow.flush()
    with central.write() as fast:  # ...and one that commits before it
        fast.add(Tag(name="fast"))
    with central.read() as session:
        seqs = dict(session.execute(select(Tag.name, Tag.change_seq)).all())
    assert seqs == {"fast": seqs["fast"]}, "the slow row is not visible yet"

    # A naive change_seq cursor takes "fast" now and moves past the slow row's marker.
    naive_cursor = seqs["fast"]
    puller = Puller(local.engine, central.engine)
    first = puller.pull()
    assert "fast" not in _tags(local), "held back until the older transaction ends"
    assert first.rows == 0

    slow.commit()
    slow.close()
    with central.read() as session:
        naive = session.execute(select(Tag.name).where(Tag.change_seq > naive_cursor)).all()
        slow_seq = session.execute(select(Tag.change_seq).where(Tag.name == "slow")).scalar()
    assert naive == [] and slow_seq is not None and slow_seq < naive_cursor, (
        "the scenario really defeats a change_seq cursor"
    )
    second = puller.pull()
    assert set(_tags(local)) == {"slow", "fast"}
    assert second.rows == 2
    assert puller.pull().rows == 0, "nothing is pulled twice"


def test_batches_updates_and_tombstones(central: Store, local: Store) -> None:
    with central.write() as session:
        session.add_all(Tag(name=f"t{i:02}") for i in range(25))
    puller = Puller(local.engine, central.engine, batch_size=10)
    result = puller.pull()
    assert (result.rows, result.batches, result.full) == (25, 3, True)
    assert len(_tags(local)) == 25

    gone_at = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    with central.write() as session:
        session.execute(update(Tag).where(Tag.name == "t03").values(name="renamed"))
        session.execute(update(Tag).where(Tag.name == "t07").values(deleted_at=gone_at))
    result = puller.pull()
    assert (result.rows, result.full) == (2, False)
    # An incremental round reads only the tables that changed (one probe finds them).
    assert puller.last_round_tables == ["tags"]
    tags = _tags(local)
    assert "t03" not in tags and "renamed" in tags
    assert tags["t07"].deleted_at == gone_at, "the tombstone travels with the row"
    assert len(tags) == 25


def test_a_child_whose_parent_changed_later_waits_for_it_without_failing(
    central: Store, local: Store
) -> None:
    with central.write() as session:
        project = Project(name="Acme", key="ACM")
        session.add(project)
        session.flush()
        session.add(
            EmailAccount(project_id=project.id, name="support", key="SUP", email="s@acme.test")
        )
    holder = central.engine.connect()  # an open transaction with an id holds the bound back
    holder.execute(text("SELECT pg_current_xact_id()"))
    with central.write() as session:
        session.execute(update(Project).values(time_zone="Europe/Rome"))
    puller = Puller(local.engine, central.engine)
    puller.pull()
    with local.read() as session:
        assert session.execute(select(EmailAccount.name)).scalars().all() == ["support"]
        assert session.execute(select(Project)).first() is None, "its newer version comes next"
    holder.rollback()
    holder.close()
    puller.pull()
    with local.read() as session:
        assert session.execute(select(Project.time_zone)).scalar_one() == "Europe/Rome"
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1, "restored"


def test_progress_and_cancel_then_resume(central: Store, local: Store) -> None:
    with central.write() as session:
        session.add_all(Tag(name=f"t{i:02}") for i in range(30))
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        stop.set()

    puller = Puller(local.engine, central.engine, batch_size=10)
    with pytest.raises(PullCancelled):
        puller.pull(progress, stop.is_set)
    assert seen == [(10, 30)]
    assert len(_tags(local)) == 10, "the committed page is kept"
    state = puller.state()
    assert state is not None and state.target is not None and state.done["tags"] != "*"

    seen.clear()
    result = puller.pull(progress)
    assert result.rows == 20, "resumes after the last committed page"
    assert seen == [(10, 20), (20, 20)]
    assert len(_tags(local)) == 30


def test_a_small_later_round_is_all_or_nothing_and_a_big_one_resumes(
    central: Store, local: Store
) -> None:
    puller = Puller(local.engine, central.engine, batch_size=10)
    puller.pull()
    stop = threading.Event()
    # A few rows (less than a page): one local transaction; cut off, nothing of it is kept
    # and the next pull brings it whole.
    with central.write() as session:
        session.add_all(Tag(name=f"s{i}") for i in range(5))
    stop.set()
    with pytest.raises(PullCancelled):
        puller.pull(None, stop.is_set)
    assert _tags(local) == {}, "nothing half-applied"
    state = puller.state()
    assert state is not None and state.target is None, "no round left half-done to resume"
    assert puller.pull().rows == 5
    assert len(_tags(local)) == 5

    # A desk back after a long time: past a page, the round commits page by page and a
    # cut-off resumes after the last committed page, every row once.
    with central.write() as session:
        session.add_all(Tag(name=f"b{i:02}") for i in range(25))
    pages: list[int] = []

    def progress(done: int, total: int) -> None:
        pages.append(done)
        stop.set()

    stop.clear()
    with pytest.raises(PullCancelled):
        puller.pull(progress, stop.is_set)
    kept = len(_tags(local))
    assert kept == 5 + 10, "the first full page is committed"
    state = puller.state()
    assert state is not None and state.target is not None and state.done["tags"] != "*"
    result = puller.pull()
    assert result.rows == 15 and len(_tags(local)) == 30


def test_a_new_epoch_forces_a_full_resnapshot_and_prunes(central: Store, local: Store) -> None:
    with central.write() as session:
        session.add_all([Tag(name="kept"), Tag(name="purged")])
    puller = Puller(local.engine, central.engine)
    puller.pull()
    with central.connect() as conn:  # purged centrally without a tombstone (retention)
        conn.execute(text("DELETE FROM tags WHERE name = 'purged'"))
        bump_epoch(conn)
    with local.write() as session:
        session.add(Tag(name="local-only"))  # made here, not yet pushed: must survive
    result = puller.pull()
    assert (result.full, result.rows, result.pruned) == (True, 1, 1)
    state = puller.state()
    assert state is not None and state.epoch == 2 and not state.full
    assert set(_tags(local)) == {"kept", "local-only"}


def test_another_central_database_means_a_resnapshot(central: Store, local: Store) -> None:
    with central.write() as session:
        session.add(Tag(name="a"))
    puller = Puller(local.engine, central.engine)
    puller.pull()
    with local.connect() as conn:
        state = PullState.load(conn)
        assert state is not None
        state.central_id = "some other database"
        state.save(conn)
    result = puller.pull()
    assert result.full and result.rows == 1


def test_schema_check_says_which_side_to_upgrade(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        with pytest.raises(SchemaMismatch, match="no Relaydesk schema yet"):
            check_central_schema(store.engine)
        upgrade(store.engine, "0003")
        with pytest.raises(SchemaMismatch, match=r"at schema 0003 .*upgrade the central database"):
            check_central_schema(store.engine)
        ensure_current(store.engine)
        assert check_central_schema(store.engine) == head_revision()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
        with pytest.raises(SchemaMismatch, match="upgrade Relaydesk on this computer"):
            check_central_schema(store.engine)
    finally:
        store.dispose()


def test_blobs_come_from_the_centre_on_demand(central: Store, tmp_path: Path) -> None:
    central_blobs = SqlBlobStore(central.engine)
    local_blobs = open_local_blob_store(tmp_path / "blobs.sqlite3")
    try:
        key = central_blobs.put(b"raw message bytes")
        blobs = CentralBlobs(local_blobs, central_blobs)
        assert not local_blobs.has(key) and blobs.has(key)
        assert blobs.get(key) == b"raw message bytes"
        assert local_blobs.get(key) == b"raw message bytes", "kept for offline reading"
        with central.engine.begin() as conn:
            conn.execute(text("UPDATE blobs SET data = 'tampered'::bytea"))
        other = central_blobs.put(b"second")
        with central.engine.begin() as conn:
            conn.execute(text("UPDATE blobs SET data = 'x'::bytea WHERE hash = :h"), {"h": other})
        with pytest.raises(StoreError, match="damaged"):
            blobs.get(other)
        with pytest.raises(KeyError):
            blobs.get("0" * 64)
        assert blobs.get(key) == b"raw message bytes", "the local copy wins"
    finally:
        local_blobs.dispose()
        central_blobs.dispose()


@pytest.mark.parametrize("pull", ["first", "usual, notices named the tables"])
def test_every_column_type_arrives_exactly_as_written(
    central: Store, local: Store, pull: str
) -> None:
    # A first pull pages through typed rows; a usual pull gets the first pages of the tables
    # the notices named as JSON arrays within its opening. Both must write the same values.
    puller = Puller(local.engine, central.engine)
    if pull != "first":
        puller.pull()
        puller.pull()
        assert puller.state().synced_once  # type: ignore[union-attr]
    at = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with central.write() as session:
        project = Project(name="Acme", key="ACM", created_at=at)
        session.add(project)
        session.flush()
        account = EmailAccount(
            project_id=project.id,
            name="support",
            key="SUP",
            email="s@acme.test",
            imap_port=None,
            action_plan={"steps": [{"if": "é", "then": None}], "n": 1.5},
        )
        session.add(account)
        session.flush()
        interaction = Interaction(
            project_id=project.id,
            account_id=account.id,
            subject="Réclamation 🚚",
            unread=False,
            claim_fence=2**40,
            last_activity_at=at,
            closed_at=None,
        )
        session.add(interaction)
        session.flush()
        session.add(
            Message(
                interaction_id=interaction.id,
                account_id=account.id,
                recipients={"to": ["a@b.test"], "cc": []},
                raw_hash="0" * 64,
                html_body=None,
                sent_at=at,
            )
        )
        session.add(
            Setting(scope="global", key="k", value={"v": ["x", 1, True, None, 'a "q" \\ \n']})
        )
    models = (Project, EmailAccount, Interaction, Message, Setting)
    if pull != "first":
        for model in models:
            puller.hint(model.__tablename__)
    result = puller.pull()
    assert result.full == (pull == "first")
    for model in models:
        table = model.__table__
        columns = [c for c in table.c if c.name != "change_seq"]
        with central.read() as session:
            theirs = [tuple(r) for r in session.execute(select(*columns).order_by(table.c.id))]
        with local.read() as session:
            ours = [tuple(r) for r in session.execute(select(*columns).order_by(table.c.id))]
        assert ours == theirs, model.__name__
    with local.read() as session:
        assert session.execute(select(Interaction.last_activity_at)).scalar_one() == at


def test_clients_pulling_during_concurrent_writes_converge_exactly(
    central: Store, local: Store, tmp_path: Path
) -> None:
    """Overlapping transactions commit one by one in a shuffled order, with a pull pass of two
    clients after each commit: after a last pull each client holds exactly the central rows."""
    writers, rounds = 4, 20
    orders = [random.Random(n).sample(range(writers), writers) for n in range(rounds)]
    barrier = threading.Barrier(writers)
    pulled = threading.Condition()
    state = {"passes": 0, "turn": 0}
    failures: list[BaseException] = []

    def passes_after(count: int) -> bool:
        return state["passes"] >= count

    def is_turn(position: int) -> bool:
        return state["turn"] == position

    def write(worker: int) -> None:
        try:
            for n in range(rounds):
                session = central._sessions()
                session.begin()
                session.add(Tag(name=f"w{worker}-{n}"))
                if n % 5 == 4:
                    session.execute(
                        update(Tag)
                        .where(Tag.name == f"w{worker}-{n - 2}")
                        .values(name=f"w{worker}-{n - 2}x")
                    )
                session.flush()  # the transaction now has an id and holds its rows
                barrier.wait(timeout=30)  # every writer's transaction is open
                with pulled:
                    position = orders[n].index(worker)
                    assert pulled.wait_for(partial(is_turn, position), timeout=30)
                    session.commit()
                    after = state["passes"] + 2  # a whole pass that starts after this commit
                    assert pulled.wait_for(partial(passes_after, after), timeout=30)
                    state["turn"] += 1
                    pulled.notify_all()
                session.close()
                barrier.wait(timeout=30)
                if worker == 0:
                    with pulled:
                        state["turn"] = 0
                barrier.wait(timeout=30)
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()

    other = Store(sqlite_url(tmp_path / "other.sqlite3"))
    ensure_current(other.engine)
    clients = [
        Puller(local.engine, central.engine, batch_size=7),
        Puller(other.engine, central.engine),
    ]
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    pulls = 0
    while any(t.is_alive() for t in threads):
        for client in clients:
            client.pull()
            pulls += 1
        with pulled:
            state["passes"] += 1
            pulled.notify_all()
    for t in threads:
        t.join()
    assert failures == []
    for client in clients:
        client.pull()
    with central.read() as session:
        expected = set(session.execute(select(Tag.id, Tag.name)).all())
    assert len(expected) == writers * rounds
    for store in (local, other):
        with store.read() as session:
            assert set(session.execute(select(Tag.id, Tag.name)).all()) == expected
    other.dispose()
    assert pulls >= 2 * rounds, "the clients pulled while the writers wrote"


def test_a_central_database_with_data_from_before_sync_is_pulled_whole(
    pg_url: str, local: Store
) -> None:
    store = Store(pg_url)
    try:
        upgrade(store.engine, "0003")
        with store.engine.begin() as conn:  # a row written before change_xid existed
            conn.execute(
                text(
                    "INSERT INTO tags (id, change_seq, name) "
                    "VALUES ('01a22b00-0000-7000-8000-000000000001', nextval('change_seq'), 'old')"
                )
            )
        ensure_current(store.engine)
        with store.write() as session:
            session.add(Tag(name="new"))
        result = Puller(local.engine, store.engine).pull()
        assert result.tables == {"tags": 2}
        assert set(_tags(local)) == {"old", "new"}
    finally:
        store.dispose()


def _traced_pull(puller: Puller, path: Path) -> tuple[PullResult, list[str]]:
    """A pull and the message types it sent on the kept connection (libpq's trace)."""
    conn = puller._link._conn
    assert conn is not None, "made by an earlier usual pull"
    with path.open("w") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            result = puller.pull()
        finally:
            conn.pgconn.untrace()
    sent = [line.split("\t")[2] for line in path.read_text().splitlines()
            if line.startswith("F\t")]  # fmt: skip
    return result, sent


def _in_sync_with_a_project(central: Store, local: Store) -> Puller:
    """A puller in sync with a centre that has one project, its connection kept: the first
    pull of a Puller reads the role's columns (the paged path), the next is a usual one."""
    with central.write() as session:
        session.add(Project(name="Help", key="HLP"))
    puller = Puller(local.engine, central.engine)
    puller.pull()
    puller.pull()
    return puller


def test_a_usual_pull_is_two_round_trips_on_a_kept_connection_and_stays_prepared(
    central: Store, local: Store, tmp_path: Path
) -> None:
    # 20 desks pull on every change: the opening (with its probe of every table), then the
    # first page of every changed table in one pipeline; no checkout ping, no BEGIN or
    # COMMIT, and the statements stay prepared from one pull to the next.
    puller = _in_sync_with_a_project(central, local)
    trace_path = tmp_path / "libpq.trace"
    for i in range(8):
        with central.write() as session:
            session.add(Tag(name=f"t{i}"))
            session.execute(update(Project).values(name=f"p{i}"))
        result, sent = _traced_pull(puller, trace_path)
        assert result.tables == {"tags": 1, "projects": 1}
        assert "Query" not in sent, "no BEGIN, COMMIT or ping"
        if i >= 6:  # psycopg prepares a statement at its fifth run (a round trip more)
            assert sent.count("Sync") == 2, sent
            assert "Parse" not in sent, sent
    assert set(_tags(local)) == {f"t{i}" for i in range(8)}
    puller.close()
    assert puller._link._conn is None


def test_a_usual_pull_writes_on_its_own_connection_with_foreign_keys_off_for_good(
    central: Store, local: Store
) -> None:
    # Switching SQLite's foreign-key check makes the connection prepare all its statements
    # again: once per pull, that cost more than the pull's writes. The usual pull keeps a
    # connection of its own with the check off; the store's pooled connections keep it on.
    with traced_statements(local.engine) as traced:
        puller = _in_sync_with_a_project(central, local)
        traced.clear()
        for i in range(3):
            with central.write() as session:
                session.add(Tag(name=f"t{i}"))
            puller.hint("tags")
            assert puller.pull().tables == {"tags": 1}
        assert len([s for s in traced if s.startswith('INSERT INTO "tags"')]) == 3, traced
        # Switched once, when the first usual pull that wrote made the connection.
        assert [s for s in traced if "foreign_keys" in s] == ["PRAGMA foreign_keys=OFF"]
        with local.read() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        puller.close()


def test_a_pull_of_the_tables_notices_named_is_one_round_trip(
    central: Store, local: Store, tmp_path: Path
) -> None:
    # The notices name the changed tables: their first pages are columns of the opening, one
    # statement in one snapshot (no BEGIN, no COMMIT). A changed table no notice named still
    # comes (the probe), a round trip later; a named table that did not change costs nothing
    # more and brings nothing.
    puller = _in_sync_with_a_project(central, local)
    trace_path = tmp_path / "libpq.trace"
    for i in range(8):
        with central.write() as session:
            session.add(Tag(name=f"t{i}"))
            session.execute(update(Project).values(name=f"p{i}"))
        if i % 2 == 0:
            puller.hint("tags")
            puller.hint("projects")
            result, sent = _traced_pull(puller, trace_path)
            assert sent.count("Sync") == 1 and sent.count("Execute") == 1, sent
        else:
            puller.hint("tags")
            puller.hint("notes")  # unchanged
            result, sent = _traced_pull(puller, trace_path)
            assert sent.count("Sync") == 2, sent  # projects: announced by no notice
        assert result.tables == {"tags": 1, "projects": 1}
        assert result.cursor == puller.state().cursor  # type: ignore[union-attr]
        with local.read() as session:
            assert session.execute(select(Project.name)).scalar_one() == f"p{i}"
    assert set(_tags(local)) == {f"t{i}" for i in range(8)}
    # Nothing changed since: a hinted pull reads nothing and writes nothing.
    puller.hint("tags")
    assert puller.pull().rows == 0
    assert puller.pull().rows == 0
    with central.write() as session:
        session.add(Tag(name="after"))
    puller.hint("no such table")  # not a synced table: ignored
    assert puller.pull().tables == {"tags": 1}
    puller.close()


def test_new_operations_have_their_own_channel_until_a_downgrade(central: Store) -> None:
    # Migrations 0014 and 0016 and back: where a new pending operation is announced.
    def channels_of_a_new_operation() -> list[tuple[str, str]]:
        with psycopg.connect(libpq_url(central.url), autocommit=True) as listener:
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            listener.execute(f"LISTEN {OPERATIONS_CHANNEL}")
            with central.connect() as conn:
                row = {"id": uuid.uuid4(), "kind": "note", "payload": {}, "created_at": utcnow()}
                opqueue.insert_pending(conn, [row])
            with central.write() as session:
                session.add(Tag(name=f"marker {uuid.uuid4()}"))  # to know when to stop
            heard = []
            for notice in listener.notifies(timeout=10):
                if notice.payload == "tags":
                    return heard
                heard.append((notice.channel, notice.payload))
            raise AssertionError(f"no notice of the marker after {heard}")

    waiter = uuid.uuid4()
    assert channels_of_a_new_operation() == []  # no applier waits: nobody to ring
    with central.engine.connect() as conn:
        opqueue.enter_waiters(conn, waiter, 60)
    assert channels_of_a_new_operation() == [(OPERATIONS_CHANNEL, "operations")]
    with central.engine.connect() as conn:
        opqueue.leave_waiters(conn, waiter)
    assert channels_of_a_new_operation() == []
    with central.engine.connect() as conn:
        opqueue.enter_waiters(conn, waiter, 0)  # a listing that has lapsed
    assert channels_of_a_new_operation() == []
    downgrade(central.engine, "0015")
    assert channels_of_a_new_operation() == [(OPERATIONS_CHANNEL, "operations")]
    downgrade(central.engine, "0013")
    assert channels_of_a_new_operation() == [(NOTIFY_CHANNEL, "operations")]
    upgrade(central.engine)
    assert channels_of_a_new_operation() == []


class Notices:
    """A listener on the change channel, and what it hears up to a marker's notice."""

    def __init__(self, central: Store, conn: psycopg.Connection[Any]) -> None:
        self.central = central
        self.conn = conn
        self.markers = 0
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def heard(self, on_first: Callable[[], object] | None = None) -> list[str]:
        """The notices' payloads before the marker's (``on_first`` runs at the first)."""
        self.markers += 1
        with self.central.write() as session:
            session.add(Project(name=f"marker {self.markers}", key=f"M{self.markers:02d}"))
        payloads: list[str] = []
        for notice in self.conn.notifies(timeout=10):
            if notice.payload == "projects":
                return payloads
            if on_first is not None and not payloads:
                on_first()
            payloads.append(notice.payload)
        raise AssertionError(f"no notice of the marker after {payloads}")


def _add_tag_and_setting(central: Store, name: str) -> None:
    with central.write() as session:
        session.add(Tag(name=name))
        session.add(Setting(scope="global", key=name, value={"v": 1}))


def _commit_behind_the_gate(central: Store, names: list[str]) -> None:
    """Commit a tag each from threads, all at once: while an announcer holds the gate
    (here a session of the test), each waits at its commit; then the gate opens."""
    with psycopg.connect(libpq_url(central.url), autocommit=True) as gate:
        gate.execute("SELECT pg_advisory_lock(%s)", (NOTICE_GATE,))
        writers = [
            threading.Thread(target=_add_tag_and_setting, args=(central, name)) for name in names
        ]
        for writer in writers:
            writer.start()
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        deadline = time.monotonic() + 30
        while gate.execute(waiting).fetchone() != (len(names),):  # type: ignore[comparison-overlap]
            assert time.monotonic() < deadline, "the commits never reached the gate"
            assert all(w.is_alive() for w in writers), "a commit went through the gate"
            time.sleep(0.01)  # polling a condition, not sleeping in its place
        gate.execute("SELECT pg_advisory_unlock(%s)", (NOTICE_GATE,))
        for writer in writers:
            writer.join(30)
            assert not writer.is_alive()


def _tag_count(central: Store) -> int:
    with central.read() as session:
        return len(session.execute(select(Tag.id)).all())


def test_commits_that_end_together_share_one_notice_sent_after_they_ended(
    central: Store,
) -> None:
    # Migration 0017: three commits arrive while an announcer finishes. One of them
    # announces, for all, once the others have ended; a desk's pull after that notice
    # finds every one of them committed.
    with psycopg.connect(libpq_url(central.url), autocommit=True) as conn:
        notices = Notices(central, conn)
        # A commit alone announces itself, every table it wrote, on every transaction.
        _add_tag_and_setting(central, "alone")
        assert sorted(notices.heard()) == ["settings", "tags"]
        _add_tag_and_setting(central, "alone again")
        assert sorted(notices.heard()) == ["settings", "tags"]
        counted: list[int] = []
        _commit_behind_the_gate(central, ["a", "b", "c"])
        payloads = notices.heard(on_first=lambda: counted.append(_tag_count(central)))
        assert sorted(payloads) == ["settings", "tags"], "one notice for the three"
        assert counted == [5], "sent once all three had ended"
        # Back to 0016: each commit notifies, and none waits at a gate.
        downgrade(central.engine, "0016")
        _add_tag_and_setting(central, "d")
        _add_tag_and_setting(central, "e")
        assert sorted(notices.heard()) == ["settings", "settings", "tags", "tags"]
        upgrade(central.engine)
        _commit_behind_the_gate(central, ["f", "g"])
        assert sorted(notices.heard()) == ["settings", "tags"]


def test_a_commit_that_settles_an_operation_announces_itself_without_the_gate(
    central: Store,
) -> None:
    # The worker's commit notifies for the operation's row anyway (so waits its turn at
    # PostgreSQL's lock): it announces its other tables too, and never waits at the gate.
    op_id = uuid.uuid4()
    with central.connect() as conn:
        opqueue.insert_pending(
            conn, [{"id": op_id, "kind": "note", "payload": {}, "created_at": utcnow()}]
        )
        conn.commit()
    with (
        psycopg.connect(libpq_url(central.url), autocommit=True) as conn,
        psycopg.connect(libpq_url(central.url), autocommit=True) as gate,
    ):
        notices = Notices(central, conn)
        def apply() -> None:
            with central.write() as session:
                session.add(Tag(name="applied"))
                session.execute(
                    text("UPDATE operations SET status = 'applied' WHERE id = :id"), {"id": op_id}
                )

        gate.execute("SELECT pg_advisory_lock(%s)", (NOTICE_GATE,))  # an announcer finishing
        worker = threading.Thread(target=apply)
        worker.start()
        worker.join(20)
        stuck = worker.is_alive()
        gate.execute("SELECT pg_advisory_unlock(%s)", (NOTICE_GATE,))
        worker.join(20)
        assert not stuck, "the commit waited at the gate"
        assert sorted(notices.heard()) == ["operations", "tags"]


def test_the_notices_lock_keys_are_the_migrations() -> None:
    shared = revision_module("0017")
    assert (shared.ANNOUNCER_LOCK, shared.NOTICE_GATE) == (ANNOUNCER_LOCK, NOTICE_GATE)
    assert len({ANNOUNCER_LOCK, NOTICE_GATE, opqueue.WAITERS_LOCK}) == 3


def test_an_operation_inserted_applied_and_stamped_runs_no_trigger(central: Store) -> None:
    # Migration 0019: a pushed operation (inserted pending) may ring the appliers and a
    # settled one notifies, so both run the trigger; one inserted applied with its
    # transaction's id (a claim applied directly) calls nothing.
    calls = "SELECT pg_stat_get_xact_function_calls('relaydesk_stamp_change_xid'::regproc)"

    def write_four() -> tuple[int, int, dict[str, int]]:
        with psycopg.connect(libpq_url(central.url)) as conn:
            conn.execute("SET LOCAL track_functions = 'pl'")
            (since,) = conn.execute(calls).fetchone() or (None,)
            (xid,) = conn.execute(f"SELECT {CURRENT_XID}").fetchone() or (0,)
            add = (
                "INSERT INTO operations (id, change_seq, change_xid, kind, payload, status, "
                "reason, created_at) VALUES (%s, 1, {}, %s, '{{}}', %s, '', now())"
            )
            conn.execute(add.format("NULL"), (uuid.uuid4(), "pushed", "pending"))
            conn.execute(add.format(CURRENT_XID), (uuid.uuid4(), "direct", "applied"))
            conn.execute(add.format("NULL"), (uuid.uuid4(), "bare", "applied"))
            conn.execute(add.format(CURRENT_XID), (uuid.uuid4(), "settled", "pending"))
            conn.execute("UPDATE operations SET status = 'applied' WHERE kind = 'settled'")
            (total,) = conn.execute(calls).fetchone() or (None,)
            conn.commit()
            stamps = dict(conn.execute("SELECT kind, change_xid FROM operations").fetchall())
            conn.execute("DELETE FROM operations")
            conn.commit()
        return xid, (total or 0) - (since or 0), stamps

    xid, called, stamps = write_four()
    everyone = {"pushed": xid, "direct": xid, "bare": xid, "settled": xid}
    assert stamps == everyone
    assert called == 4  # all but the direct one: pushed, bare, settled's insert and update
    downgrade(central.engine, "0018")
    try:
        xid, called, stamps = write_four()
        assert stamps == {k: xid for k in everyone} and called == 5
    finally:
        upgrade(central.engine)


def test_every_row_carries_its_writers_transaction_stamped_once(central: Store) -> None:
    # Migration 0018: the stamping trigger runs only for rows that do not carry their
    # transaction's id already; whoever writes, every row ends with that id.
    assert CURRENT_XID in revision_module("0018").NOT_STAMPED
    stamp_calls = "SELECT pg_stat_get_xact_function_calls('relaydesk_stamp_change_xid'::regproc)"

    def write_four() -> tuple[int, int | None, dict[str, int]]:
        with psycopg.connect(libpq_url(central.url)) as conn:
            conn.execute("SET LOCAL track_functions = 'pl'")
            (xid,) = conn.execute(f"SELECT {CURRENT_XID}").fetchone() or (0,)
            add = "INSERT INTO tags (id, change_seq, name{}) VALUES (%s, 1, %s{})"
            conn.execute(add.format("", ""), (uuid.uuid4(), "bare"))
            conn.execute(add.format(", change_xid", ", 42"), (uuid.uuid4(), "forged"))
            conn.execute(add.format(", change_xid", f", {CURRENT_XID}"), (uuid.uuid4(), "own"))
            conn.execute(f"UPDATE tags SET deleted_at = NULL, change_xid = {CURRENT_XID}")
            (calls,) = conn.execute(stamp_calls).fetchone() or (None,)
            conn.commit()
            stamps = dict(conn.execute("SELECT name, change_xid FROM tags").fetchall())
            conn.execute("DELETE FROM tags")
            conn.commit()
        return xid, calls, stamps

    xid, calls, stamps = write_four()
    assert stamps == {"bare": xid, "forged": xid, "own": xid}
    assert calls == 2  # the bare and the forged rows; the update carried the id itself
    # The ORM's flushes stamp their rows themselves on PostgreSQL.
    with central.write() as session:
        session.add(Tag(name="orm"))
        session.flush()
        xid = session.execute(text(f"SELECT {CURRENT_XID}")).scalar_one()
    with central.read() as session:
        assert session.execute(select(Tag.change_xid)).scalar_one() == xid
    with central.write() as session:
        session.execute(text("DELETE FROM tags"))
    downgrade(central.engine, "0017")
    try:
        xid, calls, stamps = write_four()
        assert stamps == {"bare": xid, "forged": xid, "own": xid} and calls == 6
    finally:
        upgrade(central.engine)
