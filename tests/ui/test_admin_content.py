"""Templates and canned answers with a live preview on sample data, and dispositions, on a
real store: a broken template shows its error in the preview and is refused on saving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.content import list_content, list_dispositions
from storage.models import CannedAnswer
from tests.app.workflow import make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.content_page import ContentPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[ContentPage]:
    make_world(sqlite_ctx.store)
    with admin_context(sqlite_ctx, "sam") as admin:
        page = ContentPage(admin)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.account.count() == 3, timeout=10_000)  # every + 2
        yield page


def _save(qtbot: QtBot, page: ContentPage) -> bool:
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    return bool(saved.args[0])


def test_template_preview_follows_typing_and_a_broken_one_is_refused(
    qtbot: QtBot, page: ContentPage, sqlite_ctx: AppContext
) -> None:
    page.start_new("template")
    qtbot.keyClicks(page.name, "Delay apology")
    qtbot.keyClicks(page.subject, "Your order, {{ customer.name }}")
    with qtbot.waitSignal(page.previewed, timeout=5_000) as shown:
        page.body.setPlainText("Dear {{ customer.nmae }},\nsorry.")
    assert shown.args[0] == "Template 'body': 'dict object' has no attribute 'nmae'"
    assert page.preview_state.text() == shown.args[0]
    assert not _save(qtbot, page)
    assert page.status.text() == "Template 'Delay apology': 'dict object' has no attribute 'nmae'"
    assert [c for c in list_content(sqlite_ctx.store) if c.kind == "template"] == []

    with qtbot.waitSignal(page.previewed, timeout=5_000) as shown:
        page.body.setPlainText("Dear {{ customer.name }},\nsorry.")
    assert shown.args[0] == "Your order, Anna Rossi\n\nDear Anna Rossi,\nsorry."
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        assert _save(qtbot, page)
    (template,) = [c for c in list_content(sqlite_ctx.store) if c.kind == "template"]
    assert (template.name, template.subject) == ("Delay apology", "Your order, {{ customer.name }}")
    assert page.items.currentItem().text() == "Template · Delay apology"


def test_canned_answer_for_one_account(
    qtbot: QtBot, page: ContentPage, sqlite_ctx: AppContext
) -> None:
    page.start_new("canned")
    assert not page.subject.isEnabled() and page.account.isEnabled()
    qtbot.keyClicks(page.name, "Refund offered")
    page.body.setPlainText("We refund your order today, {{ customer.name }}.")
    page.account.setCurrentIndex(page.account.findData("sales"))
    assert _save(qtbot, page)
    with sqlite_ctx.store.read() as session:
        row = session.execute(select(CannedAnswer)).scalar_one()
        assert row.title == "Refund offered" and row.account_id is not None


def test_dispositions_per_account_and_duplicates_refused(
    qtbot: QtBot, page: ContentPage, sqlite_ctx: AppContext
) -> None:
    qtbot.waitUntil(lambda: page.dispositions.count() == 2, timeout=10_000)  # Solved, Refund
    page.disposition_name.setText("Solved")
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.mouseClick(page.add_disposition_button, Qt.MouseButton.LeftButton)
    assert saved.args == [False]
    assert page.status.text() == "There is already a disposition 'Solved' for every account."
    page.disposition_account.setCurrentIndex(page.disposition_account.findData("support"))
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.add_disposition_button, Qt.MouseButton.LeftButton)
    rows = {(d.name, d.account) for d in list_dispositions(sqlite_ctx.store)}
    assert ("Solved", "support") in rows and ("Solved", None) in rows
    assert "Solved (support)" in [
        page.dispositions.item(i).text() for i in range(page.dispositions.count())
    ]


def test_a_list_loaded_after_new_is_pressed_selects_nothing(
    qtbot: QtBot, page: ContentPage
) -> None:
    """The save's reload lands after the supervisor pressed New: it must not select the saved
    template behind an empty editor, or picking that template again would not fill the form."""
    page.start_new("template")
    qtbot.keyClicks(page.name, "Greeting")
    page.body.setPlainText("Hello {{ customer.name }}.")
    assert _save(qtbot, page)  # the list's reload is asked for, not yet delivered
    page.start_new("template")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        pass
    assert page.items.currentItem() is None and page.name.text() == ""
    page.items.setCurrentRow(0)
    assert page.name.text() == "Greeting"
