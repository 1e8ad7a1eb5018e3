"""Charts: their numbers from pure functions, their bars really painted, and the report and
monitoring pages keeping them in step with the tables on a real store."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.monitoring import QueueLine
from tests.app.workflow import World, add_message, make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.chart_data import agents_chart, email_log_chart, queue_charts, tickets_chart
from ui.admin.monitoring import MonitoringPage
from ui.admin.reports_page import ReportsPage
from ui.charts import Chart, ChartData, Series, describe, nice_ticks, series_colors

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def _queue(name: str, waiting: int, oldest_min: float | None, project: str = "Acme") -> QueueLine:
    oldest = NOW - dt.timedelta(minutes=oldest_min) if oldest_min is not None else None
    return QueueLine(uuid.uuid4(), name, project, None, waiting, oldest, 0, 0, 0)


# --- the numbers -------------------------------------------------------------------------------


def test_emails_per_day_by_direction_fill_the_days_between() -> None:
    rows = [
        {"date": "2026-03-01T09:00:00+00:00", "direction": "inbound"},
        {"date": "2026-03-01T10:00:00+00:00", "direction": "inbound"},
        {"date": "2026-03-01T11:00:00+00:00", "direction": "outbound"},
        {"date": "2026-03-03T08:00:00+00:00", "direction": "outbound"},
        {"date": None, "direction": "inbound"},  # never received: no day to count it on
    ]
    chart = email_log_chart(rows)
    assert chart.kind == "bar"
    assert chart.categories == ("2026-03-01", "2026-03-02", "2026-03-03")
    assert [(s.name, s.values) for s in chart.series] == [
        ("Inbound", (2.0, 0.0, 0.0)),
        ("Outbound", (1.0, 0.0, 1.0)),
    ]


def test_many_days_become_a_line_and_tickets_count_per_opening_day() -> None:
    start = dt.date(2026, 1, 1)
    rows = [{"first_open_time": f"{start + dt.timedelta(days=n)}T10:00:00"} for n in range(40)]
    rows.append({"first_open_time": f"{start}T18:00:00"})
    chart = tickets_chart(rows)
    assert (chart.kind, len(chart.categories)) == ("line", 40)
    assert chart.series[0].values[:2] == (2.0, 1.0)


def test_agents_keep_the_tables_order() -> None:
    rows = [
        {"agent": "sam", "handled": 0, "emails_sent": 4},
        {"agent": "alice", "handled": 3, "emails_sent": 1},
    ]
    chart = agents_chart(rows)
    assert chart.categories == ("sam", "alice")
    assert [s.values for s in chart.series] == [(0.0, 3.0), (4.0, 1.0)]


def test_queues_waiting_and_oldest_wait_with_repeated_names_told_apart() -> None:
    waiting, oldest = queue_charts(
        [
            _queue("Italian", 2, 12.5),
            _queue("Default", 0, None),
            _queue("Default", 1, 3, project="Other"),
        ],
        NOW,
    )
    assert waiting.categories == ("Default · Acme", "Default · Other", "Italian")
    assert waiting.series[0].values == (0.0, 1.0, 2.0)
    assert oldest.series[0].values == (0.0, 3.0, 12.5)
    assert describe(oldest) == (
        "Oldest waiting (minutes). Default · Acme: 0 min; Default · Other: 3 min; Italian: 12.5 min"
    )


def test_axis_ticks_are_round() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(3) == [0.0, 1.0, 2.0, 3.0]
    assert nice_ticks(17) == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert nice_ticks(0.7)[-1] >= 0.7


# --- the painting ------------------------------------------------------------------------------


def _close(a: QColor, b: QColor, tolerance: int = 8) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def _pixel(image: QImage, x: float, y: float, ratio: float) -> QColor:
    return image.pixelColor(QPoint(int(x * ratio), int(y * ratio)))


def test_bars_are_painted_where_the_layout_puts_them(qtbot: QtBot) -> None:
    chart = Chart()
    qtbot.addWidget(chart)
    chart.resize(420, 240)
    data = ChartData(
        "Emails per day",
        ("Mon", "Tue", "Wed"),
        (Series("Inbound", (3.0, 0.0, 5.0)), Series("Outbound", (1.0, 2.0, 0.0))),
    )
    chart.set_data(data)
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    background = chart.palette().color(QPalette.ColorRole.Window)
    colors = series_colors(chart.palette(), 2)
    rects = chart.bar_rects()
    assert [(s, c) for s, c, _r in rects] == [(0, 0), (1, 0), (1, 1), (0, 2)]  # no zero bars
    for series, _category, rect in rects:
        assert rect.height() > 10
        centre = _pixel(image, rect.center().x(), rect.center().y(), ratio)
        assert not _close(centre, background)
        assert _close(centre, colors[series]), (centre.name(), colors[series].name())
    # Taller value, taller bar; and above the tallest bar the plot is empty.
    heights = {(s, c): r.height() for s, c, r in rects}
    assert heights[(0, 2)] > heights[(0, 0)] > heights[(1, 0)]
    plot = chart.plot_rect()
    above = _pixel(image, rects[0][2].center().x(), plot.top() + 2, ratio)
    assert not _close(above, colors[0])
    assert chart.accessibleName() == "Emails per day"
    assert chart.accessibleDescription() == (
        "Emails per day. Mon: Inbound 3, Outbound 1; Tue: Inbound 0, Outbound 2; "
        "Wed: Inbound 5, Outbound 0"
    )
    assert chart.value_at(rects[-1][2].center().x(), rects[-1][2].center().y()) == (
        "Wed: Inbound 5"
    )


def test_a_line_and_an_empty_chart_paint_too(qtbot: QtBot) -> None:
    chart = Chart()
    qtbot.addWidget(chart)
    chart.resize(420, 240)
    chart.set_data(ChartData("Opened", ("a", "b", "c"), (Series("Opened", (1, 4, 2)),), "line"))
    image = chart.grab().toImage()
    color = series_colors(chart.palette(), 1)[0]
    for point in chart.points()[0]:
        assert _close(_pixel(image, point.x(), point.y(), image.devicePixelRatio()), color, 40)
    chart.set_data(ChartData("Opened"))
    assert chart.bar_rects() == [] and chart.points() == []
    assert chart.toolTip() == "Opened: nothing to show."
    assert not chart.grab().isNull()


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def report_world(sqlite_ctx: AppContext) -> World:
    world = make_world(sqlite_ctx.store)
    now = dt.datetime.now(dt.UTC)
    for n, (subject, direction) in enumerate(
        (("Refund, please", "in"), ("Re: Refund, please", "out"), ("Broken kettle", "in"))
    ):
        interaction = world.interaction(subject=subject)
        add_message(
            world.store, interaction, direction, now - dt.timedelta(days=n), subject=subject
        )
    return world


def test_the_report_chart_follows_the_tables_filter(
    qtbot: QtBot, sqlite_ctx: AppContext, report_world: World
) -> None:
    with admin_context(sqlite_ctx, "sam") as admin:
        page = ReportsPage(admin)
        qtbot.addWidget(page)
        page.resize(900, 700)
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        chart = page.chart.data
        assert chart.title == "Emails per day" and len(chart.categories) == 3
        assert [sum(s.values) for s in chart.series] == [2.0, 1.0]
        page.filter.setText("kettle")
        assert [sum(s.values) for s in page.chart.data.series] == [1.0, 0.0]
        assert page.chart.bar_rects()
        page.filter.clear()
        page.report.setCurrentIndex(page.report.findData("agents"))
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        assert page.chart.data.title == "Handled and sent per agent"
        page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        assert page.chart.data.categories == tuple(r["agent"] for r in page.shown_rows())
        assert page.chart.data.categories[0] == "sam"


def test_the_monitoring_chart_shows_each_snapshots_queues(qtbot: QtBot, ctx: AppContext) -> None:
    world = make_world(ctx.store)
    with admin_context(ctx, "sam") as admin:
        page = MonitoringPage(admin)
        qtbot.addWidget(page)
        page.resize(1000, 900)
        try:
            qtbot.waitUntil(lambda: page.snapshot is not None, timeout=10_000)
            world.interaction(queue="Italian", age_min=30)
            world.interaction(queue="Italian", age_min=5)

            def italian() -> float:
                data = page.waiting_chart.data
                return data.series[0].values[data.categories.index("Italian")]

            qtbot.waitUntil(lambda: italian() == 2.0, timeout=5_000)
            oldest = page.oldest_chart.data
            minutes = oldest.series[0].values[oldest.categories.index("Italian")]
            assert 29.0 <= minutes <= 31.0
            assert "Italian: 2" in page.waiting_chart.accessibleDescription()
            image = page.waiting_chart.grab().toImage()
            ((_s, _c, rect),) = [
                r
                for r in page.waiting_chart.bar_rects()
                if page.waiting_chart.data.categories[r[1]] == "Italian"
            ]
            centre = _pixel(image, rect.center().x(), rect.center().y(), image.devicePixelRatio())
            assert _close(centre, series_colors(page.palette(), 1)[0])
        finally:
            page.shutdown()
