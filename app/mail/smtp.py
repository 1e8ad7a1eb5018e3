"""Sending one message over SMTP and saying exactly what became of it.

The outcome decides what the outbox does next: ``sent``; ``temporary`` (4xx, server down:
retry with backoff); ``permanent`` (5xx, refused login: back to the agent with the server's
words); ``uncertain`` (the connection died after the message's final dot: the server may
have taken it, so it is never resent automatically).
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from typing import Literal

from app.mail.protocol_log import RecordingSMTP, RecordingSMTP_SSL

log = logging.getLogger("smtp")

Status = Literal["sent", "temporary", "permanent", "uncertain"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str = field(repr=False)
    auth: str = "password"  # password | xoauth2 | none
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SendOutcome:
    status: Status
    detail: str
    code: int | None = None


def _reply_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _classify(code: int, text: str, what: str) -> SendOutcome:
    status: Status = "temporary" if 400 <= code < 500 else "permanent"
    return SendOutcome(status, f"{what}: {code} {text}".strip(), code)


def _dot_stuff(data: bytes) -> bytes:
    """CRLF line ends and leading dots doubled, ending with the lone dot line (RFC 5321)."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """Connect, secure and authenticate; errors propagate for the caller to classify."""
    context = ssl.create_default_context()
    server: smtplib.SMTP
    # The recording classes feed the account's protocol log (without secrets or bodies).
    if settings.security == "ssl":
        server = RecordingSMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        server = RecordingSMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        server.ehlo()
        if settings.security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        if settings.auth == "password":
            server.login(settings.username, settings.password)
        elif settings.auth == "xoauth2":
            token = f"user={settings.username}\x01auth=Bearer {settings.password}\x01\x01"
            server.auth("XOAUTH2", lambda _challenge=None: token, initial_response_ok=True)
    except BaseException:
        server.close()
        raise
    return server


def send(settings: SmtpSettings, raw: bytes, sender: str, recipients: list[str]) -> SendOutcome:
    """Hand ``raw`` to the server for ``recipients``; never raises for server trouble."""
    try:
        server = open_connection(settings)
    except smtplib.SMTPAuthenticationError as exc:
        return SendOutcome(
            "permanent",
            f"SMTP authentication failed: {_reply_text(exc.smtp_error)}",
            exc.smtp_code,
        )
    except smtplib.SMTPResponseException as exc:
        return _classify(exc.smtp_code, _reply_text(exc.smtp_error), "SMTP server refused")
    except smtplib.SMTPNotSupportedError as exc:
        # Retrying will not make the server offer AUTH or STARTTLS: the settings must change.
        return SendOutcome("permanent", f"SMTP server {settings.where}: {exc}")
    except TimeoutError:
        return SendOutcome(
            "temporary", f"SMTP server {settings.where} did not answer in {settings.timeout:g} s"
        )
    except ssl.SSLError as exc:
        return SendOutcome("temporary", f"TLS with SMTP server {settings.where} failed: {exc}")
    except (OSError, smtplib.SMTPException) as exc:
        return SendOutcome("temporary", f"SMTP server {settings.where}: {exc}")
    try:
        return _transact(server, raw, sender, recipients)
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def _transact(server: smtplib.SMTP, raw: bytes, sender: str, recipients: list[str]) -> SendOutcome:
    data_sent = False
    try:
        code, text = server.mail(sender)
        if code != 250:
            return _classify(code, _reply_text(text), f"sender {sender} refused")
        refused: list[tuple[str, int, str]] = []
        for rcpt in recipients:
            code, text = server.rcpt(rcpt)
            if code not in (250, 251):
                refused.append((rcpt, code, _reply_text(text)))
        if len(refused) == len(recipients):
            first, first_code, first_text = refused[0]
            return _classify(first_code, first_text, f"recipient {first} refused")
        code, text = server.docmd("DATA")
        if code != 354:
            return _classify(code, _reply_text(text), "DATA refused")
        server.send(_dot_stuff(raw))
        data_sent = True
        code, text = server.getreply()
        if code != 250:
            return _classify(code, _reply_text(text), "message refused")
        detail = f"accepted: {code} {_reply_text(text)}"
        if refused:
            # The message went to the others; the agent must know who did not get it.
            detail += "; refused: " + ", ".join(f"{r} ({c} {t})" for r, c, t in refused)
        return SendOutcome("sent", detail, code)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        if data_sent:
            log.warning("connection lost after DATA: the message may have been sent")
            return SendOutcome(
                "uncertain", f"the connection was lost after the message was sent: {exc}"
            )
        return SendOutcome("temporary", f"the connection was lost: {exc}")
