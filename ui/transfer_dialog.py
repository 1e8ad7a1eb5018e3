"""Choosing where an interaction goes: back to a queue, or to a named agent."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services.desk import DeskState, TransferTargets


class TransferDialog(QDialog):
    """Offers only what the account allows; ``choice()`` gives the operation's payload."""

    def __init__(
        self, state: DeskState, targets: TransferTargets, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transfer “{subject}”").format(subject=state.subject))
        self.to_queue = QRadioButton(self.tr("To a queue"))
        self.to_agent = QRadioButton(self.tr("To an agent"))
        self.queue = QComboBox()
        for label, name in targets.queues:
            self.queue.addItem(label, name)
        self.agent = QComboBox()
        for name in targets.agents:
            self.agent.addItem(name, name)
        self.to_queue.setEnabled(state.transfer_to_queue and bool(targets.queues))
        self.to_agent.setEnabled(state.transfer_to_agent and bool(targets.agents))
        if self.to_queue.isEnabled():
            self.to_queue.setChecked(True)
        elif self.to_agent.isEnabled():
            self.to_agent.setChecked(True)
        self.to_queue.toggled.connect(self.on_to_queue_toggled)
        self.note = QLabel()
        self.note.setWordWrap(True)
        if not (self.to_queue.isEnabled() or self.to_agent.isEnabled()):
            self.note.setText(
                self.tr("Account {account} allows no transfers.").format(account=state.account_name)
            )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.to_queue, self.queue)
        form.addRow(self.to_agent, self.agent)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.on_to_queue_toggled(self.to_queue.isChecked())

    def on_to_queue_toggled(self, on: bool) -> None:
        self.queue.setEnabled(on)
        self.agent.setEnabled(not on and self.to_agent.isEnabled())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.to_queue.isChecked() or self.to_agent.isChecked())

    def choice(self) -> dict[str, str]:
        if self.to_queue.isChecked() and self.queue.currentData():
            return {"to_queue": str(self.queue.currentData())}
        if self.to_agent.isChecked() and self.agent.currentData():
            return {"to_agent": str(self.agent.currentData())}
        return {}
