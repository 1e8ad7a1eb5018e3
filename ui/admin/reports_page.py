"""The reports page: email log, ticket list, agent and disposition statistics with a period,
sort, filter and CSV export. The rows come from app/services/reports.py, the same as
``relaydesk report``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import reports
from storage.engine import Store
from ui.admin.chart_data import report_chart
from ui.admin.rows_model import RowsModel, sorting_proxy
from ui.admin.settings_pages import AdminContext
from ui.charts import Chart
from ui.i18n import QT_TRANSLATE_NOOP

_CTX = "ReportsPage"
REPORTS = {
    "email-log": QT_TRANSLATE_NOOP("ReportsPage", "Email log"),
    "tickets": QT_TRANSLATE_NOOP("ReportsPage", "Ticket list"),
    "agents": QT_TRANSLATE_NOOP("ReportsPage", "Agent statistics"),
    "dispositions": QT_TRANSLATE_NOOP("ReportsPage", "Disposition statistics"),
}
DEFAULT_DAYS = 30


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Whole days, both inclusive, in UTC (as ``relaydesk report --from --to``)."""
    if end < start:
        raise ValueError(
            QCoreApplication.translate(
                "ReportsPage", "The period ends before it starts: choose a later “to” date."
            )
        )
    first = dt.datetime.combine(start, dt.time(), dt.UTC)
    return first, dt.datetime.combine(end, dt.time(), dt.UTC) + dt.timedelta(days=1)


def run_report(
    store: Store, name: str, start: dt.datetime, end: dt.datetime, with_tickets: bool
) -> list[dict[str, Any]]:
    if name == "email-log":
        return reports.email_log(store, start, end, with_tickets=with_tickets)
    if name == "tickets":
        return reports.ticket_list(store, start, end)
    if name == "dispositions":
        return reports.disposition_statistics(store, start, end)
    return reports.agent_statistics(store, start, end)


def write_csv(path: Path, rows: list[dict[str, Any]], bom: bool) -> int:
    # newline="" keeps the CRLF line ends RFC 4180 asks for.
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(reports.to_csv(rows, bom=bom))
    return len(rows)


class ReportsPage(QWidget):
    loaded = Signal(int)  # rows shown
    exported = Signal(str)  # the file written ("" when the export failed)

    def __init__(self, admin: AdminContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._rows: list[dict[str, Any]] = []
        self._shown_report = ""  # the report whose rows the table holds
        self.report = QComboBox()
        self.report.setObjectName("report_choice")
        for key, label in REPORTS.items():
            self.report.addItem(_tr(label), key)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-DEFAULT_DAYS))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.with_tickets = QCheckBox(
            QCoreApplication.translate("ReportsPage", "Include emails linked to tickets")
        )
        self.run_button = QPushButton(QCoreApplication.translate("ReportsPage", "&Show"))
        self.run_button.setObjectName("run_report")
        self.run_button.clicked.connect(self.on_run_button_clicked)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(QCoreApplication.translate("ReportsPage", "Filter rows…"))
        self.filter.setClearButtonEnabled(True)
        self.bom = QCheckBox(QCoreApplication.translate("ReportsPage", "BOM for spreadsheets"))
        self.export_button = QPushButton(QCoreApplication.translate("ReportsPage", "&Export CSV…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.on_export_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("report_status")
        self.status.setWordWrap(True)
        self.model = RowsModel([], self)
        self.proxy = sorting_proxy(self.model, self)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setObjectName("report_table")
        self.table.setModel(self.proxy)
        # The report's own order (by date) until the supervisor clicks a column.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The chart draws the rows the table shows: it follows the filter and the sort.
        self.chart = Chart()
        self.chart.setObjectName("report_chart")
        for signal in (
            self.proxy.modelReset,
            self.proxy.layoutChanged,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
        ):
            signal.connect(self.on_proxy_changed)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        controls = QHBoxLayout()
        controls.addWidget(self.report)
        controls.addWidget(QLabel(QCoreApplication.translate("ReportsPage", "from")))
        controls.addWidget(self.start)
        controls.addWidget(QLabel(QCoreApplication.translate("ReportsPage", "to")))
        controls.addWidget(self.end)
        controls.addWidget(self.with_tickets)
        controls.addWidget(self.run_button)
        controls.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.filter, 1)
        bottom.addWidget(self.bom)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)

    def on_run_button_clicked(self) -> None:
        try:
            start, end = period(_day(self.start.date()), _day(self.end.date()))
        except ValueError as exc:
            self.status.setText(str(exc))
            self.loaded.emit(-1)
            return
        store, name = self._admin.ctx.store, str(self.report.currentData())
        with_tickets = self.with_tickets.isChecked()
        self.status.setText(QCoreApplication.translate("ReportsPage", "Reading…"))
        self._admin.query(
            self,
            lambda: run_report(store, name, start, end, with_tickets),
            lambda rows: self.on_report_loaded(rows, name),
            self.on_task_failed,
            key="admin-report",
        )

    def on_report_loaded(self, rows: list[dict[str, Any]], name: str = "email-log") -> None:
        self._rows = rows
        self._shown_report = name
        headers = list(rows[0]) if rows else []
        # The CSV keeps the report's own column names; the table reads them as words.
        self.model.set_headers([h.replace("_", " ").capitalize() for h in headers])
        self.model.set_rows([tuple(r.values()) for r in rows])
        self.table.resizeColumnsToContents()
        self.export_button.setEnabled(bool(rows))
        self.status.setText(
            QCoreApplication.translate("ReportsPage", "{count} rows.").format(count=len(rows))
            if rows
            else QCoreApplication.translate(
                "ReportsPage", "Nothing in this period: choose an earlier “from” date."
            )
        )
        self.loaded.emit(len(rows))

    def shown_rows(self) -> list[dict[str, Any]]:
        """The rows as the table shows them: filtered and in the chosen order."""
        return [
            self._rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            for r in range(self.proxy.rowCount())
        ]

    def on_proxy_changed(self, *_args: Any) -> None:
        if not self._shown_report:
            return
        self.chart.set_data(report_chart(self._shown_report, self.shown_rows()))

    def on_export_button_clicked(self) -> None:
        name = str(self.report.currentData())
        path, _filter = QFileDialog.getSaveFileName(
            self,
            QCoreApplication.translate("ReportsPage", "Export CSV"),
            f"{name}.csv",
            QCoreApplication.translate("ReportsPage", "CSV files (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        rows, bom = self.shown_rows(), self.bom.isChecked()
        self.status.setText(QCoreApplication.translate("ReportsPage", "Exporting…"))
        self._admin.query(
            self,
            lambda: write_csv(path, rows, bom),
            lambda count: self.on_exported(path, count),
            self.on_export_failed,
        )

    def on_exported(self, path: Path, count: int) -> None:
        self.status.setText(
            QCoreApplication.translate("ReportsPage", "{count} rows written to {path}.").format(
                count=count, path=path
            )
        )
        self.exported.emit(str(path))

    def on_export_failed(self, error: BaseException) -> None:
        self.status.setText(
            QCoreApplication.translate(
                "ReportsPage", "The CSV could not be written: {error}"
            ).format(error=error)
        )
        self.exported.emit("")

    def on_task_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.loaded.emit(-1)
