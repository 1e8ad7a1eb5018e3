"""The reports page's disposition statistics on a real store: a row per disposition with its
interactions and mail, a chart of interactions per disposition that follows the filter, and
a CSV export of the rows shown."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.app.test_disposition_statistics import disposed_work
from tests.ui.admin_helpers import admin_context
from ui.admin.chart_data import dispositions_chart
from ui.admin.reports_page import ReportsPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[ReportsPage]:
    disposed_work(sqlite_ctx)
    with admin_context(sqlite_ctx, "sam") as admin:
        page = ReportsPage(admin)
        qtbot.addWidget(page)
        yield page


def test_disposition_statistics_table_chart_and_export(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path
) -> None:
    choice = page.report.findData("dispositions")
    assert page.report.itemText(choice) == "Disposition statistics"
    page.report.setCurrentIndex(choice)
    with qtbot.waitSignal(page.loaded, timeout=10_000) as loaded:
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert loaded.args == [4]
    shown = [(r["disposition"], r["account"], r["interactions"]) for r in page.shown_rows()]
    assert shown == [
        ("Refund", "all accounts", 1),
        ("Refund", "sales", 1),
        ("Solved", "all accounts", 1),
        ("Unused", "all accounts", 0),
    ]
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert headers[:3] == ["Disposition", "Account", "Interactions"]
    assert "Disposition emails" in headers and "Marked as spam" in headers

    chart = page.chart.data
    assert chart.title == "Interactions per disposition"
    assert chart.categories == ("Refund", "Refund · sales", "Solved", "Unused")
    assert chart.series[0].values == (1.0, 1.0, 1.0, 0.0)
    assert page.chart.bar_rects()

    page.filter.setText("sales")
    assert page.chart.data.categories == ("Refund · sales",)
    target = tmp_path / "dispositions.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000):
        page.export_to(target)
    with target.open(encoding="utf-8", newline="") as handle:
        parsed = list(csv.DictReader(handle))
    assert [(r["disposition"], r["account"], r["dropped"]) for r in parsed] == [
        ("Refund", "sales", "1")
    ]


def test_the_chart_names_an_accounts_own_disposition() -> None:
    chart = dispositions_chart(
        [
            {"disposition": "Solved", "account": "all accounts", "interactions": 3},
            {"disposition": "Solved", "account": "sales", "interactions": 0},
        ]
    )
    assert chart.categories == ("Solved", "Solved · sales")
    assert chart.series[0].values == (3.0, 0.0)
