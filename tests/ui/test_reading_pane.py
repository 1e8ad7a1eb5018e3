"""The agent desktop's list and reading pane, through real widgets on a real SQLite store."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.reading import InteractionRow, ListQuery
from storage.models import Interaction
from tests.ui import data
from ui.models.interaction_list import Column, InteractionListModel, Role, StoreListSource
from ui.tasks import TaskRunner
from ui.thread_view import ThreadView

pytestmark = pytest.mark.gui


class CountingSource(StoreListSource):
    """The real source, counting what the model asks for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        object.__setattr__(self, "pages", [])

    def page(self, query: ListQuery, **kw: Any) -> list[InteractionRow]:
        self.pages.append(kw)  # type: ignore[attr-defined]
        return super().page(query, **kw)


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _model(qtbot: QtBot, tasks: TaskRunner, source: StoreListSource) -> InteractionListModel:
    model = InteractionListModel(tasks, page_size=100)
    with qtbot.waitSignal(model.count_changed, timeout=10_000):
        model.set_source(source)
    return model


def test_five_thousand_interactions_load_a_few_pages_lazily(
    qtbot: QtBot, sqlite_ctx: AppContext, tasks: TaskRunner
) -> None:
    from PySide6.QtWidgets import QTableView

    data.seed_interactions(sqlite_ctx.store, 5000)
    source = CountingSource(sqlite_ctx.store)
    model = _model(qtbot, tasks, source)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == 5000
    qtbot.waitUntil(lambda: model.index(0, 0).data(Role.LOADED), timeout=10_000)
    assert len(source.pages) <= 2  # type: ignore[attr-defined]
    # newest first, unread bold, read normal
    first = model.index(0, Column.SUBJECT)
    assert first.data() == "Order 0004999 question"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()  # 4999 % 4 != 0: unread
    assert model.index(3, 0).data(Qt.ItemDataRole.FontRole) is None  # 4996: read

    # scrolling to the middle fetches that page by offset, then neighbours by keyset
    view.scrollTo(model.index(2550, 0))
    qtbot.waitUntil(lambda: model.index(2550, 0).data(Role.LOADED), timeout=10_000)
    assert model.index(2550, Column.SUBJECT).data() == f"Order {4999 - 2550:07d} question"
    view.scrollTo(model.index(2650, 0))
    qtbot.waitUntil(lambda: model.index(2650, 0).data(Role.LOADED), timeout=10_000)
    assert model.index(2650, Column.SUBJECT).data() == f"Order {4999 - 2650:07d} question"
    assert any(p.get("after") for p in source.pages)  # type: ignore[attr-defined]
    assert len(source.pages) <= 6  # type: ignore[attr-defined]
    assert len(model.loaded_pages()) < 10


def test_sort_and_filter_change_the_rows(
    qtbot: QtBot, sqlite_ctx: AppContext, tasks: TaskRunner
) -> None:
    data.seed_interactions(sqlite_ctx.store, 300)
    model = _model(qtbot, tasks, StoreListSource(sqlite_ctx.store))
    assert model.index(0, Column.SUBJECT).data() == "Order 0000299 question"
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        model.sort(Column.ACTIVITY, Qt.SortOrder.AscendingOrder)
    assert model.index(0, Column.SUBJECT).data() == "Order 0000000 question"
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        model.sort(Column.CUSTOMER, Qt.SortOrder.DescendingOrder)
    assert model.index(0, Column.CUSTOMER).data() == "Eva Novak"
    assert model.index(0, Column.LOCK).data() in ("", "marta")

    with qtbot.waitSignal(model.count_changed, timeout=10_000) as blocker:
        model.set_filter_text("0000042")
    assert blocker.args == [1] and model.rowCount() == 1
    assert model.index(0, Column.SUBJECT).data() == "Order 0000042 question"
    assert model.index(0, Column.TAGS).data() == "vip"  # 42 % 3 == 0
    assert model.index(0, Column.LOCK).data() == "marta"  # 42 % 7 == 0
    with qtbot.waitSignal(model.count_changed, timeout=10_000) as blocker:
        model.set_filter_text("Chloé")
    assert blocker.args == [60]


def test_refresh_shows_new_interactions(
    qtbot: QtBot, sqlite_ctx: AppContext, tasks: TaskRunner
) -> None:
    data.seed_interactions(sqlite_ctx.store, 50)
    model = _model(qtbot, tasks, StoreListSource(sqlite_ctx.store))
    seeded = data.make_account(sqlite_ctx.store, "sales")
    data.ingest(sqlite_ctx, seeded, [data.cid_image()])
    with qtbot.waitSignal(model.count_changed, timeout=10_000) as blocker:
        model.refresh()
    assert blocker.args == [51]
    # the new mail is the newest activity: it tops the list
    assert model.index(0, Column.SUBJECT).data() == "Our logo"


# --- the reading pane -------------------------------------------------------------------------


def _interactions(ctx: AppContext) -> dict[str, uuid.UUID]:
    with ctx.store.read() as session:
        return {s: i for i, s in session.execute(select(Interaction.id, Interaction.subject))}


@pytest.fixture
def thread_ctx(sqlite_ctx: AppContext) -> AppContext:
    seeded = data.make_account(sqlite_ctx.store)
    data.ingest(
        sqlite_ctx,
        seeded,
        [
            data.hostile_html(),
            data.cid_image(),
            data.dangerous_attachment(),
            data.mislabelled_charset(),
        ],
    )
    return sqlite_ctx


def _view(qtbot: QtBot, tasks: TaskRunner, ctx: AppContext, subject: str) -> ThreadView:
    view = ThreadView(tasks)
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    view.set_context(ctx)
    with qtbot.waitSignal(view.thread_loaded, timeout=10_000):
        view.show_interaction(_interactions(ctx)[subject])
    return view


def test_hostile_html_renders_without_scripts_or_remote_fetches(
    qtbot: QtBot, thread_ctx: AppContext, tasks: TaskRunner
) -> None:
    view = _view(qtbot, tasks, thread_ctx, "Hostile HTML")
    (card,) = view.cards
    html = (card.message.html or "").lower()
    assert "<script" not in html
    assert not re.search(r"\son\w+\s*=", html)
    assert not re.search(r"src\s*=\s*[\"']?https?:", html)
    assert "hello" in card.browser.toPlainText().lower()
    requested = card.browser.resource_requests
    assert requested and all(not u.lower().startswith("http") for u in requested)
    assert not card.remote_bar.isHidden() and card.remote_addresses.isHidden()
    qtbot.mouseClick(card.show_remote_button, Qt.MouseButton.LeftButton)
    assert "http://track.evil.test/pixel.gif" in card.remote_addresses.text()


def test_cid_image_resolves_and_notes_show(
    qtbot: QtBot, thread_ctx: AppContext, tasks: TaskRunner
) -> None:
    data.add_note(thread_ctx.store, _interactions(thread_ctx)["Our logo"], "Call her back")
    view = _view(qtbot, tasks, thread_ctx, "Our logo")
    (card,) = view.cards
    image = card.browser.loadResource(2, "cid:logo@example.test")  # QTextDocument.ImageResource
    assert not image.isNull() and image.width() == 1
    assert "cid:logo@example.test" in card.browser.resource_requests
    assert card.attachment_buttons == {}  # the inline image is in the text, not the list
    (note,) = view.notes
    assert note.body.text() == "Call her back" and "Call her back" in view.plain_text()


def test_dangerous_attachment_warns_before_opening(
    qtbot: QtBot, thread_ctx: AppContext, tasks: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _view(qtbot, tasks, thread_ctx, "Invoice")
    (card,) = view.cards
    warnings: list[str] = []
    opened: list[str] = []
    answer = QMessageBox.StandardButton.Cancel

    def warn(*args: Any) -> QMessageBox.StandardButton:
        warnings.append(args[2])
        return answer

    monkeypatch.setattr(QMessageBox, "warning", warn)
    monkeypatch.setattr(
        "ui.thread_view.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile())
    )
    ((_id, (open_button, _save)),) = card.attachment_buttons.items()
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert len(warnings) == 1 and "invoice.exe" in warnings[0] and opened == []

    answer = QMessageBox.StandardButton.Open
    with qtbot.waitSignal(view.attachment_opened, timeout=10_000) as blocker:
        qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert len(warnings) == 2
    path = Path(opened[0])
    assert path == blocker.args[0] and path.name == "invoice.exe"
    assert path.read_bytes().startswith(b"MZ")


def test_charset_override_and_raw_source(
    qtbot: QtBot, thread_ctx: AppContext, tasks: TaskRunner
) -> None:
    view = _view(qtbot, tasks, thread_ctx, "Zakaz")
    (card,) = view.cards
    assert data.RUSSIAN not in card.browser.toPlainText()
    index = card.charset.findData("windows-1251")
    with qtbot.waitSignal(view.message_rendered, timeout=10_000):
        card.charset.setCurrentIndex(index)
        card.charset.activated.emit(index)
    assert data.RUSSIAN in card.browser.toPlainText()

    with qtbot.waitSignal(view.source_shown, timeout=10_000) as blocker:
        qtbot.mouseClick(card.source_button, Qt.MouseButton.LeftButton)
    dialog = blocker.args[0]
    assert dialog.raw == data.mislabelled_charset()
    assert "Subject: Zakaz" in dialog.text.toPlainText()
    dialog.close()
