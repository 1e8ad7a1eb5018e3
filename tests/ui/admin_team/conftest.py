"""Admin mode in team mode: a real window signed in as supervisor Sam through his database
role, against a private central PostgreSQL whose worker-side appliers run in the test.

The tests in this folder reach the admin pages as ``admin_panel.<page>`` and read what they
changed back from ``central`` (the worker's store), where only an operation can have put it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.context import open_local
from app.services import push
from app.services.db_roles import grant_agent
from app.services.sync import CentralConfig
from app.settings import set_value
from storage.blobs import SqlBlobStore
from storage.engine import Store
from tests.app.workflow import World, make_world
from tests.servers.central import CentralCluster
from tests.ui.team_desk import sign_in_with_role
from ui.admin.mode import AdminPanel
from ui.main_window import MainWindow

WAIT_MS = 60_000
SAM_ROLE = "rd_sam"
SAM_ROLE_PASSWORD = "sam-database-626"


@pytest.fixture
def central_world(
    cluster: CentralCluster, data_dir: Path, no_policy: None
) -> Iterator[tuple[Store, World]]:
    """The central database with a small contact centre, named in the desk's settings, and
    the worker's appliers running on it (as ``relaydesk worker --central`` does)."""
    url = cluster.migrated_database()
    central = Store(url)
    world = make_world(central)
    world.interaction()
    grant_agent(CentralConfig(url, "test"), "sam", SAM_ROLE, SAM_ROLE_PASSWORD)
    ctx = open_local(data_dir)
    try:
        with ctx.store.write() as session:
            set_value(session, "global", "central_url", url)
    finally:
        ctx.close()
    stop = threading.Event()
    threads = push.start_appliers(central, stop, threads=1, blobs=SqlBlobStore(central.engine))
    try:
        yield central, world
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        central.dispose()


@pytest.fixture
def team_window(
    qtbot: QtBot, data_dir: Path, central_world: tuple[Store, World]
) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


@pytest.fixture
def admin_panel(qtbot: QtBot, team_window: MainWindow) -> AdminPanel:
    """Sam signed in through the central database, in admin mode."""
    window = team_window
    qtbot.waitUntil(lambda: window.team_link is not None, timeout=WAIT_MS)
    link = window.team_link
    assert link is not None
    qtbot.waitUntil(lambda: link.status.online, timeout=WAIT_MS)  # the first sync is done
    sign_in_with_role(qtbot, window, SAM_ROLE, SAM_ROLE_PASSWORD)
    mode = window.admin_mode
    qtbot.waitUntil(mode.toggle.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(mode.entered, timeout=WAIT_MS):
        mode.toggle.trigger()
    panel = mode.panel
    assert panel is not None
    return panel
