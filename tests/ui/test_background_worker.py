"""Standalone mode: the desktop's background worker fetches while the window lives."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.context import open_local
from app.services.accounts import add_account
from storage.models import Message
from tests.servers.dovecot import ImapUser
from ui.background import BackgroundWorker

pytestmark = [pytest.mark.gui, pytest.mark.imap]


def test_background_worker_fetches_until_stopped(
    qtbot: QtBot, data_dir: Path, imap_user: ImapUser, trust_test_certificate: None
) -> None:
    ctx = open_local(data_dir)
    add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
    )
    worker = BackgroundWorker(data_dir)
    worker.start()
    try:
        imap_user.server.append(
            imap_user.name,
            b"From: anna@example.org\r\nSubject: Hello\r\n"
            b"Message-ID: <bg1@example.org>\r\n\r\nHi\r\n",
        )

        def stored() -> bool:
            with ctx.store.read() as session:
                return session.execute(select(func.count()).select_from(Message)).scalar_one() == 1

        qtbot.waitUntil(stored, timeout=30_000)
        assert worker.running and worker.error == ""
    finally:
        worker.stop()
        ctx.close()
    assert not worker.running
