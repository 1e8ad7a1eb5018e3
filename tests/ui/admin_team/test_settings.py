"""Admin mode in team mode: a setting changed on the desk is an operation that the central
database applies (and may refuse), not a write to the desk's own store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.settings import list_settings
from storage.engine import Store
from storage.models import Operation as OperationRow
from storage.models import SavedSearch
from tests.app.workflow import World
from tests.ui.admin_team.conftest import WAIT_MS
from ui.admin.mode import AdminPanel

pytestmark = [pytest.mark.gui, pytest.mark.pg, pytest.mark.slow]


def _type(page_form: object, key: str, text: str) -> None:
    field = page_form.field(key)  # type: ignore[attr-defined]
    assert isinstance(field, QLineEdit)
    field.selectAll()
    field.del_()
    field.insert(text)


def test_a_setting_saved_in_team_mode_is_applied_by_the_central_database(
    qtbot: QtBot, admin_panel: AdminPanel, central_world: tuple[Store, World]
) -> None:
    central, _world = central_world
    assert admin_panel.findChild(QLabel, "admin_team_warning") is None, "no 'stays local' note"
    page = admin_panel.accounts
    qtbot.waitUntil(lambda: page.accounts.count() == 2, timeout=WAIT_MS)
    page.accounts.setCurrentItem(page.accounts.findItems("sales", Qt.MatchFlag.MatchExactly)[0])
    qtbot.waitUntil(lambda: page.page.form.field("wait_for_agent") is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(page.page.loaded, timeout=WAIT_MS):
        pass
    form = page.page.form
    _type(form, "wait_for_agent", "77")
    with qtbot.waitSignal(page.page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.page.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [True]
    values = {r.key: r.value for r in list_settings(central, account="sales")}
    assert values["wait_for_agent"] == 77
    with central.read() as session:
        kinds = session.execute(
            select(OperationRow.kind).where(OperationRow.kind == "change_setting")
        ).scalars()
        assert list(kinds) == ["change_setting"], "applied centrally as an operation"


def test_a_saved_search_is_kept_centrally_and_follows_the_supervisor(
    qtbot: QtBot, admin_panel: AdminPanel, central_world: tuple[Store, World]
) -> None:
    central, _world = central_world
    page = admin_panel.interactions
    page.text.setText("parcel")
    with qtbot.waitSignal(page.saved_searches_changed, timeout=WAIT_MS) as done:
        page.save_search_as("Parcels")
    assert done.args == [True], page.status.text()
    with central.read() as session:
        stored = session.execute(
            select(SavedSearch.name, SavedSearch.query).where(SavedSearch.deleted_at.is_(None))
        ).one()
        kinds = session.execute(
            select(OperationRow.kind, OperationRow.status).where(OperationRow.kind == "save_search")
        ).all()
    assert stored.name == "Parcels" and stored.query["text"] == "parcel"
    assert [tuple(k) for k in kinds] == [("save_search", "applied")]
    qtbot.waitUntil(lambda: page.saved_names() == ["Parcels"], timeout=WAIT_MS)

    # The central rules answer a clash: the same name again without replacing is refused.
    with qtbot.waitSignal(page.saved_searches_changed, timeout=WAIT_MS) as done:
        page.save_search_as("Parcels")
    assert done.args == [False]
    assert page.status.text() == (
        "sam already has a saved search named 'Parcels': choose another name or replace it."
    )
