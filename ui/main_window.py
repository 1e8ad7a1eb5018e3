"""The main window: queues and accounts, the interaction list, the reading pane."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext, open_local
from app.services.accounts import AccountInfo, list_accounts
from app.services.health import MailHealth, mail_health
from app.services.reading import interactions_version
from ui.background import BackgroundWorker
from ui.models.interaction_list import Column, InteractionListModel, Role, StoreListSource
from ui.status_bar import MailHealthLabel
from ui.tasks import TaskRunner
from ui.thread_view import ThreadView

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

        self._sources = QTreeWidget()
        self._sources.setHeaderLabels([self.tr("Accounts and queues")])

        self._model = InteractionListModel(self._tasks, self)
        self._model.count_changed.connect(self.on_model_count_changed)
        self._model.load_failed.connect(self.on_model_load_failed)
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
        find = QAction(self.tr("Filter the list"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.on_find_triggered)
        self.addAction(find)

        self._reader = ThreadView(self._tasks)
        self._empty = QLabel(self.tr("Loading…"))
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setMargin(24)
        # The list and its empty state share one place: one shows at a time.
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._list)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(2)
        middle_layout.addWidget(self._filter)
        middle_layout.addWidget(self._stack)

        splitter = QSplitter()
        splitter.addWidget(self._sources)
        splitter.addWidget(middle)
        splitter.addWidget(self._reader)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([220, 700, 480])
        self.setCentralWidget(splitter)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.on_poll_timeout)
        self._health = MailHealthLabel(self)
        self.statusBar().addPermanentWidget(self._health)
        self._background: BackgroundWorker | None = None
        self.statusBar().showMessage(self.tr("Opening the store…"))
        self._tasks.op(lambda: open_local(data_dir), self.on_store_opened, self.on_task_failed)

    # --- loading ------------------------------------------------------------------------

    def on_store_opened(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._reader.set_context(ctx)
        self._model.set_source(StoreListSource(ctx.store))
        self._tasks.query(lambda: list_accounts(ctx.store), self.on_accounts_loaded, key="accounts")
        self._poll.start()

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

    def on_health_loaded(self, health: MailHealth) -> None:
        error = self._background.error if self._background is not None else ""
        self._health.show_health(health, error)

    def on_version_loaded(self, version: int) -> None:
        # The first answer is the baseline; the list was just loaded from that state.
        if self._version is not None and version != self._version:
            self._model.refresh()
        self._version = version

    def on_accounts_loaded(self, accounts: list[AccountInfo]) -> None:
        self._sources.clear()
        projects: dict[str, QTreeWidgetItem] = {}
        for account in accounts:
            parent = projects.get(account.project)
            if parent is None:
                parent = QTreeWidgetItem([account.project])
                projects[account.project] = parent
                self._sources.addTopLevelItem(parent)
            child = QTreeWidgetItem([f"{account.key}  {account.name}"])
            child.setToolTip(0, account.email)
            parent.addChild(child)
        self._sources.expandAll()

    def on_model_count_changed(self, count: int) -> None:
        filtered = bool(self._model.query.text)
        if count or filtered:
            self._stack.setCurrentWidget(self._list)
        else:
            self._empty.setText(
                self.tr(
                    "No email yet. Add an email account with “relaydesk account add”, then "
                    "fetch with “relaydesk fetch”."
                )
            )
            self._stack.setCurrentWidget(self._empty)
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

    def on_task_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(str(error))
        self._empty.setText(str(error))

    def shutdown(self) -> None:
        self._poll.stop()
        self._tasks.shutdown()
        if self._ctx is not None:
            self._ctx.close()
