"""Projects and accounts through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import secrets
from app.context import AppContext
from app.errors import UserError
from app.services import accounts
from app.settings import SettingError
from storage.models import EmailAccount, Event, Queue


def test_first_account_creates_the_default_project_and_queue(ctx: AppContext) -> None:
    info = accounts.add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="support",
        password="s3cret",
        imap_host="imap.acme.test",
        imap_security="starttls",
    )
    assert (info.project, info.imap_port, info.key, info.inbound, info.outbound) == (
        "Default",
        143,
        "SUPPO",
        True,
        False,
    )
    with ctx.store.read() as session:
        queue = session.execute(select(Queue)).scalar_one()
        assert (queue.name, queue.is_default) == ("Default", True)
        account = session.execute(select(EmailAccount)).scalar_one()
        assert (account.wait_for_agent, account.connect_timeout, account.auth_timeout) == (
            10,
            10,
            5,
        )
        kinds = session.execute(select(Event.kind)).scalars().all()
        assert "account.add" in kinds
    assert secrets.get_secret(info.id, "password") == "s3cret"


def test_password_never_lands_in_the_store(sqlite_ctx: AppContext) -> None:
    accounts.add_account(
        sqlite_ctx.store,
        name="s",
        email="s@acme.test",
        username="u",
        password="pa55-unique-marker",
        imap_host="h.test",
    )
    sqlite_ctx.store.dispose()
    raw = (sqlite_ctx.data_dir / "relaydesk.sqlite3").read_bytes()
    wal = sqlite_ctx.data_dir / "relaydesk.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"pa55-unique-marker" not in raw


def test_presets_fill_servers(ctx: AppContext) -> None:
    info = accounts.add_account(
        ctx.store, name="g", email="team@gmail.com", username="team@gmail.com", service="gmail"
    )
    assert (info.imap_host, info.imap_port, info.imap_security) == ("imap.gmail.com", 993, "ssl")
    assert (info.smtp_host, info.smtp_port) == ("smtp.gmail.com", 465)


def test_sender_only_account(ctx: AppContext) -> None:
    info = accounts.add_account(
        ctx.store,
        name="noreply",
        email="noreply@acme.test",
        username="noreply",
        smtp_host="smtp.acme.test",
        smtp_security="starttls",
    )
    assert (info.inbound, info.outbound, info.smtp_port) == (False, True, 587)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-address"}, "is not an email address"),
        ({"key": "SIXSIX"}, "at most 5 characters"),
        ({"imap_host": None}, "needs an IMAP host, an SMTP host"),
        ({"wait_for_agent": 0}, "between 1 and 2147483"),
        ({"project": "Nope"}, "no project named 'Nope'"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_stored(
    ctx: AppContext, kwargs: dict[str, object], message: str
) -> None:
    base: dict[str, object] = {
        "name": "x",
        "email": "x@acme.test",
        "username": "x",
        "imap_host": "h.test",
    }
    base.update(kwargs)
    with pytest.raises(UserError, match=message):
        accounts.add_account(ctx.store, **base)  # type: ignore[arg-type]
    assert accounts.list_accounts(ctx.store) == []


def test_duplicate_names_and_keys(ctx: AppContext) -> None:
    accounts.add_project(ctx.store, "Acme", "ACM", "Europe/Rome")
    with pytest.raises(UserError, match="already exists"):
        accounts.add_project(ctx.store, "Acme", "ACX")
    with pytest.raises(UserError, match="already used"):
        accounts.add_project(ctx.store, "Other", "ACM")
    with pytest.raises(SettingError, match="IANA"):
        accounts.add_project(ctx.store, "Other", "OTH", "Nowhere/Land")


def test_remove_account_tombstones_and_forgets_the_password(ctx: AppContext) -> None:
    info = accounts.add_account(
        ctx.store, name="gone", email="g@acme.test", username="g", password="pw", imap_host="h"
    )
    accounts.remove_account(ctx.store, "gone")
    assert accounts.list_accounts(ctx.store) == []
    assert secrets.get_secret(info.id, "password") is None
    with ctx.store.read() as session:
        row = session.get(EmailAccount, info.id)
        assert row is not None and row.deleted_at is not None
    with pytest.raises(UserError, match="no email account named 'gone'"):
        accounts.remove_account(ctx.store, "gone")
    # the name is free again
    accounts.add_account(ctx.store, name="gone", email="g@acme.test", username="g", imap_host="h")
