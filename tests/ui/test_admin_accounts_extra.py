"""Admin leftovers on real widgets and a real store: the protocol log panel (real Dovecot and
aiosmtpd), deleting an account after a confirmation, ticket types, and the sender accounts
and templates agents of a project are offered."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app import secrets
from app.context import AppContext
from app.services.accounts import add_account, list_accounts
from app.services.desk import composer_setup, ticket_choices
from app.services.project_admin import list_ticket_types, project_offer
from storage.models import EmailAccount, Project, Template
from tests.app.workflow import World, make_interaction, make_world
from tests.servers.dovecot import ImapUser
from tests.servers.smtp import SmtpServer
from tests.ui.admin_helpers import admin_context
from ui.admin.settings_pages import AccountsPage, AdminContext, ProjectSettingsPage

pytestmark = pytest.mark.gui


@pytest.fixture
def world(sqlite_ctx: AppContext) -> World:
    return make_world(sqlite_ctx.store)


@pytest.fixture
def admin(sqlite_ctx: AppContext, world: World) -> Iterator[AdminContext]:
    with admin_context(sqlite_ctx, "sam") as context:
        yield context


def _accounts_page(qtbot: QtBot, admin: AdminContext) -> AccountsPage:
    page = AccountsPage(admin)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.page.loaded, timeout=10_000):
        pass
    return page


def _choose(page: AccountsPage, name: str) -> None:
    page.accounts.setCurrentItem(page.accounts.findItems(name, Qt.MatchFlag.MatchExactly)[0])


def _names(widget: QListWidget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


# --- protocol log ----------------------------------------------------------------------------


@pytest.mark.imap
def test_verify_now_fills_the_protocol_log_without_the_password(
    qtbot: QtBot,
    admin: AdminContext,
    imap_user: ImapUser,
    smtp_server: SmtpServer,
    trust_test_certificate: None,
) -> None:
    info = add_account(
        admin.ctx.store,
        name="diagnosed",
        email="diagnosed@acme.test",
        username=imap_user.name,
        password=imap_user.password,
        imap_host=imap_user.server.host,
        imap_port=imap_user.server.port,
        imap_security="starttls",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security="starttls",
        smtp_username="smtp@example.test",
    )
    secrets.set_secret(info.id, "smtp_password", "smtp-pw")
    page = _accounts_page(qtbot, admin)
    panel = page.protocol_log
    # The list is sorted by name: the new account is the first, chosen on loading.
    qtbot.waitUntil(lambda: panel.account == "diagnosed", timeout=10_000)
    page.tabs.setCurrentWidget(panel)
    with qtbot.waitSignal(page.verified, timeout=30_000) as verified:
        qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
        assert not panel.verify_button.isEnabled()  # one run at a time
        assert not page.verify_button.isEnabled()
    assert all(step.ok for step in verified.args[0]), verified.args[0]
    assert panel.verify_button.isEnabled()
    qtbot.waitUntil(lambda: "SMTP S: 221" in panel.text.toPlainText(), timeout=10_000)
    text = panel.text.toPlainText()
    assert "IMAP S: * CAPABILITY" in text
    assert "SMTP C: EHLO" in text
    assert "LOGIN ***" in text and "AUTH PLAIN ***" in text
    assert imap_user.password not in text and "smtp-pw" not in text
    # Another account has its own (empty) log; coming back shows this one again.
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        _choose(page, "sales")
    assert panel.text.toPlainText() == ""
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        _choose(page, "diagnosed")
    assert "SMTP C: EHLO" in panel.text.toPlainText()


# --- deleting an account ----------------------------------------------------------------------


def test_delete_asks_naming_the_account_and_its_interactions(
    qtbot: QtBot, admin: AdminContext, world: World
) -> None:
    make_interaction(admin.ctx.store, "sales")
    make_interaction(admin.ctx.store, "sales")
    page = _accounts_page(qtbot, admin)
    _choose(page, "sales")
    asked: list[tuple[str, str]] = []

    def answer_no(title: str, question: str) -> bool:
        asked.append((title, question))
        return False

    page.confirm = answer_no
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    title, question = asked[0]
    assert title == "Delete email account"
    assert question.startswith("Delete the email account sales (sales@acme.test)? It has 2 ")
    assert "2 interaction" in question, question
    assert "sales" in {a.name for a in list_accounts(admin.ctx.store)}  # "No" keeps it
    page.confirm = lambda title, question: True
    with qtbot.waitSignal(page.removed, timeout=10_000) as removed:
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert removed.args == ["sales"]
    qtbot.waitUntil(lambda: _names(page.accounts) == ["support"], timeout=10_000)
    assert page.accounts.currentItem().text() == "support"
    assert page.verify_result.text() == "Email account sales deleted."
    with admin.ctx.store.read() as session:
        row = session.get(EmailAccount, world.sales)
        assert row is not None and row.deleted_at is not None


def test_an_agent_cannot_delete_an_account(
    qtbot: QtBot, sqlite_ctx: AppContext, world: World
) -> None:
    with admin_context(sqlite_ctx, "alice") as admin:
        page = _accounts_page(qtbot, admin)
        _choose(page, "support")
        page.confirm = lambda title, question: True
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.verify_result.text().startswith("✘"), timeout=10_000)
        assert page.verify_result.text() == (
            "✘ Only a supervisor may change accounts, agents and queues."
        )
        assert {a.name for a in list_accounts(sqlite_ctx.store)} == {"sales", "support"}


# --- ticket types, senders and templates per project -----------------------------------------


def _project_page(qtbot: QtBot, admin: AdminContext) -> ProjectSettingsPage:
    page = ProjectSettingsPage(admin)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.offer.loaded, timeout=10_000):
        pass
    assert page.chooser.currentText() == "Acme"
    return page


def _project_id(ctx: AppContext) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(select(Project.id).where(Project.key == "ACM")).scalar_one()


def test_ticket_types_are_added_changed_and_removed(qtbot: QtBot, admin: AdminContext) -> None:
    page = _project_page(qtbot, admin)
    panel = page.ticket_types
    page.tabs.setCurrentWidget(panel)
    for label, export in (("Complaint", "CMP"), ("Question", "")):
        panel.start_new()
        panel.label.setText(label)
        panel.export_value.setText(export)
        with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
            qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        assert saved.args == [True]
    qtbot.waitUntil(lambda: panel.types.count() == 2, timeout=10_000)
    assert _names(panel.types) == [
        "Complaint → CMP (0 tickets)",
        "Question → Question (0 tickets)",
    ]
    # A duplicate label is refused with app/'s sentence; nothing changes.
    panel.start_new()
    panel.label.setText("complaint")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [False]
    assert panel.status.text() == "This project already has a ticket type 'complaint'."
    # Change the second, then remove the first.
    panel.types.setCurrentRow(1)
    assert panel.label.text() == "Question"
    panel.label.setText("General question")
    panel.export_value.setText("GQ")
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        pass
    panel.types.setCurrentRow(0)
    assert panel.label.text() == "Complaint"
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert saved.args == [True]
    qtbot.waitUntil(lambda: panel.types.count() == 1, timeout=10_000)
    assert _names(panel.types) == ["General question → GQ (0 tickets)"]
    rows = list_ticket_types(admin.ctx.store, "ACM")
    assert [(r.label, r.export_value) for r in rows] == [("General question", "GQ")]
    assert ticket_choices(admin.ctx.store, _project_id(admin.ctx)).types == ("General question",)


def test_a_type_list_loaded_after_new_is_pressed_selects_nothing(
    qtbot: QtBot, admin: AdminContext
) -> None:
    """The save's reload lands after New was pressed: it must leave the list unselected, so
    that choosing the saved type again fills the form (it once stayed selected, form empty)."""
    page = _project_page(qtbot, admin)
    panel = page.ticket_types
    panel.start_new()
    panel.label.setText("Complaint")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [True]  # the list's reload is asked for, not yet delivered
    panel.start_new()
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        pass
    assert panel.types.currentItem() is None and panel.label.text() == ""
    assert not panel.remove_button.isEnabled()
    panel.types.setCurrentRow(0)
    assert panel.label.text() == "Complaint"
    assert panel.remove_button.isEnabled()


def test_agents_sender_choices_follow_the_project_page(
    qtbot: QtBot, admin: AdminContext, world: World
) -> None:
    with admin.ctx.store.write() as session:
        session.add_all([Template(name="Apology"), Template(name="Internal")])
    page = _project_page(qtbot, admin)
    panel = page.offer
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.reload()  # the templates were added after the first load
    page.tabs.setCurrentWidget(panel)
    assert _names(panel.senders) == ["sales <sales@acme.test>", "support <support@acme.test>"]
    assert _names(panel.templates) == ["Apology", "Internal"]
    project_id = _project_id(admin.ctx)
    before = composer_setup(admin.ctx.store, project_id, world.support)
    assert {s.account_id for s in before.senders} == {world.support, world.sales}
    # Offer only sales, as the default, and the Apology template.
    panel.senders.item(0).setCheckState(Qt.CheckState.Checked)
    panel.templates.item(0).setCheckState(Qt.CheckState.Checked)
    panel.default_sender.setCurrentIndex(panel.default_sender.findText("sales"))
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [True], panel.status.text()
    setup = composer_setup(admin.ctx.store, project_id, world.support)
    assert [(s.account_id, s.is_default) for s in setup.senders] == [(world.sales, True)]
    assert [t.name for t in setup.templates] == ["Apology"]
    # A default outside the ticked senders is refused by app/ and changes nothing.
    panel.default_sender.setCurrentIndex(panel.default_sender.findText("support"))
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [False]
    assert "must be one of the sender accounts agents see" in panel.status.text()
    assert project_offer(admin.ctx.store, "ACM").default_sender == world.sales


def test_an_agent_cannot_change_what_agents_are_offered(
    qtbot: QtBot, sqlite_ctx: AppContext, world: World
) -> None:
    with admin_context(sqlite_ctx, "carol") as admin:
        page = _project_page(qtbot, admin)
        page.offer.senders.item(0).setCheckState(Qt.CheckState.Checked)
        with qtbot.waitSignal(page.offer.saved, timeout=10_000) as saved:
            qtbot.mouseClick(page.offer.save_button, Qt.MouseButton.LeftButton)
        assert saved.args == [False]
        assert page.offer.status.text() == (
            "Only a supervisor may change a project's ticket types, senders and templates; "
            "carol is an agent."
        )
        assert not any(s.offered for s in project_offer(sqlite_ctx.store, "ACM").senders)
