"""Fixtures for ingest tests: an account on a real Dovecot mailbox, in a real store."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from app.context import AppContext
from app.mail.fetcher import FetchOptions
from app.services.accounts import add_account
from tests.servers.dovecot import DovecotServer, ImapUser


@dataclass(frozen=True)
class Mailbox:
    ctx: AppContext
    user: ImapUser
    account_id: uuid.UUID

    @property
    def server(self) -> DovecotServer:
        return self.user.server


def make_account(ctx: AppContext, user: ImapUser, name: str = "support", **kw: object) -> uuid.UUID:
    settings = {"imap_port": user.server.port, "imap_security": "starttls", **kw}
    info = add_account(
        ctx.store,
        name=name,
        email="support@acme.test",
        username=user.name,
        password=user.password,
        imap_host=user.server.host,
        **settings,  # type: ignore[arg-type]
    )
    return info.id


@pytest.fixture
def mailbox(
    ctx: AppContext, imap_user: ImapUser, trust_test_certificate: None
) -> Iterator[Mailbox]:
    yield Mailbox(ctx, imap_user, make_account(ctx, imap_user))


def quick_options(**overrides: object) -> FetchOptions:
    options = FetchOptions(batch_size=50, use_pool=False, backoff_base=0.05, backoff_max=0.5)
    for key, value in overrides.items():
        setattr(options, key, value)
    return options


def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll a condition the way qtbot.waitUntil does; fails loudly on timeout."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.02)
