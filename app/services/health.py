"""Mail health for the status bar: is every mailbox fetching, and is the outbox moving?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from storage.engine import Store
from storage.models import EmailAccount, FolderState, OutboxItem, utcnow

# An inbound account with no successful fetch for this long is reported as stale even when no
# error was recorded (a worker that stopped silently, a host that went to sleep).
STALE_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class AccountHealth:
    name: str
    key: str
    last_fetch_at: dt.datetime | None
    error: str  # the last fetch error, "" once a fetch succeeded again

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class MailHealth:
    accounts: tuple[AccountHealth, ...]
    outbox_waiting: int  # queued or being sent
    outbox_failed: int  # refused by the server: an agent has to look
    outbox_uncertain: int  # the connection died after the data: maybe sent, never resent
    checked_at: dt.datetime

    @property
    def failing(self) -> tuple[AccountHealth, ...]:
        return tuple(a for a in self.accounts if not a.ok)

    def stale(self, now: dt.datetime | None = None) -> tuple[AccountHealth, ...]:
        now = now or self.checked_at
        return tuple(
            a
            for a in self.accounts
            if a.ok and a.last_fetch_at is not None and now - a.last_fetch_at > STALE_AFTER
        )


def mail_health(store: Store) -> MailHealth:
    """One small read: per active inbound account its newest fetch and error; outbox counts."""
    with store.read() as session:
        rows = session.execute(
            select(
                EmailAccount.name,
                EmailAccount.key,
                func.max(FolderState.last_fetch_at),
                func.max(FolderState.last_error),
            )
            .outerjoin(
                FolderState,
                (FolderState.account_id == EmailAccount.id) & FolderState.deleted_at.is_(None),
            )
            .where(
                EmailAccount.active.is_(True),
                EmailAccount.deleted_at.is_(None),
                EmailAccount.imap_host.is_not(None),
            )
            .group_by(EmailAccount.id, EmailAccount.name, EmailAccount.key)
            .order_by(EmailAccount.name)
        ).all()
        states = dict(
            session.execute(
                select(OutboxItem.state, func.count())
                .where(
                    OutboxItem.deleted_at.is_(None),
                    OutboxItem.state.in_(("queued", "sending", "failed", "uncertain")),
                )
                .group_by(OutboxItem.state)
            ).all()
        )
    return MailHealth(
        accounts=tuple(
            AccountHealth(name=name, key=key, last_fetch_at=last, error=error or "")
            for name, key, last, error in rows
        ),
        outbox_waiting=int(states.get("queued", 0)) + int(states.get("sending", 0)),
        outbox_failed=int(states.get("failed", 0)),
        outbox_uncertain=int(states.get("uncertain", 0)),
        checked_at=utcnow(),
    )
