"""Team mode on the client: choosing the central database, its schema, pulls and notices."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import pq
from sqlalchemy import event, select

from app import policy
from app.cli import main
from app.context import AppContext, open_local
from app.errors import ConfigError, ServerError
from app.services.sync import (
    CentralConfig,
    CentralSync,
    SyncLoop,
    connect_url,
    held_blob_keys,
    keep_held_blobs,
    resolve_central,
)
from app.settings import SettingError, set_value
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.migrate import head_revision, upgrade
from storage.models import Agent, Attachment, EmailAccount, Interaction, Message, Project, Tag
from storage.sync import CentralBlobs, PullResult
from tests.app.workflow import make_world
from tests.servers.central import CentralCluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url(shared_cluster: CentralCluster) -> str:
    """An empty database."""
    return shared_cluster.empty_database()


@pytest.fixture
def local(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


@pytest.fixture
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "policy.toml"
    monkeypatch.setenv(policy.POLICY_ENV, str(path))
    policy.reload()
    yield path
    monkeypatch.undo()
    policy.reload()


@pytest.fixture
def central_url(shared_cluster: CentralCluster) -> str:
    return shared_cluster.migrated_database()


def test_standalone_unless_a_central_database_is_chosen(local: AppContext, no_policy: Path) -> None:
    assert resolve_central(local.store) is None
    with local.store.write() as session:
        set_value(session, "global", "central_url", "postgresql://db.example.com/relaydesk")
    assert resolve_central(local.store) == CentralConfig(
        "postgresql://db.example.com/relaydesk", "settings"
    )
    no_policy.write_text('central_url = "postgresql://it.example.com/team"\n')
    policy.reload()
    chosen = resolve_central(local.store)
    assert chosen == CentralConfig("postgresql://it.example.com/team", str(no_policy))
    override = resolve_central(local.store, "postgresql://other.example.com/x")
    assert override == CentralConfig("postgresql://other.example.com/x", "--central")
    with pytest.raises(ConfigError, match="from --central must be PostgreSQL"):
        resolve_central(local.store, "mysql://db.example.com/x")


def test_a_password_never_goes_into_the_setting(local: AppContext) -> None:
    with local.store.write() as session, pytest.raises(SettingError, match="keyring"):
        set_value(session, "global", "central_url", "postgresql://u:secret@db.example.com/r")


def test_the_password_comes_from_the_keyring(local: AppContext, no_policy: Path) -> None:
    url = "postgresql://agent@db.example.com:5433/team"
    code = main_in(local, "db", "password", "--central", url, "--password-stdin", stdin="s3cret\n")
    assert code == 0
    assert connect_url(CentralConfig(url, "settings")).password == "s3cret"
    other = "postgresql://agent@db.example.com:5433/other"
    assert connect_url(CentralConfig(other, "settings")).password is None


def main_in(ctx: AppContext, *args: str, stdin: str = "") -> int:
    import io

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["--data-dir", str(ctx.data_dir), *args])
    finally:
        sys.stdin = old


def add_tag(url: str, name: str) -> None:
    """A tag written centrally, by a connection of its own."""
    store = Store(url)
    try:
        with store.write() as session:
            session.add(Tag(name=name))
    finally:
        store.dispose()


def test_db_upgrade_creates_the_central_schema(pg_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "db", "upgrade",
         "--central", pg_url],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"central schema at empty -> {head_revision()}" in result.stdout
    assert "postgresql" in result.stdout and "***" not in result.stdout.replace(pg_url, "")
    add_tag(pg_url, "made centrally")


def test_sync_once_pulls_and_standalone_says_so(
    local: AppContext, central_url: str, capsys: pytest.CaptureFixture[str], no_policy: Path
) -> None:
    assert main_in(local, "sync", "--once") == 1
    assert "this store stands alone" in capsys.readouterr().err
    central = Store(central_url)
    try:
        with central.write() as session:
            session.add_all([Tag(name="vip"), Tag(name="refund")])
    finally:
        central.dispose()
    assert main_in(local, "sync", "--once", "--json", "--central", central_url) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows"], out["full"], out["tables"]) == (2, True, {"tags": 2})
    with local.store.read() as session:
        assert set(session.execute(select(Tag.name)).scalars()) == {"vip", "refund"}


def test_a_schema_mismatch_says_which_side_to_upgrade(
    local: AppContext, pg_url: str, capsys: pytest.CaptureFixture[str], no_policy: Path
) -> None:
    store = Store(pg_url)
    try:
        upgrade(store.engine, "0003")
    finally:
        store.dispose()
    assert main_in(local, "sync", "--once", "--central", pg_url) == 1
    err = capsys.readouterr().err
    assert "at schema 0003" in err and "relaydesk db upgrade --central URL" in err


def test_an_unreachable_central_database_is_an_environment_error(local: AppContext) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once it is closed
    sync = CentralSync(local.store, CentralConfig(f"postgresql://u@127.0.0.1:{port}/x", "test"))
    try:
        with pytest.raises(ServerError, match="cannot be reached"):
            sync.check_schema()
    finally:
        sync.close()


def test_a_change_notice_triggers_a_pull(
    local: AppContext, central_url: str, tmp_path: Path
) -> None:
    sync = CentralSync(local.store, CentralConfig(central_url, "test"))
    results: queue.Queue[PullResult] = queue.Queue()
    errors: list[Exception] = []
    # An hour between periodic pulls: only the notice can bring the row in time.
    loop = SyncLoop(sync, interval=3600, on_pulled=results.put, on_error=errors.append)
    loop.start()
    try:
        assert loop.listening.wait(10)
        first = results.get(timeout=10)  # the catch-up pull when listening starts
        assert first.rows == 0
        add_tag(central_url, "urgent")
        pulled = results.get(timeout=10)
        assert pulled.rows == 1
        with local.store.read() as session:
            assert session.execute(select(Tag.name)).scalars().all() == ["urgent"]
        # The notice names the table: the next pull reads its page with the opening, in one
        # round trip (libpq's trace of the pull's kept connection counts the Syncs).
        conn = sync.puller._link._conn
        assert conn is not None
        trace_path = tmp_path / "libpq.trace"
        with trace_path.open("w") as trace:
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            try:
                add_tag(central_url, "later")
                assert results.get(timeout=10).tables == {"tags": 1}
            finally:
                conn.pgconn.untrace()
        sent = [line.split("\t")[2] for line in trace_path.read_text().splitlines()
                if line.startswith("F\t")]  # fmt: skip
        assert sent.count("Sync") == 1, sent
    finally:
        loop.stop()
        loop.join(timeout=10)
        sync.close()
    assert not loop.is_alive()
    assert errors == []


def test_the_blobs_of_held_interactions_are_kept_locally(
    local: AppContext, central_url: str
) -> None:
    central = Store(central_url)
    central_blobs = SqlBlobStore(central.engine)
    try:
        raw_held, attachment, raw_other = central_blobs.put_many(
            [b"From: a@b.test\r\n\r\nheld", b"%PDF-1.7 invoice", b"From: c@d.test\r\n\r\nother"]
        )
        with central.write() as session:
            project = Project(name="Acme", key="ACM")
            session.add(project)
            session.flush()
            account = EmailAccount(project_id=project.id, name="s", key="S", email="s@a.test")
            agent = Agent(name="alice")
            session.add_all([account, agent])
            session.flush()
            for raw, holder in ((raw_held, agent.id), (raw_other, None)):
                interaction = Interaction(
                    project_id=project.id, account_id=account.id, claimed_by_id=holder
                )
                session.add(interaction)
                session.flush()
                message = Message(
                    interaction_id=interaction.id, account_id=account.id, raw_hash=raw
                )
                session.add(message)
                session.flush()
                if holder:
                    session.add(
                        Attachment(message_id=message.id, filename="a.pdf", blob_hash=attachment)
                    )
            agent_id = agent.id
        sync = CentralSync(local.store, CentralConfig(central_url, "test"))
        try:
            sync.pull()
        finally:
            sync.close()
        blobs = CentralBlobs(local.blobs, central_blobs)
        assert held_blob_keys(local.store, agent_id) == sorted([raw_held, attachment])
        assert keep_held_blobs(local.store, blobs, agent_id) == 2
        assert local.blobs.get(attachment) == b"%PDF-1.7 invoice"
        assert not local.blobs.has(raw_other), "others' mail stays central until opened"
        assert keep_held_blobs(local.store, blobs, agent_id) == 0, "already kept"
    finally:
        central_blobs.dispose()
        central.dispose()


def test_local_rows_that_clash_with_the_centre_are_refused_clearly(
    local: AppContext, central_url: str
) -> None:
    with local.store.write() as session:
        session.add(Tag(name="vip"))  # made while the desk stood alone
    central = Store(central_url)
    try:
        with central.write() as session:
            session.add_all([Tag(name="vip"), Tag(name="refund")])
    finally:
        central.dispose()
    sync = CentralSync(local.store, CentralConfig(central_url, "test"))
    try:
        with pytest.raises(ConfigError, match=r"clash .*tags\.name.*new data folder"):
            sync.pull()
    finally:
        sync.close()
    with local.store.read() as session:
        tags = session.execute(select(Tag.name, Tag.change_xid)).all()
    assert tags == [("vip", None)], "the local row is kept and the page was not half-written"


def test_relaydesk_worker_with_a_central_database_applies_agents_operations(
    central_url: str, tmp_path: Path, no_policy: Path
) -> None:
    """The whole team path: a desk queues an operation and pushes it; `relaydesk worker
    --central URL` (a real process) applies it centrally; the desk settles and pulls it."""
    from app.services import push
    from app.services.operations import Operation
    from storage.models import Note
    from tests.app.workflow import make_world

    central = Store(central_url)
    world = make_world(central)
    interaction = world.interaction()
    desk = open_local(tmp_path / "desk")
    command = [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "worker"), "worker"]
    worker = subprocess.Popen(
        [*command, "--central", central_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        op = Operation("note", "sam", {"interaction": str(interaction), "body": "Called back."})
        push.submit(desk.store, op)
        push.push(desk.store, central)

        def settled() -> bool:
            push.settle(desk.store, central)
            return push.pending_count(desk.store) == 0

        deadline = 60.0
        waited = 0.0
        while not settled():  # the worker applies within its 0.2 s poll
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert waited < deadline, "the worker did not apply the operation"
            waited += 0.1
            worker_wait(worker, 0.1)
        with central.read() as session:
            assert session.execute(select(Note.body)).scalars().all() == ["Called back."]
        result = CentralSync(desk.store, CentralConfig(central_url, "argument")).pull()
        assert result is not None
        with desk.store.read() as session:
            assert session.execute(select(Note.body)).scalars().all() == ["Called back."]
    finally:
        worker.terminate()
        out, err = worker.communicate(timeout=60)
        desk.close()
        central.dispose()
    assert worker.returncode == 0, err
    assert "worker for the central database" in out and "worker stopped" in out


def worker_wait(process: subprocess.Popen[str], seconds: float) -> None:
    """Wait on the worker process itself (returns early if it dies), never a bare sleep."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)


@pytest.mark.parametrize("once", [False, True], ids=["staying", "once"])
def test_relaydesk_worker_refuses_a_central_database_without_the_schema(
    pg_url: str, tmp_path: Path, no_policy: Path, once: bool
) -> None:
    """Also with --once: it must not quietly work on the local store instead."""
    command = [sys.executable, "-m", "app", "--data-dir", str(tmp_path), "worker"]
    done = subprocess.run(
        [*command, *(["--once"] if once else []), "--central", pg_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "relaydesk db upgrade --central" in done.stderr, done.stderr


def test_the_blob_cache_is_swept_only_after_pulls_that_wrote_mail(
    local: AppContext, central_url: str
) -> None:
    # Every desk pulls at every change of any desk: a sweep after each pull cost 1.6 ms of
    # CPU per desk, for the rare pull that brings a deleted message or attachment.
    sync = CentralSync(local.store, CentralConfig(central_url, "test"), blobs=local.blobs)
    sweeps: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if "FROM messages" in sql:
            sweeps.append(sql)

    event.listen(local.store.engine, "before_cursor_execute", record)
    try:
        sync.pull()
        assert sweeps, "the first pull sweeps (one cut off before the app closed)"
        sweeps.clear()
        add_tag(central_url, "urgent")
        assert sync.pull().tables == {"tags": 1}  # type: ignore[union-attr]
        assert sweeps == []
        central = Store(central_url)
        try:
            interaction = make_world(central).interaction()
            with central.write() as session:
                row = session.get(Interaction, interaction)
                assert row is not None
                account, raw = row.account_id, "0" * 64  # no bytes: the sweep only has to run
                session.add(Message(interaction_id=interaction, account_id=account, raw_hash=raw))
        finally:
            central.dispose()
        assert "messages" in sync.pull().tables  # type: ignore[union-attr]
        assert sweeps
    finally:
        event.remove(local.store.engine, "before_cursor_execute", record)
        sync.close()
