"""Tools of the accounts page: the protocol log (the account's latest IMAP and SMTP lines)
and the dialog of agents who work on an account.

app/ keeps the lines (app/mail/protocol_log.py) without passwords, tokens or message bodies;
this panel only reads them through a task and shows them, newest at the bottom.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.operations import OpResult
from app.services.staffing import Staffing, account_membership_operation, staffing
from app.services.verify import protocol_lines

if TYPE_CHECKING:  # settings_pages imports this module: no import cycle at run time
    from ui.admin.settings_pages import AdminContext


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProtocolLog", text)


class ProtocolLogPanel(QWidget):
    """The chosen account's conversation with its servers, for diagnosing connections."""

    loaded = Signal()
    verify_requested = Signal()

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._account = ""
        self._verifying = False
        self.text = QPlainTextEdit()
        self.text.setObjectName("protocol_log")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText(
            QCoreApplication.translate(
                "ProtocolLog",
                "No lines yet. Verify the connection, or wait for the next fetch, to see "
                "the conversation with the IMAP and SMTP servers here.",
            )
        )
        self.refresh_button = QPushButton(QCoreApplication.translate("ProtocolLog", "&Refresh"))
        self.refresh_button.setObjectName("protocol_log_refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton(QCoreApplication.translate("ProtocolLog", "Verify &now"))
        self.verify_button.setObjectName("protocol_log_verify")
        self.verify_button.clicked.connect(self.verify_requested)
        note = QLabel(
            QCoreApplication.translate(
                "ProtocolLog", "Passwords, tokens and message bodies are never recorded."
            )
        )
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(note, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self._enable()

    @property
    def account(self) -> str:
        return self._account

    def set_account(self, name: str) -> None:
        self._account = name
        self.text.clear()
        self._enable()
        self.refresh()

    def _enable(self) -> None:
        self.refresh_button.setEnabled(bool(self._account))
        self.verify_button.setEnabled(bool(self._account) and not self._verifying)

    def set_verifying(self, verifying: bool) -> None:
        """One verify run at a time: the page's button and this one start the same run."""
        self._verifying = verifying
        self._enable()

    def refresh(self) -> None:
        name = self._account
        if not name:
            return
        ctx = self._admin.ctx
        self._admin.query(
            self,
            lambda: (name, protocol_lines(ctx, name)),
            self.on_lines_loaded,
            self.on_lines_failed,
            key=f"protocol-log-{id(self)}",
        )

    def on_lines_loaded(self, loaded: tuple[str, list[str]]) -> None:
        name, lines = loaded
        if name != self._account:
            return  # an answer for the account chosen before
        self.text.setPlainText("\n".join(lines))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.loaded.emit()

    def on_lines_failed(self, error: BaseException) -> None:
        self.text.setPlainText(str(error))
        self.loaded.emit()


class AccountAgentsDialog(QDialog):
    """Who works on one account: tick agents to add them, untick to take them off."""

    changed = Signal(int)  # how many memberships changed
    loaded = Signal()

    def __init__(self, admin: AdminContext, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self.account = account
        self._was: dict[uuid.UUID, bool] = {}
        self.setWindowTitle(
            QCoreApplication.translate("AccountAgents", "Agents of {account}").format(
                account=account
            )
        )
        self.agents = QListWidget()
        self.agents.setObjectName("account_agents")
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "AccountAgents",
                    "Ticked agents see and work this account's interactions (in the queues "
                    "they belong to).",
                )
            )
        )
        layout.addWidget(self.agents, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        store = admin.ctx.store
        admin.query(self, lambda: staffing(store), self.on_staffing_loaded, self.on_failed)

    def on_staffing_loaded(self, data: Staffing) -> None:
        self.agents.clear()
        for agent in data.agents:
            member = self.account in agent.accounts
            self._was[agent.id] = member
            label = agent.name if not agent.full_name else f"{agent.name} — {agent.full_name}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member else Qt.CheckState.Unchecked)
            self.agents.addItem(item)
        self.save_button.setEnabled(True)
        self.loaded.emit()

    def changes(self) -> list[tuple[uuid.UUID, bool]]:
        found = []
        for row in range(self.agents.count()):
            item = self.agents.item(row)
            agent_id = item.data(Qt.ItemDataRole.UserRole)
            member = item.checkState() == Qt.CheckState.Checked
            if self._was.get(agent_id) != member:
                found.append((agent_id, member))
        return found

    def save(self) -> None:
        changes, admin, account = self.changes(), self._admin, self.account
        if not changes:
            self.accept()
            return
        self.save_button.setEnabled(False)
        # One operation per agent (standalone, or on the central database in team mode).
        ops = [
            account_membership_operation(admin.supervisor, agent_id, account, member)
            for agent_id, member in changes
        ]
        admin.operate(self, ops, self.on_settled, self.on_failed)

    def on_settled(self, outcomes: list[OpResult]) -> None:
        refused = [o.reason for o in outcomes if not o.applied]
        if refused:
            # What was applied stays applied; the dialog stays open with the reason.
            self.save_button.setEnabled(True)
            self.status.setText(refused[0])
            return
        self.on_saved(len(outcomes))

    def on_saved(self, count: int) -> None:
        self.changed.emit(count)
        self.accept()

    def on_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(str(error))
