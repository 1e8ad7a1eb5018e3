"""Keeping up with a live server: flags, removals, CONDSTORE or not, IDLE, restarts, faults."""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import socket
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.demo.corpus import generate_corpus
from app.errors import AuthError, ServerError
from app.mail import imap as imap_module
from app.mail import protocol_log
from app.mail.fetch import fetch_once
from app.mail.fetcher import MailboxSync, SyncResult, imap_settings
from app.mail.imap import (
    MAX_SET_CHARS,
    ImapSettings,
    connect,
    expand_uid_set,
    logout,
    search_uids,
    uid_sets,
)
from storage.models import FolderState, MailboxEntry, Message
from tests.app.mail.conftest import make_account, quick_options, wait_until
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.fixtures import DovecotFactory

pytestmark = pytest.mark.imap


def _entries(ctx: AppContext) -> dict[int, MailboxEntry]:
    with ctx.store.read() as session:
        return {e.uid: e for e in session.execute(select(MailboxEntry)).scalars()}


def _sync(ctx: AppContext, account_id: object, **options: object) -> SyncResult:
    target = imap_settings(ctx, account_id)  # type: ignore[arg-type]
    client = connect(target.settings)
    try:
        return MailboxSync(ctx, target, quick_options(**options)).sync(client)
    finally:
        logout(client)


def _account_on(
    ctx: AppContext, factory: DovecotFactory, monkeypatch: pytest.MonkeyPatch, **options: bool
) -> tuple[DovecotServer, ImapUser, uuid.UUID]:
    """A Dovecot of its own (``condstore``/``idle`` as given) and an account on it."""
    server = factory(**options)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_path))
    server.add_user("team@example.test", "pw")
    user = ImapUser("team@example.test", "pw", server)
    return server, user, make_account(ctx, user)


@pytest.mark.parametrize("condstore", [True, False], ids=["condstore", "no-condstore"])
def test_flag_changes_and_removals_are_tracked(
    sqlite_ctx: AppContext,
    dovecot_factory: DovecotFactory,
    condstore: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, user, account_id = _account_on(
        sqlite_ctx, dovecot_factory, monkeypatch, condstore=condstore
    )
    uids = server.append_many(user.name, [m.raw for m in generate_corpus(6, seed=8)])
    assert _sync(sqlite_ctx, account_id).new == 6
    caps = server_capabilities(server, user)
    assert ("CONDSTORE" in caps) is condstore

    # Another mail client flags one message and deletes another.
    server.set_flags(user.name, [uids[0]], [b"\\Flagged"])
    server.expunge(user.name, [uids[1]])
    # With CONDSTORE, flags come from CHANGEDSINCE; without, from the periodic full check.
    first = _sync(sqlite_ctx, account_id, full_check_interval=dt.timedelta(0))
    entries = _entries(sqlite_ctx)
    assert "\\Flagged" in entries[uids[0]].flags.split()
    assert first.updated == 1  # the flag; the removal is only suspected so far
    assert entries[uids[1]].missing_since is not None and entries[uids[1]].gone_at is None

    second = _sync(sqlite_ctx, account_id, full_check_interval=dt.timedelta(0))
    entries = _entries(sqlite_ctx)
    assert second.updated == 1 and entries[uids[1]].gone_at is not None
    with sqlite_ctx.store.read() as session:
        # The message agents may have worked on stays.
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 6

    # Between full comparisons (a day apart here), a flag changed elsewhere arrives only
    # by CHANGEDSINCE: with CONDSTORE at the next sync, without it at the next comparison.
    target = imap_settings(sqlite_ctx, account_id)
    keeping_up = MailboxSync(
        sqlite_ctx, target, quick_options(full_check_interval=dt.timedelta(days=1))
    )
    protocol_log.clear(account_id)
    with protocol_log.capture(account_id):
        client = connect(target.settings)
        try:
            keeping_up.sync(client)
            server.set_flags(user.name, [uids[2]], [b"\\Answered"])
            third = keeping_up.sync(client)
        finally:
            logout(client)
    answered = "\\Answered" in _entries(sqlite_ctx)[uids[2]].flags.split()
    assert (answered, third.updated) == ((True, 1) if condstore else (False, 0))
    # Every UID of the mailbox is asked for at the full comparison only, not at each sync.
    sent = [line.text for line in protocol_log.lines(account_id) if line.direction == "C"]
    assert sum(_searches_everything(text) for text in sent) == 1, sent


@pytest.mark.parametrize("condstore", [True, False], ids=["condstore", "no-condstore"])
def test_a_mailbox_of_20000_messages_is_compared_in_commands_the_server_takes(
    sqlite_ctx: AppContext,
    dovecot_factory: DovecotFactory,
    condstore: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Listing every UID made commands of 120 KB here, which Dovecot refuses ("BAD ... Too
    # long argument"): the sync of any big shared mailbox failed at its flags comparison.
    server, user, account_id = _account_on(
        sqlite_ctx, dovecot_factory, monkeypatch, condstore=condstore
    )
    old = [f"From: a@example.org\r\nSubject: n{i}\r\n\r\nold\r\n".encode() for i in range(20000)]
    uids = server.append_many(user.name, old)
    recent = server.append_many(user.name, [m.raw for m in generate_corpus(3, seed=4)])
    with server.client(user.name) as client:
        uidvalidity = int(client.select_folder("INBOX", readonly=True)[b"UIDVALIDITY"])
    # The old mail counts as fetched long ago (to keep the test short): only the last three
    # are in the store, and the sync compares the whole mailbox.
    with sqlite_ctx.store.write() as session:
        session.add(
            FolderState(
                account_id=account_id, folder="INBOX", uidvalidity=uidvalidity, uidnext=recent[0]
            )
        )
    target = imap_settings(sqlite_ctx, account_id)
    keeping_up = MailboxSync(sqlite_ctx, target, quick_options(full_check_interval=dt.timedelta(0)))
    client = connect(target.settings)
    try:
        assert keeping_up.sync(client).new == 3
        server.set_flags(user.name, [recent[1]], [b"\\Flagged"])
        assert keeping_up.sync(client).updated == 1
    finally:
        logout(client)
    assert "\\Flagged" in _entries(sqlite_ctx)[recent[1]].flags.split()
    assert len(uids) == 20000


def test_a_server_without_idle_is_polled_without_errors(
    sqlite_ctx: AppContext, dovecot_factory: DovecotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client must not use what the server does not offer: no IDLE, but a look every
    # imap_poll_seconds on the same connection, and no error recorded for it.
    server, user, account_id = _account_on(sqlite_ctx, dovecot_factory, monkeypatch, idle=False)
    assert "IDLE" not in server_capabilities(server, user)
    synced: queue.Queue[SyncResult] = queue.Queue()
    protocol_log.clear(account_id)
    stop = threading.Event()
    sync = MailboxSync(
        sqlite_ctx,
        imap_settings(sqlite_ctx, account_id),
        quick_options(poll_interval=dt.timedelta(seconds=0.2), on_synced=synced.put),
    )
    thread = threading.Thread(target=sync.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert synced.get(timeout=30).new == 0
        server.append_many(user.name, [m.raw for m in generate_corpus(2, seed=5)])
        wait_until(lambda: len(_entries(sqlite_ctx)) == 2)
    finally:
        stop.set()
        thread.join(30)
    sent = [line.text for line in protocol_log.lines(account_id) if line.direction == "C"]
    assert not [text for text in sent if text.split()[1:2] == ["IDLE"]], sent
    assert sum(text.split()[1:2] == ["LOGIN"] for text in sent) == 1, "one connection"
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(FolderState.last_error)).scalar_one() == ""


def _searches_everything(command: str) -> bool:
    """Whether a client line asks for every UID of the folder (plain or ESEARCH)."""
    words = command.split()
    return "SEARCH" in words and words[-1] == "ALL"


@pytest.mark.parametrize("esearch", [True, False], ids=["esearch", "no-esearch"])
def test_the_full_comparison_asks_for_every_uid_in_a_few_bytes_where_it_can(
    sqlite_ctx: AppContext,
    dovecot_factory: DovecotFactory,
    esearch: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SEARCH ALL spells out every UID: 700 KB in one line for 100,000 messages, parsed
    # number by number. With ESEARCH the server answers a sequence set ("1:4,6:3000").
    server, user, account_id = _account_on(
        sqlite_ctx, dovecot_factory, monkeypatch, esearch=esearch
    )
    assert ("ESEARCH" in server_capabilities(server, user)) is esearch
    raw = [f"From: a@example.org\r\nSubject: n{i}\r\n\r\nhi\r\n".encode() for i in range(3000)]
    uids = server.append_many(user.name, raw)
    assert _sync(sqlite_ctx, account_id).new == 3000
    removed = [uids[4], *uids[100:200], uids[-1]]
    server.expunge(user.name, removed)
    protocol_log.clear(account_id)
    with protocol_log.capture(account_id):
        _sync(sqlite_ctx, account_id, full_check_interval=dt.timedelta(0))
    missing = {uid for uid, e in _entries(sqlite_ctx).items() if e.missing_since is not None}
    assert missing == set(removed)
    log = protocol_log.lines(account_id)
    sent = [line.text for line in log if line.direction == "C" and _searches_everything(line.text)]
    assert len(sent) == 1 and ("RETURN (ALL)" in sent[0]) is esearch, sent
    answers = [
        line.text
        for line in log
        if line.direction == "S" and line.text.split()[:2] in (["*", "SEARCH"], ["*", "ESEARCH"])
    ]
    if esearch:
        assert answers[-1].endswith(" UID ALL 1:4,6:100,201:2999"), answers
    else:  # every UID spelled out, past what the protocol log keeps of a line
        assert answers[-1].startswith("* SEARCH 1 2 3 4 6 7 ") and answers[-1].endswith("…")
    # The catch-up's "UID n:*" asks the same way and finds the one new message.
    newer = server.append_many(user.name, raw[:1])
    client = connect(imap_settings(sqlite_ctx, account_id).settings)
    try:
        client.select_folder("INBOX", readonly=True)
        assert search_uids(client, f"UID {newer[0]}:*") == newer
        assert search_uids(client, f"UID {newer[0] + 1}:*") == newer  # "*" is the last UID
        assert search_uids(client, "UID 101:200") == []
    finally:
        logout(client)


def test_a_server_that_offers_esearch_but_answers_without_it_is_searched_plainly(
    sqlite_ctx: AppContext,
    dovecot_factory: DovecotFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Reading no ESEARCH answer as "no messages" would mark the whole folder gone; failing
    # instead would stop the mailbox for good. The connection asks plainly from then on.
    server, user, account_id = _account_on(sqlite_ctx, dovecot_factory, monkeypatch)
    uids = server.append_many(user.name, [m.raw for m in generate_corpus(4, seed=6)])
    tried: list[str] = []

    def no_answer(_client: object, criteria: str) -> None:
        tried.append(criteria)  # as a server that leaves its ESEARCH answer out

    monkeypatch.setattr(imap_module, "_esearch", no_answer)
    client = connect(imap_settings(sqlite_ctx, account_id).settings)
    try:
        client.select_folder("INBOX", readonly=True)
        assert search_uids(client, "ALL") == uids
        assert search_uids(client, f"UID {uids[2]}:*") == uids[2:]
    finally:
        logout(client)
    assert tried == ["ALL"]
    assert len([r for r in caplog.records if "ESEARCH" in r.getMessage()]) == 1


def test_an_esearch_sequence_set_expands_to_its_uids() -> None:
    assert expand_uid_set("1:3,7,10:9,3") == [1, 2, 3, 7, 9, 10]
    assert expand_uid_set("4294967295") == [4294967295]


def test_uid_sets_are_short_runs_that_cover_exactly_the_uids() -> None:
    assert uid_sets([5, 1, 2, 3, 9, 10, 12]) == ["1:3,5,9:10,12"]
    scattered = list(range(1, 60001, 2))  # no runs at all: 30,000 parts
    sets = uid_sets(scattered)
    assert len(sets) > 1 and all(len(s) <= MAX_SET_CHARS for s in sets)
    covered = [int(part) for s in sets for part in s.split(",")]
    assert covered == scattered
    assert uid_sets([]) == []


def server_capabilities(server: DovecotServer, user: ImapUser) -> set[str]:
    with server.client(user.name) as client:
        return {c.decode() for c in client.capabilities()}


@contextlib.contextmanager
def _running(
    ctx: AppContext, account_id: object, on_synced: Callable[[SyncResult], None]
) -> Iterator[None]:
    """The account's mailbox kept in step (catch-up, then IDLE) on a thread, until the end."""
    stop = threading.Event()
    target = imap_settings(ctx, account_id)  # type: ignore[arg-type]
    sync = MailboxSync(ctx, target, quick_options(on_synced=on_synced))
    thread = threading.Thread(target=sync.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_idle_brings_new_mail_and_survives_a_server_restart(
    sqlite_ctx: AppContext, dovecot_factory: DovecotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = dovecot_factory()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_path))
    server.add_user("idle@example.test", "pw")
    user = ImapUser("idle@example.test", "pw", server)
    account_id = make_account(sqlite_ctx, user)
    corpus = generate_corpus(3, seed=21)
    synced: queue.Queue[SyncResult] = queue.Queue()
    total = {"new": 0}

    def on_synced(result: SyncResult) -> None:
        total["new"] += result.new
        synced.put(result)

    with _running(sqlite_ctx, account_id, on_synced):
        synced.get(timeout=30)  # the first catch-up (empty mailbox)
        server.append(user.name, corpus[0].raw)
        wait_until(lambda: total["new"] == 1)  # pushed by IDLE, no polling interval

        server.restart()
        server.append(user.name, corpus[1].raw)
        wait_until(lambda: total["new"] == 2)  # reconnected with backoff and caught up

        server.append(user.name, corpus[2].raw)
        wait_until(lambda: total["new"] == 3)  # and back in IDLE
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 3


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_mail_that_arrives_as_idle_begins_is_fetched_at_once(
    sqlite_ctx: AppContext,
    dovecot_factory: DovecotFactory,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    # A message lands after the last look at the folder and before the IDLE command: the
    # server announces it as IDLE begins, often in the same packet as its "+ idling". It
    # must be fetched then, not at the next renewal of IDLE (ten minutes by default).
    server = dovecot_factory()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_path))
    server.add_user("race@example.test", "pw")
    user = ImapUser("race@example.test", "pw", server)
    port = server.tls_port if security == "ssl" else server.port
    account_id = make_account(sqlite_ctx, user, imap_security=security, imap_port=port)
    corpus = generate_corpus(3, seed=22)
    total = {"new": 0, "syncs": 0}

    def on_synced(result: SyncResult) -> None:
        total["new"] += result.new
        total["syncs"] += 1

    real_behind = MailboxSync._behind

    def behind_then_mail(self: MailboxSync, client: object) -> bool:
        behind = real_behind(self, client)  # type: ignore[arg-type]
        if not behind and total["new"] < len(corpus):
            server.append(user.name, corpus[total["new"]].raw)  # before IDLE starts
        return behind

    monkeypatch.setattr(MailboxSync, "_behind", behind_then_mail)
    with _running(sqlite_ctx, account_id, on_synced):
        wait_until(lambda: total["new"] == len(corpus))
    assert total["syncs"] == 1 + len(corpus), "one sync per message, no reconnection"


def test_wrong_password_is_reported_as_authentication_failure(imap_user: ImapUser) -> None:
    settings = ImapSettings(
        imap_user.server.host, imap_user.server.port, "none", imap_user.name, "wrong"
    )
    with pytest.raises(AuthError, match=r"^IMAP authentication failed: "):
        connect(settings)


def test_a_server_that_never_answers_times_out_with_the_step() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        port = silent.getsockname()[1]
        settings = ImapSettings(
            "127.0.0.1", port, "none", "u", "p", connect_timeout=1, auth_timeout=1
        )
        with pytest.raises(ServerError, match=r"did not answer within 1 s"):
            connect(settings)
    finally:
        silent.close()


def test_a_server_that_is_down_is_one_clear_sentence(sqlite_ctx: AppContext) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    from app.services.accounts import add_account

    add_account(
        sqlite_ctx.store,
        name="down",
        email="down@acme.test",
        username="u",
        password="p",
        imap_host="127.0.0.1",
        imap_port=port,
        imap_security="none",
    )
    report = fetch_once(sqlite_ctx, quick_options())
    assert report.errors == [f"IMAP server 127.0.0.1:{port} refused the connection."]


def test_implicit_tls_login(imap_user: ImapUser, trust_test_certificate: None) -> None:
    server = imap_user.server
    settings = ImapSettings(server.host, server.tls_port, "ssl", imap_user.name, imap_user.password)
    client = connect(settings)
    try:
        assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0
    finally:
        logout(client)


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
def test_connections_probe_a_silent_peer(
    imap_user: ImapUser, trust_test_certificate: None, security: str
) -> None:
    # The watchdog for a socket that died without a reset (see imap.KEEPALIVE): the kernel
    # probes after 30 s of silence and gives up after three unanswered probes. What the
    # kernel then does needs a network that drops packets; this holds the settings on the
    # socket the IDLE loop really uses, after TLS has wrapped it.
    server = imap_user.server
    port = server.tls_port if security == "ssl" else server.port
    client = connect(ImapSettings(server.host, port, security, imap_user.name, imap_user.password))
    try:
        sock = client.socket()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        timing = {
            name: sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, name))
            for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT")
        }
        assert timing == {"TCP_KEEPIDLE": 30, "TCP_KEEPINTVL": 10, "TCP_KEEPCNT": 3}
    finally:
        logout(client)


def test_a_certificate_the_machine_does_not_trust_is_refused(imap_user: ImapUser) -> None:
    server = imap_user.server
    settings = ImapSettings(server.host, server.tls_port, "ssl", imap_user.name, imap_user.password)
    with pytest.raises(ServerError, match=r"TLS with IMAP server .* failed \(connect\)"):
        connect(settings)
