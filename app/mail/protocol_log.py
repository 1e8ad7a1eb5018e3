"""The protocol log: the latest IMAP and SMTP lines per account, for diagnosing connections.

Only what helps a supervisor see where a conversation went wrong is kept: commands and the
server's answers. Passwords, AUTH payloads and OAuth2 tokens are replaced by ``***`` and a
message body is never kept, only a line such as ``<message data, 5321 bytes>``.

IMAP lines come from imapclient's debug loggers (imaplib's trace included). A filter on those
loggers takes the lines for the account being captured (a context variable, so each thread
records for its own account) and drops every debug record, so the trace never reaches the
log files. SMTP lines come from :class:`RecordingSMTP`, which records what it sends and reads.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import contextvars
import datetime as dt
import logging
import re
import smtplib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CAPACITY = 500  # lines kept per account
MAX_LINE = 300  # characters kept of one line (a CAPABILITY answer is long, a body is not here)

_current: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "protocol_log_account", default=None
)
_lock = threading.Lock()
_logs: dict[uuid.UUID, collections.deque[ProtocolLine]] = {}


@dataclass(frozen=True)
class ProtocolLine:
    at: dt.datetime
    protocol: str  # IMAP | SMTP
    direction: str  # C: the client (us), S: the server, *: a note
    text: str

    def __str__(self) -> str:
        when = f"{self.at.astimezone():%H:%M:%S}"
        if self.direction == "*":
            return f"{when} {self.protocol or '--'} -- {self.text}"
        return f"{when} {self.protocol} {self.direction}: {self.text}"


def record(protocol: str, direction: str, text: str) -> None:
    """Keep one line for the account being captured on this thread (if any)."""
    account = _current.get()
    if account is None:
        return
    if len(text) > MAX_LINE:
        text = text[:MAX_LINE] + "…"
    line = ProtocolLine(dt.datetime.now(dt.UTC), protocol, direction, text)
    with _lock:
        buffer = _logs.get(account)
        if buffer is None:
            buffer = _logs[account] = collections.deque(maxlen=CAPACITY)
        buffer.append(line)


def lines(account_id: uuid.UUID) -> list[ProtocolLine]:
    with _lock:
        return list(_logs.get(account_id, ()))


def clear(account_id: uuid.UUID) -> None:
    with _lock:
        _logs.pop(account_id, None)


@contextlib.contextmanager
def capture(account_id: uuid.UUID) -> Iterator[None]:
    """Record this thread's IMAP and SMTP conversation as ``account_id``'s."""
    _install()
    token = _current.set(account_id)
    try:
        yield
    finally:
        _current.reset(token)


# --- IMAP -------------------------------------------------------------------------------------


@dataclass
class BulkNote:
    """What a bulk transfer answered, as the caller words it (sizes, never contents)."""

    outcome: str = "OK"


@contextlib.contextmanager
def bulk(client: Any, command: str) -> Iterator[BulkNote]:
    """Mute imaplib's per-line trace on this connection for a bulk transfer (message bodies,
    flags of a whole folder), keeping the command and one line for its outcome.

    The trace of a body FETCH is some ten lines a message, each a log record built, parsed
    and then dropped: a third of the ingest time of a large catch-up. Nothing of it would be
    kept anyway (bodies never are); the command and its outcome are.
    """
    imap = getattr(client, "_imap", None)
    before = getattr(imap, "debug", 0)
    record("IMAP", "C", command)
    note = BulkNote()
    if imap is not None:
        imap.debug = 0
    try:
        yield note
    except BaseException as exc:
        note.outcome = f"failed: {type(exc).__name__}"
        raise
    finally:
        if imap is not None:
            imap.debug = before
        record("IMAP", "S", note.outcome)


_IMAP_LOGGERS = ("imapclient.imapclient", "imapclient.imaplib")
_installed = False
_BYTES_REPR = re.compile(r"^([<>]) (b(['\"]).*\3)$", re.DOTALL)
_LITERAL_SIZE = re.compile(r"^(read|write) literal size (\d+)$")
_IMAP_SECRET = re.compile(r"^(\S+ (?:UID )?)(LOGIN|AUTHENTICATE)\b.*$", re.IGNORECASE)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOTES = ("Connected to host", "Logged in as", "Logged out", "Connection closed")


def imap_text(message: str) -> tuple[str, str] | None:
    """(direction, text) of one imapclient/imaplib debug message worth keeping, else None.

    A whitelist: the parse traces of imaplib repeat literal contents (message bodies), so
    anything not recognised as a command, an answer line or a note is dropped.
    """
    size = _LITERAL_SIZE.match(message)
    if size:
        direction = "S" if size.group(1) == "read" else "C"
        return direction, f"<message data, {size.group(2)} bytes>"
    if message.startswith("   (literal) >"):
        return "C", "<message data>"
    if message in ("< DONE", "< UNSELECT"):  # imapclient's own arrows for what it sends
        return "C", message[2:]
    quoted = _BYTES_REPR.match(message)
    if quoted:
        try:
            raw = ast.literal_eval(quoted.group(2))
        except (ValueError, SyntaxError):
            return None
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        direction = "C" if quoted.group(1) == ">" else "S"
    elif message.startswith("> "):
        direction, text = "C", message[2:]
        if text.startswith(("b'", 'b"')):
            text = text[2:-1] if text[-1:] in "'\"" else text[2:]
    elif message.startswith(_NOTES):
        return "*", message
    else:
        return None
    text = text.rstrip("\r\n")
    if direction == "C":
        # imapclient already hides LOGIN arguments; never rely on it alone.
        text = _IMAP_SECRET.sub(r"\1\2 ***", text)
    elif " FETCH " in text:
        # Quoted strings in a FETCH answer are customer data (subjects, small bodies).
        text = _QUOTED.sub(lambda m: f'"<{len(m.group(0)) - 2} characters>"', text)
    return direction, text


class _ImapTap(logging.Filter):
    """Takes the trace lines for the protocol log; no debug record goes further."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            parent = logging.getLogger("imapclient")
            return record.levelno >= parent.getEffectiveLevel()
        if _current.get() is not None:
            try:
                message = record.getMessage()
            except Exception:  # a malformed trace line must not break a fetch
                return False
            kept = imap_text(message)
            if kept is not None:
                _record_imap(*kept)
        return False


def _record_imap(direction: str, text: str) -> None:
    record("IMAP", direction, text)  # the filter's own argument is also named "record"


def _install() -> None:
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        tap = _ImapTap()
        for name in _IMAP_LOGGERS:
            logger = logging.getLogger(name)
            logger.addFilter(tap)
            # The tap decides what passes on: nothing below the parent logger's level.
            logger.setLevel(logging.DEBUG)
        _installed = True


# --- SMTP -------------------------------------------------------------------------------------

_SMTP_AUTH = re.compile(r"^(AUTH\s+\S+)\s+\S.*$", re.IGNORECASE)


class _Recording:
    """Mixed into smtplib's classes: records each line sent and each answer read."""

    _secret_next = False  # after a 334 challenge the next line is a credential
    _body_next = False  # after a 354 the next thing sent is the message

    def send(self, s: Any) -> None:
        data = s.encode("ascii") if isinstance(s, str) else bytes(s)
        if self._body_next:
            text = f"<message body, {len(data)} bytes>"
        elif self._secret_next:
            text = "***"
        else:
            verb, _space, rest = data.decode("ascii", "replace").rstrip("\r\n").partition(" ")
            # smtplib sends "ehlo", "mail FROM:"; the log reads like the RFC: EHLO, MAIL.
            text = _SMTP_AUTH.sub(r"\1 ***", f"{verb.upper()}{_space}{rest}")
        self._body_next = self._secret_next = False
        record("SMTP", "C", text)
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        code, message = super().getreply()  # type: ignore[misc]
        answer = message.decode("utf-8", "replace").split("\n") if message else [""]
        for number, line in enumerate(answer):
            record("SMTP", "S", f"{code}{'-' if number < len(answer) - 1 else ' '}{line}")
        self._secret_next = code == 334
        self._body_next = code == 354
        return code, message


class RecordingSMTP(_Recording, smtplib.SMTP):
    """smtplib.SMTP whose conversation reaches the protocol log (when one is captured)."""


class RecordingSMTP_SSL(_Recording, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL whose conversation reaches the protocol log."""
