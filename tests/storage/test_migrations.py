"""Migrations: the models match the migration head, and old stores upgrade with a backup."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from app.context import AppContext, open_local
from app.errors import ConfigError
from storage.engine import Store, sqlite_url
from storage.migrate import backup_sqlite, current_revision, ensure_current, head_revision
from storage.models import Base, Interaction, Message, OutboxItem, Project
from storage.search_index import include_name

DATA = Path(__file__).parent.parent / "data"


def test_models_and_migrations_agree(ctx: AppContext) -> None:
    """A model change without a migration (or the reverse) fails here, on both databases."""
    with ctx.store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_store_made_at_first_revision_upgrades_and_keeps_its_data(data_dir: Path) -> None:
    shutil.copy(DATA / "store-0001.sqlite3", data_dir / "relaydesk.sqlite3")
    ctx = open_local(data_dir)
    try:
        assert current_revision(ctx.store.engine) == head_revision() != "0001"
        backups = list(data_dir.glob("relaydesk.before-0001-*.sqlite3"))
        assert len(backups) == 1, "the old store is copied before it is upgraded"
        with ctx.store.read() as session:
            project = session.execute(select(Project)).scalar_one()
            interaction = session.execute(select(Interaction)).scalar_one()
            message = session.execute(select(Message)).scalar_one()
        assert (project.key, project.time_zone) == ("ACM", "Europe/Rome")
        assert interaction.subject == "Order 1234 missing"
        assert message.text_body == "Where is my order?"
        with ctx.store.write() as session:
            session.add(Project(name="After upgrade", key="AFT"))
        with ctx.store.read() as session:
            seqs = session.execute(select(Project.change_seq)).scalars().all()
        assert len(set(seqs)) == 2, "change markers continue after the old ones"
    finally:
        ctx.close()


def test_store_made_at_revision_0002_upgrades_with_its_outbox_and_list_indexes(
    data_dir: Path,
) -> None:
    shutil.copy(DATA / "store-0002.sqlite3", data_dir / "relaydesk.sqlite3")
    ctx = open_local(data_dir)
    try:
        assert current_revision(ctx.store.engine) == head_revision() != "0002"
        assert len(list(data_dir.glob("relaydesk.before-0002-*.sqlite3"))) == 1
        with ctx.store.read() as session:
            item = session.execute(select(OutboxItem)).scalar_one()
        assert (item.state, item.last_error) == ("failed", "550 mailbox unavailable")
        with ctx.store.connect() as conn:
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM interactions "
                        "ORDER BY last_activity_at DESC, id DESC LIMIT 50"
                    )
                )
            )
        assert "ix_interactions_activity" in plan, plan  # the list's first page reads an index
    finally:
        ctx.close()


def test_upgrade_backs_up_an_older_store_first(tmp_path: Path) -> None:
    path = tmp_path / "relaydesk.sqlite3"
    shutil.copy(DATA / "store-0001.sqlite3", path)
    store = Store(sqlite_url(path))
    with store.engine.begin() as conn:  # pretend the store predates revision 0001's stamp
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    backup = backup_sqlite(path, "0001")
    store.dispose()
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT count(*) FROM interactions").fetchone() == (1,)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    finally:
        copy.close()


def test_a_store_from_a_newer_version_is_refused_with_a_reason(data_dir: Path) -> None:
    path = data_dir / "relaydesk.sqlite3"
    shutil.copy(DATA / "store-0001.sqlite3", path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'f00d'")
    conn.commit()
    conn.close()
    with pytest.raises(ConfigError, match="newer Relaydesk"):
        open_local(data_dir)


def test_fresh_store_is_created_at_head(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path / "new.sqlite3"))
    assert ensure_current(store.engine) is None  # nothing to back up in a new file
    assert current_revision(store.engine) == head_revision()
    store.dispose()
