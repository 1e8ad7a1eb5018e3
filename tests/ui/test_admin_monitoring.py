"""The realtime monitoring page follows operations on a real store within about a second,
without sleeps: the test waits on the page's own update signal."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.monitoring import Snapshot
from app.services.operations import Operation, apply
from storage.models import EmailAccount, FolderState
from tests.app.workflow import World, make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.monitoring import MonitoringPage, duration
from ui.admin.rows_model import RowsModel

pytestmark = pytest.mark.gui


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, world: World) -> Iterator[MonitoringPage]:
    with admin_context(ctx, "sam") as admin:
        page = MonitoringPage(admin)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.snapshot is not None, timeout=10_000)
        yield page
        page.shutdown()


def _row(model: RowsModel, name: str) -> tuple[object, ...]:
    (row,) = [r for r in model.rows() if r[0] == name]
    return row


def _texts(model: RowsModel, name: str) -> list[str]:
    (index,) = [i for i, r in enumerate(model.rows()) if r[0] == name]
    return [model.text(index, c) for c in range(model.columnCount())]


def test_a_claim_shows_within_about_a_second(
    qtbot: QtBot, page: MonitoringPage, world: World
) -> None:
    interaction = world.interaction(subject="Broken kettle", age_min=3)
    qtbot.waitUntil(lambda: _row(page.queues, "Default")[2] == 1, timeout=5_000)
    assert _texts(page.agents, "alice")[1] == "Logged out"

    started = time.monotonic()
    claimed = apply(world.store, Operation("claim", "alice", {"interaction": str(interaction)}))
    assert claimed.applied, claimed.reason
    qtbot.waitUntil(lambda: _row(page.agents, "alice")[1] == "in_email", timeout=5_000)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"the page took {elapsed:.2f} s to show the claim"
    alice = _texts(page.agents, "alice")
    assert alice[1] == "In email"
    assert alice[3] == "Broken kettle"
    assert (alice[4], alice[5]) == ("1", "0")
    assert _row(page.queues, "Default")[2] == 0
    assert re.fullmatch(
        r"1 agents in email \(\d+ s today\) · 0 waiting · updated \d\d:\d\d:\d\d",
        page.summary.text(),
    )

    closed = apply(
        world.store,
        Operation(
            "close", "alice", {"interaction": str(interaction), "fence": claimed.result["fence"]}
        ),
    )
    assert closed.applied, closed.reason
    with qtbot.waitSignal(page.updated, timeout=5_000) as updated:
        pass
    shot: Snapshot = updated.args[0]
    assert [a.handled_today for a in shot.agents if a.name == "alice"] == [1]
    qtbot.waitUntil(lambda: _texts(page.agents, "alice")[5] == "1", timeout=5_000)
    assert re.fullmatch(r"\d+ s", _texts(page.agents, "alice")[6])
    assert _texts(page.agents, "bob")[6] == "0 s"
    assert _row(page.queues, "Default")[5] == 1


def test_an_idle_store_is_not_read_again(qtbot: QtBot, page: MonitoringPage) -> None:
    """Only the one-row version is polled while nothing changes: no snapshot is re-read."""
    shown = page.snapshot
    with qtbot.waitSignal(page.updated, timeout=2_500, raising=False) as updated:
        pass
    assert not updated.signal_triggered
    assert page.snapshot is shown


def test_fetch_errors_show_per_account(qtbot: QtBot, page: MonitoringPage, world: World) -> None:
    with world.store.write() as session:
        support = session.get(EmailAccount, world.support)
        assert support is not None
        support.imap_host = "imap.acme.test"
        session.add(
            FolderState(account_id=world.support, folder="INBOX", last_error="connection refused")
        )
    qtbot.waitUntil(
        lambda: _row(page.accounts, "support")[5] == "connection refused", timeout=5_000
    )
    assert _texts(page.accounts, "support")[4] == "never"


def test_time_in_state_is_written_for_people() -> None:
    assert [duration(s) for s in (0, 59, 61, 3600, 3 * 3600 + 5 * 60 + 9)] == [
        "0 s",
        "59 s",
        "1 min 01 s",
        "1 h 00 min",
        "3 h 05 min",
    ]


def test_rows_model_passes_qtmodeltester(qtmodeltester: object, page: MonitoringPage) -> None:
    qtmodeltester.check(page.agents)  # type: ignore[attr-defined]
    qtmodeltester.check(page.queues)  # type: ignore[attr-defined]
    qtmodeltester.check(page.views["agents"].model())  # type: ignore[attr-defined]


def test_the_wallboard_is_a_separate_window_that_closes_with_the_page(
    qtbot: QtBot, page: MonitoringPage
) -> None:
    page.wallboard_button.click()
    (board,) = page._wallboards
    assert board.isWindow() and board.isVisible()
    assert board.font().pointSizeF() > page.font().pointSizeF()
    qtbot.waitUntil(lambda: board.snapshot is not None, timeout=10_000)
    page.shutdown()
    assert page._wallboards == []
