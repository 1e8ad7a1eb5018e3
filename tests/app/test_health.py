"""Mail health: what the status bar reports about mailboxes and the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.context import AppContext
from app.services import accounts
from app.services.health import mail_health
from storage.models import EmailAccount, FolderState, Interaction, Message, OutboxItem, utcnow


def _account(ctx: AppContext, name: str, **kwargs: object) -> EmailAccount:
    accounts.add_account(
        ctx.store,
        name=name,
        email=f"{name}@acme.test",
        username=f"{name}@acme.test",
        imap_host="imap.acme.test",
        imap_port=993,
        **kwargs,  # type: ignore[arg-type]
    )
    with ctx.store.read() as session:
        return session.execute(select(EmailAccount).where(EmailAccount.name == name)).scalar_one()


def test_failing_stale_and_healthy_mailboxes(ctx: AppContext) -> None:
    support = _account(ctx, "support")
    sales = _account(ctx, "sales")
    _account(ctx, "old", active=False)  # inactive accounts are not fetched, so not reported
    health = mail_health(ctx.store)
    assert [a.name for a in health.accounts] == ["sales", "support"]
    assert all(a.ok and a.last_fetch_at is None for a in health.accounts)

    now = utcnow()
    with ctx.store.write() as session:
        session.add(FolderState(account_id=support.id, folder="INBOX", last_fetch_at=now))
        session.add(
            FolderState(
                account_id=sales.id,
                folder="INBOX",
                last_fetch_at=now - dt.timedelta(hours=1),
                last_error="IMAP authentication failed: wrong password",
            )
        )
    health = mail_health(ctx.store)
    assert [a.name for a in health.failing] == ["sales"]
    assert health.failing[0].error == "IMAP authentication failed: wrong password"
    assert health.stale() == ()
    later = now + dt.timedelta(minutes=16)
    assert [a.name for a in health.stale(later)] == ["support"]


def test_outbox_counts(ctx: AppContext) -> None:
    support = _account(ctx, "support", smtp_host="smtp.acme.test", smtp_port=465)
    with ctx.store.write() as session:
        interaction = Interaction(
            project_id=support.project_id, account_id=support.id, subject="Order"
        )
        session.add(interaction)
        session.flush()
        states = ("queued", "sending", "failed", "uncertain", "sent", "cancelled")
        for n, state in enumerate(states):
            message = Message(
                interaction_id=interaction.id,
                account_id=support.id,
                direction="out",
                raw_hash=f"hash-{n}",
                raw_size=100,
            )
            session.add(message)
            session.flush()
            session.add(
                OutboxItem(
                    message_id=message.id,
                    account_id=support.id,
                    envelope_from="support@acme.test",
                    state=state,
                )
            )
    health = mail_health(ctx.store)
    assert (health.outbox_waiting, health.outbox_failed, health.outbox_uncertain) == (2, 1, 1)
