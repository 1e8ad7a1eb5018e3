"""The accounts list's actions beyond settings: its interactions, its realtime view, and who
works on it — on real widgets, a real store and real operations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.staffing import staffing
from tests.app.workflow import World, make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.mode import AdminPanel
from ui.admin.settings_pages import AdminContext

pytestmark = pytest.mark.gui


@pytest.fixture
def world(sqlite_ctx: AppContext) -> World:
    world = make_world(sqlite_ctx.store)
    world.interaction("support", subject="Support parcel", age_min=30)
    world.interaction("sales", subject="Sales order", age_min=20)
    world.interaction("sales", queue="Italian", subject="Ordine", age_min=10)
    return world


@pytest.fixture
def panel(qtbot: QtBot, sqlite_ctx: AppContext, world: World) -> Iterator[AdminPanel]:
    with admin_context(sqlite_ctx, "sam") as admin:
        panel = AdminPanel(admin)
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: panel.accounts.accounts.count() == 2, timeout=10_000)
        yield panel
        panel.shutdown()


def _choose(panel: AdminPanel, name: str) -> None:
    accounts = panel.accounts.accounts
    accounts.setCurrentItem(accounts.findItems(name, Qt.MatchFlag.MatchExactly)[0])


def test_interactions_lists_the_chosen_accounts_interactions(
    qtbot: QtBot, panel: AdminPanel
) -> None:
    _choose(panel, "sales")
    with qtbot.waitSignal(panel.interactions.searched, timeout=10_000) as found:
        panel.accounts.interactions_button.click()
    assert found.args == [2]
    assert panel.currentWidget() is panel.interactions
    assert panel.interactions.account.currentData() == "sales"
    model = panel.interactions.table.model()
    subjects = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert subjects == {"Sales order", "Ordine"}


def test_the_realtime_view_shows_one_account(qtbot: QtBot, panel: AdminPanel) -> None:
    _choose(panel, "sales")
    panel.accounts.realtime_button.click()
    (view,) = panel.realtime_views
    qtbot.waitUntil(lambda: view.snapshot is not None, timeout=10_000)
    shot = view.snapshot
    assert shot is not None
    assert [a.name for a in shot.accounts] == ["sales"]
    assert [a.name for a in shot.agents] == ["carol"]
    assert sum(q.waiting for q in shot.queues) == 2
    assert "sales" in view.windowTitle()
    view.close()
    qtbot.waitUntil(lambda: not panel.realtime_views, timeout=5_000)


def test_agents_of_an_account_are_added_and_removed(
    qtbot: QtBot, panel: AdminPanel, sqlite_ctx: AppContext
) -> None:
    _choose(panel, "sales")
    panel.accounts.agents_button.click()
    dialog = panel.accounts.agents_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.agents.count() > 0, timeout=10_000)
    ticked = {
        dialog.agents.item(r).text(): dialog.agents.item(r).checkState() == Qt.CheckState.Checked
        for r in range(dialog.agents.count())
    }
    assert ticked["carol"] and not ticked["bob"]
    for r in range(dialog.agents.count()):
        item = dialog.agents.item(r)
        if item.text() == "bob":
            item.setCheckState(Qt.CheckState.Checked)
        if item.text() == "carol":
            item.setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(dialog.changed, timeout=10_000) as changed:
        dialog.save_button.click()
    assert changed.args == [2]
    members = {a.name: a.accounts for a in staffing(sqlite_ctx.store).agents}
    assert "sales" in members["bob"] and "sales" not in members["carol"]
    assert "support" in members["bob"]


def test_an_agent_cannot_change_who_works_on_an_account(
    qtbot: QtBot, sqlite_ctx: AppContext, world: World
) -> None:
    with admin_context(sqlite_ctx, "alice") as admin:
        _refused(qtbot, admin, sqlite_ctx)


def _refused(qtbot: QtBot, admin: AdminContext, ctx: AppContext) -> None:
    from ui.admin.account_tools import AccountAgentsDialog

    dialog = AccountAgentsDialog(admin, "sales")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.status.text() != "" or dialog.agents.count() > 0, timeout=10_000)
    if dialog.agents.count():
        dialog.agents.item(0).setCheckState(
            Qt.CheckState.Unchecked
            if dialog.agents.item(0).checkState() == Qt.CheckState.Checked
            else Qt.CheckState.Checked
        )
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=10_000)
    assert "supervisor" in dialog.status.text()
    before = {a.name: a.accounts for a in staffing(ctx.store).agents}
    assert "sales" in before["carol"] and "sales" not in before["bob"]
