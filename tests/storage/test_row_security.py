"""Team mode permissions on a real PostgreSQL: agents' own roles under forced row security.

Everything connects for real as the roles `relaydesk db grant-agent` makes (trust auth, so
no passwords): with psycopg, with the `psql` binary an agent could use, and with the pull
and push paths of the desk. The private cluster keeps these roles away from other suites.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.context import AppContext, open_local
from app.errors import AuthError, ServerError, UserError
from app.services import accounts, push
from app.services.agents import add_agent, add_queue
from app.services.db_roles import grant_agent, grant_worker, sign_in_team
from app.services.operations import Operation
from app.services.sync import CentralConfig
from storage.blobs import SqlBlobStore
from storage.engine import Store, sqlite_url
from storage.migrate import downgrade, ensure_current, upgrade
from storage.models import (
    Agent,
    AgentAccount,
    EmailAccount,
    Interaction,
    Message,
    Note,
    OpOutboxEntry,
    Queue,
    Setting,
)
from storage.sync import Puller
from tests.app.workflow import make_interaction
from tests.servers.central import CentralCluster
from tests.servers.postgres import libpq_url

pytestmark = pytest.mark.pg


@dataclass(frozen=True)
class Team:
    url: str  # the owner's
    port: int
    database: str
    alice: uuid.UUID
    bob: uuid.UUID
    mine: uuid.UUID  # support account, default queue: alice's
    italian: uuid.UUID  # support account, a queue alice is not in
    theirs: uuid.UUID  # sales account: bob's
    raw_mine: str
    raw_theirs: str

    def as_role(self, role: str) -> str:
        return make_url(self.url).set(username=role).render_as_string(hide_password=False)

    def connect(self, role: str) -> psycopg.Connection[Any]:
        return psycopg.connect(libpq_url(self.as_role(role)), autocommit=True)

    def config(self, role: str | None = None) -> CentralConfig:
        return CentralConfig(self.as_role(role) if role else self.url, "--central")


def _message(store: Store, blobs: SqlBlobStore, interaction: uuid.UUID, raw: bytes) -> str:
    key = blobs.put(raw)
    with store.write() as session:
        row = session.get(Interaction, interaction)
        assert row is not None
        session.add(
            Message(
                interaction_id=interaction,
                account_id=row.account_id,
                subject=row.subject,
                raw_hash=key,
            )
        )
        session.add(Note(interaction_id=interaction, body=f"note on {row.subject}"))
    return key


@pytest.fixture
def team(shared_cluster: CentralCluster) -> Iterator[Team]:
    url = shared_cluster.migrated_database()
    store = Store(url)
    blobs = SqlBlobStore(store.engine)
    try:
        accounts.add_project(store, "Acme", "ACM")
        for name in ("support", "sales"):
            accounts.add_account(
                store,
                name=name,
                email=f"{name}@acme.test",
                username=name,
                smtp_host="smtp.test",
                project="ACM",
            )
        add_queue(store, "Italian", language="it", project="ACM")
        alice = add_agent(store, "alice", accounts=["support"]).id
        bob = add_agent(store, "bob", accounts=["sales"]).id
        add_agent(store, "sue", supervisor=True, password="supervisor-secret")
        mine = make_interaction(store, "support", subject="Alice's order")
        italian = make_interaction(store, "support", queue="Italian", subject="Ordine")
        theirs = make_interaction(store, "sales", subject="Bob's quote")
        raw_mine = _message(store, blobs, mine, b"From: a@example.test\r\n\r\nmine")
        _message(store, blobs, italian, b"From: i@example.test\r\n\r\nitalian")
        raw_theirs = _message(store, blobs, theirs, b"From: b@example.test\r\n\r\ntheirs")
        with store.write() as session:
            session.add(Setting(scope="global", key="sync_interval_seconds", value={"v": 30}))
        owner = CentralConfig(url, "--central")
        grant_agent(owner, "alice", "rd_alice")
        grant_agent(owner, "bob")  # default role name: rd_bob
        grant_agent(owner, "sue", "rd_sue")
        grant_worker(owner, "rd_worker")
        parsed = make_url(url)
        yield Team(
            url, shared_cluster.server.port, parsed.database or "",
            alice, bob, mine, italian, theirs, raw_mine, raw_theirs,
        )  # fmt: skip
    finally:
        blobs.dispose()
        store.dispose()


def _column(conn: psycopg.Connection[Any], query: str) -> list[Any]:
    return [row[0] for row in conn.execute(query).fetchall()]


def _denied(conn: psycopg.Connection[Any], query: str, params: Any = None) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(query, params)
    return str(caught.value)


def test_an_agent_reads_only_her_accounts_and_queues(team: Team) -> None:
    with team.connect("rd_alice") as conn:
        assert _column(conn, "SELECT relaydesk_current_agent()") == [team.alice]
        assert _column(conn, "SELECT id FROM interactions") == [team.mine]
        assert _column(conn, "SELECT subject FROM messages") == ["Alice's order"]
        assert _column(conn, "SELECT body FROM notes") == ["note on Alice's order"]
        assert _column(conn, "SELECT name FROM email_accounts") == ["support"]
        assert _column(conn, "SELECT hash FROM blobs") == [team.raw_mine]
        # Bob's mail is not there even when asked for by its key.
        assert _column(conn, f"SELECT hash FROM blobs WHERE hash = '{team.raw_theirs}'") == []
        # Everyone's names, nobody's sign-in hash.
        assert sorted(_column(conn, "SELECT name FROM agents")) == ["alice", "bob", "sue"]
        assert "permission denied" in _denied(conn, "SELECT password_hash FROM agents")
        # Not even her own membership answers for another role.
        assert _column(conn, "SELECT count(*) FROM relaydesk_accounts_of('rd_bob')") == [0]


def test_an_agent_changes_nothing_but_her_own_pending_operations(team: Team) -> None:
    with team.connect("rd_alice") as conn:
        _denied(conn, "UPDATE interactions SET subject = 'mine now'")
        _denied(conn, "DELETE FROM messages")
        _denied(
            conn,
            "INSERT INTO email_accounts (id, project_id, name, key, email) "
            "SELECT gen_random_uuid(), project_id, 'rogue', 'RG', 'rogue@x.test' FROM queues",
        )
        _denied(conn, "UPDATE settings SET value = '{\"v\": 1}'")
        _denied(
            conn,
            "INSERT INTO settings (id, change_seq, scope, scope_id, key, value) "
            "VALUES (gen_random_uuid(), 0, 'global', gen_random_uuid(), 'x', '{}')",
        )
        _denied(conn, "UPDATE agents SET role = 'supervisor'")
        _denied(conn, "ALTER TABLE interactions DISABLE ROW LEVEL SECURITY")
        insert = (
            "INSERT INTO operations (id, change_seq, kind, actor_id, payload, status, reason, "
            "created_at) VALUES (%s, nextval('change_seq'), 'note', %s, '{}', %s, '', now())"
        )
        assert "row-level security" in _denied(conn, insert, (uuid.uuid4(), team.bob, "pending"))
        _denied(conn, insert, (uuid.uuid4(), team.alice, "applied"))
        own = uuid.uuid4()
        conn.execute(insert, (own, team.alice, "pending"))
        assert _column(conn, "SELECT id FROM operations") == [own]
        _denied(conn, "UPDATE operations SET status = 'applied'")
    with team.connect("rd_bob") as conn:
        assert _column(conn, "SELECT id FROM operations") == [], "Bob sees not Alice's"


def _psql(team: Team, role: str, query: str) -> subprocess.CompletedProcess[str]:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("no psql binary")
    return subprocess.run(
        [psql, "-U", role, "-h", "127.0.0.1", "-p", str(team.port), "-d", team.database,
         "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "5"},
    )  # fmt: skip


def test_an_agent_with_psql_sees_her_mail_only_and_changes_no_settings(team: Team) -> None:
    seen = _psql(team, "rd_alice", "SELECT subject FROM interactions ORDER BY subject")
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines() == ["Alice's order"]
    accounts_seen = _psql(team, "rd_alice", "SELECT email FROM email_accounts")
    assert accounts_seen.stdout.splitlines() == ["support@acme.test"]
    for query in (
        "UPDATE settings SET value = '{\"v\": 5}' WHERE key = 'sync_interval_seconds'",
        "SET ROLE rd_worker",
        "SET ROLE relaydesk_worker",
        "UPDATE email_accounts SET smtp_host = 'evil.test'",
    ):
        refused = _psql(team, "rd_alice", query)
        assert refused.returncode != 0, query
        assert "permission denied" in refused.stderr, refused.stderr
    with team.connect(make_url(team.url).username or "postgres") as owner:
        assert _column(owner, "SELECT value->>'v' FROM settings") == ["30"]
        assert set(_column(owner, "SELECT smtp_host FROM email_accounts")) == {"smtp.test"}


def test_a_supervisor_reads_everything_and_writes_nothing(team: Team) -> None:
    with team.connect("rd_sue") as conn:
        assert set(_column(conn, "SELECT id FROM interactions")) == {
            team.mine, team.italian, team.theirs,
        }  # fmt: skip
        assert len(_column(conn, "SELECT hash FROM blobs")) == 3
        _denied(conn, "UPDATE interactions SET status = 'closed'")
        _denied(conn, "DELETE FROM notes")
        _denied(conn, "UPDATE settings SET value = '{\"v\": 1}'")
    signed = sign_in_team(team.config("rd_sue"))
    assert (signed.name, signed.supervisor) == ("sue", True)
    alice = sign_in_team(team.config("rd_alice"))
    assert (alice.agent_id, alice.supervisor) == (team.alice, False)
    with pytest.raises(AuthError, match="not an agent's"):
        sign_in_team(team.config("rd_worker"))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[AppContext]:
    data = tmp_path / "desk"
    data.mkdir()
    ctx = open_local(data)
    yield ctx
    ctx.close()


def test_her_operation_goes_through_her_role_and_the_worker_applies_it(
    team: Team, desk: AppContext
) -> None:
    as_alice = Store(team.as_role("rd_alice"))
    worker = Store(team.as_role("rd_worker"))
    try:
        claim = Operation("claim", "alice", {"interaction": team.mine})
        forged = Operation("claim", "bob", {"interaction": team.theirs})
        push.submit(desk.store, claim)
        push.submit(desk.store, forged)
        with pytest.raises(ServerError, match=r"refused .*row-level security"):
            push.push(desk.store, as_alice)  # Bob's operation from Alice's desk: refused
        with desk.store.write() as session:  # take the forged one back out of the outbox
            row = session.get(OpOutboxEntry, forged.op_id)
            assert row is not None
            session.delete(row)
        assert push.push(desk.store, as_alice).pushed == 1
        results = push.apply_batch(worker)
        assert [r.status for r in results] == ["applied"], results
        push.settle(desk.store, as_alice)
        outcome = push.outcome(desk.store, claim.op_id)
        assert outcome is not None and outcome.applied
        with worker.read() as session:
            held = session.get(Interaction, team.mine)
            assert held is not None and held.claimed_by_id == team.alice
    finally:
        as_alice.dispose()
        worker.dispose()


def test_a_pull_through_her_role_brings_only_her_rows(team: Team, tmp_path: Path) -> None:
    local = Store(sqlite_url(tmp_path / "alice.sqlite3"))
    ensure_current(local.engine)
    central = Store(team.as_role("rd_alice"))
    owner = Store(team.url)
    try:
        puller = Puller(local.engine, central.engine, batch_size=2)
        first = puller.pull()
        assert first.full
        with local.read() as session:
            assert session.execute(select(Interaction.id)).scalars().all() == [team.mine]
            assert session.execute(select(Message.subject)).scalars().all() == ["Alice's order"]
            assert session.execute(select(EmailAccount.name)).scalars().all() == ["support"]
            hashes = session.execute(select(Agent.name, Agent.password_hash)).all()
            assert sorted(hashes) == [("alice", None), ("bob", None), ("sue", None)]
        # Alice joins the sales account: rows written long ago become hers, so the next pull
        # starts over instead of waiting for them to change.
        with owner.write() as session:
            sales = session.execute(
                select(EmailAccount.id).where(EmailAccount.name == "sales")
            ).scalar_one()
            session.add(AgentAccount(agent_id=team.alice, account_id=sales))
        second = puller.pull()
        assert second.full
        with local.read() as session:
            seen = set(session.execute(select(Interaction.id)).scalars())
        assert seen == {team.mine, team.theirs}
        # ...and leaving it takes them away again.
        with owner.write() as session:
            link = session.execute(
                select(AgentAccount).where(
                    AgentAccount.agent_id == team.alice, AgentAccount.account_id == sales
                )
            ).scalar_one()
            session.delete(link)
        puller.pull()
        with local.read() as session:
            assert session.execute(select(Interaction.id)).scalars().all() == [team.mine]
            assert session.execute(select(Queue.name)).scalars().all() != []
    finally:
        local.dispose()
        central.dispose()
        owner.dispose()


def test_an_incremental_pull_through_her_role_brings_a_new_note(team: Team, tmp_path: Path) -> None:
    """After the first pull, a round asks which tables changed: over columns she may read."""
    local = Store(sqlite_url(tmp_path / "alice.sqlite3"))
    ensure_current(local.engine)
    central = Store(team.as_role("rd_alice"))
    owner = Store(team.url)
    try:
        puller = Puller(local.engine, central.engine)
        assert puller.pull().full
        with owner.write() as session:
            session.add(Note(interaction_id=team.mine, body="a later note"))
        second = puller.pull()
        assert not second.full
        with local.read() as session:
            bodies = set(session.execute(select(Note.body)).scalars())
        assert "a later note" in bodies
    finally:
        local.dispose()
        central.dispose()
        owner.dispose()


def test_granting_refuses_what_would_not_limit_the_role(team: Team) -> None:
    owner = team.config()
    with pytest.raises(UserError, match="superuser"):
        grant_agent(owner, "alice", make_url(team.url).username or "postgres")
    with pytest.raises(UserError, match="already belongs to agent bob"):
        grant_agent(owner, "alice", "rd_bob")
    with pytest.raises(UserError, match="member of relaydesk_worker"):
        grant_agent(owner, "alice", "rd_worker")
    with pytest.raises(UserError, match="no agent named nobody"):
        grant_agent(owner, "nobody", "rd_nobody")
    with pytest.raises(AuthError, match="may not create or grant roles"):
        grant_agent(team.config("rd_alice"), "alice", "rd_alice2")


def test_an_owner_who_is_no_superuser_migrates_grants_and_still_sees_all(
    shared_cluster: CentralCluster,
) -> None:
    """Production's owner: FORCE binds it to the policies too, and one of them names it."""
    owner_role = f"rd_owner_{uuid.uuid4().hex[:8]}"
    database = f"relaydesk_o_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(shared_cluster.admin_url), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {owner_role} LOGIN CREATEROLE")
        admin.execute(f"CREATE DATABASE {database} OWNER {owner_role}")
    url = (
        make_url(shared_cluster.admin_url)
        .set(username=owner_role, database=database)
        .render_as_string(hide_password=False)
    )
    store = Store(url)
    try:
        ensure_current(store.engine)
        accounts.add_project(store, "Acme", "ACM")
        accounts.add_account(
            store, name="support", email="s@acme.test", username="s", smtp_host="smtp.test",
            project="ACM",
        )  # fmt: skip
        add_agent(store, "alice")  # in no account: sees no mail
        mail = make_interaction(store, "support")
        role = grant_agent(CentralConfig(url, "--central"), "alice", f"rd_a_{owner_role}")
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            forced = _column(
                conn,
                "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relrowsecurity "
                "AND relname IN ('interactions', 'messages', 'operations', 'email_accounts')",
            )
            assert sorted(forced) == ["email_accounts", "interactions", "messages", "operations"]
            assert _column(conn, "SELECT id FROM interactions") == [mail]
        as_agent = make_url(url).set(username=role).render_as_string(hide_password=False)
        with psycopg.connect(libpq_url(as_agent), autocommit=True) as conn:
            assert _column(conn, "SELECT id FROM interactions") == []
    finally:
        store.dispose()


def test_the_cli_grants_an_agent_and_the_worker(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    data = ["--data-dir", str(tmp_path / "cli")]
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Pass\n"))
    code = main([*data, "db", "grant-agent", "bob", "--role", "rd_bob_cli", "--password-stdin",
                 "--central", team.url])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "as database role rd_bob_cli" in capsys.readouterr().out
    assert main([*data, "db", "grant-worker", "rd_worker_cli", "--central", team.url]) == 0
    with team.connect("rd_bob_cli") as conn:
        assert _column(conn, "SELECT relaydesk_current_agent()") == [team.bob]
        assert _column(conn, "SELECT id FROM interactions") == [team.theirs]
    with team.connect("rd_bob") as conn:  # the role Bob had before maps to nobody now
        assert _column(conn, "SELECT count(*) FROM interactions") == [0]
    with team.connect(make_url(team.url).username or "postgres") as admin:
        assert _column(
            admin, "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'rd_bob_cli'"
        ) == [True]
    with team.connect("rd_worker_cli") as conn:
        assert len(_column(conn, "SELECT id FROM interactions")) == 3
    assert main([*data, "db", "grant-agent", "nobody", "--central", team.url]) == 1
    assert "no agent named nobody" in capsys.readouterr().err


_WHO = (
    "SELECT relaydesk_visibility(), relaydesk_current_agent(), "
    "relaydesk_supervisor(current_user), "
    "ARRAY(SELECT relaydesk_accounts_of(current_user) ORDER BY 1), "
    "ARRAY(SELECT relaydesk_queues_of(current_user) ORDER BY 1), "
    "ARRAY(SELECT id FROM interactions ORDER BY id)"
)


def _languages(conn: psycopg.Connection[Any]) -> set[str]:
    return set(
        _column(
            conn,
            "SELECT DISTINCT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.proname LIKE 'relaydesk\\_%' AND p.proname <> 'relaydesk_stamp_change_xid' "
            "AND p.proname <> 'relaydesk_notify_change'",
        )
    )


def test_the_visibility_functions_answer_alike_in_sql_and_plpgsql(team: Team) -> None:
    # Migration 0013 rewrote 0009's functions in PL/pgSQL (their plans then stay cached;
    # every pull's opening calls relaydesk_visibility()): the same answers for every role,
    # before and after, and a downgrade brings the SQL back.
    roles = ("rd_alice", "rd_bob", "rd_sue", "rd_worker")

    def answers() -> dict[str, Any]:
        seen = {}
        for role in roles:
            with team.connect(role) as conn:
                seen[role] = conn.execute(_WHO).fetchone()
        return seen

    store = Store(team.url)
    try:
        with team.connect("rd_sue") as conn:
            assert _languages(conn) == {"plpgsql"}
        now = answers()
        assert now["rd_alice"][1] == team.alice and now["rd_alice"][0] != ""
        assert now["rd_alice"][5] == [team.mine]
        assert now["rd_worker"][:2] == ("", None), "the worker is nobody's agent"
        downgrade(store.engine, "0012")
        with team.connect("rd_sue") as conn:
            assert _languages(conn) == {"sql"}
        assert answers() == now
        upgrade(store.engine)
        with team.connect("rd_sue") as conn:
            assert _languages(conn) == {"plpgsql"}
        assert answers() == now
    finally:
        store.dispose()
