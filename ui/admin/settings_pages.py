"""Admin settings pages: desk-wide, project and account settings, accounts, agents and queues.

The setting forms are generated from the registry (ui/admin/forms.py); saving sends one
``change_setting`` operation per changed value, as the signed-in supervisor, so app/ checks
the role and the registry checks the value a second time. Reads and changes run as tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import oauth, policy
from app.context import AppContext
from app.oauth import TokenHealth, token_health
from app.services.accounts import get_account, list_accounts, list_projects
from app.services.health import mail_health
from app.services.operations import Operation, OpResult, apply
from app.services.settings import list_settings
from app.services.staffing import (
    AccountUsage,
    Staffing,
    account_membership_operation,
    account_usage,
    add_account_operation,
    add_agent_operation,
    forget_account_secrets,
    keep_account_password,
    membership_operation,
    staffing,
)
from app.services.verify import VerifyStep, verify_account
from app.settings import SECURITY, SERVICES, Scope, SettingError, specs, validate
from ui.admin.account_tools import AccountAgentsDialog, ProtocolLogPanel
from ui.admin.action_plan_editor import ActionPlanDialog
from ui.admin.forms import SettingsForm, ask_yes_no
from ui.admin.project_tools import ProjectOfferPanel, TicketTypesPanel
from ui.desk_operations import DeskOperations
from ui.i18n import QT_TRANSLATE_NOOP
from ui.tasks import TaskRunner

log = logging.getLogger("ui")


def _log_failure(error: BaseException) -> None:
    log.error("admin change failed: %s", error)


def _while_alive(owner: QObject, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """Drop an answer whose page was destroyed meanwhile (leaving admin mode, say)."""

    def deliver(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return deliver


@dataclass(frozen=True)
class AdminContext:
    """What every admin page works with: the store, the task runner, the supervisor.

    ``operations`` is the desk's (``ui.desk_operations``): in team mode a change goes to the
    central database as an operation, and the pages need not know which mode they are in.
    """

    ctx: AppContext
    tasks: TaskRunner
    supervisor: uuid.UUID
    operations: DeskOperations | None = None
    worker_here: bool = False  # team mode: this desktop runs the team's mail worker

    def operate(
        self,
        owner: QObject,
        ops: Operation | Sequence[Operation],
        on_done: Callable[[list[OpResult]], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """Apply ``ops``, each on its own; ``on_done`` gets every outcome, in order.

        Standalone they are applied here in one task; in team mode they are queued for the
        central database and ``on_done`` runs once all have settled there (their effects
        pulled into this desk's store by then). Returns True in team mode.
        """
        batch = [ops] if isinstance(ops, Operation) else list(ops)
        done = _while_alive(owner, on_done)
        failed = _while_alive(owner, on_error if on_error is not None else _log_failure)
        link = self.operations.team_link if self.operations is not None else None
        if self.operations is None or link is None:
            ctx = self.ctx
            self.tasks.op(
                lambda: [apply(ctx.store, op, blobs=ctx.blobs) for op in batch], done, failed
            )
            return False
        outcomes: dict[uuid.UUID, OpResult] = {}

        def settled(outcome: OpResult) -> None:
            outcomes[outcome.op_id] = outcome
            if len(outcomes) == len(batch):
                done([outcomes[op.op_id] for op in batch])

        return self.operations.run(self.ctx, batch, settled, failed)

    def query(
        self,
        owner: QObject,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """A read for ``owner``; its answer reaches ``owner`` only while it exists."""
        self.tasks.query(
            fn,
            _while_alive(owner, on_done),
            _while_alive(owner, on_error) if on_error is not None else None,
            key=key,
        )

    def op(
        self,
        owner: QObject,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """A change, in order with every other; the answer reaches ``owner`` while it exists."""
        self.tasks.op(
            fn,
            _while_alive(owner, on_done),
            _while_alive(owner, on_error) if on_error is not None else None,
        )


ROLE_TEXT = {
    "agent": QT_TRANSLATE_NOOP("AdminSettings", "agent"),
    "supervisor": QT_TRANSLATE_NOOP("AdminSettings", "supervisor"),
}


def _role_text(role: str) -> str:
    return QCoreApplication.translate("AdminSettings", ROLE_TEXT.get(role, role))


@dataclass(frozen=True)
class _Loaded:
    values: dict[str, Any]
    locked: frozenset[str]


def _load_settings(ctx: AppContext, scope: Scope, target: str) -> _Loaded:
    if scope == "global":
        rows = list_settings(ctx.store)
        locked = frozenset(policy.current().locked)
    elif scope == "project":
        rows, locked = list_settings(ctx.store, project=target), frozenset()
    else:
        rows, locked = list_settings(ctx.store, account=target), frozenset()
    return _Loaded({r.key: r.value for r in rows}, locked)


def _setting_changes(
    admin: AdminContext, scope: Scope, target: str, changes: dict[str, Any]
) -> list[Operation]:
    where: dict[str, Any] = {scope: target} if scope != "global" else {}
    return [
        Operation("change_setting", admin.supervisor, {"key": key, "value": value, **where})
        for key, value in changes.items()
    ]


class SettingsPage(QWidget):
    """One scope's settings for one target (the desk, a project or an account)."""

    loaded = Signal()
    saved = Signal(bool)  # True when every change was applied

    def __init__(self, admin: AdminContext, scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._scope = scope
        self._target = ""
        self.form = SettingsForm(specs(scope))
        self.form.setObjectName(f"form_{scope}")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.save_button = QPushButton(QCoreApplication.translate("AdminSettings", "&Save"))
        self.save_button.setObjectName("save_settings")
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.revert_button = QPushButton(QCoreApplication.translate("AdminSettings", "&Revert"))
        self.revert_button.clicked.connect(self.reload)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.save_button.setEnabled(scope == "global")

    @property
    def target(self) -> str:
        return self._target

    def set_target(self, target: str) -> None:
        self._target = target
        self.save_button.setEnabled(bool(target) or self._scope == "global")
        self.reload()

    def reload(self) -> None:
        if self._scope != "global" and not self._target:
            return
        ctx, scope, target = self._admin.ctx, self._scope, self._target
        self._admin.query(
            self,
            lambda: _load_settings(ctx, scope, target),
            self.on_settings_loaded,
            self.on_task_failed,
            key=f"admin-settings-{scope}-{id(self)}",
        )

    def on_settings_loaded(self, loaded: _Loaded) -> None:
        self.form.load(loaded.values, loaded.locked)
        self.loaded.emit()

    def on_save_button_clicked(self) -> None:
        changes = self.form.changes()
        if changes is None:
            self.status.setText(
                QCoreApplication.translate(
                    "AdminSettings", "Nothing was saved: correct the fields marked above."
                )
            )
            self.saved.emit(False)
            return
        if not changes:
            self.status.setText(QCoreApplication.translate("AdminSettings", "Nothing has changed."))
            self.saved.emit(True)
            return
        admin, scope, target = self._admin, self._scope, self._target
        self.save_button.setEnabled(False)
        self.status.setText(QCoreApplication.translate("AdminSettings", "Saving…"))
        ops = _setting_changes(admin, scope, target, changes)
        admin.operate(
            self,
            ops,
            lambda outcomes: self.on_settings_saved(list(zip(changes, outcomes, strict=True))),
            self.on_task_failed,
        )

    def on_settings_saved(self, outcomes: list[tuple[str, OpResult]]) -> None:
        self.save_button.setEnabled(True)
        refused = [(key, r.reason) for key, r in outcomes if not r.applied]
        for key, reason in refused:
            self.form.show_refusal(key, reason)
        if refused:
            self.status.setText(
                QCoreApplication.translate(
                    "AdminSettings", "{count} of {total} changes were refused."
                ).format(count=len(refused), total=len(outcomes))
            )
        else:
            self.status.setText(QCoreApplication.translate("AdminSettings", "Saved."))
            self.reload()
        self.saved.emit(not refused)

    def on_task_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(str(error))
        self.saved.emit(False)


class ProjectSettingsPage(QWidget):
    """Per project, below a project chooser: the generated settings form, the ticket types,
    and the sender accounts and templates its agents are offered."""

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self.chooser = QComboBox()
        self.chooser.currentTextChanged.connect(self.on_chooser_current_text_changed)
        self.page = SettingsPage(admin, "project")
        self.ticket_types = TicketTypesPanel(admin)
        self.offer = ProjectOfferPanel(admin)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.page, QCoreApplication.translate("AdminSettings", "Settings"))
        self.tabs.addTab(
            self.ticket_types, QCoreApplication.translate("AdminSettings", "Ticket types")
        )
        self.tabs.addTab(
            self.offer, QCoreApplication.translate("AdminSettings", "Senders and templates")
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(QCoreApplication.translate("AdminSettings", "Project:")))
        row.addWidget(self.chooser, 1)
        layout.addLayout(row)
        layout.addWidget(self.tabs, 1)
        store = admin.ctx.store
        admin.query(self, lambda: list_projects(store), self.on_projects_loaded, key="admin-proj")

    def on_projects_loaded(self, projects: list[Any]) -> None:
        self.chooser.clear()
        self.chooser.addItems([p.name for p in projects])

    def on_chooser_current_text_changed(self, name: str) -> None:
        if name:
            self.page.set_target(name)
            self.ticket_types.set_project(name)
            self.offer.set_project(name)


# --- accounts ------------------------------------------------------------------------------


def _secrets_elsewhere(admin: AdminContext) -> bool:
    """Whether the mailbox secrets are kept elsewhere: in team mode, on the worker host,
    unless this desktop is that host (``run_team_worker``)."""
    team = admin.operations is not None and admin.operations.team_link is not None
    return team and not admin.worker_here


class AddAccountDialog(QDialog):
    """Every field a new account needs; stays open with the refusal until it is right."""

    added = Signal(dict)  # the account as app/ added it (AccountInfo.as_json)

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("AdminSettings", "Add an email account"))
        self._admin = admin
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.service = QComboBox()
        self.service.addItems(list(SERVICES))
        self.imap_host, self.imap_port = QLineEdit(), QLineEdit()
        self.smtp_host, self.smtp_port = QLineEdit(), QLineEdit()
        self.imap_security, self.smtp_security = QComboBox(), QComboBox()
        for combo in (self.imap_security, self.smtp_security):
            combo.addItems(list(SECURITY))
        self.imap_port.setPlaceholderText(
            QCoreApplication.translate("AdminSettings", "default for the security")
        )
        self.smtp_port.setPlaceholderText(
            QCoreApplication.translate("AdminSettings", "default for the security")
        )
        self.error = QLabel()
        self.error.setObjectName("add_account_error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("AdminSettings", "Name"), self.name)
        form.addRow(QCoreApplication.translate("AdminSettings", "Email address"), self.email)
        form.addRow(QCoreApplication.translate("AdminSettings", "Username"), self.username)
        form.addRow(
            QCoreApplication.translate("AdminSettings", "Password (kept in the keyring)"),
            self.password,
        )
        # Team mode: the worker host fetches and keeps the password; this desk never sees it.
        self.team_mode = _secrets_elsewhere(admin)
        note = QCoreApplication.translate("AdminSettings", "In team mode the worker host fetches this account's mail and keeps its password: once the account is added, run relaydesk account password <name> --password-stdin on the worker host, or give it the systemd credential /etc/relaydesk/credentials/<account id>.password (docs/deploy.md).")  # noqa: E501  # fmt: skip
        self.worker_note = QLabel(note)
        self.worker_note.setObjectName("worker_password_note")
        self.worker_note.setWordWrap(True)
        form.addRow(self.worker_note)
        form.setRowVisible(self.password, not self.team_mode)
        form.setRowVisible(self.worker_note, self.team_mode)
        form.addRow(QCoreApplication.translate("AdminSettings", "Service"), self.service)
        form.addRow(QCoreApplication.translate("AdminSettings", "IMAP host"), self.imap_host)
        form.addRow(QCoreApplication.translate("AdminSettings", "IMAP port"), self.imap_port)
        form.addRow(
            QCoreApplication.translate("AdminSettings", "IMAP security"), self.imap_security
        )
        form.addRow(QCoreApplication.translate("AdminSettings", "SMTP host"), self.smtp_host)
        form.addRow(QCoreApplication.translate("AdminSettings", "SMTP port"), self.smtp_port)
        form.addRow(
            QCoreApplication.translate("AdminSettings", "SMTP security"), self.smtp_security
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @staticmethod
    def _port(line: QLineEdit, key: str) -> int | None:
        """Empty: the default port for the security; else the registry's range check."""
        text = line.text().strip()
        return int(validate("account", key, text)) if text else None

    def on_buttons_accepted(self) -> None:
        try:
            values: dict[str, Any] = {
                "name": self.name.text().strip(),
                "email": self.email.text().strip(),
                "username": self.username.text().strip(),
                "password": self.password.text() or None,
                "service": self.service.currentText(),
                "imap_host": self.imap_host.text().strip() or None,
                "imap_port": self._port(self.imap_port, "imap_port"),
                "imap_security": self.imap_security.currentText(),
                "smtp_host": self.smtp_host.text().strip() or None,
                "smtp_port": self._port(self.smtp_port, "smtp_port"),
                "smtp_security": self.smtp_security.currentText(),
            }
        except SettingError as exc:
            self.error.setText(str(exc))
            return
        # The password stays here, for this machine's keyring once the account exists; in
        # team mode there is none (the field is hidden): it belongs on the worker host.
        typed = values.pop("password")
        password = None if self.team_mode else typed
        self.buttons.setEnabled(False)
        self._admin.operate(
            self,
            add_account_operation(self._admin.supervisor, values),
            lambda outcomes: self.on_account_settled(outcomes[0], password),
            self.on_add_failed,
        )

    def on_account_settled(self, outcome: OpResult, password: str | None) -> None:
        if not outcome.applied:
            self.buttons.setEnabled(True)
            self.error.setText(outcome.reason)  # the dialog stays open to correct it
            return
        if password is None:
            self.on_account_added(outcome.result)
            return
        account_id = uuid.UUID(outcome.result["id"])
        # The keyring may be a network service: a task, never the GUI thread.
        self._admin.op(
            self,
            lambda: keep_account_password(account_id, password),
            lambda _none: self.on_account_added(outcome.result),
            self.on_add_failed,
        )

    def on_account_added(self, info: dict[str, Any]) -> None:
        self.buttons.setEnabled(True)
        self.added.emit(info)
        self.accept()

    def on_add_failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(str(error))


@dataclass(frozen=True)
class AccountHealthLine:
    name: str
    oauth: bool  # signs in with OAuth2 (Microsoft 365, Gmail)
    token: TokenHealth | None  # None in team mode: the worker host keeps the tokens
    last_fetch_at: dt.datetime | None
    error: str


def account_health(ctx: AppContext, name: str, *, team_mode: bool = False) -> AccountHealthLine:
    """Token health (for OAuth2 accounts) and the last fetch, for the account page.

    In team mode the tokens are in the worker host's keyring, not this desk's: not read.
    """
    info = get_account(ctx.store, name)
    values = {r.key: r.value for r in list_settings(ctx.store, account=name)}
    oauth_account = "xoauth2" in (values.get("imap_auth"), values.get("smtp_auth"))
    fetch = next((a for a in mail_health(ctx.store).accounts if a.name == name), None)
    return AccountHealthLine(
        name,
        oauth_account,
        token_health(info.id) if oauth_account and not team_mode else None,
        fetch.last_fetch_at if fetch else None,
        fetch.error if fetch else "",
    )


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return QCoreApplication.translate("AdminSettings", "never")
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_health(health: AccountHealthLine, *, team_mode: bool = False) -> str:
    parts = []
    if health.oauth and team_mode:
        text = QCoreApplication.translate("AdminSettings", "Signs in with OAuth2; the worker host keeps its tokens: run “relaydesk account signin {name}” there.")  # noqa: E501  # fmt: skip
        parts.append(text.format(name=health.name))
    elif health.oauth:
        token = health.token
        if token is None or not token.signed_in:
            text = QCoreApplication.translate("AdminSettings", "Not signed in: use “Sign in with OAuth2…” (or run “relaydesk account signin {name}”).")  # noqa: E501  # fmt: skip
            parts.append(text.format(name=health.name))
        else:
            minutes = max(int((token.expires_in_s or 0) // 60), 0)
            parts.append(
                QCoreApplication.translate(
                    "AdminSettings",
                    "Signed in; the token expires in {minutes} min, last refreshed {when}.",
                ).format(minutes=minutes, when=_when(token.refreshed_at))
            )
    parts.append(
        QCoreApplication.translate("AdminSettings", "Last successful fetch: {when}.").format(
            when=_when(health.last_fetch_at)
        )
    )
    if health.error:
        parts.append(
            QCoreApplication.translate("AdminSettings", "Last error: {error}").format(
                error=health.error
            )
        )
    return "\n".join(parts)


def describe_steps(steps: list[VerifyStep]) -> str:
    if not steps:
        return QCoreApplication.translate(
            "AdminSettings", "This account has no IMAP or SMTP server to check."
        )
    return "\n".join(("✔ " if s.ok else "✘ ") + s.line for s in steps)


class AccountsPage(QWidget):
    """The account list (add, verify connection) beside the chosen account's settings."""

    verified = Signal(object)  # list[VerifyStep]
    health_loaded = Signal()
    signed_in = Signal(bool)  # an OAuth2 sign-in ended: True when the tokens are kept
    browser_requested = Signal(str)  # from the sign-in's thread: open this URL
    removed = Signal(str)  # the name of the account app/ removed
    interactions_requested = Signal(str)  # the account whose interactions to list
    realtime_requested = Signal(str)  # the account whose realtime view to open

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self.accounts = QListWidget()
        self.accounts.setObjectName("account_list")
        self.accounts.currentTextChanged.connect(self.on_accounts_current_text_changed)
        self.add_button = QPushButton(QCoreApplication.translate("AdminSettings", "&Add…"))
        self.add_button.clicked.connect(self.on_add_button_clicked)
        self.verify_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "&Verify connection")
        )
        self.verify_button.setObjectName("verify_account")
        self.verify_button.setEnabled(False)
        self.verify_button.clicked.connect(self.on_verify_button_clicked)
        self.plan_button = QPushButton(QCoreApplication.translate("AdminSettings", "Action &plan…"))
        self.plan_button.setObjectName("action_plan_button")
        self.plan_button.setEnabled(False)
        self.plan_button.clicked.connect(self.on_plan_button_clicked)
        self.delete_button = QPushButton(QCoreApplication.translate("AdminSettings", "&Delete…"))
        self.delete_button.setObjectName("delete_account")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.on_delete_button_clicked)
        self.interactions_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "&Interactions")
        )
        self.realtime_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "&Realtime view")
        )
        self.agents_button = QPushButton(QCoreApplication.translate("AdminSettings", "A&gents…"))
        for button, slot in (
            (self.interactions_button, self.on_interactions_button_clicked),
            (self.realtime_button, self.on_realtime_button_clicked),
            (self.agents_button, self.on_agents_button_clicked),
        ):
            button.setEnabled(False)
            button.clicked.connect(slot)
        # OAuth2 accounts (Microsoft 365, Gmail) sign in here, where their tokens are kept:
        # the browser does the sign-in and comes back to a loopback address; cancellable.
        self.oauth_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "Sign in with &OAuth2…")
        )
        self.oauth_button.setObjectName("oauth_sign_in")
        tip = QCoreApplication.translate("AdminSettings", "Sign the account in with its provider in your web browser; the tokens stay in this computer's keyring.")  # noqa: E501  # fmt: skip
        self.oauth_button.setToolTip(tip)
        self.oauth_button.setEnabled(False)
        self.oauth_button.clicked.connect(self.on_oauth_button_clicked)
        self._signing_in: threading.Event | None = None  # set to cancel the sign-in
        self.browser_requested.connect(self.on_browser_requested)
        self.agents_dialog: AccountAgentsDialog | None = None
        # Asks (title, question) -> yes?; tests put an answer in its place.
        self.confirm: Callable[[str, str], bool] = lambda title, question: ask_yes_no(
            self, title, question
        )
        self._notice = ""
        self.verify_result = QLabel()
        self.verify_result.setObjectName("verify_result")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.health = QLabel()
        self.health.setObjectName("account_health")
        self.health.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.accounts, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.verify_button)
        row.addWidget(self.plan_button)
        row.addWidget(self.delete_button)
        left_layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.interactions_button)
        row.addWidget(self.realtime_button)
        row.addWidget(self.agents_button)
        row.addWidget(self.oauth_button)
        row.addStretch(1)
        left_layout.addLayout(row)
        left_layout.addWidget(self.verify_result)
        left_layout.addWidget(self.health)
        self.page = SettingsPage(admin, "account")
        self.protocol_log = ProtocolLogPanel(admin)
        self.protocol_log.verify_requested.connect(self.on_verify_button_clicked)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.page, QCoreApplication.translate("AdminSettings", "Settings"))
        self.tabs.addTab(
            self.protocol_log, QCoreApplication.translate("AdminSettings", "Protocol log")
        )
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._dialog: AddAccountDialog | None = None
        self.plan_dialog: ActionPlanDialog | None = None
        self.reload()

    def reload(self, select: str | None = None) -> None:
        store = self._admin.ctx.store
        current = select or (
            self.accounts.currentItem().text() if self.accounts.currentItem() else ""
        )
        self._admin.query(
            self,
            lambda: list_accounts(store),
            lambda accounts: self.on_accounts_loaded(accounts, current),
            key="admin-accounts",
        )

    def on_accounts_loaded(self, accounts: list[Any], current: str) -> None:
        self.accounts.clear()
        for info in accounts:
            item = QListWidgetItem(info.name)
            item.setToolTip(f"{info.email} · {info.project}")
            self.accounts.addItem(item)
        names = [a.name for a in accounts]
        if names:
            self.accounts.setCurrentRow(names.index(current) if current in names else 0)
        if self._notice:  # said after the list changed, which clears the line
            self.verify_result.setText(self._notice)
            self._notice = ""

    def on_accounts_current_text_changed(self, name: str) -> None:
        self.verify_button.setEnabled(bool(name))
        self.plan_button.setEnabled(bool(name))
        self.delete_button.setEnabled(bool(name))
        for button in (self.interactions_button, self.realtime_button, self.agents_button):
            button.setEnabled(bool(name))
        self.protocol_log.set_account(name)
        self.verify_result.clear()
        self.health.clear()
        if self._signing_in is None:
            self.oauth_button.setEnabled(False)  # until the health line says OAuth2
        if name:
            self.page.set_target(name)
            self._load_health(name)

    def _load_health(self, name: str) -> None:
        ctx, team_mode = self._admin.ctx, _secrets_elsewhere(self._admin)
        # The keyring may be a network service: the pool, never the GUI thread.
        self._admin.query(
            self,
            lambda: account_health(ctx, name, team_mode=team_mode),
            self.on_health_loaded,
            self.on_health_failed,
            key=f"account-health-{id(self)}",
        )

    def on_interactions_button_clicked(self) -> None:
        self.interactions_requested.emit(self.accounts.currentItem().text())

    def on_realtime_button_clicked(self) -> None:
        self.realtime_requested.emit(self.accounts.currentItem().text())

    def on_agents_button_clicked(self) -> None:
        self.agents_dialog = AccountAgentsDialog(
            self._admin, self.accounts.currentItem().text(), self
        )
        self.agents_dialog.changed.connect(self.on_agents_changed)
        self.agents_dialog.open()

    def on_agents_changed(self, count: int) -> None:
        self.verify_result.setText(
            QCoreApplication.translate(
                "AdminSettings", "Agents of the account changed ({count})."
            ).format(count=count)
        )

    def on_health_loaded(self, health: AccountHealthLine) -> None:
        elsewhere = _secrets_elsewhere(self._admin)
        self.health.setText(describe_health(health, team_mode=elsewhere))
        if self._signing_in is None:
            self.oauth_button.setEnabled(health.oauth and not elsewhere)
        self.health_loaded.emit()

    def on_oauth_button_clicked(self) -> None:
        if self._signing_in is not None:
            self._signing_in.set()  # the button reads "Cancel sign-in" meanwhile
            return
        item = self.accounts.currentItem()
        if item is None:
            return
        store, name, cancel = self._admin.ctx.store, item.text(), threading.Event()
        self._signing_in = cancel
        self.oauth_button.setText(QCoreApplication.translate("AdminSettings", "Cancel sign-in"))
        waiting = QCoreApplication.translate("AdminSettings", "Waiting for the sign-in in your web browser…")  # noqa: E501  # fmt: skip
        self.verify_result.setText(waiting)
        # The browser may take minutes: the pool, and a cancel the person can press.
        self._admin.query(
            self,
            lambda: oauth.sign_in_account(
                store, name, open_browser=self.browser_requested.emit, cancel=cancel
            ),
            lambda health: self.on_oauth_signed_in(name, health),
            self.on_oauth_failed,
        )

    def on_browser_requested(self, url: str) -> None:
        text = QCoreApplication.translate("AdminSettings", "Waiting for the sign-in in your web browser. If none opened, open this address: {url}")  # noqa: E501  # fmt: skip
        self.verify_result.setText(text.format(url=url))
        QDesktopServices.openUrl(QUrl(url))

    def _sign_in_ended(self) -> None:
        self._signing_in = None
        self.oauth_button.setText(
            QCoreApplication.translate("AdminSettings", "Sign in with &OAuth2…")
        )

    def on_oauth_signed_in(self, name: str, health: TokenHealth) -> None:
        self._sign_in_ended()
        text = QCoreApplication.translate("AdminSettings", "{name} is signed in with OAuth2.")
        self.verify_result.setText(text.format(name=name))
        item = self.accounts.currentItem()
        if item is not None:
            self._load_health(item.text())
        self.signed_in.emit(health.signed_in)

    def on_oauth_failed(self, error: BaseException) -> None:
        self._sign_in_ended()
        if isinstance(error, oauth.SignInCancelled):
            self.verify_result.clear()  # a cancel is no error
        else:
            self.verify_result.setText(str(error))
        self.signed_in.emit(False)

    def on_health_failed(self, error: BaseException) -> None:
        self.health.setText(str(error))
        self.health_loaded.emit()

    def on_add_button_clicked(self) -> None:
        self._dialog = AddAccountDialog(self._admin, self)
        self._dialog.added.connect(self.on_dialog_added)
        self._dialog.open()

    def on_dialog_added(self, info: dict[str, Any]) -> None:
        if _secrets_elsewhere(self._admin):
            self._notice = QCoreApplication.translate("AdminSettings", "Email account {name} added; on the worker host, run relaydesk account password {name} --password-stdin, or put its password in /etc/relaydesk/credentials/{id}.password.").format(name=info["name"], id=info["id"])  # noqa: E501  # fmt: skip
        self.reload(select=info["name"])

    def on_plan_button_clicked(self) -> None:
        item = self.accounts.currentItem()
        if item is None:
            return
        self.plan_dialog = ActionPlanDialog(self._admin, item.text(), self)
        self.plan_dialog.resize(900, 560)
        self.plan_dialog.open()

    def on_verify_button_clicked(self) -> None:
        item = self.accounts.currentItem()
        if item is None:
            return
        ctx, name = self._admin.ctx, item.text()
        if _secrets_elsewhere(self._admin):
            # The password is on the worker host, not here: a check from this desk would
            # only report a missing password. Say where the check can run.
            text = QCoreApplication.translate("AdminSettings", "In team mode the worker host keeps this account's password: check the connection there with “relaydesk account verify {name}”.")  # noqa: E501  # fmt: skip
            self.verify_result.setText(text.format(name=name))
            self.verified.emit([])
            return
        self.verify_button.setEnabled(False)
        self.protocol_log.set_verifying(True)
        self.verify_result.setText(
            QCoreApplication.translate("AdminSettings", "Connecting to {account}…").format(
                account=name
            )
        )
        # Network work: the pool, never the GUI thread (a dead server takes seconds).
        self._admin.query(
            self, lambda: verify_account(ctx, name), self.on_account_verified, self.on_verify_failed
        )

    def on_account_verified(self, steps: list[VerifyStep]) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setText(describe_steps(steps))
        self.protocol_log.set_verifying(False)
        self.protocol_log.refresh()
        self.verified.emit(steps)

    def on_verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setText("✘ " + str(error))
        self.protocol_log.set_verifying(False)
        self.protocol_log.refresh()
        self.verified.emit([])

    def on_delete_button_clicked(self) -> None:
        item = self.accounts.currentItem()
        if item is None:
            return
        store, name = self._admin.ctx.store, item.text()
        self.delete_button.setEnabled(False)
        # How many interactions it has, so the question says what is at stake.
        self._admin.query(
            self, lambda: account_usage(store, name), self.on_usage_loaded, self.on_remove_failed
        )

    def on_usage_loaded(self, usage: AccountUsage) -> None:
        self.delete_button.setEnabled(True)
        # One literal on one line: lupdate reads neither split literals nor this call wrapped.
        question = self.tr("Delete the email account {name} ({email})? It has %n interaction(s); they stay in the reports, but no mail will be fetched or sent for this account any more.", "", usage.interactions)  # noqa: E501  # fmt: skip
        question = question.format(name=usage.name, email=usage.email)
        title = QCoreApplication.translate("AdminSettings", "Delete email account")
        if not self.confirm(title, question):
            return
        self.delete_button.setEnabled(False)
        op = Operation("remove_account", self._admin.supervisor, {"account": usage.name})
        self._admin.operate(self, op, self.on_remove_settled, self.on_remove_failed)

    def on_remove_settled(self, outcomes: list[OpResult]) -> None:
        (outcome,) = outcomes
        if not outcome.applied:
            self.delete_button.setEnabled(True)
            self.verify_result.setText("✘ " + outcome.reason)
            return
        name = str(outcome.result["name"])
        if _secrets_elsewhere(self._admin):
            self.on_account_removed(name)  # the worker host keeps (and may drop) its secrets
            return
        account_id = uuid.UUID(outcome.result["account"])
        # Standalone, this machine's keyring held the secrets; it may be a network service.
        self._admin.op(
            self,
            lambda: forget_account_secrets(account_id),
            lambda _none: self.on_account_removed(name),
            self.on_remove_failed,
        )

    def on_account_removed(self, name: str) -> None:
        self._notice = QCoreApplication.translate(
            "AdminSettings", "Email account {name} deleted."
        ).format(name=name)
        self.reload()
        self.removed.emit(name)

    def on_remove_failed(self, error: BaseException) -> None:
        self.delete_button.setEnabled(True)
        self.verify_result.setText("✘ " + str(error))


# --- agents and queues -----------------------------------------------------------------------


class StaffingPage(QWidget):
    """Agents (add, role, accounts), queues (add language queues) and the agent x queue matrix.

    A tick in the matrix puts the agent in the queue; the change is sent at once and the
    matrix reloads from the store, so what shows is what app/ accepted.
    """

    loaded = Signal()
    changed = Signal(bool)  # True when app/ accepted the change

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._staffing: Staffing | None = None
        self._filling = False
        self.account_matrix = QTableWidget()
        self.account_matrix.setObjectName("account_matrix")
        self.account_matrix.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.account_matrix.itemChanged.connect(self.on_account_matrix_item_changed)
        self.role_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "Switch &role of the selected agent")
        )
        self.role_button.setObjectName("switch_role")
        self.role_button.clicked.connect(self.on_role_button_clicked)
        self.matrix = QTableWidget()
        self.matrix.setObjectName("queue_matrix")
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix.itemChanged.connect(self.on_matrix_item_changed)
        self.agents = QTableWidget(0, 3)
        self.agents.setObjectName("agent_table")
        self.agents.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("AdminSettings", "Agent"),
                QCoreApplication.translate("AdminSettings", "Role"),
                QCoreApplication.translate("AdminSettings", "Accounts"),
            ]
        )
        self.agents.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.agents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # add an agent
        self.agent_name = QLineEdit()
        self.agent_name.setPlaceholderText(QCoreApplication.translate("AdminSettings", "name"))
        self.agent_password = QLineEdit()
        self.agent_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.agent_password.setPlaceholderText(
            QCoreApplication.translate("AdminSettings", "password (8 characters or more)")
        )
        self.agent_supervisor = QCheckBox(QCoreApplication.translate("AdminSettings", "Supervisor"))
        self.agent_accounts = QListWidget()
        self.agent_accounts.setMaximumHeight(80)
        self.add_agent_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "Add &agent")
        )
        self.add_agent_button.clicked.connect(self.on_add_agent_button_clicked)
        # add a queue
        self.queue_name = QLineEdit()
        self.queue_name.setPlaceholderText(
            QCoreApplication.translate("AdminSettings", "queue name")
        )
        self.queue_language = QLineEdit()
        self.queue_language.setPlaceholderText(
            QCoreApplication.translate("AdminSettings", "language (it, pt-br…), empty: none")
        )
        self.add_queue_button = QPushButton(
            QCoreApplication.translate("AdminSettings", "Add &queue")
        )
        self.add_queue_button.clicked.connect(self.on_add_queue_button_clicked)
        # rename a queue (the default one can be renamed, never removed)
        self.rename_choice = QComboBox()
        self.rename_name = QLineEdit()
        self.rename_name.setPlaceholderText(QCoreApplication.translate("AdminSettings", "new name"))
        self.rename_button = QPushButton(QCoreApplication.translate("AdminSettings", "Re&name"))
        self.rename_button.clicked.connect(self.on_rename_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("staffing_status")
        self.status.setWordWrap(True)

        add_agent = QFormLayout()
        add_agent.addRow(QCoreApplication.translate("AdminSettings", "New agent"), self.agent_name)
        add_agent.addRow(
            QCoreApplication.translate("AdminSettings", "Password"), self.agent_password
        )
        add_agent.addRow("", self.agent_supervisor)
        add_agent.addRow(
            QCoreApplication.translate("AdminSettings", "Accounts"), self.agent_accounts
        )
        add_agent.addRow("", self.add_agent_button)
        add_queue = QFormLayout()
        add_queue.addRow(QCoreApplication.translate("AdminSettings", "New queue"), self.queue_name)
        add_queue.addRow(
            QCoreApplication.translate("AdminSettings", "Language"), self.queue_language
        )
        add_queue.addRow("", self.add_queue_button)
        rename = QHBoxLayout()
        rename.addWidget(self.rename_choice)
        rename.addWidget(self.rename_name, 1)
        rename.addWidget(self.rename_button)
        add_queue.addRow(QCoreApplication.translate("AdminSettings", "Rename queue"), rename)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.agents, 1)
        left_layout.addWidget(self.role_button)
        left_layout.addLayout(add_agent)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(
            QLabel(QCoreApplication.translate("AdminSettings", "Agents × queues (tick: member)"))
        )
        right_layout.addWidget(self.matrix, 1)
        right_layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "AdminSettings", "Agents × accounts (tick: works the account)"
                )
            )
        )
        right_layout.addWidget(self.account_matrix, 1)
        right_layout.addLayout(add_queue)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.reload()

    def reload(self) -> None:
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: staffing(store),
            self.on_staffing_loaded,
            self.on_task_failed,
            key="staffing",
        )

    def on_staffing_loaded(self, data: Staffing) -> None:
        self._staffing = data
        self._filling = True
        try:
            self.agents.setRowCount(len(data.agents))
            for row, agent in enumerate(data.agents):
                texts = (agent.name, _role_text(agent.role), ", ".join(agent.accounts))
                for column, text in enumerate(texts):
                    self.agents.setItem(row, column, QTableWidgetItem(text))
            self.matrix.clear()
            self.matrix.setRowCount(len(data.agents))
            self.matrix.setColumnCount(len(data.queues))
            self.matrix.setVerticalHeaderLabels([a.name for a in data.agents])
            self.matrix.setHorizontalHeaderLabels(
                [f"{q.name} ({q.language})" if q.language else q.name for q in data.queues]
            )
            for row, agent in enumerate(data.agents):
                for column, queue in enumerate(data.queues):
                    item = QTableWidgetItem()
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    member = (agent.id, queue.id) in data.members
                    item.setCheckState(Qt.CheckState.Checked if member else Qt.CheckState.Unchecked)
                    self.matrix.setItem(row, column, item)
            chosen_queue = self.rename_choice.currentData()
            self.rename_choice.clear()
            for queue in data.queues:
                self.rename_choice.addItem(f"{queue.project} / {queue.name}", queue.id)
            self.rename_choice.setCurrentIndex(max(self.rename_choice.findData(chosen_queue), 0))
            self.account_matrix.clear()
            self.account_matrix.setRowCount(len(data.agents))
            self.account_matrix.setColumnCount(len(data.accounts))
            self.account_matrix.setVerticalHeaderLabels([a.name for a in data.agents])
            self.account_matrix.setHorizontalHeaderLabels(list(data.accounts))
            for row, agent in enumerate(data.agents):
                for column, account in enumerate(data.accounts):
                    cell = QTableWidgetItem()
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    works = account in agent.accounts
                    cell.setCheckState(Qt.CheckState.Checked if works else Qt.CheckState.Unchecked)
                    self.account_matrix.setItem(row, column, cell)
            chosen = {
                self.agent_accounts.item(i).text()
                for i in range(self.agent_accounts.count())
                if self.agent_accounts.item(i).checkState() == Qt.CheckState.Checked
            }
            self.agent_accounts.clear()
            for name in data.accounts:
                entry = QListWidgetItem(name)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(
                    Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked
                )
                self.agent_accounts.addItem(entry)
        finally:
            self._filling = False
        self.loaded.emit()

    def _send(self, op: Operation, done: Callable[[dict[str, Any]], str]) -> None:
        """Apply one change (standalone, or on the central database in team mode); ``done``
        says in a sentence what it did, from the operation's result."""
        self._admin.operate(
            self,
            op,
            lambda outcomes: self.on_change_settled(outcomes[0], done),
            self.on_change_failed,
        )

    def on_change_settled(self, outcome: OpResult, done: Callable[[dict[str, Any]], str]) -> None:
        if outcome.applied:
            self.on_change_done(done(outcome.result))
        else:
            self._refused(outcome.reason)

    def on_matrix_item_changed(self, item: QTableWidgetItem) -> None:
        data = self._staffing
        if self._filling or data is None:
            return
        agent, queue = data.agents[item.row()], data.queues[item.column()]
        member = item.checkState() == Qt.CheckState.Checked
        self._send(
            membership_operation(self._admin.supervisor, agent.id, queue.id, member),
            lambda _result: (
                QCoreApplication.translate("AdminSettings", "{agent} is now in {queue}.").format(
                    agent=agent.name, queue=queue.name
                )
                if member
                else QCoreApplication.translate("AdminSettings", "{agent} left {queue}.").format(
                    agent=agent.name, queue=queue.name
                )
            ),
        )

    def on_account_matrix_item_changed(self, item: QTableWidgetItem) -> None:
        data = self._staffing
        if self._filling or data is None:
            return
        agent, account = data.agents[item.row()], data.accounts[item.column()]
        member = item.checkState() == Qt.CheckState.Checked
        self._send(
            account_membership_operation(self._admin.supervisor, agent.id, account, member),
            lambda _result: (
                QCoreApplication.translate("AdminSettings", "{agent} now works {account}.").format(
                    agent=agent.name, account=account
                )
                if member
                else QCoreApplication.translate(
                    "AdminSettings", "{agent} no longer works {account}."
                ).format(agent=agent.name, account=account)
            ),
        )

    def on_role_button_clicked(self) -> None:
        data, row = self._staffing, self.agents.currentRow()
        if data is None or not 0 <= row < len(data.agents):
            self.status.setText(
                QCoreApplication.translate("AdminSettings", "Select an agent in the list first.")
            )
            return
        agent = data.agents[row]
        role = "agent" if agent.role == "supervisor" else "supervisor"
        self._send(
            Operation("set_role", self._admin.supervisor, {"agent": str(agent.id), "role": role}),
            lambda _result: QCoreApplication.translate(
                "AdminSettings", "{agent} is now a {role}."
            ).format(agent=agent.name, role=_role_text(role)),
        )

    def on_add_agent_button_clicked(self) -> None:
        name, password = self.agent_name.text().strip(), self.agent_password.text()
        supervisor = self.agent_supervisor.isChecked()
        accounts = [
            self.agent_accounts.item(i).text()
            for i in range(self.agent_accounts.count())
            if self.agent_accounts.item(i).checkState() == Qt.CheckState.Checked
        ]
        actor = self._admin.supervisor
        # Hashed in a task (scrypt is slow on purpose); only the hash goes in the operation.
        self._admin.op(
            self,
            lambda: add_agent_operation(
                actor, name, supervisor=supervisor, password=password, accounts=accounts
            ),
            self.on_agent_operation_ready,
            self.on_change_failed,
        )

    def on_agent_operation_ready(self, op: Operation) -> None:
        self._send(
            op,
            lambda result: QCoreApplication.translate(
                "AdminSettings", "Agent {name} added."
            ).format(name=result["name"]),
        )

    def on_add_queue_button_clicked(self) -> None:
        name, language = self.queue_name.text(), self.queue_language.text().strip()
        self._send(
            Operation(
                "add_queue", self._admin.supervisor, {"name": name, "language": language or None}
            ),
            lambda result: QCoreApplication.translate(
                "AdminSettings", "Queue {name} added."
            ).format(name=result["name"]),
        )

    def on_rename_button_clicked(self) -> None:
        queue_id, new_name = self.rename_choice.currentData(), self.rename_name.text()
        if queue_id is None:
            return
        self._send(
            Operation(
                "rename_queue", self._admin.supervisor, {"queue": str(queue_id), "name": new_name}
            ),
            lambda result: QCoreApplication.translate(
                "AdminSettings", "Queue renamed to {name}."
            ).format(name=result["name"]),
        )

    def on_change_done(self, message: str) -> None:
        self.status.setText(message)
        self.agent_password.clear()
        self.changed.emit(True)
        self.reload()

    def on_change_failed(self, error: BaseException) -> None:
        self._refused(str(error))

    def _refused(self, reason: str) -> None:
        self.status.setText(reason)  # what was typed stays, to be corrected
        self.changed.emit(False)
        self.reload()  # the matrix shows what the store holds, not the refused tick

    def on_task_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
