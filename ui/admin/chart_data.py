"""What the admin charts show, computed from the rows the tables show (pure functions).

Reports chart the rows as filtered and sorted in their table; monitoring charts each snapshot's
queues. No painting here, so each chart's numbers are tested without a widget.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication

from app.services.monitoring import QueueLine
from app.services.reports import ALL_ACCOUNTS
from ui.charts import ChartData, Kind, Series

MAX_BAR_DAYS = 31  # more days than this read better as a line
MAX_FILLED_DAYS = 400  # empty days are drawn as zeros up to this span


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportCharts", text)


def _day(value: Any) -> dt.date | None:
    """The UTC day of a report's ISO timestamp (None, "" or garbage: no day)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _days(counts: Sequence[Counter[dt.date]]) -> list[dt.date]:
    seen = sorted(set().union(*counts))
    if not seen:
        return []
    span = (seen[-1] - seen[0]).days + 1
    if span > MAX_FILLED_DAYS:
        return seen
    return [seen[0] + dt.timedelta(days=n) for n in range(span)]


def per_day(title: str, named_counts: Sequence[tuple[str, Counter[dt.date]]]) -> ChartData:
    days = _days([c for _name, c in named_counts])
    kind: Kind = "bar" if len(days) <= MAX_BAR_DAYS else "line"
    return ChartData(
        title,
        tuple(d.isoformat() for d in days),
        tuple(Series(name, tuple(float(c[d]) for d in days)) for name, c in named_counts),
        kind,
    )


def email_log_chart(rows: Iterable[dict[str, Any]]) -> ChartData:
    """Emails per day, inbound and outbound."""
    inbound: Counter[dt.date] = Counter()
    outbound: Counter[dt.date] = Counter()
    for row in rows:
        day = _day(row.get("date"))
        if day is not None:
            (inbound if row.get("direction") == "inbound" else outbound)[day] += 1
    return per_day(
        QCoreApplication.translate("ReportCharts", "Emails per day"),
        [
            (QCoreApplication.translate("ReportCharts", "Inbound"), inbound),
            (QCoreApplication.translate("ReportCharts", "Outbound"), outbound),
        ],
    )


def tickets_chart(rows: Iterable[dict[str, Any]]) -> ChartData:
    """Tickets opened per day."""
    opened: Counter[dt.date] = Counter()
    for row in rows:
        day = _day(row.get("first_open_time"))
        if day is not None:
            opened[day] += 1
    return per_day(
        QCoreApplication.translate("ReportCharts", "Tickets opened per day"),
        [(QCoreApplication.translate("ReportCharts", "Opened"), opened)],
    )


def agents_chart(rows: Iterable[dict[str, Any]]) -> ChartData:
    """Handled interactions and emails sent per agent, in the table's order."""
    rows = list(rows)
    return ChartData(
        QCoreApplication.translate("ReportCharts", "Handled and sent per agent"),
        tuple(str(r.get("agent", "")) for r in rows),
        (
            Series(
                QCoreApplication.translate("ReportCharts", "Handled"),
                tuple(float(r.get("handled") or 0) for r in rows),
            ),
            Series(
                QCoreApplication.translate("ReportCharts", "Emails sent"),
                tuple(float(r.get("emails_sent") or 0) for r in rows),
            ),
        ),
    )


def dispositions_chart(rows: Iterable[dict[str, Any]]) -> ChartData:
    """Interactions per disposition, in the table's order; an account's own one is named."""
    rows = list(rows)
    return ChartData(
        QCoreApplication.translate("ReportCharts", "Interactions per disposition"),
        tuple(_disposition_name(r) for r in rows),
        (
            Series(
                QCoreApplication.translate("ReportCharts", "Interactions"),
                tuple(float(r.get("interactions") or 0) for r in rows),
            ),
        ),
    )


def _disposition_name(row: dict[str, Any]) -> str:
    name, account = str(row.get("disposition", "")), str(row.get("account", ""))
    # A global disposition's bare name reads best.
    return name if account in ("", ALL_ACCOUNTS) else f"{name} · {account}"


def report_chart(report: str, rows: Iterable[dict[str, Any]]) -> ChartData:
    if report == "email-log":
        return email_log_chart(rows)
    if report == "tickets":
        return tickets_chart(rows)
    if report == "dispositions":
        return dispositions_chart(rows)
    return agents_chart(rows)


def _queue_names(queues: Sequence[QueueLine]) -> tuple[str, ...]:
    # Every project has a "Default" queue: name the project when a name repeats.
    repeated = {n for n, c in Counter(q.name for q in queues).items() if c > 1}
    return tuple(f"{q.name} · {q.project}" if q.name in repeated else q.name for q in queues)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def queue_charts(queues: Sequence[QueueLine], now: dt.datetime) -> tuple[ChartData, ChartData]:
    """Waiting per queue, and how long the oldest of them has waited (in minutes)."""
    queues = sorted(queues, key=lambda q: (q.name.casefold(), q.project.casefold()))
    names = _queue_names(queues)
    waiting = ChartData(
        QCoreApplication.translate("ReportCharts", "Waiting per queue"),
        names,
        (
            Series(
                QCoreApplication.translate("ReportCharts", "Waiting"),
                tuple(float(q.waiting) for q in queues),
            ),
        ),
    )
    minutes = tuple(
        round(max((now - _aware(q.oldest_waiting_at)).total_seconds(), 0.0) / 60, 1)
        if q.oldest_waiting_at is not None and q.waiting
        else 0.0
        for q in queues
    )
    oldest = ChartData(
        QCoreApplication.translate("ReportCharts", "Oldest waiting (minutes)"),
        names,
        (Series(QCoreApplication.translate("ReportCharts", "Oldest waiting"), minutes),),
        unit=QCoreApplication.translate("ReportCharts", "min"),
    )
    return waiting, oldest
