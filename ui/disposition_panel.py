"""The disposition panel: how the interaction ended, then closing it.

Opening the panel on an interaction the agent holds applies ``start_disposing``, which
pauses the agent while they dispose when the account says so. The mandatory disposition is
the ``close`` operation's rule: the panel shows its refusal, it does not re-implement it.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services import desk
from app.services.desk import DeskState
from app.services.operations import Operation, OpResult
from ui.desk_operations import DeskOperations
from ui.tasks import TaskRunner


class DispositionPanel(QWidget):
    changed = Signal()
    closed = Signal(object)  # the interaction id, once closed
    loaded = Signal()
    refused = Signal(str)  # an operation's refusal, as shown

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
        self.paused = False

        self.current = QLabel()
        self.current.setWordWrap(True)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.disposition = QComboBox()
        self.dispose_button = QPushButton(self.tr("Dispose"))
        self.dispose_button.clicked.connect(self.on_dispose_button_clicked)
        self.close_button = QPushButton(self.tr("Close interaction"))
        self.close_button.setToolTip(self.tr("Close: done with this customer's request"))
        self.close_button.clicked.connect(self.on_close_button_clicked)
        self.pause_note = QLabel()
        self.pause_note.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        form = QFormLayout()
        form.addRow(self.current)
        form.addRow(self.tr("Disposition"), self.disposition)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dispose_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addLayout(buttons)
        layout.addWidget(self.pause_note)
        layout.addWidget(self.message)
        layout.addStretch()
        self._enable()

    def set_context(self, ctx: AppContext, agent_id: uuid.UUID) -> None:
        """Who works here from now on; another agent's choice is dropped first (``leave``)."""
        if self._agent_id is not None and self._agent_id != agent_id:
            self.leave()
        self._ctx, self._agent_id = ctx, agent_id

    def leave(self) -> None:
        """The agent signs out: the panel empties for the next one.

        A disposition chosen but not applied is one pick from a list, not kept: the one
        applied is the interaction's and shows again from the store. Outcomes still on their
        way for the one who left reach nobody (``_run``).
        """
        self._agent_id = None
        self._state = None
        self.paused = False
        self.disposition.clear()
        self.current.setText(self.tr("No interaction selected."))
        self.rule.clear()
        self.pause_note.clear()
        self.message.clear()
        self._enable()

    def _enable(self) -> None:
        state = self._state
        workable = state is not None and state.mine and state.status == "open"
        for widget in (self.disposition, self.dispose_button, self.close_button):
            widget.setEnabled(workable)

    def show_state(self, state: DeskState | None) -> None:
        ctx = self._ctx
        previous, self._state = self._state, state
        if (
            state is not None
            and previous is not None
            and previous.interaction_id == state.interaction_id
            and previous.disposition == state.disposition
        ):
            # The same facts: keep the agent's choice in the list as it is.
            self._enable()
            return
        if state is None or previous is None or previous.interaction_id != state.interaction_id:
            # Another interaction: what was said about the last one no longer applies.
            self.message.clear()
            self.pause_note.clear()
            self.paused = False
        if ctx is None or state is None:
            self.current.setText(self.tr("No interaction selected."))
            self.rule.clear()
            self.disposition.clear()
            self._enable()
            return
        self.current.setText(
            self.tr("Disposition: {name}").format(name=state.disposition)
            if state.disposition
            else self.tr("Not disposed yet.")
        )
        self.rule.setText(
            self.tr("Account {account} requires a disposition before closing.").format(
                account=state.account_name
            )
            if state.mandatory_disposition
            else ""
        )
        account, interaction_id = state.account_id, state.interaction_id
        self._tasks.query(
            lambda: desk.dispositions_for(ctx.store, account),
            lambda names: (
                self.on_dispositions_loaded(names) if self._shows(interaction_id) else None
            ),
            self.on_task_failed,
            key="dispositions",
        )
        self._enable()

    def on_dispositions_loaded(self, names: list[str]) -> None:
        self.disposition.clear()
        self.disposition.addItem(self.tr("— choose —"), None)
        for name in names:
            self.disposition.addItem(name, name)
        state = self._state
        if state is not None and state.disposition:
            self.disposition.setCurrentIndex(max(0, self.disposition.findData(state.disposition)))
        self.loaded.emit()

    def _shows(self, interaction_id: uuid.UUID) -> bool:
        return self._state is not None and self._state.interaction_id == interaction_id

    def begin(self) -> None:
        """The agent turned to disposing: paused meanwhile where the account wants that."""
        state = self._state
        if state is None or not state.mine or state.status != "open":
            return
        self._run("start_disposing", {}, self.on_start_disposing_done)

    def on_start_disposing_done(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refuse(outcome.reason)
            return
        self.paused = bool(outcome.result.get("paused"))
        if self.paused:
            self.pause_note.setText(
                self.tr("You are paused while you dispose; no new offers until you close.")
            )
            self.changed.emit()

    def on_dispose_button_clicked(self) -> None:
        name = self.disposition.currentData()
        if not name:
            self._refuse(self.tr("Choose a disposition from the list first."))
            return
        self._run("dispose", {"disposition": name}, self.on_dispose_done)

    def on_dispose_done(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refuse(outcome.reason)
            return
        name = outcome.result.get("disposition", "")
        self.current.setText(self.tr("Disposition: {name}").format(name=name))
        self.message.setText(self.tr("Disposed as {name}.").format(name=name))
        self.changed.emit()

    def on_close_button_clicked(self) -> None:
        state = self._state
        if state is None:
            return
        closing = state.interaction_id  # in team mode the outcome may come after a switch
        self._run("close", {}, lambda outcome: self.on_close_done(outcome, closing))

    def on_close_done(self, outcome: OpResult, interaction_id: uuid.UUID | None = None) -> None:
        if not outcome.applied:
            self._refuse(outcome.reason)
            return
        if interaction_id is None and self._state is not None:
            interaction_id = self._state.interaction_id
        self.message.setText(self.tr("Closed."))
        self.pause_note.clear()
        self.changed.emit()
        if interaction_id is not None:
            self.closed.emit(interaction_id)

    def _run(self, kind: str, payload: dict[str, Any], done: Any) -> None:
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        if ctx is None or agent_id is None or state is None:
            return
        op = Operation(
            kind, agent_id, {**payload, "interaction": state.interaction_id, "fence": state.fence}
        )

        def answer(outcome: OpResult) -> None:
            if agent_id == self._agent_id:  # not for the next agent if this one left
                done(outcome)

        def failed(error: BaseException) -> None:
            if agent_id == self._agent_id:
                self.on_task_failed(error)

        if self._operations.run(ctx, op, answer, failed) and kind != "start_disposing":
            self.message.setText(self.tr("Sent; waiting for the central database…"))

    def _refuse(self, reason: str) -> None:
        self.message.setText(reason)
        self.refused.emit(reason)

    def on_task_failed(self, error: BaseException) -> None:
        self._refuse(str(error))
