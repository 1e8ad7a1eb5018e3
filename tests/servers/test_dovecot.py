"""Proves the throwaway Dovecot fixture behaves like the server the client will meet."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import time
from typing import TYPE_CHECKING

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.servers.dovecot import DovecotServer, ImapUser

if TYPE_CHECKING:
    from tests.servers.fixtures import DovecotFactory

pytestmark = pytest.mark.imap


def _msg(subject: str, body: str = "hello") -> bytes:
    return (
        f"From: customer@example.test\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@example.test>\r\n\r\n{body}\r\n"
    ).encode()


def _subjects(user: ImapUser, folder: str = "INBOX") -> dict[int, bytes]:
    with user.server.client(user.name) as c:
        c.select_folder(folder, readonly=True)
        uids = c.search("ALL")
        fetched = c.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    return {uid: data[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for uid, data in fetched.items()}


def test_plain_login_and_starttls_offered(imap_user: ImapUser) -> None:
    srv = imap_user.server
    c = IMAPClient(srv.host, srv.port, ssl=False)
    try:
        assert b"STARTTLS" in c.capabilities()
        c.login(imap_user.name, imap_user.password)
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        c.logout()


def test_starttls_login(imap_user: ImapUser) -> None:
    srv = imap_user.server
    c = IMAPClient(srv.host, srv.port, ssl=False)
    try:
        c.starttls(ssl.create_default_context(cafile=str(srv.cert_path)))
        assert isinstance(c.socket(), ssl.SSLSocket)
        c.login(imap_user.name, imap_user.password)
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        c.logout()


def test_implicit_tls_login(imap_user: ImapUser) -> None:
    srv = imap_user.server
    ctx = ssl.create_default_context(cafile=str(srv.cert_path))
    c = IMAPClient(srv.host, srv.tls_port, ssl=True, ssl_context=ctx)
    try:
        assert isinstance(c.socket(), ssl.SSLSocket)
        c.login(imap_user.name, imap_user.password)
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        c.logout()


def test_certificate_is_really_verified(dovecot: DovecotServer) -> None:
    # Without the cafile the self-signed certificate must be rejected, otherwise the TLS tests
    # above would prove nothing about certificate handling.
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(
            dovecot.host, dovecot.tls_port, ssl=True, ssl_context=ssl.create_default_context()
        )


def test_wrong_password_is_rejected(imap_user: ImapUser) -> None:
    c = IMAPClient(imap_user.server.host, imap_user.server.port, ssl=False)
    try:
        with pytest.raises(LoginError):
            c.login(imap_user.name, imap_user.password + "x")
    finally:
        c.shutdown()


def test_users_added_while_running_and_repassworded(dovecot: DovecotServer) -> None:
    dovecot.add_user("late-joiner@example.test", "first")
    with dovecot.client("late-joiner@example.test") as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    dovecot.add_user("late-joiner@example.test", "second")
    c = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    try:
        with pytest.raises(LoginError):
            c.login("late-joiner@example.test", "first")
    finally:
        c.shutdown()
    with dovecot.client("late-joiner@example.test"):
        pass


def test_each_imap_user_has_its_own_mailbox(imap_user: ImapUser, dovecot: DovecotServer) -> None:
    dovecot.append(imap_user.name, _msg("only for one"))
    dovecot.add_user("other@example.test", "pw")
    assert dovecot.uids("other@example.test") == []
    assert dovecot.uids(imap_user.name) == [1]


def test_append_returns_increasing_uids(imap_user: ImapUser) -> None:
    srv = imap_user.server
    single = [srv.append(imap_user.name, _msg(f"single {i}")) for i in range(3)]
    batch = srv.append_many(imap_user.name, [_msg(f"batch {i}") for i in range(4)])
    uids = single + batch
    assert uids == sorted(uids) and len(set(uids)) == 7
    assert srv.uids(imap_user.name) == uids
    subjects = _subjects(imap_user)
    assert subjects[single[0]] == b"Subject: single 0"
    assert subjects[batch[-1]] == b"Subject: batch 3"


def test_append_with_flags_time_and_folder(imap_user: ImapUser) -> None:
    srv = imap_user.server
    srv.create_folder(imap_user.name, "Queue/Billing")
    when = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    uid = srv.append(
        imap_user.name,
        _msg("flagged"),
        folder="Queue/Billing",
        flags=[b"\\Seen", b"\\Flagged", b"$Assigned"],
        msg_time=when,
    )
    assert set(srv.flags(imap_user.name, "Queue/Billing")[uid]) == {
        b"\\Seen",
        b"\\Flagged",
        b"$Assigned",
    }
    with srv.client(imap_user.name) as c:
        c.select_folder("Queue/Billing", readonly=True)
        internal = c.fetch([uid], ["INTERNALDATE"])[uid][b"INTERNALDATE"]
        assert b"Queue/Billing" in [name.encode() for _, _, name in c.list_folders()]
    assert internal.astimezone(dt.UTC) == when
    assert srv.maildir(imap_user.name, "Queue/Billing").is_dir()


def test_peek_fetch_leaves_flags_alone(imap_user: ImapUser) -> None:
    srv = imap_user.server
    uids = srv.append_many(imap_user.name, [_msg("peeked"), _msg("read")])
    before = srv.flags(imap_user.name)
    assert before == {uids[0]: (), uids[1]: ()}
    with srv.client(imap_user.name) as c:
        c.select_folder("INBOX")
        body = c.fetch([uids[0]], ["BODY.PEEK[]"])[uids[0]][b"BODY[]"]
        # Contrast: a plain BODY[] fetch does set \Seen, so the assertion below means something.
        c.fetch([uids[1]], ["BODY[]"])
    assert b"Subject: peeked" in body
    after = srv.flags(imap_user.name)
    assert after[uids[0]] == ()
    assert after[uids[1]] == (b"\\Seen",)


def test_condstore_advertised_by_default(imap_user: ImapUser) -> None:
    with imap_user.server.client(imap_user.name) as c:
        caps = c.capabilities()
    assert b"CONDSTORE" in caps
    assert b"QRESYNC" in caps


def test_condstore_can_be_hidden(dovecot_factory: DovecotFactory, imap_user: ImapUser) -> None:
    srv = dovecot_factory(condstore=False)
    srv.add_user("legacy@example.test", "pw")
    with srv.client("legacy@example.test") as c:
        caps = set(c.capabilities())
    with imap_user.server.client(imap_user.name) as c:
        default_caps = set(c.capabilities())
    assert b"CONDSTORE" not in caps
    assert b"QRESYNC" not in caps
    # Everything else must match the default list: the replacement list is hard-coded, so this
    # catches a Dovecot upgrade that changes what it advertises.
    assert caps == default_caps - {b"CONDSTORE", b"QRESYNC"}
    assert srv.append_many("legacy@example.test", [_msg("a"), _msg("b")]) == [1, 2]


@pytest.mark.parametrize("folder", ["INBOX", "Archive/2024 Ärger"])
def test_reset_uidvalidity_keeps_messages(imap_user: ImapUser, folder: str) -> None:
    srv = imap_user.server
    if folder != "INBOX":
        srv.create_folder(imap_user.name, folder)
    uids = srv.append_many(imap_user.name, [_msg(f"m{i}") for i in range(3)], folder=folder)
    srv.set_flags(imap_user.name, [uids[1]], [b"\\Seen", b"$Escalated"], folder=folder)
    srv.expunge(imap_user.name, [uids[0]], folder=folder)
    old = srv.uidvalidity(imap_user.name, folder)
    subjects_before = sorted(_subjects(imap_user, folder).values())

    new = srv.reset_uidvalidity(imap_user.name, folder)

    assert new != old
    assert srv.uidvalidity(imap_user.name, folder) == new
    assert sorted(_subjects(imap_user, folder).values()) == subjects_before
    flags = srv.flags(imap_user.name, folder)
    assert len(flags) == 2
    # Renumbered from 1 again: the old UIDs are meaningless now.
    assert sorted(flags) == [1, 2]
    assert sorted(map(set, flags.values()), key=len) == [set(), {b"\\Seen", b"$Escalated"}]


def test_expunge_removes_exactly_those_uids(imap_user: ImapUser) -> None:
    srv = imap_user.server
    uids = srv.append_many(imap_user.name, [_msg(f"e{i}") for i in range(4)])
    # A message someone else marked \Deleted must survive a UID EXPUNGE of other UIDs.
    srv.set_flags(imap_user.name, [uids[3]], [b"\\Deleted"])
    srv.expunge(imap_user.name, uids[1:3])
    assert srv.uids(imap_user.name) == [uids[0], uids[3]]


def test_stop_start_on_same_ports(dovecot_factory: DovecotFactory) -> None:
    srv = dovecot_factory()
    srv.add_user("a@example.test", "pw")
    uid = srv.append("a@example.test", _msg("survives"))
    port, tls_port = srv.port, srv.tls_port
    with srv.client("a@example.test") as c:
        c.select_folder("INBOX")
        srv.stop()
        with pytest.raises((OSError, IMAPClient.AbortError)):
            c.noop()
    with pytest.raises(OSError):
        socket.create_connection((srv.host, port), timeout=1).close()
    srv.start()
    assert (srv.port, srv.tls_port) == (port, tls_port)
    assert srv.uids("a@example.test") == [uid]
    srv.restart()
    with srv.client("a@example.test", tls=True) as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 1


def test_extra_config_is_applied(dovecot_factory: DovecotFactory) -> None:
    srv = dovecot_factory(extra_config="login_greeting = Relaydesk test server ready")
    c = IMAPClient(srv.host, srv.port, ssl=False)
    try:
        assert b"Relaydesk test server ready" in c.welcome
    finally:
        c.shutdown()


def test_start_failure_shows_dovecot_log() -> None:
    srv = DovecotServer(extra_config="no_such_setting = 1")
    try:
        with pytest.raises(RuntimeError, match="no_such_setting"):
            srv.start()
    finally:
        srv.close()


def test_append_many_handles_thousands_quickly(imap_user: ImapUser) -> None:
    srv = imap_user.server
    raws = [_msg(f"bulk {i}", "x" * 200) for i in range(5000)]
    started = time.monotonic()
    uids = srv.append_many(imap_user.name, raws)
    elapsed = time.monotonic() - started
    assert uids == list(range(1, 5001))
    assert elapsed < 15, f"append_many took {elapsed:.1f}s"
    flags = srv.flags(imap_user.name)
    assert len(flags) == 5000 and not any(flags.values())


def test_a_port_taken_before_the_first_start_is_chosen_again(
    dovecot_factory: DovecotFactory,
) -> None:
    # Between the choice of a port and Dovecot's bind, another test worker may take it.
    # (dovecot_factory: only for its skip where Dovecot is missing; this server starts here.)
    server = DovecotServer()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", server.port))
        squatter.listen()
        taken = server.port
        try:
            server.start()
            assert server.port != taken
            server.add_user("late@example.test", "pw")
            with server.client("late@example.test") as client:
                assert client.select_folder("INBOX")[b"EXISTS"] == 0
        finally:
            server.close()
