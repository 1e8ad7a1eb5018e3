"""The customer beside the thread: the contact, and their other conversations and tickets.

When the agent leaves the desk (``leave``), their unsaved contact edits are kept as their
panel draft and the fields empty; the edits come back when they show that interaction again.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services import desk
from app.services.contacts import CustomerCard, customer_card
from app.services.operations import Operation, OpResult
from ui.desk_operations import DeskOperations
from ui.tasks import TaskRunner


class CustomerPanel(QWidget):
    open_interaction = Signal(object)  # an interaction id, from a double-click or Enter
    saved = Signal()  # the contact was created or changed

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        operations: DeskOperations | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._operations = operations or DeskOperations(tasks, self)
        self._ctx: AppContext | None = None
        self.card: CustomerCard | None = None
        self._agent_id: uuid.UUID | None = None
        self._interaction_id: uuid.UUID | None = None  # the one asked for last
        self._notice = ""  # shown once the card is read again after a save
        # Editable for everyone; app/ decides (supervisors, or agents when the project
        # enables "agents create new records") and the refusal is shown below.
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.company = QLineEdit()
        self.save_button = QPushButton(self.tr("Save contact"))
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.message = QLabel()
        self.message.setWordWrap(True)
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
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.save_button, self.message)
        form.addRow(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history, 1)

    def set_context(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def set_agent(self, agent_id: uuid.UUID | None) -> None:
        """Who works here from now on; another agent's edits are put away first (``leave``)."""
        if self._agent_id is not None and self._agent_id != agent_id:
            self.leave()
        self._agent_id = agent_id

    def unsaved(self) -> dict[str, str]:
        """The contact fields the agent changed and did not save (empty: nothing to keep)."""
        card = self.card
        if card is None:
            return {}
        shown = {
            "name": self.name.text(),
            "phone": self.phone.text(),
            "company": self.company.text(),
        }
        stored = {"name": card.name, "phone": card.phone, "company": card.company}
        return shown if shown != stored else {}

    def leave(self) -> None:
        """The agent signs out: unsaved edits become their panel draft, the fields empty."""
        ctx, agent_id, card = self._ctx, self._agent_id, self.card
        if ctx is not None and agent_id is not None and card is not None:
            slot = (ctx.store, agent_id, "contact", card.interaction_id)
            work = functools.partial(desk.save_panel_draft, *slot, self.unsaved())
            self._tasks.op(work, lambda _none: None, self.on_draft_failed)
        self._agent_id = None
        self._notice = ""
        self._interaction_id = None
        self._show(None)

    def show_interaction(self, interaction_id: uuid.UUID | None) -> None:
        ctx, agent_id = self._ctx, self._agent_id
        self._interaction_id = interaction_id
        if ctx is None or interaction_id is None:
            self._show(None)
            return

        def load() -> tuple[CustomerCard, dict[str, Any] | None]:
            card = customer_card(ctx.store, interaction_id)
            kept = None
            if agent_id is not None:
                kept = desk.load_panel_draft(ctx.store, agent_id, "contact", interaction_id)
            return card, kept

        self._tasks.query(
            load,
            lambda loaded: self.on_card_loaded(loaded, agent_id, interaction_id),
            self.on_card_failed,
            key="customer",
        )

    def on_card_loaded(
        self,
        loaded: tuple[CustomerCard, dict[str, Any] | None],
        agent_id: uuid.UUID | None,
        interaction_id: uuid.UUID,
    ) -> None:
        if agent_id != self._agent_id or interaction_id != self._interaction_id:
            return  # the agent moved on, or left the desk, while the card was read
        card, kept = loaded
        self._show(card)
        ctx = self._ctx
        if not kept or ctx is None or agent_id is None:
            return
        self.name.setText(str(kept.get("name", "")))
        self.phone.setText(str(kept.get("phone", "")))
        self.company.setText(str(kept.get("company", "")))
        self.message.setText(self.tr("Your unsaved contact changes are back."))
        # On screen again: if they leave once more, ``leave`` keeps them anew.
        self._tasks.op(
            functools.partial(
                desk.discard_panel_draft, ctx.store, agent_id, "contact", interaction_id
            ),
            lambda _none: None,
            self.on_draft_failed,
        )

    def _show(self, card: CustomerCard | None) -> None:
        self.card = card
        self.history.clear()
        self.message.setText(self._notice)
        self._notice = ""
        self.save_button.setEnabled(card is not None and bool(card.emails))
        if card is None:
            for widget in (self.name, self.phone, self.company):
                widget.clear()
            for label in (self.emails, self.details, self.history_label):
                label.clear()
            return
        self.name.setText(card.name)
        self.name.setPlaceholderText(self.tr("(no name)"))
        self.phone.setText(card.phone)
        self.company.setText(card.company)
        self.emails.setText(", ".join(card.emails))
        lines = [f"{name}: {value}" for name, value in card.attributes]
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

    def on_save_button_clicked(self) -> None:
        ctx, card, agent_id = self._ctx, self.card, self._agent_id
        if ctx is None or card is None or agent_id is None:
            return
        payload: dict[str, Any] = {
            "interaction": str(card.interaction_id),
            "name": self.name.text(),
            "phone": self.phone.text(),
            "company": self.company.text(),
        }
        if card.contact_id is None:
            payload["emails"] = list(card.emails)
        else:
            payload["contact"] = str(card.contact_id)
        op = Operation("save_contact", agent_id, payload)
        self.save_button.setEnabled(False)
        interaction_id = card.interaction_id

        def done(outcome: OpResult) -> None:
            if agent_id == self._agent_id:
                self.on_saved(outcome)
            elif outcome.applied:
                # They left meanwhile: the edits they kept are saved now, not unsaved work.
                self._tasks.op(
                    functools.partial(
                        desk.discard_panel_draft, ctx.store, agent_id, "contact", interaction_id
                    ),
                    lambda _none: None,
                    lambda _error: None,
                )

        def failed(error: BaseException) -> None:
            if agent_id == self._agent_id:
                self.on_card_failed(error)

        if self._operations.run(ctx, op, done, failed):
            self.message.setText(self.tr("Sent; waiting for the central database…"))

    def on_saved(self, outcome: OpResult) -> None:
        self.save_button.setEnabled(True)
        if not outcome.applied:
            self.message.setText(outcome.reason)
            return
        self.saved.emit()
        self._notice = self.tr("Saved.")
        if self.card is not None:
            self.show_interaction(self.card.interaction_id)

    def on_history_item_activated(self, item: QListWidgetItem) -> None:
        self.open_interaction.emit(item.data(Qt.ItemDataRole.UserRole))

    def on_draft_failed(self, error: BaseException) -> None:
        self.message.setText(str(error))

    def on_card_failed(self, error: BaseException) -> None:
        self._show(None)
        self.details.setText(str(error))
