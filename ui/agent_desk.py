"""The agent's working area under the reading pane: sign in, accept / next / release /
transfer, and the composer, ticket and disposition panels for the selected interaction.

Every change is a named operation applied in a task; a refusal ("Already taken by alice.")
is shown in the desk's message line and emitted as ``refused``, never raised at the agent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services import desk, push
from app.services.db_roles import role_of, sign_in_role
from app.services.desk import DeskState, TagChoices, TransferTargets, tag_choices
from app.services.operations import Operation, OpResult
from app.services.session import SignedIn, sign_in
from app.services.team import TeamLink
from ui.composer import Composer
from ui.customer_panel import CustomerPanel
from ui.desk_operations import DeskOperations
from ui.disposition_panel import DispositionPanel
from ui.tag_dialog import TagDialog
from ui.tasks import TaskRunner
from ui.ticket_panel import TicketPanel
from ui.transfer_dialog import TransferDialog


class AgentDesk(QWidget):
    signed_in = Signal(object)  # SignedIn
    changed = Signal()  # the store changed: the list and the thread catch up
    interaction_opened = Signal(object)  # "next" found this interaction (its id)
    state_loaded = Signal(object)  # DeskState of the selected interaction
    refused = Signal(str)  # an operation's refusal, as shown to the agent
    transfer_offered = Signal(object)  # the TransferDialog, once open

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tag_dialog: TagDialog | None = None  # the open Tags dialog, if any
        self._tasks = tasks
        self._ctx: AppContext | None = None
        self.agent: SignedIn | None = None
        self.state: DeskState | None = None
        self._interaction_id: uuid.UUID | None = None
        self.transfer_dialog: TransferDialog | None = None
        # Every panel's operations go through this one object: applied here when standalone,
        # to the central database in team mode (``set_team_link``, ``on_team_settled``).
        self.operations = DeskOperations(tasks, self)

        # --- signing in
        self.name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.on_sign_in_button_clicked)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.clicked.connect(self.on_sign_in_button_clicked)
        self.sign_in_error = QLabel()
        self.sign_in_error.setWordWrap(True)
        sign_in_page = QWidget()
        sign_in_form = QFormLayout(sign_in_page)
        sign_in_form.addRow(QLabel(self.tr("<b>Sign in to take interactions</b>")))
        self.name_label = QLabel(self.tr("Name"))
        sign_in_form.addRow(self.name_label, self.name)
        sign_in_form.addRow(self.tr("Password"), self.password)
        sign_in_form.addRow(self.sign_in_button)
        sign_in_form.addRow(self.sign_in_error)

        # --- working
        self.who = QLabel()
        self.holder = QLabel(self.tr("Select an interaction, or take the next one."))
        self.holder.setWordWrap(True)
        self.accept_button = QPushButton(self.tr("Accept"))
        self.accept_button.clicked.connect(self.on_accept_button_clicked)
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.clicked.connect(self.on_next_button_clicked)
        self.release_button = QPushButton(self.tr("Release"))
        self.release_button.clicked.connect(self.on_release_button_clicked)
        self.transfer_button = QPushButton(self.tr("Transfer…"))
        self.transfer_button.clicked.connect(self.on_transfer_button_clicked)
        self.reply_button = QPushButton(self.tr("Reply"))
        self.reply_button.clicked.connect(self.on_reply_button_clicked)
        self.reply_all_button = QPushButton(self.tr("Reply all"))
        self.reply_all_button.clicked.connect(self.on_reply_all_button_clicked)
        self.forward_button = QPushButton(self.tr("Forward"))
        self.forward_button.clicked.connect(self.on_forward_button_clicked)
        self.new_email_button = QPushButton(self.tr("New email"))
        self.new_email_button.clicked.connect(self.on_new_email_button_clicked)
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        self.sign_out_button.clicked.connect(self.on_sign_out_button_clicked)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        self.composer = Composer(tasks, operations=self.operations)
        self.ticket_panel = TicketPanel(tasks, operations=self.operations)
        self.disposition_panel = DispositionPanel(tasks, operations=self.operations)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.composer, self.tr("Write"))
        self.tabs.addTab(self.ticket_panel, self.tr("Ticket"))
        self.tabs.addTab(self.disposition_panel, self.tr("Disposition"))
        self.customer_panel = CustomerPanel(tasks, operations=self.operations)
        self.tabs.addTab(self.customer_panel, self.tr("Customer"))
        self.customer_panel.open_interaction.connect(self.on_ticket_panel_open_interaction)
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        for panel in (self.composer, self.ticket_panel, self.disposition_panel):
            panel.changed.connect(self.on_panel_changed)
        self.ticket_panel.open_interaction.connect(self.on_ticket_panel_open_interaction)
        self.composer.sent.connect(self.on_composer_sent)
        self.composer.new_email_resumed.connect(self.on_composer_new_email_resumed)
        self.disposition_panel.refused.connect(self.refused)

        actions = QHBoxLayout()
        for button in (
            self.accept_button,
            self.next_button,
            self.release_button,
            self.transfer_button,
            self.reply_button,
            self.reply_all_button,
            self.forward_button,
            self.new_email_button,
        ):
            actions.addWidget(button)
        actions.addStretch()
        actions.addWidget(self.who)
        actions.addWidget(self.sign_out_button)
        work_page = QWidget()
        work = QVBoxLayout(work_page)
        work.setContentsMargins(0, 0, 0, 0)
        work.addLayout(actions)
        work.addWidget(self.holder)
        work.addWidget(self.message)
        work.addWidget(self.tabs, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(sign_in_page)
        self.pages.addWidget(work_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._enable()

    # --- signing in -----------------------------------------------------------------------

    def set_context(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self.customer_panel.set_context(ctx)
        self.sign_in_button.setEnabled(True)

    def on_sign_in_button_clicked(self) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        name, password = self.name.text().strip(), self.password.text()
        self.sign_in_button.setEnabled(False)
        self.sign_in_error.clear()
        link = self.operations.team_link
        if link is not None:
            # Team mode: the central database checks the role's password and says who it is.
            config = link.config
            self._tasks.query(
                lambda: sign_in_role(config, name, password, local=ctx.store),
                self.on_signed_in,
                self.on_sign_in_failed,
            )
            return
        self._tasks.op(
            lambda: sign_in(ctx.store, name, password), self.on_signed_in, self.on_sign_in_failed
        )

    def on_signed_in(self, agent: SignedIn) -> None:
        ctx = self._ctx
        assert ctx is not None
        if self.agent is not None and self.agent.agent_id != agent.agent_id:
            self._put_away()  # another agent at once (no sign-out): nothing of theirs stays
        self.agent = agent
        self.password.clear()
        for panel in (self.composer, self.ticket_panel, self.disposition_panel):
            panel.set_context(ctx, agent.agent_id)
        if self.composer.mode == "new":
            self.tabs.setCurrentWidget(self.composer)  # the new email they left unfinished
        self.customer_panel.set_agent(agent.agent_id)
        self.who.setText(self.tr("Signed in as {name}").format(name=agent.full_name or agent.name))
        self.pages.setCurrentIndex(1)
        self._enable()  # Next and New email work at once, before the interaction reloads
        self.signed_in.emit(agent)
        self.show_interaction(self._interaction_id)

    def on_sign_out_button_clicked(self) -> None:
        """The agent leaves the desk: back to the sign-in page for the next one."""
        self._put_away()
        self.agent = None
        self.customer_panel.set_agent(None)
        self.who.clear()
        self.name.clear()  # the next agent types their own name
        self.sign_in_error.clear()
        self.sign_in_button.setEnabled(self._ctx is not None)
        self.pages.setCurrentIndex(0)
        self._enable()
        self.signed_in.emit(None)

    def _put_away(self) -> None:
        """The agent leaves: nothing they typed or chose stays on screen for the next one.

        What is worth keeping becomes theirs in the store (the composer's draft, unsaved
        ticket and contact edits), back when they return; the rest (searches, a chosen
        disposition, an open dialog) is dropped. The selected interaction goes too: the next
        agent may not be allowed to see it.
        """
        self.composer.leave()
        self.ticket_panel.leave()
        self.disposition_panel.leave()
        self.customer_panel.leave()
        for dialog in (self.transfer_dialog, self.tag_dialog):
            if dialog is not None:
                dialog.reject()
        self.transfer_dialog = None
        self.tag_dialog = None
        self.state = None
        self._interaction_id = None
        self.customer_panel.show_interaction(None)
        self.holder.setText(self.tr("Select an interaction, or take the next one."))
        self.message.clear()

    def on_sign_in_failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self.sign_in_error.setText(str(error))
        self.password.selectAll()

    # --- the selected interaction -------------------------------------------------------

    @property
    def interaction_id(self) -> uuid.UUID | None:
        return self._interaction_id

    def show_interaction(self, interaction_id: uuid.UUID | None) -> None:
        self._interaction_id = interaction_id
        self.message.clear()
        self.customer_panel.show_interaction(interaction_id)
        self.reload()

    def reload(self) -> None:
        ctx, agent, interaction_id = self._ctx, self.agent, self._interaction_id
        if ctx is None or agent is None:
            return
        if interaction_id is None:
            self.on_state_loaded(None)
            return
        awaited = self.operations.awaited_ids()

        def load() -> tuple[DeskState | None, list[OpResult]]:
            state = desk.desk_state(ctx.store, interaction_id, agent.agent_id)
            # Read after the state: an effect it shows comes with its operation's outcome.
            return state, push.settled_outcomes(ctx.store, awaited) if awaited else []

        self._tasks.query(
            load, self.on_state_and_outcomes_loaded, self.on_task_failed, key="desk-state"
        )

    def on_state_and_outcomes_loaded(self, loaded: tuple[DeskState | None, list[OpResult]]) -> None:
        """The state, and the outcomes of operations awaited here that it already shows the
        effect of: those are settled first, so no panel shows a claim held and "waiting for
        the central database" at once (the link hands the same outcomes on later; settled
        already, they are ignored then)."""
        state, outcomes = loaded
        if outcomes:
            self.operations.on_settled(outcomes)
        self.on_state_loaded(state)

    def on_state_loaded(self, state: DeskState | None) -> None:
        previous = self.state
        self.state = state
        if state is None:
            self.holder.setText(self.tr("Select an interaction, or take the next one."))
        elif state.status != "open":
            self.holder.setText(self.tr("Closed."))
        elif state.mine:
            self.holder.setText(self.tr("You hold this interaction."))
        elif state.holder:
            self.holder.setText(self.tr("Held by {agent}.").format(agent=state.holder))
        else:
            self.holder.setText(self.tr("Waiting in the queue: accept it to work on it."))
        self.ticket_panel.show_state(state)
        self.disposition_panel.show_state(state)
        same = (
            previous is not None
            and state is not None
            and (previous.interaction_id == state.interaction_id)
        )
        workable = state is not None and state.mine and state.status == "open"
        if state is not None:
            self.composer.update_state(state)
        fresh = not same or self.composer.interaction_id is None
        if workable and self.composer.mode != "new" and fresh:
            # Opening an interaction the agent holds resumes its draft, if any.
            self.composer.open_for(state, "reply", resume=True)
        elif not workable and self.composer.mode != "new":
            self.composer.set_idle()
        self._enable()
        if self.tabs.currentWidget() is self.disposition_panel and workable and not same:
            self.disposition_panel.begin()
        self.state_loaded.emit(state)

    def _enable(self) -> None:
        state, signed = self.state, self.agent is not None
        open_ = state is not None and state.status == "open"
        mine = open_ and state is not None and state.mine
        self.accept_button.setEnabled(signed and open_ and not mine)
        self.next_button.setEnabled(signed)
        self.new_email_button.setEnabled(signed)
        for button in (
            self.release_button,
            self.transfer_button,
            self.reply_button,
            self.reply_all_button,
            self.forward_button,
        ):
            button.setEnabled(bool(mine))

    # --- actions ----------------------------------------------------------------------------

    def _apply(self, kind: str, payload: dict[str, Any], done: Any) -> None:
        agent = self.agent
        if agent is not None:
            self._run([Operation(kind, agent.agent_id, payload)], done)

    def _run(self, ops: Sequence[Operation], done: Callable[[OpResult], None]) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        if self.operations.run(ctx, ops, done, self.on_task_failed):
            self.message.setText(self.tr("Sent; waiting for the central database…"))

    # --- team mode: the central database decides ------------------------------------------

    def set_team_link(self, link: TeamLink | None) -> None:
        """Team mode (a link) or standalone (None): where this desk's operations go.

        In team mode an agent signs in with their database role and its password.
        """
        self.operations.set_team_link(link)
        if link is None:
            self.name_label.setText(self.tr("Name"))
            self.password.setToolTip("")
            return
        self.name_label.setText(self.tr("Database role"))
        self.name.setPlaceholderText(self.tr("rd_yourname"))
        self.password.setToolTip(self.tr("The password of your database role"))
        if not self.name.text():
            self.name.setText(role_of(link.config))

    def on_team_settled(self, results: Sequence[OpResult]) -> None:
        """Outcomes from the central database (their effects already pulled)."""
        self.operations.on_settled(results)

    def _held_payload(self) -> dict[str, Any]:
        state = self.state
        assert state is not None
        return {"interaction": state.interaction_id, "fence": state.fence}

    def on_accept_button_clicked(self) -> None:
        if self.state is None:
            return
        self._apply("claim", {"interaction": self.state.interaction_id}, self.on_op_done)

    def on_next_button_clicked(self) -> None:
        self._apply("claim", {}, self.on_next_done)

    def on_next_done(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refuse(outcome.reason)
            return
        if not outcome.result:
            self.message.setText(self.tr("Nothing is waiting for you."))
            return
        interaction_id = uuid.UUID(str(outcome.result["id"]))
        self.show_interaction(interaction_id)
        self.interaction_opened.emit(interaction_id)
        self.changed.emit()

    def on_release_button_clicked(self) -> None:
        if self.state is not None:
            self._apply("release", self._held_payload(), self.on_op_done)

    def on_transfer_button_clicked(self) -> None:
        ctx, agent, state = self._ctx, self.agent, self.state
        if ctx is None or agent is None or state is None:
            return
        self._tasks.query(
            lambda: desk.transfer_targets(ctx.store, state.interaction_id, agent.agent_id),
            # Signed out meanwhile: the dialog was theirs, nobody's now.
            lambda targets: (
                self.on_transfer_targets_loaded(targets) if self.agent is agent else None
            ),
            self.on_task_failed,
        )

    def on_transfer_targets_loaded(self, targets: TransferTargets) -> None:
        state = self.state
        if state is None:
            return
        dialog = TransferDialog(state, targets, self)
        dialog.accepted.connect(self.on_transfer_dialog_accepted)
        self.transfer_dialog = dialog
        dialog.open()
        self.transfer_offered.emit(dialog)

    def on_transfer_dialog_accepted(self) -> None:
        dialog = self.transfer_dialog
        if dialog is None or self.state is None:
            return
        choice = dialog.choice()
        if choice:
            self._apply("transfer", {**self._held_payload(), **choice}, self.on_op_done)

    def on_op_done(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refuse(outcome.reason)
            self.reload()
            return
        self.message.clear()
        self.changed.emit()
        self.reload()

    def on_reply_button_clicked(self) -> None:
        self._compose("reply")

    def on_reply_all_button_clicked(self) -> None:
        self._compose("reply_all")

    def on_forward_button_clicked(self) -> None:
        self._compose("forward")

    def on_new_email_button_clicked(self) -> None:
        self._compose("new")

    def _compose(self, mode: str) -> None:
        self.composer.open_for(self.state, mode)
        self.tabs.setCurrentWidget(self.composer)

    def on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.disposition_panel:
            self.disposition_panel.begin()

    def on_panel_changed(self) -> None:
        self.changed.emit()
        self.reload()

    def on_composer_sent(self, result: dict[str, Any]) -> None:
        if result.get("interaction"):
            # A new email made a new interaction: the agent goes on there.
            self.on_ticket_panel_open_interaction(uuid.UUID(str(result["interaction"])))

    def on_composer_new_email_resumed(self) -> None:
        self.tabs.setCurrentWidget(self.composer)  # the new email they left unfinished

    def on_ticket_panel_open_interaction(self, interaction_id: uuid.UUID) -> None:
        self.show_interaction(interaction_id)
        self.interaction_opened.emit(interaction_id)

    def _refuse(self, reason: str) -> None:
        self.message.setText(reason)
        self.refused.emit(reason)

    def on_task_failed(self, error: BaseException) -> None:
        self._refuse(str(error))

    def on_mark_unread_triggered(self) -> None:
        if self.state is not None:
            self._apply(
                "mark_unread",
                {"interaction": self.state.interaction_id, "unread": True},
                self.on_op_done,
            )

    def on_tags_triggered(self) -> None:
        ctx, interaction_id = self._ctx, self._interaction_id
        if ctx is None or interaction_id is None or self.agent is None:
            return
        self._tasks.query(
            lambda: tag_choices(ctx.store, interaction_id),
            self.on_tag_choices_loaded,
            self.on_task_failed,
            key="tags",
        )

    def on_tag_choices_loaded(self, choices: TagChoices) -> None:
        if choices.interaction_id != self._interaction_id or self.agent is None:
            return  # the agent moved on (or left) while the tags were read
        self.tag_dialog = TagDialog(choices, self)
        self.tag_dialog.accepted.connect(self.on_tag_dialog_accepted)
        self.tag_dialog.open()

    def on_tag_dialog_accepted(self) -> None:
        dialog = self.tag_dialog
        ctx, agent = self._ctx, self.agent
        interaction_id = self._interaction_id
        if dialog is None or ctx is None or agent is None or interaction_id is None:
            return
        added, removed = dialog.changes()
        ops = [
            Operation("tag", agent.agent_id, {"interaction": interaction_id, "tag": name})
            for name in added
        ]
        ops += [
            Operation("untag", agent.agent_id, {"interaction": interaction_id, "tag": name})
            for name in removed
        ]
        if ops:
            # In order; standalone the first refusal stops the rest and is shown.
            self._run(ops, self.on_op_done)

    def on_dispose_triggered(self) -> None:
        self.tabs.setCurrentWidget(self.disposition_panel)
        self.disposition_panel.disposition.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def connect_actions(self, table: Any) -> None:
        """Give the window's actions (ui/shortcuts.py ActionTable) their work here."""
        for name, slot in (
            ("accept", self.on_accept_button_clicked),
            ("next", self.on_next_button_clicked),
            ("release", self.on_release_button_clicked),
            ("transfer", self.on_transfer_button_clicked),
            ("reply", self.on_reply_button_clicked),
            ("reply_all", self.on_reply_all_button_clicked),
            ("forward", self.on_forward_button_clicked),
            ("send", self.composer.on_send_button_clicked),
            ("dispose", self.on_dispose_triggered),
            ("close", self.disposition_panel.on_close_button_clicked),
            ("mark_unread", self.on_mark_unread_triggered),
            ("tags", self.on_tags_triggered),
        ):
            table.connect(name, slot)

    def shutdown(self) -> None:
        self.composer.shutdown()
