"""Small self-drawn charts (grouped bars, lines over days) for reports and monitoring.

Drawn with QPainter in the palette's colours rather than with QtCharts: the app ships
PySide6-Essentials, which has no QtCharts, and two chart shapes do not justify the Addons.
What a chart shows is a plain ``ChartData`` built by a pure function; the widget only lays it
out (``bar_rects`` is the same geometry the painter uses) and paints it. Its tooltip and
accessible description say the same numbers in words, for screen readers and for hovering.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.theme import State, state_colors

Kind = Literal["bar", "line"]
MAX_DESCRIBED = 40  # categories spelled out in the accessible text; the rest are counted
_PAD = 6.0


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart's content: one value per category in each series (all series equally long)."""

    title: str
    categories: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    kind: Kind = "bar"
    unit: str = ""  # after each value in labels and text ("min")

    @property
    def empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)

    @property
    def maximum(self) -> float:
        return max((v for s in self.series for v in s.values), default=0.0)


def format_value(value: float, unit: str = "") -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text} {unit}" if unit else text


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least ``maximum`` (steps of 1, 2 or 5 times 10^n)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if magnitude >= 1:
        step = max(step, 1.0)
    top = math.ceil(maximum / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]


def describe(data: ChartData) -> str:
    """The chart in words: its title, then each category's values (for screen readers)."""
    if data.empty:
        return QCoreApplication.translate("Chart", "{title}: nothing to show.").format(
            title=data.title
        )
    parts = []
    for n, category in enumerate(data.categories[:MAX_DESCRIBED]):
        values = ", ".join(
            f"{s.name} {format_value(s.values[n], data.unit)}"
            if len(data.series) > 1
            # One series: its name is the title already.
            else format_value(s.values[n], data.unit)
            for s in data.series
        )
        parts.append(f"{category}: {values}")
    text = f"{data.title}. " + "; ".join(parts)
    hidden = len(data.categories) - MAX_DESCRIBED
    if hidden > 0:
        text += QCoreApplication.translate("Chart", "; and {count} more.").format(count=hidden)
    return text


def series_colors(palette: QPalette, count: int) -> list[QColor]:
    """The highlight colour first, then the theme's state hues (readable on this palette)."""
    states = state_colors(palette)
    hues = [
        palette.color(QPalette.ColorRole.Highlight),
        states[State.MINE],
        states[State.SLA_AT_RISK],
        states[State.UNREAD],
        states[State.OTHERS],
    ]
    return [hues[n % len(hues)] for n in range(count)]


class Chart(QWidget):
    """Paints a ``ChartData``: bars grouped per category, or one line per series."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = ChartData("")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def data(self) -> ChartData:
        return self._data

    def set_data(self, data: ChartData) -> None:
        if data == self._data:
            return
        self._data = data
        text = describe(data)
        self.setAccessibleName(data.title)
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 140)

    # --- geometry (shared by painting, tooltips and tests) -----------------------------------

    def _ticks(self) -> list[float]:
        return nice_ticks(self._data.maximum)

    def _legend_height(self) -> float:
        return QFontMetrics(self.font()).height() + 4 if len(self._data.series) > 1 else 0.0

    def plot_rect(self) -> QRectF:
        """Where bars and lines go: inside the axes, below the title and legend."""
        metrics = QFontMetrics(self.font())
        label_width = max(metrics.horizontalAdvance(format_value(t, "")) for t in self._ticks())
        # A text line of headroom: the value over the tallest bar stays inside the widget.
        top = _PAD + 2 * metrics.height() + 4 + self._legend_height()
        left = _PAD + label_width + 6
        bottom = self.height() - _PAD - metrics.height() - 4
        right = self.width() - _PAD
        return QRectF(left, top, max(right - left, 1.0), max(bottom - top, 1.0))

    def _y(self, value: float, plot: QRectF) -> float:
        top = self._ticks()[-1]
        return plot.bottom() - (value / top) * plot.height()

    def _slot(self, plot: QRectF) -> float:
        return plot.width() / max(len(self._data.categories), 1)

    def bar_rects(self) -> list[tuple[int, int, QRectF]]:
        """(series, category, rectangle) of every bar drawn; zero values have no bar."""
        if self._data.kind != "bar" or self._data.empty:
            return []
        plot = self.plot_rect()
        slot = self._slot(plot)
        count = len(self._data.series)
        group = slot * 0.8
        width = group / count
        rects = []
        for c in range(len(self._data.categories)):
            left = plot.left() + c * slot + (slot - group) / 2
            for s, series in enumerate(self._data.series):
                value = series.values[c]
                if value <= 0:
                    continue
                y = self._y(value, plot)
                rects.append((s, c, QRectF(left + s * width, y, width, plot.bottom() - y)))
        return rects

    def points(self) -> list[list[QPointF]]:
        """Per series, the line's points (line charts)."""
        if self._data.kind != "line" or self._data.empty:
            return []
        plot = self.plot_rect()
        slot = self._slot(plot)
        return [
            [
                QPointF(plot.left() + (c + 0.5) * slot, self._y(v, plot))
                for c, v in enumerate(series.values)
            ]
            for series in self._data.series
        ]

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        metrics = QFontMetrics(self.font())
        title_font = self.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text_color)
        painter.drawText(
            QRectF(_PAD, _PAD, self.width() - 2 * _PAD, metrics.height() + 2),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self._data.title,
        )
        painter.setFont(self.font())
        if self._data.empty:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRectF(self.rect()),
                int(Qt.AlignmentFlag.AlignCenter),
                QCoreApplication.translate("Chart", "Nothing to chart yet."),
            )
            return
        colors = series_colors(palette, len(self._data.series))
        plot = self.plot_rect()
        self._paint_legend(painter, colors, text_color)
        self._paint_axes(painter, plot, palette, text_color)
        if self._data.kind == "bar":
            self._paint_bars(painter, colors, text_color)
        else:
            self._paint_lines(painter, colors)
        self._paint_categories(painter, plot, text_color)

    def _paint_legend(self, painter: QPainter, colors: list[QColor], text: QColor) -> None:
        if len(self._data.series) < 2:
            return
        metrics = QFontMetrics(self.font())
        x, y = _PAD, _PAD + metrics.height() + 4
        box = metrics.height() * 0.7
        for series, color in zip(self._data.series, colors, strict=True):
            painter.fillRect(QRectF(x, y + (metrics.height() - box) / 2, box, box), color)
            x += box + 4
            painter.setPen(text)
            painter.drawText(QPointF(x, y + metrics.ascent()), series.name)
            x += metrics.horizontalAdvance(series.name) + 14

    def _paint_axes(self, painter: QPainter, plot: QRectF, palette: QPalette, text: QColor) -> None:
        metrics = QFontMetrics(self.font())
        grid = QPen(palette.color(QPalette.ColorRole.Mid), 0.5, Qt.PenStyle.DotLine)
        for tick in self._ticks():
            y = self._y(tick, plot)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            label = format_value(tick)
            painter.drawText(
                QPointF(
                    plot.left() - 6 - metrics.horizontalAdvance(label),
                    y + metrics.ascent() / 2 - 1,
                ),
                label,
            )
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())

    def _paint_bars(self, painter: QPainter, colors: list[QColor], text: QColor) -> None:
        metrics = QFontMetrics(self.font())
        for s, c, rect in self.bar_rects():
            painter.fillRect(rect, colors[s])
            label = format_value(self._data.series[s].values[c])
            # A value over its bar when it fits; the tooltip has it otherwise.
            if metrics.horizontalAdvance(label) + 2 <= rect.width():
                painter.setPen(text)
                painter.drawText(
                    QRectF(
                        rect.left(), rect.top() - metrics.height(), rect.width(), metrics.height()
                    ),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                    label,
                )

    def _paint_lines(self, painter: QPainter, colors: list[QColor]) -> None:
        for points, color in zip(self.points(), colors, strict=True):
            painter.setPen(QPen(color, 2))
            painter.drawPolyline(QPolygonF(points))
            if len(points) <= 62:
                painter.setBrush(color)
                for point in points:
                    painter.drawEllipse(point, 2.5, 2.5)
                painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_categories(self, painter: QPainter, plot: QRectF, text: QColor) -> None:
        metrics = QFontMetrics(self.font())
        categories = self._data.categories
        slot = self._slot(plot)
        widest = max(metrics.horizontalAdvance(c) for c in categories) + 8
        # Every n-th label, so that labels never overlap.
        step = max(1, math.ceil(widest / slot))
        painter.setPen(text)
        for c in range(0, len(categories), step):
            width = slot * step
            left = plot.left() + (c + 0.5) * slot - width / 2
            label = metrics.elidedText(categories[c], Qt.TextElideMode.ElideRight, int(width))
            painter.drawText(
                QRectF(left, plot.bottom() + 3, width, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                label,
            )

    # --- tooltips ------------------------------------------------------------------------------

    def value_at(self, x: float, y: float) -> str:
        """What the bar or category under (x, y) shows, in words; "" outside any."""
        data = self._data
        for s, c, rect in self.bar_rects():
            if rect.contains(QPointF(x, y)):
                return self._say(c, [s])
        plot = self.plot_rect()
        if data.kind == "line" and not data.empty and plot.contains(QPointF(x, y)):
            c = min(int((x - plot.left()) / self._slot(plot)), len(data.categories) - 1)
            return self._say(c, list(range(len(data.series))))
        return ""

    def _say(self, category: int, series: Sequence[int]) -> str:
        data = self._data
        return f"{data.categories[category]}: " + ", ".join(
            f"{data.series[s].name} {format_value(data.series[s].values[category], data.unit)}"
            for s in series
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.value_at(event.pos().x(), event.pos().y()) or self.toolTip()
            QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)
