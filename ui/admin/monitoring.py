"""The realtime monitoring page: agents, queues and accounts, refreshed within a second.

A 500 ms timer asks app/ for the store's change number (one row) and reads a new snapshot only
when it moved; time in state ticks locally from ``state_since`` on the same timer. The page
can open a copy of itself as a wallboard: a separate window in large type for a second screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.monitoring import Snapshot, account_snapshot, monitoring_version, snapshot
from storage.models import utcnow
from ui.admin.chart_data import queue_charts
from ui.admin.rows_model import RowsModel, sorting_proxy
from ui.admin.settings_pages import AdminContext
from ui.charts import Chart
from ui.i18n import QT_TRANSLATE_NOOP

_CTX = "MonitoringPage"
POLL_MS = 500  # a change shows within a second, whatever the phase of the timer
STATE_TEXT = {
    "available": QT_TRANSLATE_NOOP("MonitoringPage", "Available"),
    "paused": QT_TRANSLATE_NOOP("MonitoringPage", "Paused"),
    "logged_out": QT_TRANSLATE_NOOP("MonitoringPage", "Logged out"),
    "in_email": QT_TRANSLATE_NOOP("MonitoringPage", "In email"),
}
AGENT_TIME_COLUMN = 2
AGENT_EMAIL_TODAY_COLUMN = 6


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _ago(value: dt.datetime | None, now: dt.datetime) -> str:
    if value is None:
        return QCoreApplication.translate("MonitoringPage", "never")
    return QCoreApplication.translate("MonitoringPage", "{time} ago").format(
        time=duration((now - _aware(value)).total_seconds())
    )


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class MonitoringPage(QWidget):
    updated = Signal(object)  # Snapshot, each time a new one is shown

    def __init__(
        self,
        admin: AdminContext,
        *,
        wallboard: bool = False,
        account: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._admin = admin
        self.account = account  # the realtime view of one account; None: everything
        self._version: int | None = None
        self._reading = False
        self._snapshot: Snapshot | None = None
        self._wallboards: list[MonitoringPage] = []
        self.agents = RowsModel(
            [
                QCoreApplication.translate("MonitoringPage", "Agent"),
                QCoreApplication.translate("MonitoringPage", "State"),
                QCoreApplication.translate("MonitoringPage", "Time in state"),
                QCoreApplication.translate("MonitoringPage", "Current interaction"),
                QCoreApplication.translate("MonitoringPage", "Holding"),
                QCoreApplication.translate("MonitoringPage", "Handled today"),
                QCoreApplication.translate("MonitoringPage", "In email today"),
            ],
            self,
            {
                AGENT_EMAIL_TODAY_COLUMN: duration,
                1: lambda state: _tr(STATE_TEXT.get(state, state)),
                AGENT_TIME_COLUMN: lambda since: duration(
                    (utcnow() - _aware(since)).total_seconds()
                ),
            },
        )
        self.queues = RowsModel(
            [
                QCoreApplication.translate("MonitoringPage", "Queue"),
                QCoreApplication.translate("MonitoringPage", "Project"),
                QCoreApplication.translate("MonitoringPage", "Waiting"),
                QCoreApplication.translate("MonitoringPage", "Oldest waiting"),
                QCoreApplication.translate("MonitoringPage", "Offered today"),
                QCoreApplication.translate("MonitoringPage", "Handled today"),
                QCoreApplication.translate("MonitoringPage", "SLA at risk"),
            ],
            self,
            {3: lambda oldest: _ago(oldest, utcnow()) if oldest is not None else "—"},
        )
        self.accounts = RowsModel(
            [
                QCoreApplication.translate("MonitoringPage", "Account"),
                QCoreApplication.translate("MonitoringPage", "Active"),
                QCoreApplication.translate("MonitoringPage", "Open"),
                QCoreApplication.translate("MonitoringPage", "Waiting"),
                QCoreApplication.translate("MonitoringPage", "Last fetch"),
                QCoreApplication.translate("MonitoringPage", "Fetch error"),
            ],
            self,
            {
                1: lambda active: (
                    QCoreApplication.translate("MonitoringPage", "yes")
                    if active
                    else QCoreApplication.translate("MonitoringPage", "no")
                ),
                4: lambda at: _ago(at, utcnow()),
            },
        )
        self.summary = QLabel()
        self.summary.setObjectName("monitoring_summary")
        self.wallboard_button = QPushButton(
            QCoreApplication.translate("MonitoringPage", "Open as &wallboard")
        )
        self.wallboard_button.setVisible(not wallboard)
        self.wallboard_button.clicked.connect(self.on_wallboard_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.wallboard_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.views: dict[str, QTableView] = {}
        for name, model in (
            ("agents", self.agents),
            ("queues", self.queues),
            ("accounts", self.accounts),
        ):
            view = QTableView()
            view.setObjectName(f"monitor_{name}")
            view.setModel(sorting_proxy(model, view))
            view.setSortingEnabled(True)
            view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
            view.verticalHeader().hide()
            view.setWordWrap(False)  # one line a row: a wallboard is read from afar
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
            splitter.addWidget(view)
            self.views[name] = view
        # Queues in a picture: how many wait, and for how long the oldest has.
        self.waiting_chart, self.oldest_chart = Chart(), Chart()
        self.waiting_chart.setObjectName("monitor_waiting_chart")
        self.oldest_chart.setObjectName("monitor_oldest_chart")
        charts = QWidget()
        charts_layout = QHBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.addWidget(self.waiting_chart)
        charts_layout.addWidget(self.oldest_chart)
        splitter.addWidget(charts)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        if wallboard:
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 1.8)
            self.setFont(font)
            self.setWindowTitle(
                QCoreApplication.translate("MonitoringPage", "Realtime view of {account}").format(
                    account=account
                )
                if account
                else QCoreApplication.translate("MonitoringPage", "Relaydesk wallboard")
            )
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start()
        self.on_timer_timeout()

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def on_timer_timeout(self) -> None:
        self.agents.reformat_column(AGENT_TIME_COLUMN)
        store = self._admin.ctx.store
        self._admin.query(
            self,
            lambda: monitoring_version(store),
            self.on_version_loaded,
            self.on_task_failed,
            key=f"monitor-version-{id(self)}",
        )

    def on_version_loaded(self, version: int) -> None:
        if version == self._version or self._reading:
            return
        self._reading = True
        store, account = self._admin.ctx.store, self.account
        self._admin.query(
            self,
            lambda: account_snapshot(store, account) if account else snapshot(store),
            self.on_snapshot_loaded,
            self.on_task_failed,
            key=f"monitor-snapshot-{id(self)}",
        )

    def on_snapshot_loaded(self, shot: Snapshot) -> None:
        self._reading = False
        self._version = shot.version
        self._snapshot = shot
        self.agents.set_rows(
            [
                (
                    a.name,
                    a.state,
                    a.state_since,
                    a.current_subject,
                    a.holding,
                    a.handled_today,
                    a.in_email_today_s,
                )
                for a in shot.agents
            ]
        )
        self.queues.set_rows(
            [
                (
                    q.name,
                    q.project,
                    q.waiting,
                    q.oldest_waiting_at,
                    q.offered,
                    q.handled,
                    q.sla_at_risk,
                )
                for q in shot.queues
            ]
        )
        self.accounts.set_rows(
            [(a.name, a.active, a.open, a.waiting, a.last_fetch_at, a.error) for a in shot.accounts]
        )
        waiting, oldest = queue_charts(shot.queues, _aware(shot.taken_at))
        self.waiting_chart.set_data(waiting)
        self.oldest_chart.set_data(oldest)
        self.summary.setText(
            QCoreApplication.translate(
                "MonitoringPage",
                "{in_email} agents in email ({total} today) · {waiting} waiting · updated {time}",
            ).format(
                in_email=shot.in_email,
                total=duration(shot.in_email_today_s),
                waiting=shot.waiting,
                time=_aware(shot.taken_at).astimezone().strftime("%H:%M:%S"),
            )
        )
        self.updated.emit(shot)

    def on_task_failed(self, error: BaseException) -> None:
        self._reading = False
        self.summary.setText(
            QCoreApplication.translate(
                "MonitoringPage", "Monitoring could not be read: {error} (retrying)"
            ).format(error=error)
        )

    def on_wallboard_button_clicked(self) -> None:
        board = MonitoringPage(self._admin, wallboard=True)
        board.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        board.destroyed.connect(lambda *_: self._forget(board))
        self._wallboards.append(board)
        board.resize(1280, 800)
        board.show()

    def _forget(self, board: Any) -> None:
        if board in self._wallboards:
            self._wallboards.remove(board)

    def shutdown(self) -> None:
        """Stop polling; close any wallboard this page opened."""
        self._timer.stop()
        for board in list(self._wallboards):
            board.shutdown()
            board.close()
        self._wallboards.clear()
