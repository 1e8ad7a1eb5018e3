"""The left pane: projects, accounts and queues with their counts, and the agent's state.

Choosing an account or a queue filters the interaction list; the state selector (available,
paused with a reason, logged out) is always on screen at the bottom of the pane.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services.navigation import AgentStatus, ProjectCounts, agent_status, navigation_counts
from app.services.operations import Operation, OpResult
from ui.desk_operations import DeskOperations
from ui.i18n import QT_TRANSLATE_NOOP
from ui.tasks import TaskRunner

_CTX = "NavigationPane"
STATE_TEXT = {
    "available": QT_TRANSLATE_NOOP("NavigationPane", "Available"),
    "paused": QT_TRANSLATE_NOOP("NavigationPane", "Paused"),
    "logged_out": QT_TRANSLATE_NOOP("NavigationPane", "Logged out"),
    "in_email": QT_TRANSLATE_NOOP("NavigationPane", "In an email"),
}
CHOOSABLE = ("available", "paused", "logged_out")
PAUSE_REASONS = (
    QT_TRANSLATE_NOOP("NavigationPane", "Break"),
    QT_TRANSLATE_NOOP("NavigationPane", "Lunch"),
    QT_TRANSLATE_NOOP("NavigationPane", "Meeting"),
    QT_TRANSLATE_NOOP("NavigationPane", "Training"),
    QT_TRANSLATE_NOOP("NavigationPane", "Back-office work"),
)
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "all" | "project" | "account" | "queue"
ID_ROLE = Qt.ItemDataRole.UserRole + 2
NAME, UNREAD, WAITING = 0, 1, 2
MIN_COUNT_SPACING_MS = 1000


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


class NavigationPane(QWidget):
    """Emits ``filter_chosen(account_id, queue_id)``; either or both may be None (all)."""

    filter_chosen = Signal(object, object)
    status_changed = Signal(object)  # AgentStatus

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        operations: DeskOperations | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        # The state change is an operation like the desk's: the window shares the desk's
        # runner (``set_operations``) so in team mode it goes to the central database.
        self._operations = operations or DeskOperations(tasks, self)
        self._ctx: AppContext | None = None
        self._agent: uuid.UUID | None = None
        self._status: AgentStatus | None = None
        self._choice: tuple[str, uuid.UUID | None] = ("all", None)
        self._refusal = ""  # a refused state change, shown until the next one
        self.count_runs = 0  # counts asked of the store (tests, and the curious)
        self._counting = False
        self._stale = False  # the store changed while counting or too soon after
        self._spacing = QTimer(self)
        self._spacing.setSingleShot(True)
        self._spacing.timeout.connect(self.on_spacing_timeout)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(
            [self.tr("Accounts and queues"), self.tr("Unread"), self.tr("Waiting")]
        )
        self.tree.headerItem().setToolTip(UNREAD, self.tr("Open interactions not read yet"))
        self.tree.headerItem().setToolTip(WAITING, self.tr("Open interactions nobody has accepted"))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(UNREAD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WAITING, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self.on_tree_current_item_changed)

        self.state = QComboBox()
        self.state.setObjectName("agent_state")
        for state in CHOOSABLE:
            self.state.addItem(_tr(STATE_TEXT[state]), state)
        self.state.setToolTip(self.tr("Your state: only available agents are offered new email"))
        self.state.activated.connect(self.on_state_activated)
        self.reason = QComboBox()
        self.reason.setObjectName("pause_reason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for reason in PAUSE_REASONS:
            self.reason.addItem(_tr(reason))
        self.reason.setToolTip(self.tr("Why you pause (your supervisor sees it)"))
        self.reason.activated.connect(self.on_reason_activated)
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.returnPressed.connect(self.on_reason_return_pressed)
        self.state_note = QLabel()
        self.state_note.setWordWrap(True)
        box = QGroupBox(self.tr("My state"))
        form = QFormLayout(box)
        form.addRow(self.tr("State"), self.state)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.state_note)

        # Wide enough for "KEY  account name" and two counts without clipping.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(box)
        self.set_status(None)
        self._rebuild([])

    # --- public -------------------------------------------------------------------------

    def set_context(self, ctx: AppContext | None, agent_id: uuid.UUID | None = None) -> None:
        """The store, and the signed-in agent (None: counts of everything, no state)."""
        self._ctx = ctx
        self._agent = agent_id
        self.refresh(force=True)

    def set_operations(self, operations: DeskOperations) -> None:
        """Where state changes go (the desk's runner: standalone or team mode)."""
        self._operations = operations

    def focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_state(self) -> None:
        """Open the state selector from the keyboard (it does nothing before sign-in)."""
        if self.state.isEnabled():
            self.state.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.state.showPopup()

    @property
    def choice(self) -> tuple[str, uuid.UUID | None]:
        return self._choice

    def refresh(self, *, force: bool = False) -> None:
        """Reload counts and the agent's state (the store changed).

        Counting scans the open interactions; on a store with very many of them that takes
        a while, so a burst of changes is coalesced into one count, and counts are spaced
        at least three times their own duration apart (STYLE.md habit 4).
        """
        ctx, agent = self._ctx, self._agent
        if ctx is None:
            return
        if not force and (self._counting or self._spacing.isActive()):
            self._stale = True
        else:
            self._count(ctx, agent)
        if agent is None:
            self.set_status(None)
        else:
            self._tasks.query(
                lambda: agent_status(ctx.store, agent),
                self.set_status,
                self.on_task_failed,
                key="agent-status",
            )

    def _count(self, ctx: AppContext, agent: uuid.UUID | None) -> None:
        self._counting, self._stale = True, False
        self.count_runs += 1
        started = time.monotonic()

        def done(projects: list[ProjectCounts]) -> None:
            self._counting = False
            took = int((time.monotonic() - started) * 1000)
            self._spacing.start(max(MIN_COUNT_SPACING_MS, 3 * took))
            self._rebuild(projects)

        def failed(error: BaseException) -> None:
            self._counting = False
            self.on_task_failed(error)

        self._tasks.query(
            lambda: navigation_counts(ctx.store, agent), done, failed, key="navigation"
        )

    def on_spacing_timeout(self) -> None:
        if self._stale and self._ctx is not None:
            self._count(self._ctx, self._agent)

    def set_status(self, status: AgentStatus | None) -> None:
        self._status = status
        signed_in = status is not None
        self.state.setEnabled(signed_in)
        if status is None:
            self.state.setCurrentIndex(self.state.findData("logged_out"))
            self.reason.setEnabled(False)
            self.state_note.setText(self.tr("Sign in to take work."))
            return
        # "In an email" follows from holding work; the selector shows it as available.
        shown = "available" if status.state == "in_email" else status.state
        self.state.setCurrentIndex(max(0, self.state.findData(shown)))
        paused = status.state == "paused"
        self.reason.setEnabled(paused)
        if paused and status.reason:
            self.reason.setEditText(status.reason)
        since = status.since.astimezone().strftime("%H:%M")
        text = _tr(STATE_TEXT.get(status.state, status.state))
        if paused and status.reason:
            note = self.tr("{state} ({reason}) since {time}").format(
                state=text, reason=status.reason, time=since
            )
        else:
            note = self.tr("{state} since {time}").format(state=text, time=since)
        if self._refusal:
            note, self._refusal = self._refusal, ""
        self.state_note.setText(note)
        self.status_changed.emit(status)

    @property
    def status(self) -> AgentStatus | None:
        return self._status

    def counts_of(self, kind: str, item_id: uuid.UUID) -> tuple[int, int] | None:
        """(unread, waiting) as the pane shows them for an account or queue."""
        item = self._find(kind, item_id)
        if item is None:
            return None
        return int(item.text(UNREAD) or 0), int(item.text(WAITING) or 0)

    def choose(self, kind: str, item_id: uuid.UUID | None) -> bool:
        """Select an entry as a click would; False if it is not in the pane."""
        item = self._find(kind, item_id)
        if item is None:
            return False
        self.tree.setCurrentItem(item)
        return True

    # --- the tree -----------------------------------------------------------------------

    def _find(self, kind: str, item_id: uuid.UUID | None) -> QTreeWidgetItem | None:
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            if item.data(NAME, KIND_ROLE) == kind and item.data(NAME, ID_ROLE) == item_id:
                return item
            stack.extend(item.child(i) for i in range(item.childCount()))
        return None

    def _item(
        self, parent: Any, kind: str, item_id: Any, text: str, unread: int, waiting: int
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            parent, [text, str(unread) if unread else "", str(waiting) if waiting else ""]
        )
        item.setData(NAME, KIND_ROLE, kind)
        item.setData(NAME, ID_ROLE, item_id)
        for column in (UNREAD, WAITING):
            item.setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        if unread:
            font = QFont(item.font(NAME))
            font.setBold(True)
            item.setFont(NAME, font)
            item.setFont(UNREAD, font)
        return item

    def _rebuild(self, projects: list[ProjectCounts]) -> None:
        kind, chosen = self._choice
        self.tree.blockSignals(True)
        try:
            self.tree.clear()
            total_unread = sum(p.unread for p in projects)
            total_waiting = sum(p.waiting for p in projects)
            everything = self._item(
                self.tree, "all", None, self.tr("All interactions"), total_unread, total_waiting
            )
            for project in projects:
                node = self._item(
                    self.tree, "project", project.id, project.name, project.unread, project.waiting
                )
                node.setToolTip(NAME, self.tr("Project {key}").format(key=project.key))
                for account in project.accounts:
                    child = self._item(
                        node,
                        "account",
                        account.id,
                        f"{account.key}  {account.name}",
                        account.unread,
                        account.waiting,
                    )
                    child.setToolTip(NAME, self.tr("Account {name}").format(name=account.name))
                for queue in project.queues:
                    child = self._item(
                        node, "queue", queue.id, queue.name, queue.unread, queue.waiting
                    )
                    child.setToolTip(NAME, self.tr("Queue {name}").format(name=queue.name))
            self.tree.expandAll()
            current = self._find(kind, chosen) or everything
            self.tree.setCurrentItem(current)
        finally:
            self.tree.blockSignals(False)
        if current is everything and kind not in ("all", "project"):
            # What was chosen is gone (deleted, or no longer the agent's): show everything.
            self._choose_item(current)

    def on_tree_current_item_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if current is not None:
            self._choose_item(current)

    def _choose_item(self, item: QTreeWidgetItem) -> None:
        kind = str(item.data(NAME, KIND_ROLE))
        item_id = item.data(NAME, ID_ROLE)
        if (kind, item_id) == self._choice:
            return
        self._choice = (kind, item_id)
        # A project is a heading: its accounts and queues filter; it shows everything.
        self.filter_chosen.emit(
            item_id if kind == "account" else None, item_id if kind == "queue" else None
        )

    # --- the agent's state --------------------------------------------------------------

    def on_state_activated(self, _index: int) -> None:
        state = str(self.state.currentData())
        if state == "paused":
            self.reason.setEnabled(True)
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        self._request_state(state, self.reason.currentText() if state == "paused" else "")

    def on_reason_activated(self, _index: int) -> None:
        if self.state.currentData() == "paused":
            self._request_state("paused", self.reason.currentText())

    def on_reason_return_pressed(self) -> None:
        self.on_reason_activated(0)

    def _request_state(self, state: str, reason: str) -> None:
        ctx, agent = self._ctx, self._agent
        if ctx is None or agent is None:
            return
        if state == "paused" and not reason.strip():
            self.state_note.setText(self.tr("Say why you pause: choose or type a reason."))
            return
        self.state_note.setText(self.tr("Changing your state…"))
        operation = Operation("set_state", agent, {"state": state, "reason": reason.strip()})
        if self._operations.run(ctx, operation, self.on_state_applied, self.on_task_failed):
            self.state_note.setText(
                self.tr("Changing your state: waiting for the central database…")
            )

    def on_state_applied(self, outcome: OpResult) -> None:
        if not outcome.applied:
            self._refusal = self.tr("Your state did not change: {reason}").format(
                reason=outcome.reason
            )
        self.refresh()

    def on_task_failed(self, error: BaseException) -> None:
        self.state_note.setText(str(error))
