"""The main window: queues and accounts, the interaction list, the reading pane."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext, open_local
from app.services.health import MailHealth, mail_health
from app.services.operations import OpResult
from app.services.reading import interactions_version
from app.services.session import SignedIn
from app.services.team import TeamLink, TeamStatus, link_role, open_link_as, open_team_link
from ui.admin.mode import AdminMode
from ui.agent_desk import AgentDesk
from ui.background import BackgroundWorker
from ui.desk_operations import DeskOperations
from ui.models.interaction_list import Column, InteractionListModel, Role, StoreListSource
from ui.navigation import NavigationPane
from ui.notifications import NotificationBar, OfferNotifier
from ui.shortcuts import ActionTable, CheatSheet
from ui.status_bar import MailHealthLabel
from ui.tasks import TaskRunner
from ui.team_status import OfflineBanner, RejectionBar, TeamBridge, TeamStatusWidget
from ui.theme import ThemeWatcher
from ui.thread_view import ThreadView
from ui.welcome import Welcome

# Starting widths in characters; the subject takes whatever is left.
COLUMN_CHARS = {
    Column.STATUS: 7,
    Column.LOCK: 10,
    Column.CUSTOMER: 20,
    Column.LANGUAGE: 5,
    Column.QUEUE: 12,
    Column.SUBJECT: 36,
    Column.TICKET: 19,  # KEY-YYYYMMDD-NNNNNN
    Column.TAGS: 10,
    Column.ACTIVITY: 16,
    Column.SLA: 8,
}
POLL_MS = 2000  # how often the list asks whether anything changed (mail, claims, sync)
FILTER_DELAY_MS = 250  # typing pauses this long before the filter runs


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Relaydesk"))
        self.resize(1280, 800)
        self._data_dir = data_dir
        self._ctx: AppContext | None = None
        self._tasks = TaskRunner(self)
        self._version: int | None = None

        self._signed_in: SignedIn | None = None
        # One table of actions: menus, toolbar, tooltips and the cheat sheet (ui/shortcuts.py).
        self.actions_table = ActionTable(self)
        self.actions_table.fill_menus(self.menuBar())
        toolbar = QToolBar(self.tr("Actions"))
        toolbar.setObjectName("actions_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_table.fill_toolbar(toolbar)
        self.addToolBar(toolbar)
        self._cheat_sheet: CheatSheet | None = None
        self.actions_table.connect("cheat_sheet", self.on_cheat_sheet_triggered)
        self.actions_table.connect("search", self.on_find_triggered)
        self._navigation = NavigationPane(self._tasks)
        self._navigation.filter_chosen.connect(self.on_navigation_filter_chosen)
        self.actions_table.connect("focus_sources", self._navigation.focus_tree)
        self.actions_table.connect("my_state", self._navigation.focus_state)

        self._model = InteractionListModel(self._tasks, self)
        self._model.count_changed.connect(self.on_model_count_changed)
        self._model.load_failed.connect(self.on_model_load_failed)
        self._theme = ThemeWatcher(self)
        self._theme.changed.connect(self.on_theme_changed)
        self._model.set_state_colors(self._theme.colors)
        self._list = QTableView()
        self._list.setModel(self._model)
        self._list.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self._list.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        vertical = self._list.verticalHeader()
        vertical.hide()
        # Fixed, equal rows: the view never measures a million rows to lay them out.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Dense rows, as in mail clients: one line of text and a little air.
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._list.setShowGrid(False)
        self._list.setAlternatingRowColors(True)
        self._list.setWordWrap(False)
        header = self._list.horizontalHeader()
        char = self.fontMetrics().averageCharWidth()
        titles = header.fontMetrics()
        for column, chars in COLUMN_CHARS.items():
            title = str(self._model.headerData(column, Qt.Orientation.Horizontal))
            # Never narrower than the column's title (translations are often longer).
            header.resizeSection(
                column, max(chars * char, titles.horizontalAdvance(title) + 2 * char) + 16
            )
        # The subject keeps a readable width; the list scrolls sideways rather than
        # squeezing it to a few letters when the pane is narrow.
        header.setStretchLastSection(True)
        header.setSortIndicator(Column.ACTIVITY, Qt.SortOrder.DescendingOrder)
        self._list.setSortingEnabled(True)
        self._list.selectionModel().currentRowChanged.connect(self.on_list_current_row_changed)

        self._filter = QLineEdit()
        self._filter.setClearButtonEnabled(True)
        self._filter.setPlaceholderText(self.tr("Filter by customer or subject (Ctrl+F)"))
        self._filter.textChanged.connect(self.on_filter_text_changed)
        self._filter_delay = QTimer(self)
        self._filter_delay.setSingleShot(True)
        self._filter_delay.setInterval(FILTER_DELAY_MS)
        self._filter_delay.timeout.connect(self.on_filter_delay_timeout)

        self._reader = ThreadView(self._tasks)
        # Under the thread: sign in, accept/release/transfer, composer, ticket, disposition.
        self._desk = AgentDesk(self._tasks)
        self._desk.signed_in.connect(self.set_signed_in)
        self._desk.changed.connect(self.on_desk_changed)
        self._desk.interaction_opened.connect(self.on_offer_bar_open_requested)
        self._desk.connect_actions(self.actions_table)
        self._navigation.set_operations(self._desk.operations)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self._reader)
        right.addWidget(self._desk)
        right.setSizes([420, 380])
        # The list and its empty state (the welcome, on a new store) share one place.
        self._welcome = Welcome(self._tasks)
        self._welcome.supervisor_created.connect(self._desk.on_signed_in)
        self._welcome.demo_loaded.connect(self.on_welcome_demo_loaded)
        self._empty = self._welcome.message
        self._stack = QStackedWidget()
        self._stack.addWidget(self._welcome)
        self._stack.addWidget(self._list)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(2)
        self.actions_table.connect("focus_list", self.on_focus_list_triggered)
        self.actions_table.connect("focus_reader", self.on_focus_reader_triggered)
        self._offer_bar = NotificationBar()
        self._notifier = OfferNotifier(self._tasks, self, self._offer_bar)
        self._offer_bar.open_requested.connect(self.on_offer_bar_open_requested)
        # Team mode: the offline banner and refusals sit above everything else in the middle.
        self._offline_banner = OfflineBanner()
        self._rejection_bar = RejectionBar()
        middle_layout.addWidget(self._offline_banner)
        middle_layout.addWidget(self._rejection_bar)
        middle_layout.addWidget(self._offer_bar)
        middle_layout.addWidget(self._filter)
        middle_layout.addWidget(self._stack)

        splitter = QSplitter()
        splitter.addWidget(self._navigation)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        # The agent's state selector lives in the left pane: it must always stay on screen.
        splitter.setCollapsible(0, False)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([220, 700, 480])
        self.setCentralWidget(splitter)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.on_poll_timeout)
        self._health = MailHealthLabel(self)
        self.statusBar().addPermanentWidget(self._health)
        # Team mode only (a central database is configured): the link's line and first sync.
        self._team_status = TeamStatusWidget(self)
        self._team_status.hide()
        self.statusBar().addPermanentWidget(self._team_status)
        self._team_bridge = TeamBridge(self)
        self._team_bridge.status_changed.connect(self.on_team_bridge_status_changed)
        self._team_bridge.settled.connect(self.on_team_bridge_settled)
        self._team_link: TeamLink | None = None
        # The role the link is being rebuilt for (None: none asked, the link's own stands).
        self._link_role: str | None = None
        self._closing = False
        self._background: BackgroundWorker | None = None
        # Supervisors' settings, monitoring and reports: built on entering, torn down on leaving.
        self.admin_mode = AdminMode(self, self._tasks)
        self.statusBar().showMessage(self.tr("Opening the store…"))
        self._tasks.op(lambda: open_local(data_dir), self.on_store_opened, self.on_task_failed)

    # --- loading ------------------------------------------------------------------------

    def on_store_opened(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._reader.set_context(ctx)
        self._desk.set_context(ctx)
        self._welcome.set_context(ctx)
        self._model.set_source(StoreListSource(ctx.store))
        self._navigation.set_context(ctx, self._agent_id)
        self._notifier.set_context(ctx, self._agent_id)
        self.admin_mode.set_context(ctx)
        self._poll.start()
        bridge = self._team_bridge
        # Off the GUI thread: the choice reads the store and the password the keyring.
        self._tasks.query(
            lambda: open_team_link(
                ctx.store,
                on_status=bridge.on_link_status,
                on_settled=bridge.on_link_settled,
                blobs=ctx.blobs,
            ),
            self.on_team_link_opened,
            self.on_team_link_failed,
        )

    # --- team mode ------------------------------------------------------------------------

    @property
    def desk_operations(self) -> DeskOperations:
        """Where the desk's and admin mode's operations go (standalone or team mode)."""
        return self._desk.operations

    @property
    def team_link(self) -> TeamLink | None:
        """The link to the central database, or None while standalone."""
        return self._team_link

    def on_team_link_opened(self, link: TeamLink | None) -> None:
        if link is None:
            return  # standalone: the local store is the whole truth
        if self._closing:
            link.stop()  # never started: this only lets its (unused) connection pools go
            return
        self._team_link = link
        self._desk.set_team_link(link)
        self._team_status.show_status(link.status)
        self._team_status.show()
        link.start()  # its own thread: push, settle and pull never touch this one

    def on_team_link_failed(self, error: BaseException) -> None:
        # A central database is named but cannot be used as configured (a bad URL, say).
        self._offline_banner.show_error(str(error))

    def _follow_role(self, signed_in: SignedIn | None) -> None:
        """Team mode: the link connects as the signed-in agent's database role.

        The configured URL's role is IT's, not the agent's: pulling as it shows the wrong
        rows, and the central database refuses the agent's operations (only one's own may be
        queued). Signing out keeps the current link: it goes on pulling what the last agent
        may see, which this desk already holds, and pushes what they left queued, which no
        other role may queue for them; the URL's role may have no password or no rights.
        The next agent's link pushes only that agent's operations: what the one before left
        queued waits, in order, for them to sign in here again (the status bar says so).
        """
        link = self._team_link
        if link is None or signed_in is None or not signed_in.db_role:
            return
        role, agent = signed_in.db_role, signed_in.agent_id
        if role == (self._link_role if self._link_role is not None else link_role(link)):
            return
        self._link_role = role
        bridge = self._team_bridge
        # Off the GUI thread: the new link reads its password from the keyring.
        self._tasks.query(
            lambda: open_link_as(
                link,
                role,
                on_status=bridge.on_link_status,
                on_settled=bridge.on_link_settled,
                agent=agent,
            ),
            self.on_role_link_opened,
            self.on_role_link_failed,
        )

    def on_role_link_opened(self, link: TeamLink) -> None:
        old = self._team_link
        if self._closing or old is None or link_role(link) != self._link_role:
            link.stop()  # never started; another agent signed in meanwhile
            return
        # Its last statuses (cut off while stopping) must not cover the new link's.
        old.on_status = None
        # stop() joins the link's thread (a tick may be waiting on the network): not here.
        self._tasks.query(
            old.stop,
            lambda _none: self.on_old_link_stopped(old, link),
            lambda _error: self.on_old_link_stopped(old, link),
        )

    def on_old_link_stopped(self, old: TeamLink, link: TeamLink) -> None:
        if self._closing or self._team_link is not old or link_role(link) != self._link_role:
            link.stop()  # never started: superseded by a later sign-in, or the window closed
            return
        # One link at a time pushes the outbox: what waits there goes with this one.
        self._team_link = link
        self._link_role = None
        self._desk.set_team_link(link)
        self._team_status.show_status(link.status)
        self._offline_banner.show_status(link.status)
        link.start()

    def on_role_link_failed(self, error: BaseException) -> None:
        self._link_role = None  # the next sign-in tries again
        self.on_team_link_failed(error)

    def on_team_bridge_status_changed(self, status: TeamStatus) -> None:
        self._team_status.show_status(status)
        self._offline_banner.show_status(status)

    def on_team_bridge_settled(self, results: list[OpResult]) -> None:
        self._rejection_bar.show_rejected(results)
        # The settled operations' effects were pulled in the same tick.
        self._desk.on_team_settled(results)
        self.refresh()
        self._desk.reload()

    def refresh(self) -> None:
        """Bring the list up to date (new mail, claims by other agents, a sync)."""
        self._model.refresh()

    def on_poll_timeout(self) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        self._tasks.query(
            lambda: interactions_version(ctx.store), self.on_version_loaded, key="version"
        )
        self._tasks.query(lambda: mail_health(ctx.store), self.on_health_loaded, key="health")

    def attach_background_worker(self, background: BackgroundWorker) -> None:
        """Standalone mode: the status bar also says when the in-process worker died."""
        self._background = background

    @property
    def team_worker_here(self) -> bool:
        """This desktop runs the team's mail worker (it keeps the mailbox secrets)."""
        return self._background is not None and self._background.team_worker

    def on_health_loaded(self, health: MailHealth) -> None:
        error = self._background.error if self._background is not None else ""
        self._health.show_health(health, error)

    def on_version_loaded(self, version: int) -> None:
        # The first answer refreshes too: mail stored between the list's first load and this
        # answer (a fetch finishing in the first seconds) would otherwise never show.
        if version != self._version:
            self._model.refresh()
            self._desk.reload()  # another agent may have taken, released or sent it to us
            if self._version is not None:
                self._navigation.refresh()
                self._notifier.check()
        self._version = version

    # --- the surroundings: signed-in agent, left pane, offers, theme, shortcuts -----------

    @property
    def _agent_id(self) -> uuid.UUID | None:
        return self._signed_in.agent_id if self._signed_in is not None else None

    def set_signed_in(self, signed_in: SignedIn | None) -> None:
        """Who works at this window (None: nobody); the pane, offers and colours follow."""
        previous, self._signed_in = self._signed_in, signed_in
        if previous is not None and (signed_in is None or signed_in.agent_id != previous.agent_id):
            self._forget_selection()
        self._reader.set_signed_out(signed_in is None and previous is not None)
        self._model.set_state_colors(
            self._theme.colors, signed_in.name if signed_in is not None else ""
        )
        if self._ctx is not None:
            self._navigation.set_context(self._ctx, self._agent_id)
            self._notifier.set_context(self._ctx, self._agent_id)
        self.admin_mode.set_signed_in(signed_in)
        self._follow_role(signed_in)

    def _forget_selection(self) -> None:
        """The agent left: what they filtered and read goes, whoever comes next.

        The next agent may not be allowed to see that interaction (team mode pulls as their
        role), and the filter is what the one before typed.
        """
        self._filter.clear()
        self._filter_delay.stop()
        self._model.set_filter_text("")
        self._list.selectionModel().clear()
        self._reader.show_interaction(None)

    def on_navigation_filter_chosen(
        self, account_id: uuid.UUID | None, queue_id: uuid.UUID | None
    ) -> None:
        self._model.set_query(
            dataclasses.replace(self._model.query, account_id=account_id, queue_id=queue_id)
        )

    def on_offer_bar_open_requested(self, interaction_id: uuid.UUID) -> None:
        row = self._model.row_of(interaction_id)
        if row is not None:
            self._list.selectRow(row)
        else:
            self._reader.show_interaction(interaction_id)

    def on_theme_changed(self, colors: dict[object, object]) -> None:
        me = self._signed_in.name if self._signed_in is not None else ""
        self._model.set_state_colors(colors, me)  # type: ignore[arg-type]

    def on_focus_list_triggered(self) -> None:
        self._list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def on_focus_reader_triggered(self) -> None:
        self._reader.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def on_cheat_sheet_triggered(self) -> None:
        if self._cheat_sheet is None:
            self._cheat_sheet = CheatSheet(self)
        if self._cheat_sheet.isVisible():  # already open, behind the window: bring it up
            self._cheat_sheet.raise_()
            self._cheat_sheet.activateWindow()
        else:
            self._cheat_sheet.show()

    def on_model_count_changed(self, count: int) -> None:
        query = self._model.query
        filtered = bool(query.text) or query.account_id is not None or query.queue_id is not None
        if count or filtered:
            self._stack.setCurrentWidget(self._list)
        else:
            self._empty.setText(
                self.tr(
                    "No email yet. Add an email account with “relaydesk account add”, then "
                    "fetch with “relaydesk fetch”."
                )
            )
            self._stack.setCurrentWidget(self._welcome)
        if filtered and not count:
            message = self.tr("No interactions match “{text}”.").format(text=self._model.query.text)
        else:
            message = self.tr("{count} interactions · store {path}").format(
                count=f"{count:,}", path=self._data_dir
            )
        self.statusBar().showMessage(message)
        self._keep_selection()

    def _keep_selection(self) -> None:
        # Rows move when mail arrives; the agent stays on the interaction being read.
        selected = self._reader.interaction_id
        if selected is None:
            return
        row = self._model.row_of(selected)
        current = self._list.currentIndex()
        if row is not None and row != current.row():
            self._list.selectRow(row)

    def on_model_load_failed(self, message: str) -> None:
        self.statusBar().showMessage(
            self.tr("The list could not be loaded: {error}").format(error=message)
        )

    def on_filter_text_changed(self, _text: str) -> None:
        self._filter_delay.start()

    def on_filter_delay_timeout(self) -> None:
        self._model.set_filter_text(self._filter.text())

    def on_find_triggered(self) -> None:
        self._filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._filter.selectAll()

    def on_list_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        interaction_id = current.data(Role.INTERACTION_ID) if current.isValid() else None
        if interaction_id is not None and interaction_id != self._reader.interaction_id:
            self._reader.show_interaction(interaction_id)
        if interaction_id is not None and interaction_id != self._desk.interaction_id:
            self._desk.show_interaction(interaction_id)

    def on_welcome_demo_loaded(self) -> None:
        self._model.refresh()
        self._navigation.refresh()

    def on_desk_changed(self) -> None:
        # An operation changed the interaction: its row, and the thread (a reply queued).
        self._model.refresh()
        self._navigation.refresh()
        self._reader.show_interaction(self._reader.interaction_id)

    def on_task_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(str(error))
        self._empty.setText(str(error))

    def shutdown(self) -> None:
        self._closing = True
        self._poll.stop()
        if self._team_link is not None:
            self._team_link.stop()  # joins: nothing calls back into a window going away
        self._desk.shutdown()
        self.admin_mode.shutdown()
        self._tasks.shutdown()
        if self._ctx is not None:
            self._ctx.close()
