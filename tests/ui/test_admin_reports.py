"""The reports page on a real store: period filter, sort, row filter and a CSV export that
parses back to exactly the rows shown."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.app.workflow import World, add_message, make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.reports_page import ReportsPage

pytestmark = pytest.mark.gui


@pytest.fixture
def world(sqlite_ctx: AppContext) -> World:
    world = make_world(sqlite_ctx.store)
    now = dt.datetime.now(dt.UTC)
    for n, subject in enumerate(("Refund, please", "Broken kettle", 'Quote "this", please')):
        interaction = world.interaction(subject=subject)
        add_message(
            world.store,
            interaction,
            "in",
            now - dt.timedelta(hours=3 - n),
            subject=subject,
            from_email=f"c{n}@example.org",
        )
    old = world.interaction(subject="Last year")
    add_message(world.store, old, "in", now - dt.timedelta(days=400), subject="Last year")
    return world


@pytest.fixture
def page(qtbot: QtBot, sqlite_ctx: AppContext, world: World) -> Iterator[ReportsPage]:
    with admin_context(sqlite_ctx, "sam") as admin:
        page = ReportsPage(admin)
        qtbot.addWidget(page)
        yield page


def _run(qtbot: QtBot, page: ReportsPage) -> int:
    with qtbot.waitSignal(page.loaded, timeout=10_000) as loaded:
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    return int(loaded.args[0])


def _column(page: ReportsPage, name: str) -> int:
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    return headers.index(name)


def _subjects(page: ReportsPage) -> list[str]:
    return [r["subject"] for r in page.shown_rows()]


def test_email_log_for_the_period_sorted_filtered_and_exported(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path
) -> None:
    assert page.report.currentData() == "email-log"
    assert _run(qtbot, page) == 3  # the last 30 days: not last year's mail
    assert _subjects(page) == ["Refund, please", "Broken kettle", 'Quote "this", please']
    page.table.sortByColumn(_column(page, "Subject"), Qt.SortOrder.AscendingOrder)
    assert _subjects(page) == ["Broken kettle", 'Quote "this", please', "Refund, please"]
    page.filter.setText("PLEASE")
    assert _subjects(page) == ['Quote "this", please', "Refund, please"]

    page.bom.setChecked(True)
    target = tmp_path / "log.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as exported:
        page.export_to(target)
    assert exported.args == [str(target)]
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as handle:
        parsed = list(csv.DictReader(handle))
    assert [r["subject"] for r in parsed] == ['Quote "this", please', "Refund, please"]
    assert parsed[0]["from"] == "c2@example.org"
    assert list(parsed[0]) == list(page.shown_rows()[0])

    page.start.setDate(QDate.currentDate().addDays(-500))
    page.filter.clear()
    assert _run(qtbot, page) == 4


def test_a_period_that_ends_before_it_starts_is_refused(qtbot: QtBot, page: ReportsPage) -> None:
    page.start.setDate(QDate(2026, 5, 2))
    page.end.setDate(QDate(2026, 5, 1))
    assert _run(qtbot, page) == -1
    assert page.status.text() == ("The period ends before it starts: choose a later “to” date.")


def test_agent_statistics_and_an_empty_ticket_list(qtbot: QtBot, page: ReportsPage) -> None:
    page.report.setCurrentIndex(page.report.findData("agents"))
    assert _run(qtbot, page) == 4  # alice, bob, carol, sam
    opened = _column(page, "Emails sent")
    assert opened > 0
    row = page.shown_rows()[0]
    assert row["opened"] == "not tracked"
    page.report.setCurrentIndex(page.report.findData("tickets"))
    assert _run(qtbot, page) == 0
    assert page.status.text() == "Nothing in this period: choose an earlier “from” date."
    assert not page.export_button.isEnabled()
