"""The ticket panel: put the interaction on a new ticket or an existing one, and edit it.

Searching runs as the agent types (the latest search wins); creating, assigning and editing
are the ``assign_ticket`` and ``update_ticket`` operations, whose refusals show here.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
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
from app.services.desk import DeskState, TicketChoices, TicketDetails, TicketRow
from app.services.operations import Operation, OpResult
from ui.desk_operations import DeskOperations
from ui.tasks import TaskRunner

SEARCH_DELAY_MS = 250


class TicketPanel(QWidget):
    changed = Signal()  # a ticket was created, assigned or edited
    open_interaction = Signal(object)  # one of the ticket's other interactions, by id
    loaded = Signal()  # the panel shows the current state
    search_done = Signal()  # the result list shows the latest search

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
        self._agent_id: uuid.UUID | None = None
        self._state: DeskState | None = None
        self._notice: tuple[uuid.UUID, str] | None = None  # (interaction, last outcome)
        self.details: TicketDetails | None = None

        self.current = QLabel(self.tr("No interaction selected."))
        self.current.setWordWrap(True)
        self.title = QLineEdit()
        self.type = QComboBox()
        self.responsible = QComboBox()
        self.save_button = QPushButton(self.tr("Save ticket"))
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.others = QListWidget()
        self.others.itemActivated.connect(self.on_others_item_activated)
        edit = QGroupBox(self.tr("This interaction's ticket"))
        edit_form = QFormLayout(edit)
        edit_form.addRow(self.current)
        edit_form.addRow(self.tr("Title"), self.title)
        edit_form.addRow(self.tr("Type"), self.type)
        edit_form.addRow(self.tr("Responsible"), self.responsible)
        edit_form.addRow(self.save_button)
        edit_form.addRow(QLabel(self.tr("Interactions on this ticket")))
        edit_form.addRow(self.others)
        self.edit_box = edit

        self.new_title = QLineEdit()
        self.new_title.setPlaceholderText(self.tr("Title (the subject if empty)"))
        self.new_type = QComboBox()
        self.create_button = QPushButton(self.tr("Create ticket"))
        self.create_button.clicked.connect(self.on_create_button_clicked)
        create = QGroupBox(self.tr("New ticket from this interaction"))
        create_form = QFormLayout(create)
        create_form.addRow(self.tr("Title"), self.new_title)
        create_form.addRow(self.tr("Type"), self.new_type)
        create_form.addRow(self.create_button)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Ticket number, customer or title"))
        self.search.textChanged.connect(self.on_search_text_changed)
        self.results = QListWidget()
        self.results.itemActivated.connect(self.on_results_item_activated)
        self.assign_button = QPushButton(self.tr("Assign to this ticket"))
        self.assign_button.clicked.connect(self.on_assign_button_clicked)
        self._search_delay = QTimer(self)
        self._search_delay.setSingleShot(True)
        self._search_delay.setInterval(SEARCH_DELAY_MS)
        self._search_delay.timeout.connect(self.on_search_delay_timeout)
        existing = QGroupBox(self.tr("Assign to an existing ticket"))
        existing_layout = QVBoxLayout(existing)
        existing_layout.addWidget(self.search)
        existing_layout.addWidget(self.results, 1)
        existing_layout.addWidget(self.assign_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(edit)
        left.addWidget(create)
        columns.addLayout(left, 1)
        columns.addWidget(existing, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        self._enable()

    def set_context(self, ctx: AppContext, agent_id: uuid.UUID) -> None:
        self._ctx, self._agent_id = ctx, agent_id

    def _enable(self) -> None:
        state = self._state
        mine = state is not None and state.mine
        has_ticket = self.details is not None
        for widget in (self.title, self.type, self.responsible, self.save_button):
            widget.setEnabled(has_ticket)
        for widget in (self.create_button, self.assign_button):
            widget.setEnabled(mine)
        self.search.setEnabled(state is not None)

    def show_state(self, state: DeskState | None, *, force: bool = False) -> None:
        ctx = self._ctx
        previous, self._state = self._state, state
        if (
            not force
            and state is not None
            and previous is not None
            and previous.interaction_id == state.interaction_id
            and previous.ticket_number == state.ticket_number
        ):
            # Nothing about the ticket changed: keep what the agent is typing or searching.
            self._enable()
            return
        self.details = None
        # The outcome of the agent's last change stays while its interaction is shown: the
        # reloads that change itself causes (a new ticket number, say) must not wipe it.
        if self._notice is not None and (state is None or self._notice[0] != state.interaction_id):
            self._notice = None
        self.message.setText(self._notice[1] if self._notice is not None else "")
        if ctx is None or state is None:
            self.current.setText(self.tr("No interaction selected."))
            self._enable()
            return
        number, project = state.ticket_number, state.project_id

        def load() -> tuple[TicketChoices, TicketDetails | None, list[TicketRow]]:
            choices = desk.ticket_choices(ctx.store, project)
            details = desk.ticket_details(ctx.store, number) if number else None
            return choices, details, desk.search_tickets(ctx.store, project, "")

        self._tasks.query(load, self.on_state_loaded, self.on_task_failed, key="ticket-panel")

    def on_state_loaded(
        self, loaded: tuple[TicketChoices, TicketDetails | None, list[TicketRow]]
    ) -> None:
        choices, details, found = loaded
        self.details = details
        for combo in (self.type, self.new_type):
            combo.clear()
            combo.addItem(self.tr("(no type)"), None)
            for label in choices.types:
                combo.addItem(label, label)
        self.responsible.clear()
        self.responsible.addItem(self.tr("(nobody)"), None)
        for name in choices.agents:
            self.responsible.addItem(name, name)
        self.others.clear()
        if details is None:
            self.current.setText(self.tr("Not on a ticket yet."))
            self.title.clear()
        else:
            self.current.setText(
                self.tr("Ticket {number}").format(number=details.number)
                + (f" · {details.type}" if details.type else "")
            )
            self.title.setText(details.title)
            self.type.setCurrentIndex(max(0, self.type.findData(details.type)))
            self.responsible.setCurrentIndex(max(0, self.responsible.findData(details.responsible)))
            for other in details.interactions:
                when = (
                    other.last_activity_at.astimezone().strftime("%Y-%m-%d %H:%M")
                    if other.last_activity_at
                    else ""
                )
                item = QListWidgetItem(
                    f"{other.subject} · {other.customer} · {other.status} {when}"
                )
                item.setData(Qt.ItemDataRole.UserRole, str(other.id))
                if self._state is not None and other.id == self._state.interaction_id:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.others.addItem(item)
        self.on_search_loaded(found)
        self._enable()
        self.loaded.emit()

    # --- searching ----------------------------------------------------------------------

    def on_search_text_changed(self, _text: str) -> None:
        self._search_delay.start()

    def on_search_delay_timeout(self) -> None:
        ctx, state = self._ctx, self._state
        if ctx is None or state is None:
            return
        text, project = self.search.text(), state.project_id
        self._tasks.query(
            lambda: desk.search_tickets(ctx.store, project, text),
            self.on_search_loaded,
            self.on_task_failed,
            key="ticket-search",
        )

    def on_search_loaded(self, found: list[TicketRow]) -> None:
        self.results.clear()
        for row in found:
            parts = [row.number, row.title]
            if row.customer:
                parts.append(row.customer)
            item = QListWidgetItem(" · ".join(parts))
            item.setData(Qt.ItemDataRole.UserRole, row.number)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        self.search_done.emit()

    def on_results_item_activated(self, _item: QListWidgetItem) -> None:
        self.on_assign_button_clicked()

    def on_others_item_activated(self, item: QListWidgetItem) -> None:
        self.open_interaction.emit(uuid.UUID(item.data(Qt.ItemDataRole.UserRole)))

    # --- changing -----------------------------------------------------------------------

    def on_create_button_clicked(self) -> None:
        payload: dict[str, Any] = {"new": True}
        if self.new_title.text().strip():
            payload["title"] = self.new_title.text().strip()
        if self.new_type.currentData():
            payload["type"] = self.new_type.currentData()
        self._run("assign_ticket", payload)

    def on_assign_button_clicked(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.message.setText(self.tr("Search for a ticket and choose it first."))
            return
        self._run("assign_ticket", {"ticket": item.data(Qt.ItemDataRole.UserRole)})

    def on_save_button_clicked(self) -> None:
        if self.details is None:
            return
        self._run(
            "update_ticket",
            {
                "ticket": self.details.number,
                "title": self.title.text(),
                "type": self.type.currentData(),
                "responsible": self.responsible.currentData(),
            },
            with_interaction=False,
        )

    def _run(self, kind: str, payload: dict[str, Any], *, with_interaction: bool = True) -> None:
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        if ctx is None or agent_id is None or state is None:
            return
        if with_interaction:
            payload = {**payload, "interaction": state.interaction_id, "fence": state.fence}
        op = Operation(kind, agent_id, payload)
        self._notice = None
        if self._operations.run(ctx, op, self.on_op_done, self.on_task_failed):
            self.message.setText(self.tr("Sent; waiting for the central database…"))

    def on_op_done(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self.message.setText(outcome.reason)
            return
        number = outcome.result.get("ticket", "")
        if outcome.result.get("new"):
            notice = self.tr("Created ticket {number}.").format(number=number)
        else:
            notice = self.tr("Ticket {number} saved.").format(number=number)
        if self._state is not None:
            self._notice = (self._state.interaction_id, notice)
        self.new_title.clear()
        self.show_state(self._state, force=True)
        self.message.setText(notice)
        self.changed.emit()

    def on_task_failed(self, error: BaseException) -> None:
        self.message.setText(str(error))
