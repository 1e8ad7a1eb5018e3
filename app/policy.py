"""The IT policy file: presets and locked settings for every user of a machine.

Read from ``RELAYDESK_POLICY`` if set, else ``/etc/relaydesk/policy.toml`` (Linux, macOS) or
``%ProgramData%\\Relaydesk\\policy.toml`` (Windows). A malformed file is reported with its
line and ignored as a whole, never half-applied.

    central_url = "postgresql://db.example.com/relaydesk"
    allow_local_admin = false
    locked = ["oauth_microsoft_client_id", "undo_send_seconds"]

    [settings]
    oauth_microsoft_client_id = "00000000-0000-0000-0000-000000000000"
    undo_send_seconds = 15
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("app")

POLICY_ENV = "RELAYDESK_POLICY"


@dataclass(frozen=True)
class Policy:
    settings: dict[str, Any] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    central_url: str | None = None
    allow_local_admin: bool = True
    source: str = ""
    problem: str = ""  # why the file was ignored, for the status bar and the log


def policy_path() -> Path:
    chosen = os.environ.get(POLICY_ENV)
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Relaydesk" / "policy.toml"
    return Path("/etc/relaydesk/policy.toml")


def parse(text: str, source: str) -> Policy:
    """A policy from TOML text; any error means no policy at all, with the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Policy(source=source, problem=f"{source} is malformed ({exc}); it is ignored.")
    from app.settings import REGISTRY, SettingError  # the registry validates presets

    problems = []
    settings: dict[str, Any] = {}
    for key, raw in dict(data.get("settings", {})).items():
        spec = REGISTRY.get(("global", key))
        if spec is None:
            problems.append(f"unknown setting {key!r}")
            continue
        try:
            settings[key] = spec.validate(raw)
        except SettingError as exc:
            problems.append(str(exc))
    locked = data.get("locked", [])
    if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
        problems.append("'locked' must be a list of setting names")
        locked = []
    unknown = [k for k in locked if ("global", k) not in REGISTRY]
    problems += [f"cannot lock unknown setting {k!r}" for k in unknown]
    central = data.get("central_url")
    if central is not None and not isinstance(central, str):
        problems.append("'central_url' must be a string")
    admin = data.get("allow_local_admin", True)
    if not isinstance(admin, bool):
        problems.append("'allow_local_admin' must be true or false")
    if problems:
        return Policy(source=source, problem=f"{source} is ignored: " + "; ".join(problems) + ".")
    return Policy(settings, frozenset(locked), central, admin, source)


@functools.lru_cache(maxsize=1)
def current() -> Policy:
    path = policy_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except OSError as exc:
        return Policy(source=str(path), problem=f"{path} cannot be read ({exc.strerror}).")
    policy = parse(text, str(path))
    if policy.problem:
        log.error("%s", policy.problem)
    return policy


def reload() -> Policy:
    current.cache_clear()
    return current()
