"""Fetching for all accounts: a one-shot catch-up, or staying connected with IDLE."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from app.context import AppContext
from app.errors import RelaydeskError, UserError
from app.mail import imap, protocol_log
from app.mail.fetcher import FetchOptions, MailboxSync, SyncResult, imap_settings
from storage.models import EmailAccount

log = logging.getLogger("imap")


@dataclass
class FetchReport:
    result: SyncResult = field(default_factory=SyncResult)
    errors: list[str] = field(default_factory=list)


def inbound_accounts(ctx: AppContext, name: str | None = None) -> list[uuid.UUID]:
    """Active accounts with an IMAP server (or the one named, which must exist)."""
    with ctx.store.read() as session:
        query = select(EmailAccount.id, EmailAccount.name, EmailAccount.active).where(
            EmailAccount.deleted_at.is_(None), EmailAccount.imap_host.is_not(None)
        )
        rows = session.execute(query.order_by(EmailAccount.name)).all()
    if name is None:
        return [r.id for r in rows if r.active]
    for row in rows:
        if row.name == name:
            if not row.active:
                raise UserError(f"Email account {name!r} is inactive: activate it to fetch.")
            return [row.id]
    raise UserError(f"There is no email account named {name!r} with an IMAP server.")


def fetch_once(ctx: AppContext, options: FetchOptions, account: str | None = None) -> FetchReport:
    """Catch up every inbound account once; one account's failure does not stop the others."""
    report = FetchReport()
    accounts = inbound_accounts(ctx, account)
    for account_id in accounts:
        try:
            with protocol_log.capture(account_id):
                target = imap_settings(ctx, account_id)
                client = imap.connect(target.settings)
                try:
                    report.result.add(MailboxSync(ctx, target, options).sync(client))
                finally:
                    imap.logout(client)
        except RelaydeskError as exc:
            log.error("fetch failed: %s", exc)
            report.errors.append(str(exc))
    return report


def watch(
    ctx: AppContext, options: FetchOptions, stop: threading.Event, account: str | None = None
) -> None:
    """Stay connected to every inbound account (IDLE) until ``stop`` is set."""
    accounts = inbound_accounts(ctx, account)
    if not accounts:
        raise UserError("There is no active email account with an IMAP server to fetch.")
    threads = []
    for account_id in accounts:
        sync = MailboxSync(ctx, imap_settings(ctx, account_id), options)
        thread = threading.Thread(
            target=sync.run, args=(stop,), name=f"fetch-{account_id}", daemon=True
        )
        thread.start()
        threads.append(thread)
    stop.wait()
    for thread in threads:
        thread.join(timeout=60)
