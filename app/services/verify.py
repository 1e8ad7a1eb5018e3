"""The "verify connection" button and ``relaydesk account verify``: which step failed, why."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass

from app import secrets
from app.context import AppContext
from app.errors import RelaydeskError
from app.mail import imap, protocol_log
from app.mail.fetcher import imap_settings
from app.mail.protocol_log import RecordingSMTP, RecordingSMTP_SSL
from app.services.accounts import find_account


@dataclass(frozen=True)
class VerifyStep:
    protocol: str  # IMAP | SMTP
    ok: bool
    line: str


def verify_account(ctx: AppContext, name: str) -> list[VerifyStep]:
    with ctx.store.read() as session:
        account = find_account(session, name)
        account_id, inbound, outbound = account.id, account.inbound, account.outbound
        smtp = (
            account.smtp_host or "",
            account.smtp_port or 465,
            account.smtp_security,
            account.smtp_auth,
            account.smtp_username,
            float(account.connect_timeout),
        )
    steps: list[VerifyStep] = []
    # The conversation goes to the account's protocol log, shown beside the result.
    with protocol_log.capture(account_id):
        protocol_log.record("", "*", "verifying the connection")
        if inbound:
            steps.append(_verify_imap(ctx, account_id))
        if outbound:
            steps.append(_verify_smtp(account_id, *smtp))
        for step in steps:
            protocol_log.record(step.protocol, "*", step.line)
    return steps


def protocol_lines(ctx: AppContext, name: str) -> list[str]:
    """The account's latest IMAP and SMTP lines (verify runs, fetches, sends), oldest first."""
    with ctx.store.read() as session:
        account_id = find_account(session, name).id
    return [str(line) for line in protocol_log.lines(account_id)]


def _verify_imap(ctx: AppContext, account_id: uuid.UUID) -> VerifyStep:
    try:
        target = imap_settings(ctx, account_id)
        client = imap.connect(target.settings)
        try:
            info = client.select_folder(target.settings.mailbox, readonly=True)
            count = int(info.get(b"EXISTS", 0))
        finally:
            imap.logout(client)
    except RelaydeskError as exc:
        return VerifyStep("IMAP", False, str(exc))
    except Exception as exc:  # the folder may be missing or the server odd: say so plainly
        return VerifyStep("IMAP", False, f"IMAP folder check failed: {exc}")
    return VerifyStep(
        "IMAP",
        True,
        f"IMAP OK: {target.settings.where} as {target.settings.username}, "
        f"{target.settings.mailbox} holds {count} messages",
    )


def _verify_smtp(
    account_id: uuid.UUID,
    host: str,
    port: int,
    security: str,
    auth: str,
    username: str,
    timeout: float,
) -> VerifyStep:
    where = f"{host}:{port}"
    step = "connect"
    try:
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if security == "ssl":
            server = RecordingSMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = RecordingSMTP(host, port, timeout=timeout)
        try:
            step = "EHLO"
            server.ehlo()
            if security == "starttls":
                step = "STARTTLS"
                server.starttls(context=context)
                server.ehlo()
            if auth == "password":
                step = "login"
                password = secrets.get_secret(account_id, "smtp_password") or secrets.get_secret(
                    account_id, "password"
                )
                if password is None:
                    return VerifyStep(
                        "SMTP", False, "SMTP authentication failed: no password is stored"
                    )
                server.login(username, password)
        finally:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    except smtplib.SMTPAuthenticationError as exc:
        raw = exc.smtp_error
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or exc)
        return VerifyStep("SMTP", False, f"SMTP authentication failed: {reason}")
    except smtplib.SMTPNotSupportedError as exc:
        return VerifyStep("SMTP", False, f"SMTP {step} failed at {where}: {exc}")
    except TimeoutError:
        return VerifyStep("SMTP", False, f"SMTP server {where} did not answer within {timeout:g} s")
    except ConnectionRefusedError:
        return VerifyStep("SMTP", False, f"SMTP server {where} refused the connection")
    except ssl.SSLError as exc:
        return VerifyStep("SMTP", False, f"TLS with SMTP server {where} failed: {exc.reason}")
    except (smtplib.SMTPException, OSError) as exc:
        return VerifyStep("SMTP", False, f"SMTP {step} with {where} failed: {exc}")
    return VerifyStep("SMTP", True, f"SMTP OK: {where} as {username}")
