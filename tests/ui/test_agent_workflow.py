"""The agent's day through real widgets on a real store: sign in, accept, read, reply into a
real SMTP server, open a ticket, dispose, close; two agents racing for one interaction; a
draft that outlives its window."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app import secrets
from app.context import AppContext, open_local
from app.services.settings import change_setting
from storage.models import Agent, Event, Interaction, Message, Ticket
from tests.servers.dovecot import ImapUser
from tests.servers.smtp import SmtpServer
from tests.ui.desk_world import (
    customer_mail,
    interaction_ids,
    make_desk_world,
    open_interaction,
    sign_in,
    store_mail,
)
from ui.background import BackgroundWorker
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


def _agent_state(ctx: AppContext, name: str) -> tuple[str, str]:
    with ctx.store.read() as session:
        agent = session.execute(select(Agent).where(Agent.name == name)).scalar_one()
        return agent.state, agent.state_reason


@pytest.mark.imap
def test_sign_in_accept_read_reply_ticket_dispose_close(
    qtbot: QtBot,
    data_dir: Path,
    imap_user: ImapUser,
    smtp_server: SmtpServer,
    trust_test_certificate: None,
) -> None:
    ctx = open_local(data_dir)
    world = make_desk_world(
        ctx,
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security="starttls",
    )
    change_setting(ctx.store, "smtp_username", "smtp@example.test", account="support")
    secrets.set_secret(world.account_id, "smtp_password", "smtp-pw")
    change_setting(ctx.store, "undo_send_seconds", 1)
    imap_user.server.append(imap_user.name, customer_mail(7))
    # Standalone mode, as `relaydesk` runs it: the worker fetches and sends beside the window.
    worker = BackgroundWorker(data_dir)
    worker.start()
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in(qtbot, window, "alice")
        qtbot.waitUntil(lambda: len(interaction_ids(ctx)) == 1, timeout=30_000)
        (interaction_id,) = interaction_ids(ctx)
        open_interaction(qtbot, window, interaction_id)
        desk = window._desk
        qtbot.waitUntil(
            lambda: "where is order AC-7?" in window._reader.plain_text(), timeout=10_000
        )
        assert desk.holder.text() == "Waiting in the queue: accept it to work on it."
        assert not desk.reply_button.isEnabled()

        qtbot.mouseClick(desk.accept_button, LEFT)
        qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=10_000)
        assert _agent_state(ctx, "alice") == ("in_email", "")
        composer = desk.composer
        qtbot.waitUntil(lambda: "anna7@example.org" in composer.to.text(), timeout=10_000)
        qtbot.keyClicks(composer.body, "Your parcel AC-7 left our warehouse today.")
        with qtbot.waitSignal(composer.sent, timeout=10_000):
            qtbot.mouseClick(composer.send_button, LEFT)

        # The worker sends it once the undo window has passed.
        qtbot.waitUntil(lambda: len(smtp_server.messages) == 1, timeout=30_000)
        raw = smtp_server.messages[0].original_content
        assert raw is not None
        sent = email.message_from_bytes(raw, policy=policy.default)
        assert sent["In-Reply-To"] == "<order-7@example.org>"
        assert sent["Subject"] == "Re: My order AC-7 never arrived"
        assert "anna7@example.org" in sent["To"]
        text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert "Your parcel AC-7 left our warehouse today.\n\n-- \nalice · Acme Support" in text

        def delivered() -> bool:
            with ctx.store.read() as session:
                state = session.execute(
                    select(Message.delivery_state).where(Message.direction == "out")
                ).scalar_one()
            return state == "sent"

        qtbot.waitUntil(delivered, timeout=30_000)
        qtbot.waitUntil(lambda: "Your parcel AC-7" in window._reader.plain_text(), timeout=10_000)

        # A ticket from this interaction, with a type.
        panel = desk.ticket_panel
        desk.tabs.setCurrentWidget(panel)
        qtbot.waitUntil(lambda: panel.new_type.findData("Complaint") > 0, timeout=10_000)
        panel.new_type.setCurrentIndex(panel.new_type.findData("Complaint"))
        qtbot.mouseClick(panel.create_button, LEFT)
        qtbot.waitUntil(
            lambda: desk.state is not None and desk.state.ticket_number is not None,
            timeout=10_000,
        )
        assert desk.state is not None
        number = desk.state.ticket_number
        assert number is not None and re.fullmatch(r"ACM-\d{8}-000001", number)
        qtbot.waitUntil(
            lambda: panel.details is not None and panel.details.number == number, timeout=10_000
        )
        assert panel.details is not None and panel.details.type == "Complaint"
        assert panel.title.text() == "My order AC-7 never arrived"
        assert panel.others.count() == 1
        # The outcome stays on screen through the reloads the new ticket caused.
        assert panel.message.text() == f"Created ticket {number}."

        # Disposing pauses alice (the account says so); closing needs a disposition first.
        dispose = desk.disposition_panel
        desk.tabs.setCurrentWidget(dispose)
        qtbot.waitUntil(lambda: dispose.paused, timeout=10_000)
        assert _agent_state(ctx, "alice") == ("paused", "Disposing")
        assert dispose.rule.text() == "Account support requires a disposition before closing."
        with qtbot.waitSignal(dispose.refused, timeout=10_000) as refusal:
            qtbot.mouseClick(dispose.close_button, LEFT)
        assert refusal.args == ["Choose a disposition first: account support requires one."]
        assert dispose.message.text() == refusal.args[0]
        qtbot.waitUntil(lambda: dispose.disposition.findData("Solved") > 0, timeout=10_000)
        dispose.disposition.setCurrentIndex(dispose.disposition.findData("Solved"))
        qtbot.mouseClick(dispose.dispose_button, LEFT)
        qtbot.waitUntil(
            lambda: desk.state is not None and desk.state.disposition == "Solved", timeout=10_000
        )
        with qtbot.waitSignal(dispose.closed, timeout=10_000):
            qtbot.mouseClick(dispose.close_button, LEFT)
        qtbot.waitUntil(lambda: desk.holder.text() == "Closed.", timeout=10_000)

        with ctx.store.read() as session:
            row = session.get(Interaction, interaction_id)
            assert row is not None and row.status == "closed"
            ticket = session.execute(select(Ticket)).scalar_one()
            assert row.ticket_id == ticket.id and ticket.sent_count == 1
        assert _agent_state(ctx, "alice") == ("available", "")
        assert worker.error == ""
    finally:
        window.shutdown()
        worker.stop()
        ctx.close()


def test_two_agents_race_for_one_interaction_and_exactly_one_wins(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(3)])
    (interaction_id,) = interaction_ids(sqlite_ctx)
    windows: dict[str, MainWindow] = {}
    try:
        for name in ("alice", "bob"):
            window = MainWindow(sqlite_ctx.data_dir)
            qtbot.addWidget(window)
            window.show()
            windows[name] = window
            sign_in(qtbot, window, name)
            open_interaction(qtbot, window, interaction_id)
        desks = {name: w._desk for name, w in windows.items()}
        # Both click before either hears back.
        for desk in desks.values():
            qtbot.mouseClick(desk.accept_button, LEFT)

        def settled() -> bool:
            return all(
                (d.state is not None and d.state.mine) or d.message.text() for d in desks.values()
            )

        qtbot.waitUntil(settled, timeout=15_000)
        winners = [n for n, d in desks.items() if d.state is not None and d.state.mine]
        assert len(winners) == 1
        (winner,) = winners
        (loser,) = set(desks) - {winner}
        assert desks[loser].message.text() == f"Already taken by {winner}."
        qtbot.waitUntil(lambda: desks[loser].holder.text() == f"Held by {winner}.", timeout=10_000)
        assert not desks[loser].reply_button.isEnabled()
        with sqlite_ctx.store.read() as session:
            holder = session.execute(
                select(Agent.name)
                .join(Interaction, Interaction.claimed_by_id == Agent.id)
                .where(Interaction.id == interaction_id)
            ).scalar_one()
            claims = session.execute(
                select(func.count()).select_from(Event).where(Event.kind == "claim")
            ).scalar_one()
        assert (holder, claims) == (winner, 1)
    finally:
        for window in windows.values():
            window.shutdown()


def test_a_draft_outlives_the_window_it_was_typed_in(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(4)])
    (interaction_id,) = interaction_ids(sqlite_ctx)
    first = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(first)
    first.show()
    sign_in(qtbot, first, "alice")
    open_interaction(qtbot, first, interaction_id)
    qtbot.mouseClick(first._desk.accept_button, LEFT)
    composer = first._desk.composer
    qtbot.waitUntil(lambda: "anna4@example.org" in composer.to.text(), timeout=10_000)
    # Saved by the pause in typing alone: nobody presses save.
    with qtbot.waitSignal(composer.draft_saved, timeout=10_000):
        qtbot.keyClicks(composer.body, "Dear Anna, about AC-4: ")
    # The window goes as in a crash: no orderly shutdown that could flush anything.
    first.close()
    first._poll.stop()
    first._tasks.shutdown()
    assert first._ctx is not None
    first._ctx.close()

    second = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(second)
    second.show()
    try:
        sign_in(qtbot, second, "alice")
        open_interaction(qtbot, second, interaction_id)
        restored = second._desk.composer
        qtbot.waitUntil(
            lambda: restored.body.toPlainText() == "Dear Anna, about AC-4: ", timeout=10_000
        )
        assert restored.notice.text().startswith("Draft restored")
        assert "anna4@example.org" in restored.to.text()
    finally:
        second.shutdown()


def test_transfer_to_another_agent_then_release_to_the_queue(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(sqlite_ctx, world, [customer_mail(5)])
    (interaction_id,) = interaction_ids(sqlite_ctx)
    windows: dict[str, MainWindow] = {}
    try:
        for name in ("alice", "bob"):
            window = MainWindow(sqlite_ctx.data_dir)
            qtbot.addWidget(window)
            window.show()
            windows[name] = window
            sign_in(qtbot, window, name)
            open_interaction(qtbot, window, interaction_id)
        alice, bob = windows["alice"]._desk, windows["bob"]._desk
        qtbot.mouseClick(alice.accept_button, LEFT)
        qtbot.waitUntil(lambda: alice.state is not None and alice.state.mine, timeout=10_000)
        # Bob's window learns of the claim by itself (the list's change poll).
        qtbot.waitUntil(lambda: bob.holder.text() == "Held by alice.", timeout=15_000)

        with qtbot.waitSignal(alice.transfer_offered, timeout=10_000) as offered:
            qtbot.mouseClick(alice.transfer_button, LEFT)
        dialog = offered.args[0]
        assert [dialog.queue.itemText(i) for i in range(dialog.queue.count())] == ["Default"]
        assert [dialog.agent.itemText(i) for i in range(dialog.agent.count())] == ["bob"]
        dialog.to_agent.setChecked(True)
        assert dialog.choice() == {"to_agent": "bob"}
        dialog.accept()
        qtbot.waitUntil(lambda: alice.holder.text() == "Held by bob.", timeout=10_000)
        assert not alice.reply_button.isEnabled()
        qtbot.waitUntil(lambda: bob.state is not None and bob.state.mine, timeout=15_000)
        assert bob.holder.text() == "You hold this interaction."

        qtbot.mouseClick(bob.release_button, LEFT)
        qtbot.waitUntil(
            lambda: bob.holder.text() == "Waiting in the queue: accept it to work on it.",
            timeout=10_000,
        )
        with sqlite_ctx.store.read() as session:
            row = session.get(Interaction, interaction_id)
            assert row is not None and row.claimed_by_id is None
            kinds = session.execute(
                select(Event.kind).where(Event.interaction_id == interaction_id).order_by(Event.at)
            ).scalars()
            assert [k for k in kinds if k in ("claim", "transfer", "release")] == [
                "claim",
                "transfer",
                "release",
            ]
    finally:
        for window in windows.values():
            window.shutdown()


def test_assign_to_an_existing_ticket_found_by_number_customer_or_title(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    world = make_desk_world(sqlite_ctx)
    store_mail(
        sqlite_ctx,
        world,
        [customer_mail(1), customer_mail(2, "Broken hinge on order AC-{n}")],
    )
    first_id, second_id = interaction_ids(sqlite_ctx)
    window = MainWindow(sqlite_ctx.data_dir)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in(qtbot, window, "alice")
        desk, panel = window._desk, window._desk.ticket_panel
        open_interaction(qtbot, window, first_id)
        qtbot.mouseClick(desk.accept_button, LEFT)
        qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=10_000)
        desk.tabs.setCurrentWidget(panel)
        qtbot.keyClicks(panel.new_title, "Lost parcel AC-1")
        qtbot.mouseClick(panel.create_button, LEFT)
        qtbot.waitUntil(
            lambda: desk.state is not None and desk.state.ticket_number is not None,
            timeout=10_000,
        )
        assert desk.state is not None
        number = desk.state.ticket_number
        assert number is not None

        open_interaction(qtbot, window, second_id)
        qtbot.mouseClick(desk.accept_button, LEFT)
        qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=10_000)
        qtbot.waitUntil(lambda: panel.current.text() == "Not on a ticket yet.", timeout=10_000)
        for needle in (number[-6:], "anna1@example", "lost parcel"):
            panel.search.clear()
            with qtbot.waitSignal(panel.search_done, timeout=10_000):
                qtbot.keyClicks(panel.search, needle)
            found = [panel.results.item(i).text() for i in range(panel.results.count())]
            assert found == [f"{number} · Lost parcel AC-1 · Anna Rossi"], needle
        with qtbot.waitSignal(panel.search_done, timeout=10_000):
            panel.search.setText("no such ticket")
        assert panel.results.count() == 0
        qtbot.mouseClick(panel.assign_button, LEFT)
        assert panel.message.text() == "Search for a ticket and choose it first."

        panel.search.clear()
        with qtbot.waitSignal(panel.search_done, timeout=10_000):
            qtbot.keyClicks(panel.search, number)
        qtbot.mouseClick(panel.assign_button, LEFT)
        qtbot.waitUntil(
            lambda: desk.state is not None and desk.state.ticket_number == number, timeout=10_000
        )
        qtbot.waitUntil(lambda: panel.others.count() == 2, timeout=10_000)
        subjects = [panel.others.item(i).text() for i in range(2)]
        assert subjects[0].startswith("My order AC-1 never arrived · Anna Rossi · open")
        assert subjects[1].startswith("Broken hinge on order AC-2 · Anna Rossi · open")
        assert panel.others.item(1).font().bold()  # the one on screen
        assert panel.title.text() == "Lost parcel AC-1"
    finally:
        window.shutdown()
