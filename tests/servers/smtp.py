"""A real SMTP server for tests: aiosmtpd on a free loopback port, STARTTLS and AUTH."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.servers.ports import free_port


@dataclass
class _Recorder:
    """Keeps what it accepts; ``reply`` forces the answer to DATA for fault tests."""

    messages: list[Envelope] = field(default_factory=list)
    oauth_tokens: set[str] = field(default_factory=set)  # bearer tokens XOAUTH2 accepts
    reply: str | None = None  # e.g. "451 4.3.0 Try later", "550 5.7.1 No", "disconnect"
    refuse_rcpt: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: object, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def auth_XOAUTH2(self, server: object, args: list[str]) -> AuthResult:
        """The XOAUTH2 SASL mechanism Gmail and Microsoft 365 use (aiosmtpd's hook name)."""
        try:
            decoded = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        fields = dict(p.split("=", 1) for p in decoded.split("\x01") if "=" in p)
        token = fields.get("auth", "").removeprefix("Bearer ")
        return AuthResult(success=token in self.oauth_tokens, handled=False)

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        if self.reply == "disconnect":
            # The whole message arrived; the answer never leaves: the "uncertain" case.
            self.messages.append(envelope)
            server.transport.close()  # type: ignore[attr-defined]
            return "250 OK"
        if self.reply:
            return self.reply
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: _Recorder
    controller: Controller

    @property
    def messages(self) -> list[Envelope]:
        return self.recorder.messages


def start_smtp(
    cert: Path, key: Path, users: dict[str, str], *, implicit_tls: bool = False
) -> Iterator[SmtpServer]:
    """Yield a running server offering STARTTLS (or TLS from the first byte) and AUTH."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))

    def authenticate(
        server: object, session: Session, envelope: Envelope, mechanism: str, data: object
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user = data.login.decode()
            if users.get(user) == data.password.decode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Bad credentials")

    recorder = _Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=None if implicit_tls else context,
        ssl_context=context if implicit_tls else None,
        authenticator=authenticate,
        # Over implicit TLS aiosmtpd does not know the channel is encrypted.
        auth_require_tls=not implicit_tls,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, recorder, controller)
    finally:
        controller.stop()
