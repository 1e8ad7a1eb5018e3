"""Settings pages generated from the registry, on a real store: valid input is saved through
operations, invalid input is refused with the registry's sentence beside its field and
changes nothing, IT-locked settings are read-only, and app/ refuses a non-supervisor."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app import oauth, secrets
from app.context import AppContext
from app.services.accounts import add_account, get_account
from app.services.settings import list_settings
from app.services.staffing import staffing
from app.settings import set_value
from storage.models import AgentQueue, EmailAccount, Event, Project
from tests.app.workflow import make_world
from tests.servers.dovecot import ImapUser
from tests.servers.oauth import FakeProvider, start_provider
from tests.ui.admin_helpers import admin_context, agent_id, it_policy
from ui.admin.forms import SettingsForm
from ui.admin.settings_pages import (
    AccountsPage,
    AddAccountDialog,
    AdminContext,
    ProjectSettingsPage,
    SettingsPage,
    StaffingPage,
    account_health,
    describe_health,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def admin(sqlite_ctx: AppContext) -> Iterator[AdminContext]:
    make_world(sqlite_ctx.store)
    with admin_context(sqlite_ctx, "sam") as context:
        yield context


def _type(form: SettingsForm, key: str, text: str) -> None:
    field = form.field(key)
    assert isinstance(field, QLineEdit)
    field.selectAll()
    field.del_()
    field.insert(text)


def _values(ctx: AppContext, **where: str) -> dict[str, object]:
    return {r.key: r.value for r in list_settings(ctx.store, **where)}


def _save(qtbot: QtBot, page: SettingsPage) -> bool:
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    return bool(saved.args[0])


def _accounts_page(qtbot: QtBot, admin: AdminContext) -> AccountsPage:
    page = AccountsPage(admin)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.page.loaded, timeout=10_000):
        pass
    return page


def test_account_page_has_every_account_setting_and_loads_the_store(
    qtbot: QtBot, admin: AdminContext
) -> None:
    page = _accounts_page(qtbot, admin)
    assert page.accounts.currentItem().text() == "sales"  # the list is sorted by name
    form = page.page.form
    assert {"key", "imap_host", "smtp_port", "wait_for_agent", "wait_for_queue"} <= set(form.keys())
    assert form.field("wait_for_agent").text() == "10"  # type: ignore[union-attr]
    assert form.field("key").text() == "SALES"  # type: ignore[union-attr]


def test_account_page_refuses_out_of_range_values_and_saves_nothing(
    qtbot: QtBot, admin: AdminContext
) -> None:
    page = _accounts_page(qtbot, admin)
    form = page.page.form
    _type(form, "wait_for_agent", "0")
    _type(form, "wait_for_queue", "2147484")
    _type(form, "key", "TOOLONG")
    _type(form, "smtp_port", "http")
    before = _values(admin.ctx, account="sales")
    assert not _save(qtbot, page.page)
    assert form.error_text("wait_for_agent") == (
        "Wait for the assigned agent must be between 1 and 2147483 (got 0)."
    )
    assert form.error_text("wait_for_queue") == (
        "Wait for the assigned queue must be between 1 and 2147483 (got 2147484)."
    )
    assert form.error_text("key") == "Key must be at most 5 characters (got 7)."
    assert form.error_text("smtp_port") == "SMTP port must be a whole number (got 'http')."
    assert form.error_text("imap_host") == ""
    assert page.page.status.text() == "Nothing was saved: correct the fields marked above."
    assert _values(admin.ctx, account="sales") == before


def test_account_page_saves_valid_values_through_operations(
    qtbot: QtBot, admin: AdminContext
) -> None:
    page = _accounts_page(qtbot, admin)
    form = page.page.form
    _type(form, "wait_for_agent", "2147483")
    _type(form, "key", "SALE")
    mark = form.field("mark_as_unread")
    assert isinstance(mark, QCheckBox)
    mark.setChecked(True)
    with qtbot.waitSignal(page.page.loaded, timeout=10_000):  # reloaded after saving
        assert _save(qtbot, page.page)
    values = _values(admin.ctx, account="sales")
    assert (values["wait_for_agent"], values["key"], values["mark_as_unread"]) == (
        2147483,
        "SALE",
        True,
    )
    assert form.error_text("wait_for_agent") == ""
    with admin.ctx.store.read() as session:
        changed = session.execute(
            select(Event.data).where(
                Event.kind == "setting.change", Event.actor_id == admin.supervisor
            )
        ).scalars()
        assert {d["key"] for d in changed} == {"wait_for_agent", "key", "mark_as_unread"}


def test_app_refuses_a_non_supervisor_even_with_the_page_open(
    qtbot: QtBot, sqlite_ctx: AppContext
) -> None:
    make_world(sqlite_ctx.store)
    with admin_context(sqlite_ctx, "alice") as as_agent:
        page = _accounts_page(qtbot, as_agent)
        _type(page.page.form, "wait_for_agent", "30")
        assert not _save(qtbot, page.page)
        assert (
            page.page.form.error_text("wait_for_agent") == "Only a supervisor may change settings."
        )
        assert _values(sqlite_ctx, account="sales")["wait_for_agent"] == 10


def test_project_page_email_handling_ranges(qtbot: QtBot, admin: AdminContext) -> None:
    page = ProjectSettingsPage(admin)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.page.loaded, timeout=10_000):
        pass
    assert page.chooser.currentText() == "Acme"
    form = page.page.form
    _type(form, "new_email_list_size", "251")
    _type(form, "auto_delete_days", "29")
    assert not _save(qtbot, page.page)
    assert form.error_text("new_email_list_size") == (
        "New email list size must be between 1 and 250 (got 251)."
    )
    assert form.error_text("auto_delete_days") == (
        "Automatic deletion after (days) must be between 30 and 36500 (got 29)."
    )
    _type(form, "new_email_list_size", "250")
    _type(form, "auto_delete_days", "30")
    form.field("auto_delete").setChecked(True)  # type: ignore[union-attr]
    assert _save(qtbot, page.page)
    with admin.ctx.store.read() as session:
        project = session.execute(select(Project).where(Project.key == "ACM")).scalar_one()
        assert (project.new_email_list_size, project.auto_delete_days, project.auto_delete) == (
            250,
            30,
            True,
        )


def test_desk_settings_show_locked_ones_read_only(
    qtbot: QtBot, admin: AdminContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy_text = 'locked = ["undo_send_seconds"]\n\n[settings]\nundo_send_seconds = 15\n'
    with it_policy(monkeypatch, tmp_path, policy_text):
        page = SettingsPage(admin, "global")
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            page.reload()
        form = page.form
        assert form.is_locked("undo_send_seconds")
        assert form.field("undo_send_seconds").text() == "15"  # type: ignore[union-attr]
        assert not form.is_locked("fetch_batch_size")
        page.show()
        lock = form.findChild(type(page.status), "lock_undo_send_seconds")
        assert lock is not None and lock.isVisible()
        assert lock.text() == "Locked by your IT policy"
        _type(form, "fetch_batch_size", "0")
        assert not _save(qtbot, page)
        assert form.error_text("fetch_batch_size") == (
            "Fetch batch size must be between 1 and 5000 (got 0)."
        )
        _type(form, "fetch_batch_size", "500")
        assert _save(qtbot, page)
        values = _values(admin.ctx)
        assert (values["fetch_batch_size"], values["undo_send_seconds"]) == (500, 15)


def test_verify_connection_runs_in_the_background_and_names_the_failing_step(
    qtbot: QtBot, admin: AdminContext
) -> None:
    # A port nothing listens on: the real refusal of a real socket.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    add_account(
        admin.ctx.store,
        name="closed",
        email="closed@acme.test",
        username="closed",
        password="pw",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
    )
    page = _accounts_page(qtbot, admin)
    page.accounts.setCurrentRow(0)
    assert page.accounts.currentItem().text() == "closed"
    with qtbot.waitSignal(page.verified, timeout=20_000) as verified:
        qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    (step,) = verified.args[0]
    assert not step.ok
    assert page.verify_result.text() == f"✘ SMTP server 127.0.0.1:{port} refused the connection"


@pytest.mark.imap
def test_verify_connection_against_dovecot(
    qtbot: QtBot, admin: AdminContext, imap_user: ImapUser, trust_test_certificate: None
) -> None:
    for name, password in (("good", imap_user.password), ("bad", "wrong-password")):
        add_account(
            admin.ctx.store,
            name=name,
            email=f"{name}@acme.test",
            username=imap_user.name,
            password=password,
            imap_host=imap_user.server.host,
            imap_port=imap_user.server.port,
            imap_security="starttls",
        )
    page = _accounts_page(qtbot, admin)
    lines = {}
    for name in ("bad", "good"):
        page.accounts.setCurrentItem(page.accounts.findItems(name, Qt.MatchFlag.MatchExactly)[0])
        with qtbot.waitSignal(page.verified, timeout=30_000):
            qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
        lines[name] = page.verify_result.text()
    assert lines["good"].startswith("✔ IMAP OK: ")
    assert lines["bad"].startswith("✘ IMAP authentication failed: ")


def test_add_account_dialog_refuses_then_adds(qtbot: QtBot, admin: AdminContext) -> None:
    page = _accounts_page(qtbot, admin)
    dialog = AddAccountDialog(admin, page)
    qtbot.addWidget(dialog)
    dialog.name.setText("billing")
    dialog.email.setText("billing@acme.test")
    dialog.username.setText("billing")
    dialog.password.setText("billing-pw")
    dialog.smtp_host.setText("smtp.acme.test")
    dialog.smtp_port.setText("70000")
    dialog.on_buttons_accepted()
    assert dialog.error.text() == "SMTP port must be between 1 and 65535 (got 70000)."
    dialog.email.setText("not an address")
    dialog.smtp_port.setText("587")
    dialog.on_buttons_accepted()
    qtbot.waitUntil(
        lambda: dialog.error.text() != "SMTP port must be between 1 and 65535 (got 70000).",
        timeout=10_000,
    )
    assert dialog.error.text() == "'not an address' is not an email address."
    dialog.email.setText("billing@acme.test")
    dialog.added.connect(page.on_dialog_added)
    with qtbot.waitSignal(dialog.added, timeout=10_000):
        dialog.on_buttons_accepted()
    qtbot.waitUntil(
        lambda: (
            page.accounts.currentItem() is not None
            and page.accounts.currentItem().text() == "billing"
        ),
        timeout=10_000,
    )
    with admin.ctx.store.read() as session:
        row = session.execute(
            select(EmailAccount).where(EmailAccount.name == "billing")
        ).scalar_one()
        assert (row.smtp_port, row.imap_host) == (587, None)
    assert secrets.get_secret(row.id, "password") == "billing-pw"


def test_agent_queue_matrix_and_adding_people(qtbot: QtBot, admin: AdminContext) -> None:
    page = StaffingPage(admin)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.matrix.rowCount() > 0, timeout=10_000)
    data = staffing(admin.ctx.store)
    alice = [a.name for a in data.agents].index("alice")
    italian = [q.name for q in data.queues].index("Italian")
    cell = page.matrix.item(alice, italian)
    assert cell.checkState() == Qt.CheckState.Unchecked
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        cell.setCheckState(Qt.CheckState.Checked)
    assert changed.args == [True]
    with admin.ctx.store.read() as session:
        assert (
            session.execute(
                select(AgentQueue).where(
                    AgentQueue.agent_id == agent_id(admin.ctx, "alice"),
                    AgentQueue.queue_id == data.queues[italian].id,
                    AgentQueue.deleted_at.is_(None),
                )
            ).scalar()
            is not None
        )

    page.agent_name.setText("dora")
    page.agent_password.setText("short")
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.add_agent_button, Qt.MouseButton.LeftButton)
    assert changed.args == [False]
    assert page.status.text() == "Choose a password of at least 8 characters."
    assert page.agent_name.text() == "dora"  # nothing typed is lost
    page.agent_password.setText("dora-secret-1")
    qtbot.waitUntil(lambda: page.agent_accounts.count() == 2, timeout=10_000)
    page.agent_accounts.findItems("support", Qt.MatchFlag.MatchExactly)[0].setCheckState(
        Qt.CheckState.Checked
    )
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.add_agent_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True], page.status.text()
    (dora,) = [a for a in staffing(admin.ctx.store).agents if a.name == "dora"]
    assert (dora.role, dora.accounts) == ("agent", ("support",))

    page.queue_name.setText("Deutsch")
    page.queue_language.setText("DE_de!")
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.add_queue_button, Qt.MouseButton.LeftButton)
    assert changed.args == [False]
    assert page.status.text() == "'de_de!' is not a language code such as en, it or pt-br."
    page.queue_language.setText("de")
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.add_queue_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True]
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        pass  # the reload that follows the change
    headers = [page.matrix.horizontalHeaderItem(c).text() for c in range(page.matrix.columnCount())]
    assert "Deutsch (de)" in headers


def test_an_agent_cannot_change_the_matrix(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    make_world(sqlite_ctx.store)
    with admin_context(sqlite_ctx, "alice") as as_agent:
        page = StaffingPage(as_agent)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.matrix.rowCount() > 0, timeout=10_000)
        with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
            page.matrix.item(0, 0).setCheckState(
                Qt.CheckState.Unchecked
                if page.matrix.item(0, 0).checkState() == Qt.CheckState.Checked
                else Qt.CheckState.Checked
            )
        assert changed.args == [False]
        assert page.status.text() == "Only a supervisor may change accounts, agents and queues."


def test_roles_and_the_agent_account_matrix(qtbot: QtBot, admin: AdminContext) -> None:
    page = StaffingPage(admin)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.account_matrix.rowCount() > 0, timeout=10_000)
    names = [a.name for a in staffing(admin.ctx.store).agents]
    carol, sam = names.index("carol"), names.index("sam")
    accounts = [
        page.account_matrix.horizontalHeaderItem(c).text()
        for c in range(page.account_matrix.columnCount())
    ]
    assert accounts == ["sales", "support"]
    assert page.account_matrix.item(carol, 0).checkState() == Qt.CheckState.Checked
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        page.account_matrix.item(carol, 1).setCheckState(Qt.CheckState.Checked)
    assert changed.args == [True]
    assert page.status.text() == "carol now works support."
    (row,) = [a for a in staffing(admin.ctx.store).agents if a.name == "carol"]
    assert row.accounts == ("sales", "support")

    qtbot.waitUntil(lambda: page.agents.rowCount() == len(names), timeout=10_000)
    page.agents.selectRow(sam)
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    assert changed.args == [False]
    assert page.status.text() == "You cannot take away your own supervisor role."
    qtbot.waitUntil(lambda: page.agents.item(carol, 1) is not None, timeout=10_000)
    page.agents.selectRow(carol)
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True]
    assert page.status.text() == "carol is now a supervisor."
    qtbot.waitUntil(lambda: page.agents.item(carol, 1).text() == "supervisor", timeout=10_000)


def test_oauth_accounts_show_their_token_health(qtbot: QtBot, admin: AdminContext) -> None:
    for name in ("m365", "gmail"):
        add_account(
            admin.ctx.store,
            name=name,
            email=f"{name}@acme.test",
            username=f"{name}@acme.test",
            service="outlook365" if name == "m365" else "gmail",
            imap_auth="xoauth2",
            smtp_auth="xoauth2",
        )
    info = get_account(admin.ctx.store, "m365")
    now = time.time()
    oauth.store_tokens(info.id, oauth.Tokens("access", "refresh", now + 3600, now - 60))
    page = _accounts_page(qtbot, admin)
    lines = {}
    for name in ("m365", "gmail", "support"):
        with qtbot.waitSignal(page.health_loaded, timeout=10_000):
            page.accounts.setCurrentItem(
                page.accounts.findItems(name, Qt.MatchFlag.MatchExactly)[0]
            )
        lines[name] = page.health.text().splitlines()
    assert re.fullmatch(
        r"Signed in; the token expires in 5[89] min, last refreshed \d{4}-\d\d-\d\d \d\d:\d\d\.",
        lines["m365"][0],
    )
    assert lines["gmail"][0] == (
        "Not signed in: use “Sign in with OAuth2…” (or run “relaydesk account signin gmail”)."
    )
    assert lines["support"] == ["Last successful fetch: never."]

    # In team mode the worker host keeps the tokens: this desk's keyring is not asked, and
    # the line says where to sign in rather than "not signed in".
    health = account_health(admin.ctx, "m365", team_mode=True)
    assert health.oauth and health.token is None
    assert describe_health(health, team_mode=True).splitlines()[0] == (
        "Signs in with OAuth2; the worker host keeps its tokens: "
        "run “relaydesk account signin m365” there."
    )


def test_the_default_queue_is_renamed_from_the_page(qtbot: QtBot, admin: AdminContext) -> None:
    page = StaffingPage(admin)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.rename_choice.count() == 2, timeout=10_000)
    assert page.rename_choice.currentText() == "Acme / Default"
    page.rename_name.setText("Italian")
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    assert changed.args == [False]
    assert page.status.text() == "This project already has a queue named 'Italian'."
    page.rename_name.setText("General")
    with qtbot.waitSignal(page.changed, timeout=10_000) as changed:
        qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True]
    queues = {q.name: q.is_default for q in staffing(admin.ctx.store).queues}
    assert queues == {"General": True, "Italian": False}
    qtbot.waitUntil(lambda: page.rename_choice.itemText(0) == "Acme / General", timeout=10_000)


class _Browser(QObject):
    """Plays the supervisor's web browser for QDesktopServices: follows the sign-in page to
    the loopback address (off the GUI thread, as a real browser is another process)."""

    def __init__(self, *, answer: bool) -> None:
        super().__init__()
        self.answer = answer
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())
        if self.answer:
            threading.Thread(target=self._follow, args=(url.toString(),), daemon=True).start()

    @staticmethod
    def _follow(url: str) -> None:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()


@pytest.fixture
def oauth_page(qtbot: QtBot, admin: AdminContext) -> Iterator[tuple[AccountsPage, FakeProvider]]:
    provider = start_provider(FakeProvider())
    with admin.ctx.store.write() as session:
        set_value(session, "global", "oauth_microsoft_client_id", provider.client_id)
        set_value(session, "global", "oauth_microsoft_authorize_url", provider.authorize_url)
        set_value(session, "global", "oauth_microsoft_token_url", provider.token_url)
    add_account(
        admin.ctx.store, name="m365", email=provider.username, username=provider.username,
        service="outlook365", imap_auth="xoauth2", smtp_auth="xoauth2",
    )  # fmt: skip
    page = _accounts_page(qtbot, admin)
    # m365 sorts first, so it may be current already, its health line loaded or on the way:
    # wait for the line itself, not for a signal that may have come before the wait began.
    page.accounts.setCurrentItem(page.accounts.findItems("m365", Qt.MatchFlag.MatchExactly)[0])
    qtbot.waitUntil(lambda: page.health.text() != "", timeout=10_000)
    yield page, provider
    QDesktopServices.unsetUrlHandler("http")
    assert provider.server is not None
    provider.server.shutdown()


def test_an_oauth_account_signs_in_from_the_page(
    qtbot: QtBot, admin: AdminContext, oauth_page: tuple[AccountsPage, FakeProvider]
) -> None:
    page, provider = oauth_page
    assert page.health.text().startswith("Not signed in")
    assert page.oauth_button.isEnabled()
    browser = _Browser(answer=True)
    QDesktopServices.setUrlHandler("http", browser, "open")
    with qtbot.waitSignal(page.signed_in, timeout=30_000) as ended:
        page.oauth_button.click()
    assert ended.args == [True]
    assert browser.opened and browser.opened[0].startswith(provider.authorize_url)
    assert page.verify_result.text() == "m365 is signed in with OAuth2."
    assert page.oauth_button.text() == "Sign in with &OAuth2…"
    qtbot.waitUntil(lambda: page.health.text().startswith("Signed in;"), timeout=10_000)
    tokens = oauth.load_tokens(get_account(admin.ctx.store, "m365").id)
    assert tokens is not None and tokens.refresh_token


def test_an_oauth_sign_in_can_be_cancelled_while_the_browser_is_open(
    qtbot: QtBot, admin: AdminContext, oauth_page: tuple[AccountsPage, FakeProvider]
) -> None:
    page, _provider = oauth_page
    browser = _Browser(answer=False)  # the supervisor never finishes in the browser
    QDesktopServices.setUrlHandler("http", browser, "open")
    page.oauth_button.click()
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=10_000)
    assert page.oauth_button.text() == "Cancel sign-in"
    assert browser.opened[0] in page.verify_result.text(), "the address, for a browserless desk"
    with qtbot.waitSignal(page.signed_in, timeout=10_000) as ended:
        page.oauth_button.click()
    assert ended.args == [False]
    assert page.verify_result.text() == "", "a cancel is no error"
    assert page.oauth_button.text() == "Sign in with &OAuth2…"
    assert oauth.load_tokens(get_account(admin.ctx.store, "m365").id) is None
