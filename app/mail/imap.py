"""IMAP connections: TLS modes, timeouts, login, and errors a person can act on."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import _parse_untagged_response, seq_to_parenstr_upper
from imapclient.response_parser import parse_fetch_response

from app.errors import AuthError, ConfigError, ServerError

log = logging.getLogger("imap")

# After login, commands such as a large FETCH may legitimately take a while.
COMMAND_TIMEOUT_S = 120.0

# The dead-socket watchdog for IDLE. A pulled cable, a laptop that changed networks or a NAT
# that forgot the connection sends no reset, and a socket in IDLE waits for data that never
# comes until the next renewal (10 minutes by default), missing the mail of that time. TCP
# keepalive probes make the kernel fail the socket after about a minute of silence
# (30 s idle, then 3 probes 10 s apart); the IDLE loop then reconnects and catches up.
KEEPALIVE = {"TCP_KEEPIDLE": 30, "TCP_KEEPINTVL": 10, "TCP_KEEPCNT": 3}

# Command lines we send stay under this (RFC 7162 section 4 asks clients for about 8 KB;
# Dovecot refuses an argument over 64 KB with "BAD ... Too long argument", which a list of
# 10,000 UIDs already is).
MAX_SET_CHARS = 8000

# WORKAROUND: imaplib refuses a server line over 1,000,000 bytes, and on a server without
# ESEARCH (see search_uids) a mailbox's "SEARCH ALL" answer is one line: about 140,000
# messages of six- and seven-digit UIDs. The limit is imaplib's module global (imapclient
# has none of its own); 64 MB allows millions.
imaplib._MAXLINE = max(imaplib._MAXLINE, 64_000_000)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str = field(repr=False)
    mailbox: str = "INBOX"
    auth: str = "password"  # password | xoauth2 | none
    connect_timeout: float = 10.0
    auth_timeout: float = 5.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def tls_context() -> ssl.SSLContext:
    # The platform's trust store; SSL_CERT_FILE points it elsewhere (tests, private CAs).
    return ssl.create_default_context()


def connect(settings: ImapSettings) -> IMAPClient:
    """Connect, secure and log in; raise ServerError/AuthError naming the failed step."""
    # imapclient restores the read timeout given here after every IDLE check, so it must be
    # the one for commands; the shorter authentication timeout is set around the login.
    timeout = SocketTimeout(connect=settings.connect_timeout, read=COMMAND_TIMEOUT_S)
    step = "connect"
    client: IMAPClient | None = None
    try:
        client = IMAPClient(
            settings.host,
            settings.port,
            ssl=settings.security == "ssl",
            ssl_context=tls_context() if settings.security == "ssl" else None,
            timeout=timeout,
        )
        keep_alive(client.socket())
        client.socket().settimeout(settings.auth_timeout)
        if settings.security == "starttls":
            step = "starttls"
            client.starttls(tls_context())
        step = "login"
        if settings.auth == "xoauth2":
            client.oauth2_login(settings.username, settings.password)
        elif settings.auth == "password":
            client.login(settings.username, settings.password)
        client.socket().settimeout(COMMAND_TIMEOUT_S)
        _enable_condstore(client)
        log.info("connected to %s as %s", settings.where, settings.username)
        return client
    except LoginError as exc:
        _close(client)
        raise AuthError(f"IMAP authentication failed: {_reason(exc)}") from exc
    except TimeoutError as exc:
        _close(client)
        limit = settings.connect_timeout if step == "connect" else settings.auth_timeout
        raise ServerError(
            f"IMAP server {settings.where} did not answer within {limit:g} s ({step})."
        ) from exc
    except ssl.SSLError as exc:
        _close(client)
        raise ServerError(
            f"TLS with IMAP server {settings.where} failed ({step}): {exc.reason or exc}"
        ) from exc
    except ConnectionRefusedError as exc:
        raise ServerError(f"IMAP server {settings.where} refused the connection.") from exc
    except socket.gaierror as exc:
        raise ConfigError(f"IMAP host {settings.host!r} is unknown: {exc.strerror}") from exc
    except (OSError, IMAPClientError) as exc:
        _close(client)
        raise ServerError(f"IMAP {step} with {settings.where} failed: {_reason(exc)}") from exc


def _enable_condstore(client: IMAPClient) -> None:
    """Ask for modification sequences where the server has them (RFC 7162).

    A server reports HIGHESTMODSEQ, and answers CHANGEDSINCE, only to a client that enabled
    CONDSTORE (Dovecot among them); without it, every sync compared every message's flags.
    ENABLE is valid only before a folder is selected: here, once per connection.
    """
    if client.has_capability("CONDSTORE") and client.has_capability("ENABLE"):
        try:
            client.enable("CONDSTORE")
        except IMAPClientError as exc:  # refused: the full comparison still keeps us right
            log.info("the server did not enable CONDSTORE: %s", exc)


def keep_alive(sock: socket.socket) -> None:
    """Turn on TCP keepalive probes with KEEPALIVE's timing, where the platform names them
    (macOS calls the idle time TCP_KEEPALIVE)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    names = dict(KEEPALIVE)
    if not hasattr(socket, "TCP_KEEPIDLE") and hasattr(socket, "TCP_KEEPALIVE"):
        names["TCP_KEEPALIVE"] = names.pop("TCP_KEEPIDLE")
    for name, value in names.items():
        option = getattr(socket, name, None)
        if option is None:
            continue
        try:
            sock.setsockopt(socket.IPPROTO_TCP, option, value)
        except OSError as exc:  # an old kernel without that knob: the default timing
            log.debug("cannot set %s on the IMAP socket: %s", name, exc)


def uid_sets(uids: Iterable[int]) -> list[str]:
    """``uids`` as IMAP sequence sets ("1:500,502,504:900"), each under MAX_SET_CHARS.

    A mailbox's UIDs are mostly runs, so tens of thousands usually fit in one short set.
    """
    ordered = sorted(set(uids))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        parts.append(str(first) if first == last else f"{first}:{last}")
        start = end + 1
    sets: list[str] = []
    current: list[str] = []
    size = 0
    for part in parts:
        if current and size + 1 + len(part) > MAX_SET_CHARS:
            sets.append(",".join(current))
            current, size = [], 0
        current.append(part)
        size += len(part) + (1 if size else 0)
    if current:
        sets.append(",".join(current))
    return sets


def fetch_uid_set(
    client: IMAPClient,
    message_set: str,
    data: Sequence[bytes],
    modifiers: Sequence[str] = (),
) -> dict[int, dict[bytes, Any]]:
    """``UID FETCH`` of a sequence set such as "1:*", keyed by UID.

    WORKAROUND: imapclient 3's ``fetch()`` keeps only the answers for the ids it was given,
    converted with int(), so it refuses ranges; a list of single UIDs instead grows past
    what servers accept. This sends the same command with the set as given. Answers
    without a UID (unsolicited, about other messages) are dropped.
    """
    args = [
        "FETCH",
        message_set.encode("ascii"),
        seq_to_parenstr_upper(list(data)),
        seq_to_parenstr_upper(list(modifiers)) if modifiers else None,
    ]
    if client.use_uid:
        args.insert(0, "UID")
    imap = client._imap
    tag = imap._command(*args)
    typ, lines = imap._command_complete("FETCH", tag)
    client._checkok("fetch", typ, lines)
    typ, lines = imap._untagged_response(typ, lines, "FETCH")
    parsed = parse_fetch_response(lines, client.normalise_times, uid_is_key=False)
    return {int(d[b"UID"]): d for d in parsed.values() if b"UID" in d}


def search_uids(client: IMAPClient, criteria: str) -> list[int]:
    """The UIDs matching ``criteria`` ("ALL", "UID 500:*"), ascending.

    A plain SEARCH answers with every UID spelled out: 700 KB in one line for a mailbox of
    100,000 messages, each number parsed in Python. Where the server offers ESEARCH (RFC
    4731: Dovecot, Cyrus and others) the answer is a sequence set instead ("1:99870,99872"),
    a few bytes for a mailbox whose messages are mostly kept, and imaplib's line limit is
    never near.
    """
    if client.has_capability("ESEARCH") and not getattr(client, _NO_ESEARCH, False):
        found = _esearch(client, criteria)
        if found is not None:
            return found
        # RFC 4731 requires the ESEARCH answer even when nothing matched. A server that
        # advertises ESEARCH and leaves it out is asked the plain way from now on: reading
        # no answer as an empty folder would mark every message gone.
        log.warning("the IMAP server offers ESEARCH but did not answer with it; searching plainly")
        setattr(client, _NO_ESEARCH, True)
        client._imap.untagged_responses.pop("SEARCH", None)  # an answer of the other kind
    return sorted(int(uid) for uid in client.search(criteria.split()))


_NO_ESEARCH = "_relaydesk_no_esearch"  # set on a connection whose server's ESEARCH failed


def _esearch(client: IMAPClient, criteria: str) -> list[int] | None:
    """``UID SEARCH RETURN (ALL) criteria``; None when the server gave no ESEARCH answer.

    WORKAROUND: imapclient has no ESEARCH, so the command goes through imaplib as
    ``fetch_uid_set``'s does.
    """
    imap = client._imap
    tag = imap._command("UID", "SEARCH", "RETURN", "(ALL)", criteria)
    typ, lines = imap._command_complete("SEARCH", tag)
    client._checkok("search", typ, lines)
    typ, answers = imap._untagged_response(typ, lines, "ESEARCH")
    ours = f'(TAG "{tag.decode() if isinstance(tag, bytes) else tag}")'
    for line in answers:
        text = line.decode("ascii", "replace") if isinstance(line, bytes) else str(line or "")
        if text.startswith(ours):
            return _esearch_all(text)
    return None


def _esearch_all(text: str) -> list[int]:
    """The UIDs of an ESEARCH answer's ALL ("(TAG "A5") UID ALL 1:3,7"); [] without one."""
    words = text.split()
    if "ALL" not in words[:-1]:
        return []  # nothing matched: the server leaves ALL out
    return expand_uid_set(words[words.index("ALL") + 1])


def expand_uid_set(message_set: str) -> list[int]:
    """A sequence set without "*" ("1:3,7,10:9") as its UIDs, ascending, each once."""
    uids: set[int] = set()
    for part in message_set.split(","):
        first, _, last = part.partition(":")
        low, high = int(first), int(last or first)
        if low > high:
            low, high = high, low
        uids.update(range(low, high + 1))
    return sorted(uids)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text.strip() or type(exc).__name__


def _close(client: IMAPClient | None) -> None:
    if client is None:
        return
    # Already failing: the original error is the one worth reporting.
    with contextlib.suppress(Exception):
        client.shutdown()


def logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # a dead connection cannot log out; nothing to save
        _close(client)


def idle_check(client: IMAPClient, timeout: float) -> list[Any]:
    """``client.idle_check``, without missing what the server sent as IDLE began.

    WORKAROUND: a server announces mail that came in before IDLE right after its "+ idling"
    line, often in the same packet. imaplib reads that packet whole into its buffered reader,
    so the announcement waits there while ``idle_check`` polls the socket, which has nothing
    more to say until the next keep-alive or renewal (minutes). Complete lines already read
    (into that buffer, or TLS's) are returned first, without waiting.
    """
    buffered = _buffered_lines(client)
    if buffered:
        return buffered
    return cast(list[Any], client.idle_check(timeout=timeout))


def _buffered_lines(client: IMAPClient) -> list[Any]:
    reader = client._imap.file
    sock = client.socket()
    previous = sock.gettimeout()
    sock.setblocking(False)  # a look at the socket below must not wait
    responses: list[Any] = []
    try:
        while True:
            try:
                # What is buffered, or else what one read of the socket gives at once.
                ready = reader.peek(1)
            except (BlockingIOError, ssl.SSLWantReadError):
                break
            if b"\r\n" not in ready:
                break  # nothing, or part of a line: the rest will wake the poll
            responses.append(_parse_untagged_response(client._imap._get_line()))
    finally:
        sock.settimeout(previous)
    return responses


def find_sent_folder(client: IMAPClient, configured: str = "Sent") -> str:
    """The folder holding sent mail: the \\Sent special-use folder, else the configured name."""
    try:
        special = client.find_special_folder(b"\\Sent")
    except IMAPClientError:
        special = None
    return str(special) if special else configured


def append_to_sent(client: IMAPClient, raw: bytes, folder: str) -> None:
    """File a copy of what we sent, marked as read, as a mail client would."""
    if not client.folder_exists(folder):
        client.create_folder(folder)
    client.append(folder, raw, flags=(b"\\Seen",))


def sent_copy_exists(client: IMAPClient, folder: str, message_id: str) -> bool:
    """Is a message with this Message-ID in the Sent folder? (Settles 'uncertain' sends.)"""
    if not client.folder_exists(folder):
        return False
    client.select_folder(folder, readonly=True)
    wanted = message_id if message_id.startswith("<") else f"<{message_id}>"
    return bool(client.search(["HEADER", "Message-ID", wanted]))
