"""Schema migrations: upgrade a store to the current revision, backing up SQLite first."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from storage.engine import StoreError

log = logging.getLogger("db")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def revision_module(revision: str) -> ModuleType:
    """A migration's module as alembic loaded it (a downgrade that restores what an earlier
    revision created takes that revision's text from there)."""
    script = ScriptDirectory.from_config(_config()).get_revision(revision)
    assert script is not None
    return script.module


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo the migrations above ``revision`` in one transaction (tests of a migration)."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def backup_sqlite(path: Path, label: str) -> Path:
    """A consistent copy of a live SQLite file (the backup API copes with WAL)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.before-{label}-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def ensure_current(engine: Engine, *, backup: bool = True) -> str | None:
    """Bring the schema to head; return the backup file made (SQLite), if any.

    Refuses a store written by a newer version instead of guessing at its schema.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and current not in known_revisions():
        raise StoreError(
            f"The store at {engine.url.render_as_string(hide_password=True)} was written by a "
            f"newer Relaydesk (schema {current}); upgrade Relaydesk to open it."
        )
    backup_path: Path | None = None
    if backup and engine.dialect.name == "sqlite" and engine.url.database:
        path = Path(engine.url.database)
        has_tables = bool(inspect(engine).get_table_names())
        if path.exists() and has_tables:
            backup_path = backup_sqlite(path, current or "unversioned")
            log.info("backed up the store to %s before upgrading", backup_path)
    log.info("upgrading schema %s -> %s", current, head)
    upgrade(engine)
    return str(backup_path) if backup_path else None
