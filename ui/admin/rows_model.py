"""A small read-only table model for admin pages: rows of plain values, sortable by a proxy.

``data()`` is a lookup in lists built when the rows are set; it never does I/O or raises.
The sort role carries the raw value (numbers sort as numbers, empty cells first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    SORT = Qt.ItemDataRole.UserRole + 1


def _sort_key(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


class RowsModel(QAbstractTableModel):
    """Columns named once; rows replaced whole (``set_rows``); cells formatted per column."""

    def __init__(
        self,
        headers: Sequence[str],
        parent: QObject | None = None,
        formatters: dict[int, Callable[[Any], str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._formatters = formatters or {}
        self._rows: list[tuple[Any, ...]] = []
        self._text: list[list[str]] = []

    def set_headers(self, headers: Sequence[str]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows, self._text = [], []
        self.endResetModel()

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._rows = [tuple(r) for r in rows]
        self._text = [self._format_row(r) for r in self._rows]
        self.endResetModel()

    def reformat_column(self, column: int) -> None:
        """Recompute one column's text (a clock that ticks) without resetting the view."""
        if not self._rows or not 0 <= column < len(self._headers):
            return
        for text, row in zip(self._text, self._rows, strict=True):
            text[column] = self._format(column, row[column])
        self.dataChanged.emit(
            self.index(0, column),
            self.index(len(self._rows) - 1, column),
            [Qt.ItemDataRole.DisplayRole],
        )

    def _format(self, column: int, value: Any) -> str:
        formatter = self._formatters.get(column)
        return formatter(value) if formatter is not None else _display(value)

    def _format_row(self, row: tuple[Any, ...]) -> list[str]:
        return [self._format(c, v) for c, v in enumerate(row)]

    def rows(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def text(self, row: int, column: int) -> str:
        return self._text[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[index.row()][index.column()]
        if role == Role.SORT:
            return _sort_key(self._rows[index.row()][index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._rows[index.row()][index.column()]
            if isinstance(value, int | float) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


def sorting_proxy(model: RowsModel, parent: QObject | None = None) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(Role.SORT)
    proxy.setDynamicSortFilter(True)
    return proxy
