"""Team mode in the real window against a real central PostgreSQL (a private cluster that the
tests stop and start): the first-sync bar, the offline banner with the pending count, and the
notice of a refused operation."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app import policy
from app.context import open_local
from app.services import push
from app.services.agents import add_agent
from app.services.operations import Operation
from app.services.team import TeamLink
from app.settings import set_value
from storage.engine import Store
from storage.models import Agent, Interaction
from tests.app.workflow import make_world
from tests.servers.central import CentralCluster
from ui.background import BackgroundWorker
from ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.pg, pytest.mark.slow]

WAIT_MS = 60_000
DANA_PASSWORD = "dana-secret-424"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[CentralCluster]:
    server = CentralCluster(tmp_path / "pg")
    yield server
    server.stop()


@pytest.fixture
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(policy.POLICY_ENV, str(tmp_path / "no-policy.toml"))
    policy.current.cache_clear()
    yield
    monkeypatch.undo()
    policy.current.cache_clear()


@pytest.fixture
def central_url(cluster: CentralCluster, data_dir: Path, no_policy: None) -> Iterator[str]:
    """A central database with a small contact centre, named in the desk's settings."""
    url = cluster.migrated_database()
    central = Store(url)
    try:
        world = make_world(central)
        world.interaction()
        add_agent(central, "dana", accounts=["support"], password=DANA_PASSWORD)
        with central.connect() as conn:  # synchronous_commit=off: survive the crash below
            conn.execute(text("CHECKPOINT"))
    finally:
        central.dispose()
    ctx = open_local(data_dir)
    try:
        with ctx.store.write() as session:
            set_value(session, "global", "central_url", url)
    finally:
        ctx.close()
    yield url


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, central_url: str) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


def _link(window: MainWindow) -> TeamLink:
    link = window.team_link
    assert link is not None
    return link


def test_the_first_sync_shows_a_progress_bar_that_reaches_100_and_hides(
    qtbot: QtBot, data_dir: Path, central_url: str
) -> None:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    bar = window._team_status.progress
    values: list[int] = []
    labels: list[str] = []
    bar.valueChanged.connect(values.append)
    window._team_bridge.status_changed.connect(
        lambda _s: labels.append(window._team_status.label.text())
    )
    window.show()
    try:
        qtbot.waitUntil(lambda: window.team_link is not None, timeout=WAIT_MS)
        assert window._team_status.isVisible()
        qtbot.waitUntil(
            lambda: _link(window).status.contacted and not bar.isVisible(), timeout=WAIT_MS
        )
        assert values and values[-1] == 100, values
        assert any(label.startswith("Synchronising… ") for label in labels), labels
        assert "Central database connected" in window._team_status.label.text()
        assert not window._offline_banner.isVisible()
        ctx = open_local(data_dir)
        try:
            with ctx.store.read() as session:
                assert (
                    session.execute(select(func.count()).select_from(Agent)).scalar_one() == 5
                )  # with dana
        finally:
            ctx.close()
    finally:
        window.shutdown()
    assert not _link(window).is_alive(), "closing the window stops the link"


def test_offline_banner_counts_waiting_operations_and_goes_when_the_centre_is_back(
    qtbot: QtBot, window: MainWindow, cluster: CentralCluster, central_url: str
) -> None:
    central = Store(central_url)
    stop_appliers = threading.Event()
    appliers = push.start_appliers(central, stop_appliers, threads=1)
    banner = window._offline_banner
    try:
        qtbot.waitUntil(lambda: window.team_link is not None, timeout=WAIT_MS)
        link = _link(window)
        qtbot.waitUntil(lambda: link.status.online, timeout=WAIT_MS)
        assert not banner.isVisible()
        with central.read() as session:
            interaction = session.execute(select(Interaction.id)).scalar_one()

        cluster.crash()
        for n in range(3):
            note = {"interaction": str(interaction), "body": f"Offline note {n}"}
            link.submit(Operation("note", "sam", note))
        qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: (
                banner.text.text()
                == "Offline — 3 operations waiting to be sent; they will go when the central "
                "database is back"
            ),
            timeout=WAIT_MS,
        )
        assert "background" in banner.styleSheet(), "a coloured bar, not a tooltip"
        assert window._team_status.label.text() == "Offline · 3 operations waiting"

        cluster.restart()
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: link.status.pending == 0, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "pending" not in window._team_status.label.text(), timeout=WAIT_MS)

        # A refusal that settles is shown with the central database's reason.
        refused = window._rejection_bar
        assert not refused.isVisible()
        missing = {"interaction": str(uuid.uuid4()), "body": "Lost"}
        link.submit(Operation("note", "sam", missing))
        qtbot.waitUntil(refused.isVisible, timeout=WAIT_MS)
        assert refused.text.text().startswith("The central database refused an operation: ")
        assert len(refused.text.text()) > len("The central database refused an operation: ")
    finally:
        stop_appliers.set()
        for thread in appliers:
            thread.join(timeout=30)
        central.dispose()


def test_the_desk_sends_its_operations_to_the_central_database_and_settles_them(
    qtbot: QtBot, window: MainWindow, cluster: CentralCluster, central_url: str
) -> None:
    central = Store(central_url)
    stop_appliers = threading.Event()
    appliers = push.start_appliers(central, stop_appliers, threads=1)
    desk = window._desk
    try:
        qtbot.waitUntil(lambda: window.team_link is not None, timeout=WAIT_MS)
        link = _link(window)
        qtbot.waitUntil(lambda: link.status.online, timeout=WAIT_MS)  # first sync done
        qtbot.waitUntil(desk.sign_in_button.isEnabled, timeout=WAIT_MS)
        qtbot.keyClicks(desk.name, "dana")
        qtbot.keyClicks(desk.password, DANA_PASSWORD)
        with qtbot.waitSignal(desk.signed_in, timeout=WAIT_MS):
            qtbot.mouseClick(desk.sign_in_button, Qt.MouseButton.LeftButton)
        assert desk.agent is not None
        dana = desk.agent.agent_id
        with central.read() as session:
            interaction = session.execute(select(Interaction.id)).scalar_one()
        desk.show_interaction(interaction)
        qtbot.waitUntil(desk.accept_button.isEnabled, timeout=WAIT_MS)

        qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
        assert desk.message.text() == "Sent; waiting for the central database…"
        qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=WAIT_MS)
        assert desk.message.text() == ""
        with central.read() as session:
            holder = session.execute(
                select(Interaction.claimed_by_id).where(Interaction.id == interaction)
            ).scalar_one()
        assert holder == dana, "claimed by the central database, not only on this desk"

        # Offline, the release waits in the outbox, counted in the banner, and goes later.
        cluster.crash()
        qtbot.mouseClick(desk.release_button, Qt.MouseButton.LeftButton)
        banner = window._offline_banner
        qtbot.waitUntil(
            lambda: banner.isVisible() and "1 operation waiting" in banner.text.text(),
            timeout=WAIT_MS,
        )
        assert desk.state is not None and desk.state.mine, "nothing applied locally meanwhile"
        cluster.restart()
        qtbot.waitUntil(lambda: desk.state is not None and not desk.state.mine, timeout=WAIT_MS)
        assert not banner.isVisible()
        with central.read() as session:
            holder = session.execute(
                select(Interaction.claimed_by_id).where(Interaction.id == interaction)
            ).scalar_one()
        assert holder is None
    finally:
        stop_appliers.set()
        for thread in appliers:
            thread.join(timeout=30)
        central.dispose()


def test_in_team_mode_the_desktop_runs_no_mail_worker_of_its_own(
    data_dir: Path, no_policy: None
) -> None:
    ctx = open_local(data_dir)
    try:
        with ctx.store.write() as session:
            set_value(session, "global", "central_url", "postgresql://db.example.com/relaydesk")
    finally:
        ctx.close()
    worker = BackgroundWorker(data_dir)
    worker.start()
    worker.stop()
    assert worker.team_mode and worker.stats is None and worker.error == ""
