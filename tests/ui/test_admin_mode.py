"""Admin mode in the real window: app/ refuses agents (and supervisors IT keeps out); entering
builds the pages and the Admin menu's page actions, leaving or signing out tears them down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from app.context import AppContext, open_local
from app.services.agents import add_agent
from tests.ui.admin_helpers import it_policy
from tests.ui.desk_world import make_desk_world
from ui.admin.mode import State
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui
SUPERVISOR_PASSWORD = "sam-secret-333"


@pytest.fixture
def world(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    make_desk_world(ctx)
    add_agent(ctx.store, "sam", supervisor=True, password=SUPERVISOR_PASSWORD)
    yield ctx
    ctx.close()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, world: AppContext) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


def _sign_in(qtbot: QtBot, window: MainWindow, name: str, password: str) -> None:
    desk = window._desk
    qtbot.waitUntil(desk.sign_in_button.isEnabled, timeout=10_000)
    qtbot.keyClicks(desk.name, name)
    qtbot.keyClicks(desk.password, password)
    with qtbot.waitSignal(desk.signed_in, timeout=10_000):
        qtbot.mouseClick(desk.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.admin_mode.toggle.isEnabled, timeout=10_000)


def _page_actions(window: MainWindow) -> list[str]:
    return [
        a.objectName()
        for a in window.admin_mode.menu.actions()
        if a.objectName().startswith("action_admin_page_")
    ]


def test_nobody_signed_in_cannot_even_ask(window: MainWindow) -> None:
    assert not window.admin_mode.toggle.isEnabled()


def test_an_agent_is_refused_by_app_and_stays_in_agent_mode(
    qtbot: QtBot, window: MainWindow
) -> None:
    _sign_in(qtbot, window, "alice", "alice-secret-1")
    mode = window.admin_mode
    # The toggle is offered: the refusal is app/'s, not a hidden button.
    with qtbot.waitSignal(mode.refused, timeout=10_000) as refused:
        mode.toggle.trigger()
    assert refused.args == ["Only supervisors can switch on admin mode."]
    assert mode.state is State.AGENT
    assert not mode.toggle.isChecked()
    assert mode.panel is None and window.findChild(QDockWidget, "admin_dock") is None
    assert _page_actions(window) == []
    assert window.statusBar().currentMessage() == "Only supervisors can switch on admin mode."


def test_a_supervisor_enters_and_leaving_tears_everything_down(
    qtbot: QtBot, window: MainWindow
) -> None:
    _sign_in(qtbot, window, "sam", SUPERVISOR_PASSWORD)
    mode = window.admin_mode
    with qtbot.waitSignal(mode.entered, timeout=10_000):
        qtbot.keyClick(
            window,
            Qt.Key.Key_M,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert mode.state is State.ADMIN and mode.toggle.isChecked()
    panel = mode.panel
    assert panel is not None
    assert window.findChild(QDockWidget, "admin_dock") is not None
    assert [panel.tabText(i) for i in range(panel.count())] == [
        "Monitoring",
        "Reports",
        "Interactions",
        "Email accounts",
        "Email handling",
        "Agents and queues",
        "Templates and dispositions",
        "Contacts",
        "Desk settings",
    ]
    assert len(_page_actions(window)) == panel.count()
    window.admin_mode.menu.actions()[-1].trigger()  # the last page action: desk settings
    assert panel.currentWidget() is panel.desk_settings
    monitoring_timer = panel.monitoring._timer
    qtbot.waitUntil(lambda: panel.monitoring.snapshot is not None, timeout=10_000)

    with qtbot.waitSignal(mode.left, timeout=5_000):
        mode.toggle.trigger()
    assert mode.state is State.AGENT and mode.panel is None
    assert not monitoring_timer.isActive()
    assert _page_actions(window) == []
    qtbot.waitUntil(lambda: window.findChild(QDockWidget, "admin_dock") is None, timeout=5_000)

    # In again, then the supervisor signs out: admin mode does not outlive them.
    with qtbot.waitSignal(mode.entered, timeout=10_000):
        mode.toggle.trigger()
    with qtbot.waitSignal(mode.left, timeout=5_000):
        window.set_signed_in(None)
    assert mode.state is State.AGENT and not mode.toggle.isEnabled()


def test_it_policy_can_keep_even_supervisors_out(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _sign_in(qtbot, window, "sam", SUPERVISOR_PASSWORD)
    with (
        it_policy(monkeypatch, tmp_path, "allow_local_admin = false\n"),
        qtbot.waitSignal(window.admin_mode.refused, timeout=10_000) as refused,
    ):
        window.admin_mode.toggle.trigger()
    assert refused.args == ["Your IT policy does not allow admin mode on this desktop."]
    assert window.admin_mode.state is State.AGENT
