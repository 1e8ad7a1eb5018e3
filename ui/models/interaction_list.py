"""The interaction list as a lazy table model: pages of rows fetched around the viewport.

The model knows the row count (a COUNT query) and keeps a bounded set of pages. ``data()``
is a dict lookup: a row whose page is missing shows a placeholder and asks for its page, which
a task fetches off the GUI thread by keyset from a neighbouring page (or by offset after a jump
of the scroll bar). A new query (sort, filter) is a new generation: results of older ones are
dropped, and the rows on screen stay until the first page of the new query arrives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections import OrderedDict
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from app.services import reading
from app.services.reading import InteractionRow, ListQuery
from ui.i18n import QT_TRANSLATE_NOOP
from ui.tasks import TaskRunner
from ui.theme import State, row_state

if TYPE_CHECKING:  # the ui floor holds a store only to hand it to app/ services
    from storage.engine import Store

log = logging.getLogger("ui")

ModelIndex = QModelIndex | QPersistentModelIndex
Key = tuple[Any, uuid.UUID]


class Role(IntEnum):
    """Custom data roles of the interaction list."""

    INTERACTION_ID = Qt.ItemDataRole.UserRole + 1
    LOADED = Qt.ItemDataRole.UserRole + 2
    UNREAD = Qt.ItemDataRole.UserRole + 3
    ROW = Qt.ItemDataRole.UserRole + 4  # the whole InteractionRow


class Column(IntEnum):
    STATUS = 0
    LOCK = 1
    CUSTOMER = 2
    SUBJECT = 3
    LANGUAGE = 4
    QUEUE = 5
    TICKET = 6
    TAGS = 7
    ACTIVITY = 8
    SLA = 9


HEADERS = {
    Column.STATUS: QT_TRANSLATE_NOOP("InteractionListModel", "Status"),
    Column.LOCK: QT_TRANSLATE_NOOP("InteractionListModel", "Lock"),
    Column.CUSTOMER: QT_TRANSLATE_NOOP("InteractionListModel", "Customer"),
    Column.SUBJECT: QT_TRANSLATE_NOOP("InteractionListModel", "Subject"),
    Column.LANGUAGE: QT_TRANSLATE_NOOP("InteractionListModel", "Language"),
    Column.QUEUE: QT_TRANSLATE_NOOP("InteractionListModel", "Queue"),
    Column.TICKET: QT_TRANSLATE_NOOP("InteractionListModel", "Ticket"),
    Column.TAGS: QT_TRANSLATE_NOOP("InteractionListModel", "Tags"),
    Column.ACTIVITY: QT_TRANSLATE_NOOP("InteractionListModel", "Last activity"),
    Column.SLA: QT_TRANSLATE_NOOP("InteractionListModel", "Waiting"),
}
SORT_KEYS: dict[int, reading.SortKey] = {
    Column.STATUS: "status",
    Column.LOCK: "claimed_by",
    Column.CUSTOMER: "customer",
    Column.SUBJECT: "subject",
    Column.LANGUAGE: "language",
    Column.QUEUE: "queue",
    Column.TICKET: "ticket",
    Column.ACTIVITY: "activity",
    Column.SLA: "age",
}


class ListSource(Protocol):
    """Where rows come from; called on worker threads only."""

    def count(self, query: ListQuery) -> int: ...

    def page(
        self,
        query: ListQuery,
        *,
        limit: int,
        after: Key | None = None,
        before: Key | None = None,
        offset: int = 0,
    ) -> list[InteractionRow]: ...


@dataclasses.dataclass(frozen=True)
class StoreListSource:
    """The list served by the read services over one store."""

    store: Store

    def count(self, query: ListQuery) -> int:
        return reading.count_interactions(self.store, query)

    def page(
        self,
        query: ListQuery,
        *,
        limit: int,
        after: Key | None = None,
        before: Key | None = None,
        offset: int = 0,
    ) -> list[InteractionRow]:
        return reading.interaction_page(
            self.store, query, limit=limit, after=after, before=before, offset=offset
        )


WAITING_FORMATS = ("{days}d {hours}h", "{hours}h {minutes:02d}m", "{minutes}m")


def waiting_text(
    since: dt.datetime, now: dt.datetime, formats: tuple[str, str, str] = WAITING_FORMATS
) -> str:
    """How long an interaction has waited; ``formats`` are the translated unit patterns."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return formats[0].format(days=days, hours=hours)
    if hours:
        return formats[1].format(hours=hours, minutes=minutes)
    return formats[2].format(minutes=minutes)


class InteractionListModel(QAbstractTableModel):
    count_changed = Signal(int)  # the number of rows once known, after each query or refresh
    load_failed = Signal(str)

    IN_FLIGHT = 3  # page fetches at once; more only queue up behind a fast scroll
    WANTED = 8  # pages remembered as wanted; older wishes scrolled out of view long ago

    def __init__(
        self,
        tasks: TaskRunner,
        parent: Any = None,
        *,
        page_size: int = 128,
        max_pages: int = 48,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._source: ListSource | None = None
        self._query = ListQuery()
        self._page_size = page_size
        self._max_pages = max_pages
        self._generation = 0
        self._rows = 0
        self._total: int | None = None
        self._pages: OrderedDict[int, list[InteractionRow]] = OrderedDict()
        self._fresh: set[int] = set()  # pages of the current generation (safe keyset anchors)
        self._in_flight: set[int] = set()
        self._wanted: list[int] = []
        self._seen = 0  # the page last painted: what a refresh reloads
        # A new generation waits for these before it replaces what is on screen.
        self._committed = True
        self._reset_pending = False
        self._incoming: dict[int, list[InteractionRow]] = {}
        self._awaiting: set[int] = set()
        self._incoming_total: int | None = None
        self.page_requests = 0  # for tests and the benchmark
        self._bold = QFont()
        self._bold.setBold(True)
        self._placeholder = self.tr("Loading…")
        self._headers = {c: self.tr(text) for c, text in HEADERS.items()}
        self._status_text = {"open": self.tr("Open"), "closed": self.tr("Closed")}
        # Translated once: data() formats the waiting clock for every painted row.
        self._waiting_formats = (
            self.tr("{days}d {hours}h"),
            self.tr("{hours}h {minutes:02d}m"),
            self.tr("{minutes}m"),
        )
        self._now = dt.datetime.now(dt.UTC)
        self._state_colors: dict[State | None, QColor] = {}
        self._me = ""
        self._dispatch = QTimer(self)
        self._dispatch.setSingleShot(True)
        self._dispatch.setInterval(0)
        self._dispatch.timeout.connect(self.on_dispatch_timeout)
        # The waiting clock moves on by itself; a minute's resolution is what agents read.
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self.on_clock_timeout)
        self._clock.start()

    # --- public ---------------------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def total(self) -> int | None:
        """The row count once the COUNT query answered for the current query."""
        return self._total if self._committed else None

    def set_source(self, source: ListSource | None) -> None:
        self._source = source
        self._start(reset=True)

    def set_query(self, query: ListQuery) -> None:
        if query == self._query:
            return
        self._query = query
        self._start(reset=True)

    def set_state_colors(self, colors: dict[State, QColor], me: str = "") -> None:
        """Colour rows by state (ui/theme.py); ``me`` is the signed-in agent's name."""
        self._state_colors = {state: color for state, color in colors.items()}
        self._me = me
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self._rows - 1, len(Column) - 1),
                [Qt.ItemDataRole.ForegroundRole],
            )

    def set_filter_text(self, text: str) -> None:
        self.set_query(dataclasses.replace(self._query, text=text.strip()))

    def refresh(self) -> None:
        """Reload the count and the pages on screen (new mail, a claim elsewhere)."""
        if self._source is None or not self._committed:
            return
        self._start(reset=False)

    def row_at(self, row: int) -> InteractionRow | None:
        page = self._pages.get(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if page is not None and offset < len(page) else None

    def row_of(self, interaction_id: uuid.UUID) -> int | None:
        """Where a loaded interaction is now (to keep the selection across refreshes)."""
        for number, rows in self._pages.items():
            for offset, item in enumerate(rows):
                if item.id == interaction_id:
                    return number * self._page_size + offset
        return None

    def loaded_pages(self) -> set[int]:
        return set(self._pages)

    # --- QAbstractItemModel -----------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers.get(Column(section)) if 0 <= section < len(Column) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        item = self.row_at(row)
        if item is None:
            if 0 <= row < self._rows:
                self._want(row // self._page_size)
            if role == Role.LOADED:
                return False
            if role == Qt.ItemDataRole.DisplayRole and index.column() == Column.SUBJECT:
                return self._placeholder
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            self._seen = row // self._page_size
            return self._display(item, index.column())
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if item.unread else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._state_colors.get(
                row_state(
                    status=item.status,
                    unread=item.unread,
                    claimed_by=item.claimed_by,
                    created_at=item.created_at,
                    me=self._me,
                    now=self._now,
                )
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == Column.CUSTOMER:
                return item.customer_email
            if index.column() == Column.SUBJECT:
                return item.subject
            return None
        if role == Role.INTERACTION_ID:
            return item.id
        if role == Role.LOADED:
            return True
        if role == Role.UNREAD:
            return item.unread
        if role == Role.ROW:
            return item
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:
            return  # tags have no order worth paging by
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(dataclasses.replace(self._query, sort=key, descending=descending))

    # --- display --------------------------------------------------------------------------

    def _display(self, item: InteractionRow, column: int) -> Any:
        if column == Column.STATUS:
            return self._status_text.get(item.status, item.status)
        if column == Column.LOCK:
            return item.claimed_by
        if column == Column.CUSTOMER:
            return item.customer
        if column == Column.SUBJECT:
            return item.subject
        if column == Column.LANGUAGE:
            return item.language
        if column == Column.QUEUE:
            return item.queue
        if column == Column.TICKET:
            return item.ticket
        if column == Column.TAGS:
            return ", ".join(item.tags)
        if column == Column.ACTIVITY:
            return item.last_activity_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if column == Column.SLA:
            if item.status != "open":
                return ""
            return waiting_text(item.created_at, self._now, self._waiting_formats)
        return None

    def on_clock_timeout(self) -> None:
        self._now = dt.datetime.now(dt.UTC)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.SLA),
                self.index(self._rows - 1, Column.SLA),
                [Qt.ItemDataRole.DisplayRole],
            )
            if self._state_colors:
                # A row that waited too long turns "SLA at risk" in every column.
                self.dataChanged.emit(
                    self.index(0, 0),
                    self.index(self._rows - 1, len(Column) - 1),
                    [Qt.ItemDataRole.ForegroundRole],
                )

    # --- loading --------------------------------------------------------------------------

    def _start(self, *, reset: bool) -> None:
        self._generation += 1
        self._in_flight.clear()
        self._wanted.clear()
        self._incoming = {}
        self._incoming_total = None
        self._committed = False
        self._reset_pending = reset
        source = self._source
        if source is None:
            self._awaiting = set()
            self._incoming_total = 0
            self._commit()
            return
        # A refresh reloads what the agent was looking at; other pages load again on demand.
        pages = [0]
        if not reset:
            near = {self._seen - 1, self._seen, self._seen + 1}
            pages = sorted(p for p in near | {0} if p >= 0 and p * self._page_size < self._rows)
            pages = pages or [0]
        self._awaiting = set(pages)
        generation, query = self._generation, self._query
        self._tasks.query(
            lambda: source.count(query),
            lambda total: self._on_count(generation, total),
            lambda error: self._on_error(generation, None, error),
        )
        for page in pages:
            self._fetch(page)

    def _fetch(self, page: int) -> None:
        source = self._source
        if source is None:
            return
        size = self._page_size
        after: Key | None = None
        before: Key | None = None
        offset = 0
        previous, following = self._pages.get(page - 1), self._pages.get(page + 1)
        if self._committed and page - 1 in self._fresh and previous and len(previous) == size:
            after = previous[-1].key
        elif self._committed and page + 1 in self._fresh and following:
            before = following[0].key
        else:
            offset = page * size  # a jump: nothing near here is known yet
        self._in_flight.add(page)
        self.page_requests += 1
        generation, query = self._generation, self._query
        self._tasks.query(
            lambda: source.page(query, limit=size, after=after, before=before, offset=offset),
            lambda rows: self._on_page(generation, page, rows),
            lambda error: self._on_error(generation, page, error),
        )

    def _want(self, page: int) -> None:
        if not self._committed or page in self._in_flight or page in self._wanted:
            return
        self._wanted.append(page)
        del self._wanted[: -self.WANTED]
        if not self._dispatch.isActive():
            self._dispatch.start()

    def on_dispatch_timeout(self) -> None:
        # Latest wish first: that is where the agent is looking now.
        while self._wanted and len(self._in_flight) < self.IN_FLIGHT:
            page = self._wanted.pop()
            if page not in self._pages and page * self._page_size < self._rows:
                self._fetch(page)

    def _on_count(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        if self._committed:
            self._set_rows(total)
            self._total = total
            self.count_changed.emit(total)
            return
        self._incoming_total = total
        if not self._awaiting:
            self._commit()

    def _on_page(self, generation: int, page: int, rows: list[InteractionRow]) -> None:
        if generation != self._generation:
            return
        self._in_flight.discard(page)
        if not self._committed:
            self._incoming[page] = rows
            self._awaiting.discard(page)
            # A new query shows its first rows at once; a refresh waits for its count too,
            # so the list changes in one step.
            if not self._awaiting and (self._reset_pending or self._incoming_total is not None):
                self._commit()
            return
        self._store(page, rows)
        if len(rows) < self._page_size and self._total is None:
            self._set_rows(page * self._page_size + len(rows))
        self._changed(page)
        self.on_dispatch_timeout()

    def _on_error(self, generation: int, page: int | None, error: BaseException) -> None:
        if generation != self._generation:
            return
        if page is not None:
            self._in_flight.discard(page)
        log.error("loading the interaction list failed", exc_info=error)
        self.load_failed.emit(str(error))

    def _commit(self) -> None:
        total = self._incoming_total
        if self._reset_pending:
            self.beginResetModel()
            self._pages = OrderedDict(sorted(self._incoming.items()))
            self._fresh = set(self._pages)
            self._total = total
            if total is not None:
                self._rows = total
            else:
                first = self._incoming.get(0, [])
                self._rows = len(first)
            self._committed = True
            self.endResetModel()
        else:
            assert total is not None
            self._committed = True
            self._set_rows(total)
            self._total = total
            self._pages = OrderedDict(sorted(self._incoming.items()))
            self._fresh = set(self._pages)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, len(Column) - 1))
        self._incoming = {}
        if total is not None:
            self.count_changed.emit(total)
        self.on_dispatch_timeout()

    def _set_rows(self, rows: int) -> None:
        if rows > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            self._rows = rows
            self.endInsertRows()
        elif rows < self._rows:
            self.beginRemoveRows(QModelIndex(), rows, self._rows - 1)
            self._rows = rows
            for page in [p for p in self._pages if p * self._page_size >= rows]:
                del self._pages[page]
                self._fresh.discard(page)
            self.endRemoveRows()

    def _store(self, page: int, rows: list[InteractionRow]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        self._fresh.add(page)
        while len(self._pages) > self._max_pages:
            # Forget the page used longest ago; it loads again if the agent scrolls back.
            old, _ = self._pages.popitem(last=False)
            self._fresh.discard(old)
            self._changed(old)

    def _changed(self, page: int) -> None:
        first = page * self._page_size
        last = min(first + self._page_size, self._rows) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
