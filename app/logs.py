"""Logging: named loggers, a rotating file in the platform log folder, a ring buffer for
crash reports, and a filter that keeps secrets out of every line."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import logging.handlers
import os
import re
import traceback
from pathlib import Path
from types import TracebackType

from app import __version__, paths

LOG_DIR_ENV = "RELAYDESK_LOG_DIR"
LOGGERS = ("app", "imap", "smtp", "sync", "db", "ui", "templates", "oauth", "secrets")
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"

_SECRET_PATTERNS = (
    (
        re.compile(
            r"(?i)(password|passwd|pwd|secret|token|access_token|refresh_token)"
            r"(\s*[=:]\s*)(\S+)"
        ),
        r"\1\2***",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (re.compile(r"(?i)(auth=Bearer\s*)[^\x01\s]+"), r"\1***"),
    (re.compile(r"(?i)\b(AUTHENTICATE|AUTH)\s+(PLAIN|LOGIN|XOAUTH2)\s+\S+"), r"\1 \2 ***"),
    (re.compile(r"(?i)\b(LOGIN)\s+(\S+)\s+\S+"), r"\1 \2 ***"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message so no password or token reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RingBuffer(logging.Handler):
    """The last few hundred formatted lines, for a crash report."""

    def __init__(self, capacity: int = 500) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a log line must never take the app down
            self.handleError(record)


_ring = RingBuffer()


def log_dir() -> Path:
    chosen = os.environ.get(LOG_DIR_ENV)
    return Path(chosen) if chosen else paths.log_dir()


def setup(*, verbose: bool = False, to_file: bool = True) -> Path | None:
    """Configure the root logger once per process; return the log file (if any)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    formatter = logging.Formatter(FORMAT)
    console = logging.StreamHandler()
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(formatter)
    console.addFilter(redactor)
    root.addHandler(console)
    _ring.setFormatter(formatter)
    _ring.addFilter(redactor)
    _ring.setLevel(logging.DEBUG)
    root.addHandler(_ring)
    # imaplib's protocol trace holds message bodies: never logged at our levels.
    logging.getLogger("imapclient").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not to_file:
        return None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "relaydesk.log"
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger("app").warning("no log file (%s); logging to the console only", exc)
        return None
    file_handler.setFormatter(formatter)
    file_handler.addFilter(redactor)
    root.addHandler(file_handler)
    return path


def recent_lines() -> list[str]:
    return list(_ring.lines)


def write_crash_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> Path:
    """A file with the traceback and recent log lines (already redacted), for support."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.txt"
    number = 1
    while path.exists():  # two different bugs in one second: keep both reports
        number += 1
        path = folder / f"crash-{stamp}-{os.getpid()}-{number}.txt"
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    body = (
        f"Relaydesk {__version__} crash report, {stamp} UTC\n\n{redact(text)}\n"
        "Recent log lines:\n" + "\n".join(recent_lines()) + "\n"
    )
    path.write_text(body, encoding="utf-8")
    return path
