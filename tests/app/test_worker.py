"""The mail worker end to end: new mail in, replies out, timers fired, on real servers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import secrets, worker
from app.context import open_local
from app.services.accounts import add_account
from app.services.agents import add_agent
from app.services.operations import Operation, apply
from app.services.settings import change_setting
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import Interaction, Message, OutboxItem
from tests.app.mail.conftest import quick_options, wait_until
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.imap
ROOT = Path(__file__).resolve().parents[2]


def _mail(n: int) -> bytes:
    return (
        f"From: Anna <anna@example.org>\r\nTo: support@acme.test\r\nSubject: Question {n}\r\n"
        f"Message-ID: <w{n}@example.org>\r\n\r\nHello {n}, where is my parcel?\r\n"
    ).encode()


def _setup(data_dir: Path, user: ImapUser, smtp: SmtpServer) -> None:
    ctx = open_local(data_dir)
    info = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=user.name,
        password=user.password,
        imap_host=user.server.host,
        imap_port=user.server.port,
        imap_security="starttls",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security="starttls",
    )
    change_setting(ctx.store, "smtp_username", "smtp@example.test", account="support")
    change_setting(ctx.store, "undo_send_seconds", 0)
    secrets.set_secret(info.id, "smtp_password", "smtp-pw")
    add_agent(ctx.store, "alice", accounts=["support"])
    ctx.close()


def _reply(data_dir: Path, body: str) -> None:
    ctx = open_local(data_dir)
    try:
        claim = apply(ctx.store, Operation("claim", "alice", {}))
        assert claim.applied and claim.result, claim.reason
        done = apply(
            ctx.store,
            Operation("reply", "alice", {"interaction": claim.result["id"], "body": body}),
            blobs=ctx.blobs,
        )
        assert done.applied, done.reason
    finally:
        ctx.close()


def test_worker_once_fetches_and_sends(
    data_dir: Path, imap_user: ImapUser, smtp_server: SmtpServer, dovecot: DovecotServer
) -> None:
    _setup(data_dir, imap_user, smtp_server)
    imap_user.server.append(imap_user.name, _mail(1))
    env = {**os.environ, "SSL_CERT_FILE": str(dovecot.cert_path)}
    cmd = [sys.executable, "-m", "app", "--data-dir", str(data_dir), "worker", "--once"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].startswith("fetched 1 new, sent 0")
    _reply(data_dir, "It is on its way.")
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1].startswith("fetched 0 new, sent 1")
    assert len(smtp_server.messages) == 1
    assert b"In-Reply-To: <w1@example.org>" in smtp_server.messages[0].original_content


def test_worker_keeps_running_until_stopped(
    data_dir: Path,
    imap_user: ImapUser,
    smtp_server: SmtpServer,
    trust_test_certificate: None,
) -> None:
    _setup(data_dir, imap_user, smtp_server)
    ctx = open_local(data_dir)
    stop = threading.Event()
    ticks = []
    thread = threading.Thread(
        target=worker.run,
        args=(ctx, quick_options(), stop),
        kwargs={"tick": 0.05, "on_tick": ticks.append},
        daemon=True,
    )
    thread.start()
    try:
        imap_user.server.append(imap_user.name, _mail(2))

        def interactions() -> int:
            with ctx.store.read() as session:
                return int(
                    session.execute(select(func.count()).select_from(Interaction)).scalar_one()
                )

        wait_until(lambda: interactions() == 1)
        _reply(data_dir, "Sent by the running worker.")
        wait_until(lambda: len(smtp_server.messages) == 1)

        def outbox_state() -> str:
            with ctx.store.read() as session:
                return str(session.execute(select(OutboxItem.state)).scalar_one())

        # The server holds the message a moment before the worker records the 250 reply.
        wait_until(lambda: outbox_state() != "sending")
        with ctx.store.read() as session:
            state = session.execute(select(OutboxItem.state)).scalar_one()
            outgoing = session.execute(
                select(func.count()).select_from(Message).where(Message.direction == "out")
            ).scalar_one()
        assert (state, outgoing) == ("sent", 1)
    finally:
        stop.set()
        thread.join(30)
        ctx.close()
    assert not thread.is_alive() and ticks  # it stopped, having ticked


@pytest.mark.pg
def test_the_worker_host_keeps_a_centrally_added_accounts_password(
    data_dir: Path, imap_user: ImapUser, dovecot: DovecotServer, pg_store_url: str
) -> None:
    """Team mode: a supervisor adds the account centrally without its password (secrets
    never travel in operations); IT keeps it on the worker host, whose worker then fetches."""
    central = Store(pg_store_url)
    try:
        added = add_account(
            central,
            name="support",
            email="support@acme.test",
            username=imap_user.name,
            imap_host=imap_user.server.host,
            imap_port=imap_user.server.port,
            imap_security="starttls",
        )
    finally:
        central.dispose()
    assert secrets.get_secret(added.id, "password") is None
    imap_user.server.append(imap_user.name, _mail(3))
    env = {**os.environ, "SSL_CERT_FILE": str(dovecot.cert_path)}
    app = [sys.executable, "-m", "app", "--data-dir", str(data_dir)]
    kept = subprocess.run(
        [*app, "account", "password", "support", "--central", pg_store_url, "--password-stdin"],
        input=imap_user.password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "password of support kept in this host's keyring"
    assert secrets.get_secret(added.id, "password") == imap_user.password
    unknown = subprocess.run(
        [*app, "account", "password", "nosuch", "--central", pg_store_url, "--password-stdin"],
        input="x\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert unknown.returncode == 1 and "nosuch" in unknown.stderr.strip().splitlines()[-1]
    verified = subprocess.run(
        [*app, "account", "verify", "support", "--central", pg_store_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("IMAP OK"), verified.stdout
    fetched = subprocess.run(
        [*app, "worker", "--once", "--central", pg_store_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.strip().splitlines()[-1].startswith("fetched 1 new")
    # The message's bytes are in the central blob table, where desks read them from.
    central = Store(pg_store_url)
    try:
        with central.read() as session:
            raw_hash = session.execute(select(Message.raw_hash)).scalar_one()
        assert SqlBlobStore(central.engine).get(raw_hash) == _mail(3)
    finally:
        central.dispose()
