"""A small contact centre for the agent desk tests: one account, agents with passwords,
a disposition, a ticket type, canned answers, and customer mail stored as the fetcher does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.accounts import add_account, add_project
from app.services.agents import add_agent
from app.services.settings import change_setting
from app.services.tickets import add_ticket_type
from storage.models import CannedAnswer, Disposition, EmailAccount, FolderState, Interaction
from ui.main_window import MainWindow

PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}
FRAME = "{{ body }}\n\n-- \n{{ agent.name }} · Acme Support"


@dataclass(frozen=True)
class DeskWorld:
    account_id: uuid.UUID
    project_id: uuid.UUID


def customer_mail(n: int, subject: str = "My order AC-{n} never arrived") -> bytes:
    return (
        f"From: Anna Rossi <anna{n}@example.org>\r\nTo: support@acme.test\r\n"
        f"Subject: {subject.format(n=n)}\r\nMessage-ID: <order-{n}@example.org>\r\n"
        f"Date: Mon, 05 Jan 2026 09:0{n % 10}:00 +0000\r\n\r\n"
        f"Hello, where is order AC-{n}? It was due last week.\r\n"
    ).encode()


def make_desk_world(ctx: AppContext, **account: Any) -> DeskWorld:
    """Project ACM with account "support" (mandatory disposition, pause while disposing)."""
    project = add_project(ctx.store, "Acme", "ACM", "Europe/Rome")
    settings = {
        "name": "support",
        "email": "support@acme.test",
        "username": "support",
        "imap_host": "imap.acme.test",
        "smtp_host": "smtp.acme.test",
        "project": "ACM",
        **account,
    }
    info = add_account(ctx.store, **settings)
    change_setting(ctx.store, "mandatory_disposition", True, account="support")
    change_setting(ctx.store, "pause_while_disposing", True, account="support")
    for name, password in PASSWORDS.items():
        add_agent(ctx.store, name, password=password, accounts=["support"], full_name="")
    add_ticket_type(ctx.store, "ACM", "Complaint")
    with ctx.store.write() as session:
        row = session.get(EmailAccount, info.id)
        assert row is not None
        row.template_body = FRAME
        session.add(Disposition(name="Solved"))
        session.add(Disposition(name="Refund", account_id=info.id))
        session.add(
            CannedAnswer(
                title="Shipping delay", body="Dear {{ customer.name }}, sorry for the delay."
            )
        )
        session.add(
            CannedAnswer(
                account_id=info.id, title="Refund offered", body="We refund your order today."
            )
        )
    return DeskWorld(info.id, project.id)


def store_mail(ctx: AppContext, world: DeskWorld, raws: list[bytes], first_uid: int = 1) -> None:
    """Customer mail written the way the fetcher writes it, without an IMAP server."""
    with ctx.store.write() as session:
        if session.execute(select(FolderState)).first() is None:
            session.add(FolderState(account_id=world.account_id, folder="INBOX", uidvalidity=1))
    fetched = [FetchedMessage(uid=first_uid + i, raw=raw) for i, raw in enumerate(raws)]
    prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
    with ctx.store.connect() as conn:
        loaded = load_account(conn, world.account_id, 14)
        write_batch(conn, loaded, "INBOX", 1, fetched, prepared)


def interaction_ids(ctx: AppContext) -> list[uuid.UUID]:
    with ctx.store.read() as session:
        return list(
            session.execute(select(Interaction.id).order_by(Interaction.created_at)).scalars()
        )


def sign_in(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """Through the desk's sign-in form, as the agent would."""
    desk = window._desk
    qtbot.waitUntil(desk.sign_in_button.isEnabled, timeout=10_000)
    qtbot.keyClicks(desk.name, name)
    qtbot.keyClicks(desk.password, PASSWORDS[name])
    with qtbot.waitSignal(desk.signed_in, timeout=10_000):
        qtbot.mouseClick(desk.sign_in_button, _left())
    assert desk.pages.currentIndex() == 1


def open_interaction(qtbot: QtBot, window: MainWindow, interaction_id: uuid.UUID) -> None:
    """Select its row in the list; the reading pane and the desk follow."""
    qtbot.waitUntil(lambda: window._model.row_of(interaction_id) is not None, timeout=15_000)
    row = window._model.row_of(interaction_id)
    assert row is not None
    # The row may already be current (the list keeps the reading pane's interaction
    # selected as rows move), so wait for the desk's state, not for a signal.
    window._list.selectRow(row)
    qtbot.waitUntil(
        lambda: (
            window._desk.state is not None and window._desk.state.interaction_id == interaction_id
        ),
        timeout=10_000,
    )


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
