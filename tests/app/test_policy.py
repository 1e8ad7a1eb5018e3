"""The IT policy file: presets, locks, and a malformed file ignored as a whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import oauth, policy
from app.context import AppContext
from app.settings import SettingError, get_value, set_value

GOOD = """
allow_local_admin = false
locked = ["undo_send_seconds"]

[settings]
undo_send_seconds = 20
oauth_microsoft_client_id = "it-managed-client"
fetch_batch_size = 50
"""


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "policy.toml"
    monkeypatch.setenv(policy.POLICY_ENV, str(path))
    yield path
    monkeypatch.delenv(policy.POLICY_ENV)
    policy.reload()


def test_presets_and_locks(sqlite_ctx: AppContext, policy_file: Path) -> None:
    policy_file.write_text(GOOD)
    loaded = policy.reload()
    assert loaded.problem == "" and loaded.allow_local_admin is False
    with sqlite_ctx.store.write() as session:
        assert get_value(session, "global", "undo_send_seconds") == 20
        assert get_value(session, "global", "fetch_batch_size") == 50
        set_value(session, "global", "fetch_batch_size", 80)  # a preset, not a lock
        with pytest.raises(SettingError, match="locked by your IT policy"):
            set_value(session, "global", "undo_send_seconds", 0)
    with sqlite_ctx.store.read() as session:
        assert get_value(session, "global", "fetch_batch_size") == 80
        assert oauth.configured_provider(session, "outlook365").client_id == "it-managed-client"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("locked = [\n[settings\nundo_send_seconds = 20\n", "malformed"),
        ("[settings]\nundo_send_seconds = 999\n", "between 0 and 120"),
        ("[settings]\nno_such_thing = 1\n", "unknown setting 'no_such_thing'"),
    ],
)
def test_a_bad_file_is_ignored_as_a_whole(
    sqlite_ctx: AppContext, policy_file: Path, text: str, reason: str
) -> None:
    policy_file.write_text(GOOD.replace("[settings]", "") + "\n" + text)
    loaded = policy.reload()
    assert reason in loaded.problem and loaded.settings == {} and not loaded.locked
    with sqlite_ctx.store.read() as session:
        assert get_value(session, "global", "undo_send_seconds") == 10  # the default


def test_the_line_of_a_syntax_error_is_named(policy_file: Path) -> None:
    policy_file.write_text('central_url = "postgresql://db"\nlocked = [\n')
    assert "line" in policy.reload().problem
