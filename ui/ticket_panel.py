"""The ticket panel: put the interaction on a new ticket or an existing one, and edit it.

Searching runs as the agent types (the latest search wins); creating, assigning and editing
are the ``assign_ticket`` and ``update_ticket`` operations, whose refusals show here. When the
agent leaves the desk (``leave``), their unsaved title and type edits are kept as their panel
draft and the panel empties; the edits come back when they show that interaction again.
"""

from __future__ import annotations

import functools
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
        """Who works here from now on; another agent's edits are put away first (``leave``)."""
        if self._agent_id is not None and self._agent_id != agent_id:
            self.leave()
        self._ctx, self._agent_id = ctx, agent_id

    def unsaved(self) -> dict[str, Any]:
        """The agent's edits not saved yet, as plain values (empty: nothing to keep)."""
        kept: dict[str, Any] = {}
        details = self.details
        if details is not None:
            edited = (
                self.title.text(),
                self.type.currentData(),
                self.responsible.currentData(),
            )
            if edited != (details.title, details.type, details.responsible):
                kept["ticket"] = {
                    "number": details.number,
                    "title": edited[0],
                    "type": edited[1],
                    "responsible": edited[2],
                }
        if self.new_title.text().strip() or self.new_type.currentData():
            kept["new"] = {"title": self.new_title.text(), "type": self.new_type.currentData()}
        return kept

    def leave(self) -> None:
        """The agent signs out: unsaved edits become their panel draft, the panel empties.

        The search and its results are not kept (found again in a moment); answers still on
        their way for the one who left reach nobody (``_for_me``).
        """
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        if ctx is not None and agent_id is not None and state is not None:
            slot = (ctx.store, agent_id, "ticket", state.interaction_id)
            work = functools.partial(desk.save_panel_draft, *slot, self.unsaved())
            self._tasks.op(work, lambda _none: None, self.on_task_failed)
        self._agent_id = None
        self._state = None
        self.details = None
        self._notice = None
        self._search_delay.stop()
        for edit in (self.title, self.new_title, self.search):
            edit.clear()
        self._search_delay.stop()  # clearing the search started it
        for combo in (self.type, self.new_type, self.responsible):
            combo.clear()
        self.results.clear()
        self.others.clear()
        self.message.clear()
        self.current.setText(self.tr("No interaction selected."))
        self._enable()

    def _for_me(self, agent_id: uuid.UUID | None, interaction_id: uuid.UUID | None) -> bool:
        """Whether an answer asked for by ``agent_id`` about that interaction may show here."""
        state = self._state
        return (
            agent_id == self._agent_id
            and state is not None
            and state.interaction_id == interaction_id
        )

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
        agent_id, interaction_id = self._agent_id, state.interaction_id
        # What the agent left unsaved here when they signed out (not after their own save).
        restore = agent_id is not None and not force

        def load() -> tuple[
            TicketChoices, TicketDetails | None, list[TicketRow], dict[str, Any] | None
        ]:
            choices = desk.ticket_choices(ctx.store, project)
            details = desk.ticket_details(ctx.store, number) if number else None
            kept = None
            if restore and agent_id is not None:
                kept = desk.load_panel_draft(ctx.store, agent_id, "ticket", interaction_id)
            return choices, details, desk.search_tickets(ctx.store, project, ""), kept

        self._tasks.query(
            load,
            lambda loaded: (
                self.on_state_loaded(loaded) if self._for_me(agent_id, interaction_id) else None
            ),
            lambda error: (
                self.on_task_failed(error) if self._for_me(agent_id, interaction_id) else None
            ),
            key="ticket-panel",
        )

    def on_state_loaded(
        self,
        loaded: tuple[TicketChoices, TicketDetails | None, list[TicketRow], dict[str, Any] | None],
    ) -> None:
        choices, details, found, kept = loaded
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
        if kept:
            self._restore(kept)
        self._enable()
        self.loaded.emit()

    def _restore(self, kept: dict[str, Any]) -> None:
        """The agent's edits from before they signed out, back on screen (and out of the store)."""
        ctx, agent_id, state, details = self._ctx, self._agent_id, self._state, self.details
        if ctx is None or agent_id is None or state is None:
            return
        edit = kept.get("ticket")
        back = False
        if edit and details is not None and edit.get("number") == details.number:
            # Not shown when the interaction moved to another ticket meanwhile.
            self.title.setText(str(edit.get("title", "")))
            self.type.setCurrentIndex(max(0, self.type.findData(edit.get("type"))))
            self.responsible.setCurrentIndex(
                max(0, self.responsible.findData(edit.get("responsible")))
            )
            back = True
        new = kept.get("new")
        if new:
            self.new_title.setText(str(new.get("title", "")))
            self.new_type.setCurrentIndex(max(0, self.new_type.findData(new.get("type"))))
            back = True
        if back:
            self.message.setText(self.tr("Your unsaved ticket changes are back."))
        interaction_id = state.interaction_id
        # On screen again: if they leave once more, ``leave`` keeps them anew.
        self._tasks.op(
            lambda: desk.discard_panel_draft(ctx.store, agent_id, "ticket", interaction_id),
            lambda _none: None,
            self.on_task_failed,
        )

    # --- searching ----------------------------------------------------------------------

    def on_search_text_changed(self, _text: str) -> None:
        self._search_delay.start()

    def on_search_delay_timeout(self) -> None:
        ctx, state, agent_id = self._ctx, self._state, self._agent_id
        if ctx is None or state is None:
            return
        text, project, interaction_id = self.search.text(), state.project_id, state.interaction_id
        self._tasks.query(
            lambda: desk.search_tickets(ctx.store, project, text),
            lambda found: (
                self.on_search_loaded(found) if self._for_me(agent_id, interaction_id) else None
            ),
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
        interaction_id = state.interaction_id

        def done(outcome: OpResult) -> None:
            if agent_id == self._agent_id:
                self.on_op_done(outcome)
            elif outcome.applied:
                # They left meanwhile (team mode: outcomes may come much later): what they
                # kept of this change is saved now, and must not come back as unsaved.
                self._tasks.op(
                    lambda: desk.discard_panel_draft(ctx.store, agent_id, "ticket", interaction_id),
                    lambda _none: None,
                    self.on_task_failed,
                )

        def failed(error: BaseException) -> None:
            if agent_id == self._agent_id:
                self.on_task_failed(error)

        if self._operations.run(ctx, op, done, failed):
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
