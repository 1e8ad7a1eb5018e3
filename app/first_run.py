"""Silent, unattended first start for IT images: ``relaydesk --first-run-config FILE``.

The file is TOML; everything in it is optional, but an unknown key is an error (a typo must
not pass silently)::

    language = "it"                                         # the window's language
    central_url = "postgresql://relaydesk@db.example.com/relaydesk"   # no password in it

    [supervisor]                                            # the first supervisor
    name = "sam"
    full_name = "Sam Rossi"
    email = "sam@example.com"
    password_file = "/run/relaydesk/sam.password"           # or password_env = "VAR"

    [settings]                                              # any global setting
    undo_send_seconds = 15

The whole file is checked before anything is written, and then written in one transaction:
a bad file is reported with every problem in it and changes nothing. Running it again is
safe: settings are set again and an existing supervisor of that name is left as it is.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import policy
from app.errors import UserError
from app.settings import REGISTRY, SettingError, set_value
from storage.engine import Store
from storage.models import Agent, Event

TOP_LEVEL = ("language", "central_url", "supervisor", "settings")
SUPERVISOR_KEYS = ("name", "full_name", "email", "password_file", "password_env")
LANGUAGE_ENV = "RELAYDESK_LANGUAGE"  # the same variable ui/i18n.py reads


class FirstRunError(UserError):
    """The first-run file cannot be used; the message lists every problem in it."""


@dataclass(frozen=True)
class Supervisor:
    name: str
    password: str = field(repr=False)
    full_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class FirstRunConfig:
    source: str
    settings: dict[str, Any] = field(default_factory=dict)
    supervisor: Supervisor | None = None


@dataclass(frozen=True)
class FirstRunResult:
    settings: tuple[str, ...]
    supervisor: str | None
    supervisor_created: bool

    def summary(self) -> str:
        parts = [f"{len(self.settings)} settings ({', '.join(self.settings) or 'none'})"]
        if self.supervisor is not None:
            verb = "added" if self.supervisor_created else "kept existing"
            parts.append(f"{verb} supervisor {self.supervisor}")
        return "first-run configuration applied: " + "; ".join(parts)


def _read_password(table: dict[str, Any], base: Path, problems: list[str]) -> str | None:
    if "password" in table:
        problems.append(
            "[supervisor] password is not accepted: a password does not belong in a file "
            "copied into images; use password_file or password_env"
        )
        return None
    file, env = table.get("password_file"), table.get("password_env")
    if (file is None) == (env is None):
        problems.append("[supervisor] needs exactly one of password_file or password_env")
        return None
    if file is not None:
        if not isinstance(file, str):
            problems.append("[supervisor] password_file must be a path")
            return None
        try:  # a relative path is relative to the first-run file
            text = (base / Path(file).expanduser()).read_text(encoding="utf-8")
        except OSError as exc:
            problems.append(f"[supervisor] password_file {file} cannot be read ({exc.strerror})")
            return None
        password = text[:-1] if text.endswith("\n") else text
    else:
        if not isinstance(env, str):
            problems.append("[supervisor] password_env must be the name of a variable")
            return None
        value = os.environ.get(env)
        if value is None:
            problems.append(f"[supervisor] password_env names ${env}, which is not set")
            return None
        password = value
    if len(password) < 8:
        problems.append("[supervisor] the password must have at least 8 characters")
        return None
    return password


def _supervisor(raw: Any, base: Path, problems: list[str]) -> Supervisor | None:
    if not isinstance(raw, dict):
        problems.append("[supervisor] must be a table")
        return None
    unknown = sorted(set(raw) - set(SUPERVISOR_KEYS) - {"password"})
    if unknown:
        problems.append(
            f"[supervisor] has unknown keys {', '.join(unknown)} "
            f"(known: {', '.join(SUPERVISOR_KEYS)})"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        problems.append("[supervisor] needs a name of at most 100 characters")
        name = None
    texts = {}
    for key in ("full_name", "email"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            problems.append(f"[supervisor] {key} must be text")
        texts[key] = str(value)
    password = _read_password(raw, base, problems)
    if name is None or password is None:
        return None
    return Supervisor(name.strip(), password, texts["full_name"], texts["email"])


def _setting(key: str, raw: Any, where: str, problems: list[str]) -> tuple[str, Any] | None:
    spec = REGISTRY.get(("global", key))
    if spec is None:
        problems.append(f"{where}{key} is not a global setting")
        return None
    if key in policy.current().locked:
        problems.append(f"{where}{key} is locked by the IT policy ({policy.current().source})")
        return None
    try:
        return key, spec.validate(raw)
    except SettingError as exc:
        problems.append(f"{where}{key}: {exc}")
        return None


def parse(text: str, source: str, base: Path | None = None) -> FirstRunConfig:
    """A checked configuration from TOML text, or a FirstRunError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FirstRunError(f"{source} is not valid TOML ({exc}); nothing was changed.") from exc
    problems: list[str] = []
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        problems.append(f"unknown keys {', '.join(unknown)} (known: {', '.join(TOP_LEVEL)})")
    settings: dict[str, Any] = {}
    for key in ("language", "central_url"):
        if key in data:
            checked = _setting(key, data[key], "", problems)
            if checked:
                settings[checked[0]] = checked[1]
    table = data.get("settings", {})
    if not isinstance(table, dict):
        problems.append("[settings] must be a table")
        table = {}
    for key, raw in table.items():
        if key in settings:
            problems.append(f"{key} is given twice (at the top and in [settings])")
            continue
        checked = _setting(key, raw, "[settings] ", problems)
        if checked:
            settings[checked[0]] = checked[1]
    folder = base if base is not None else Path.cwd()
    supervisor = _supervisor(data["supervisor"], folder, problems) if "supervisor" in data else None
    if problems:
        raise FirstRunError(
            f"{source} cannot be used, nothing was changed:\n  - " + "\n  - ".join(problems)
        )
    return FirstRunConfig(source, settings, supervisor)


def load(path: Path) -> FirstRunConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FirstRunError(f"Cannot read the first-run file {path}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise FirstRunError(f"{path} is not UTF-8 text ({exc.reason}).") from exc
    return parse(text, str(path), path.resolve().parent)


def apply(store: Store, config: FirstRunConfig) -> FirstRunResult:
    """Write the whole configuration in one transaction: all of it or, on error, none."""
    from app.services.agents import hash_password

    created = False
    with store.write() as session:
        for key, value in config.settings.items():
            try:
                set_value(session, "global", key, value)
            except SettingError as exc:  # locked since parse() checked: still all or nothing
                raise FirstRunError(f"{config.source}: {exc} Nothing was changed.") from exc
        wanted = config.supervisor
        if wanted is not None:
            existing = session.execute(select(Agent).where(Agent.name == wanted.name)).scalar()
            if existing is not None and existing.role != "supervisor":
                raise FirstRunError(
                    f"{config.source}: {wanted.name!r} already exists as an agent, not a "
                    "supervisor; choose another name. Nothing was changed."
                )
            if existing is None:
                agent = Agent(
                    name=wanted.name,
                    full_name=wanted.full_name,
                    email=wanted.email,
                    role="supervisor",
                    password_hash=hash_password(wanted.password),
                )
                session.add(agent)
                session.flush()
                created = True
                session.add(
                    Event(
                        kind="agent.add",
                        data={"agent": str(agent.id), "name": agent.name, "role": agent.role},
                    )
                )
        session.add(
            Event(
                kind="first_run.apply",
                data={
                    "source": config.source,
                    "settings": sorted(config.settings),
                    "supervisor": wanted.name if wanted else None,
                },
            )
        )
    return FirstRunResult(tuple(sorted(config.settings)), wanted.name if wanted else None, created)


def window_language(data_dir: Path, explicit: str | None) -> str | None:
    """The window's language: ``--language``, else $RELAYDESK_LANGUAGE, else the ``language``
    setting (first-run file, policy or settings page); None leaves it to the system locale."""
    if explicit or os.environ.get(LANGUAGE_ENV):
        return explicit
    from sqlalchemy.exc import SQLAlchemyError

    from app import paths
    from app.settings import get_value
    from storage.engine import sqlite_url

    path = paths.store_path(data_dir)
    if not path.exists():
        return None  # a new desk: the window creates the store
    store = Store(sqlite_url(path))
    try:
        with store.read() as session:
            return str(get_value(session, "global", "language") or "") or None
    except SQLAlchemyError:
        return None  # an old or damaged store: the window opens it and says what is wrong
    finally:
        store.dispose()
