"""The customer beside the thread: the contact, and their other conversations and tickets."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services.contacts import CustomerCard, customer_card
from ui.tasks import TaskRunner


class CustomerPanel(QWidget):
    open_interaction = Signal(object)  # an interaction id, from a double-click or Enter

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._ctx: AppContext | None = None
        self.card: CustomerCard | None = None
        self.name = QLabel()
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.emails = QLabel()
        self.emails.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.history = QListWidget()
        self.history.itemActivated.connect(self.on_history_item_activated)
        self.history_label = QLabel()
        form = QFormLayout()
        form.addRow(self.tr("Customer"), self.name)
        form.addRow(self.tr("Addresses"), self.emails)
        form.addRow(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history, 1)

    def set_context(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def show_interaction(self, interaction_id: uuid.UUID | None) -> None:
        ctx = self._ctx
        if ctx is None or interaction_id is None:
            self._show(None)
            return
        self._tasks.query(
            lambda: customer_card(ctx.store, interaction_id),
            self._show,
            self.on_card_failed,
            key="customer",
        )

    def _show(self, card: CustomerCard | None) -> None:
        self.card = card
        self.history.clear()
        if card is None:
            for label in (self.name, self.emails, self.details, self.history_label):
                label.clear()
            return
        self.name.setText(card.name or self.tr("(no name)"))
        self.emails.setText(", ".join(card.emails))
        lines = [text for text in (card.company, card.phone) if text]
        lines += [f"{name}: {value}" for name, value in card.attributes]
        if card.unsubscribed:
            lines.append(self.tr("Asked for no more automatic mail."))
        if card.contact_id is None:
            lines.append(self.tr("Not saved as a contact."))
        self.details.setText("\n".join(lines))
        if card.history:
            self.history_label.setText(
                self.tr("Other conversations ({count}), newest first:").format(
                    count=len(card.history)
                )
            )
        else:
            self.history_label.setText(self.tr("No other conversations."))
        for item in card.history:
            when = item.last_activity_at.astimezone().strftime("%Y-%m-%d %H:%M")
            ticket = f" · {item.ticket_number}" if item.ticket_number else ""
            row = QListWidgetItem(f"{when} · {item.subject} · {item.status}{ticket}")
            row.setData(Qt.ItemDataRole.UserRole, item.interaction_id)
            row.setToolTip(self.tr("Account {account}").format(account=item.account))
            self.history.addItem(row)

    def on_history_item_activated(self, item: QListWidgetItem) -> None:
        self.open_interaction.emit(item.data(Qt.ItemDataRole.UserRole))

    def on_card_failed(self, error: BaseException) -> None:
        self._show(None)
        self.details.setText(str(error))
