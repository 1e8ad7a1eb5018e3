"""Test set-up shared by every package: offscreen Qt, a file keyring, real stores."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt or keyring: no screen, and secrets in a throwaway file.
_KEYRING_HOME = tempfile.mkdtemp(prefix="relaydesk-keyring-")
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
os.environ["XDG_DATA_HOME"] = _KEYRING_HOME
os.environ.pop("RELAYDESK_DATA_DIR", None)
os.environ["RELAYDESK_LOG_DIR"] = tempfile.mkdtemp(prefix="relaydesk-logs-")
os.environ["RELAYDESK_CACHE_DIR"] = tempfile.mkdtemp(prefix="relaydesk-cache-")

from sqlalchemy import text  # noqa: E402

from app import policy  # noqa: E402
from app.context import AppContext, open_local  # noqa: E402
from storage.blobs import open_local_blob_store  # noqa: E402
from storage.engine import Store  # noqa: E402
from storage.migrate import ensure_current  # noqa: E402
from storage.models import Base  # noqa: E402
from tests.servers.central import CentralCluster  # noqa: E402
from tests.servers.postgres import create_database, database_name, drop_database  # noqa: E402

pytest_plugins = ["tests.servers.fixtures"]


@pytest.fixture(autouse=True)
def _collected_in_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Widget tests collect garbage as the app does: in the GUI thread (ui/collector.py)."""
    if request.node.get_closest_marker("gui") is None and "qtbot" not in request.fixturenames:
        yield
        return
    from ui.collector import GuiThreadCollector

    request.getfixturevalue("qapp")
    collector = GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """A test that runs the CLI configures logging with a console handler on the stderr pytest
    captured for that test; left in place, later tests' warnings hit that closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def sqlite_ctx(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def pg_migrated(pg_admin_url: str) -> Iterator[str]:
    """One database migrated once per session; tests empty it after themselves."""
    url = create_database(pg_admin_url, prefix="relaydesk_s_")
    store = Store(url)
    ensure_current(store.engine)
    store.dispose()
    yield url
    drop_database(pg_admin_url, database_name(url))


@pytest.fixture
def pg_store_url(pg_migrated: str) -> Iterator[str]:
    """The migrated session database, emptied after the test (far faster than a new one)."""
    yield pg_migrated
    store = Store(pg_migrated)
    tables = ", ".join(
        [t.name for t in Base.metadata.sorted_tables if t.name != "change_counter"]
        + ["operation_waiters"]  # migration 0016's, not a model's
    )
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    store.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[AppContext]:
    """A migrated store on each database the product supports, with a local blob file."""
    if request.param == "sqlite":
        context = open_local(data_dir)
    else:
        store = Store(request.getfixturevalue("pg_store_url"))
        ensure_current(store.engine)
        context = AppContext(data_dir, store, open_local_blob_store(data_dir / "blobs.sqlite3"))
    yield context
    context.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[CentralCluster]:
    """A private PostgreSQL cluster for one test, which may crash and restart it; private
    because a pull waits for the oldest open transaction of the whole cluster."""
    server = CentralCluster(tmp_path / "pg")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralCluster]:
    """A private cluster for a module's tests that leave the server running."""
    server = CentralCluster(tmp_path_factory.mktemp("central"))
    yield server
    server.stop()


@pytest.fixture
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No IT policy file, whatever this machine has: the store's settings decide."""
    monkeypatch.setenv(policy.POLICY_ENV, str(tmp_path / "no-policy.toml"))
    policy.current.cache_clear()
    yield
    monkeypatch.undo()
    policy.current.cache_clear()
