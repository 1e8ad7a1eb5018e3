"""Unattended first start for IT images: a checked file, applied whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app import first_run, policy
from app.context import AppContext
from app.first_run import FirstRunError
from app.services.agents import verify_password
from app.settings import get_value
from storage.models import Agent, Event

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
language = "it"
central_url = "postgresql://relaydesk@db.example.test/relaydesk"

[supervisor]
name = "sam"
full_name = "Sam Rossi"
email = "sam@example.test"
password_file = "sam.password"

[settings]
undo_send_seconds = 25
fetch_batch_size = 500
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "image"
    folder.mkdir()
    (folder / "sam.password").write_text("correct horse battery\n")
    return folder


def _write(folder: Path, text: str) -> Path:
    path = folder / "first-run.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_first_run_file_sets_settings_and_the_first_supervisor(
    ctx: AppContext, config_dir: Path
) -> None:
    config = first_run.load(_write(config_dir, GOOD))
    result = first_run.apply(ctx.store, config)
    assert result.supervisor_created and result.supervisor == "sam"
    assert "added supervisor sam" in result.summary()
    with ctx.store.read() as session:
        assert get_value(session, "global", "language") == "it"
        assert get_value(session, "global", "undo_send_seconds") == 25
        assert get_value(session, "global", "fetch_batch_size") == 500
        assert get_value(session, "global", "central_url").endswith("@db.example.test/relaydesk")
        sam = session.execute(select(Agent).where(Agent.name == "sam")).scalar_one()
        assert (sam.role, sam.full_name, sam.email) == (
            "supervisor",
            "Sam Rossi",
            "sam@example.test",
        )
        # The password file's trailing newline is not part of the password.
        assert verify_password("correct horse battery", sam.password_hash)
        kinds = session.execute(select(Event.kind)).scalars().all()
        assert "first_run.apply" in kinds


def test_running_it_again_keeps_the_supervisor_and_resets_the_settings(
    ctx: AppContext, config_dir: Path
) -> None:
    path = _write(config_dir, GOOD)
    first_run.apply(ctx.store, first_run.load(path))
    with ctx.store.read() as session:
        before = session.execute(select(Agent.password_hash).where(Agent.name == "sam")).scalar()
    (config_dir / "sam.password").write_text("another password entirely")
    again = first_run.apply(ctx.store, first_run.load(path))
    assert not again.supervisor_created and "kept existing supervisor sam" in again.summary()
    with ctx.store.read() as session:
        after = session.execute(select(Agent.password_hash).where(Agent.name == "sam")).scalar()
        assert len(session.execute(select(Agent).where(Agent.name == "sam")).all()) == 1
    assert after == before


def test_every_problem_is_listed_and_nothing_is_written(ctx: AppContext, config_dir: Path) -> None:
    bad = """
language = "Italiano!"
central_url = "postgresql://relaydesk:hunter2@db.example.test/relaydesk"
colour = "blue"

[supervisor]
name = "sam"
password = "inline-secret"

[settings]
undo_send_seconds = 500
no_such_setting = 1
"""
    with pytest.raises(FirstRunError) as caught:
        first_run.load(_write(config_dir, bad))
    message = str(caught.value)
    assert "nothing was changed" in message
    for expected in (
        "unknown keys colour",
        "language: Language must be a language code",
        "central_url: Central database",
        "must not contain a password",
        "[settings] undo_send_seconds: Undo send window (sec) must be between 0 and 120 (got 500)",
        "[settings] no_such_setting is not a global setting",
        "[supervisor] password is not accepted",
    ):
        assert expected in message, message
    assert "hunter2" not in message and "inline-secret" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('language = "it"\nlanguage = "en"\n', "is not valid TOML"),
        ("[supervisor]\nname = 'sam'\n", "needs exactly one of password_file or password_env"),
        ("[supervisor]\nname = 'sam'\npassword_file = 'missing'\n", "cannot be read (No such"),
        ("[supervisor]\nname = 'sam'\npassword_env = 'RELAYDESK_NO_SUCH_VAR'\n", "is not set"),
        ("[supervisor]\npassword_file = 'sam.password'\n", "needs a name"),
        (
            "[supervisor]\nname = 'sam'\npassword_file = 'sam.password'\nrole = 'x'\n",
            "unknown keys role",
        ),
        ("settings = 3\n", "[settings] must be a table"),
        ('language = "it"\n[settings]\nlanguage = "en"\n', "language is given twice"),
    ],
)
def test_specific_errors(config_dir: Path, text: str, expected: str) -> None:
    with pytest.raises(FirstRunError) as caught:
        first_run.load(_write(config_dir, text))
    assert expected in str(caught.value)


def test_a_setting_locked_by_the_policy_is_refused(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "policy.toml"
    locked.write_text('locked = ["undo_send_seconds"]\n[settings]\nundo_send_seconds = 5\n')
    monkeypatch.setenv(policy.POLICY_ENV, str(locked))
    policy.reload()
    try:
        with pytest.raises(FirstRunError, match="undo_send_seconds is locked by the IT policy"):
            first_run.load(_write(config_dir, "[settings]\nundo_send_seconds = 30\n"))
    finally:
        monkeypatch.delenv(policy.POLICY_ENV)
        policy.reload()


def test_a_password_from_the_environment(ctx: AppContext, config_dir: Path) -> None:
    text = "[supervisor]\nname = 'ines'\npassword_env = 'RELAYDESK_TEST_SUPERVISOR_PW'\n"
    os.environ["RELAYDESK_TEST_SUPERVISOR_PW"] = "from the environment"
    try:
        config = first_run.load(_write(config_dir, text))
    finally:
        del os.environ["RELAYDESK_TEST_SUPERVISOR_PW"]
    first_run.apply(ctx.store, config)
    with ctx.store.read() as session:
        ines = session.execute(select(Agent).where(Agent.name == "ines")).scalar_one()
        assert verify_password("from the environment", ines.password_hash)


def test_an_existing_agent_of_that_name_rolls_everything_back(
    ctx: AppContext, config_dir: Path
) -> None:
    from app.services.agents import add_agent

    add_agent(ctx.store, "sam")  # an agent, not a supervisor
    with pytest.raises(FirstRunError, match="already exists as an agent"):
        first_run.apply(ctx.store, first_run.load(_write(config_dir, GOOD)))
    with ctx.store.read() as session:
        assert get_value(session, "global", "undo_send_seconds") == 10, "rolled back"
        assert get_value(session, "global", "language") == ""


def _relaydesk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **env},
    )


def test_the_command_line_applies_it_silently_and_exits(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "desk"
    path = _write(config_dir, GOOD)
    done = _relaydesk("--data-dir", str(data), "--first-run-config", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "first-run configuration applied: 4 settings (central_url, fetch_batch_size, language, "
        "undo_send_seconds); added supervisor sam"
    )
    assert done.stderr == ""
    listed = _relaydesk("--data-dir", str(data), "settings", "list")
    assert any(line.split()[:2] == ["language", "it"] for line in listed.stdout.splitlines())
    # The window's language comes from the setting unless --language or the variable says.
    assert first_run.window_language(data, None) == "it"
    assert first_run.window_language(data, "en") == "en"
    assert first_run.window_language(tmp_path / "new", None) is None


def test_a_bad_file_on_the_command_line_creates_no_store(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "desk"
    path = _write(config_dir, "[settings]\nundo_send_seconds = -1\n")
    bad = _relaydesk("--data-dir", str(data), "--first-run-config", str(path))
    assert bad.returncode == 1
    assert "must be between 0 and 120 (got -1)" in bad.stderr and "Traceback" not in bad.stderr
    assert not data.exists()
    missing = _relaydesk("--data-dir", str(data), "--first-run-config", str(tmp_path / "nope.toml"))
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        f"Cannot read the first-run file {tmp_path / 'nope.toml'}: No such file or directory.",
    )
    usage = _relaydesk("--data-dir", str(data), "--first-run-config", str(path), "demo")
    assert usage.returncode == 2 and "runs on its own" in usage.stderr
