"""The relaydesk command as a newcomer and a script use it: real processes, real servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.demo.corpus import generate_corpus, hostile_messages
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def relaydesk(
    data_dir: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def _add_account(data_dir: Path, user: ImapUser, password: str | None = None) -> None:
    result = relaydesk(
        data_dir,
        "account",
        "add",
        "support",
        "--email",
        "support@acme.test",
        "--imap-host",
        user.server.host,
        "--imap-port",
        str(user.server.port),
        "--imap-security",
        "starttls",
        "--username",
        user.name,
        "--password-stdin",
        stdin=(password if password is not None else user.password) + "\nignored second line\n",
        env={"SSL_CERT_FILE": str(user.server.cert_path)},
    )
    assert result.returncode == 0, result.stderr


def _env(user: ImapUser) -> dict[str, str]:
    return {"SSL_CERT_FILE": str(user.server.cert_path)}


def test_usage_errors_exit_2(data_dir: Path) -> None:
    assert relaydesk(data_dir, "frobnicate").returncode == 2
    missing = relaydesk(data_dir, "account", "add", "x", "--username", "u")
    assert missing.returncode == 2 and "--email" in missing.stderr


def test_configuration_errors_are_one_line_without_traceback(data_dir: Path) -> None:
    result = relaydesk(
        data_dir,
        "account",
        "add",
        "x",
        "--email",
        "x@acme.test",
        "--username",
        "u",
        "--imap-host",
        "h",
        "--key",
        "TOOLONG",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "Key must be at most 5 characters (got 7)."
    unknown = relaydesk(data_dir, "account", "remove", "nobody")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "There is no email account named 'nobody'.",
    )


def test_account_list_json_and_default_project(data_dir: Path) -> None:
    added = relaydesk(
        data_dir,
        "account",
        "add",
        "sales",
        "--email",
        "sales@acme.test",
        "--username",
        "s",
        "--service",
        "outlook365",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    listed = json.loads(relaydesk(data_dir, "account", "list", "--json").stdout)
    assert [(a["name"], a["project"], a["imap"]["host"], a["smtp"]["port"]) for a in listed] == [
        ("sales", "Default", "outlook.office365.com", 587)
    ]
    projects = json.loads(relaydesk(data_dir, "project", "list", "--json").stdout)
    assert [(p["name"], p["key"], p["time_zone"]) for p in projects] == [("Default", "DEF", "UTC")]


@pytest.mark.imap
def test_verify_reports_the_failing_step(data_dir: Path, imap_user: ImapUser) -> None:
    _add_account(data_dir, imap_user)
    ok = relaydesk(data_dir, "account", "verify", "support", env=_env(imap_user))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("IMAP OK: ")
    bad_dir = data_dir / "other"
    _add_account(bad_dir, imap_user, password="wrong-password")
    bad = relaydesk(bad_dir, "account", "verify", "support", env=_env(imap_user))
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("IMAP authentication failed: ")
    assert "Traceback" not in bad.stderr


@pytest.mark.imap
def test_fetch_once_ingests_the_whole_mailbox_and_a_second_run_adds_nothing(
    data_dir: Path, imap_user: ImapUser
) -> None:
    corpus = generate_corpus(120, seed=12)
    hostile = hostile_messages()
    imap_user.server.append_many(imap_user.name, [m.raw for m in corpus] + [r for _, r in hostile])
    total = len(corpus) + len(hostile)
    _add_account(data_dir, imap_user)

    first = relaydesk(data_dir, "fetch", "--once", env=_env(imap_user))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].startswith(f"fetched {total} new, 0 updated in ")
    assert "[" not in first.stderr, "no progress bar when stderr is not a terminal"
    second = relaydesk(data_dir, "fetch", "--once", env=_env(imap_user))
    assert second.stdout.strip().splitlines()[-1].startswith("fetched 0 new, 0 updated in ")

    rows = json.loads(relaydesk(data_dir, "interactions", "list", "--json").stdout)
    assert sum(r["message_count"] for r in rows) == total
    assert {"id", "account", "subject", "customer", "language", "message_count", "status"} <= set(
        rows[0]
    )
    assert {r["account"] for r in rows} == {"support"}
    limited = json.loads(
        relaydesk(data_dir, "interactions", "list", "--json", "--limit", "3").stdout
    )
    assert len(limited) == 3


@pytest.mark.imap
def test_kill_9_mid_ingest_then_resume_loses_and_duplicates_nothing(
    data_dir: Path, imap_user: ImapUser
) -> None:
    corpus = generate_corpus(600, seed=13)
    imap_user.server.append_many(imap_user.name, [m.raw for m in corpus])
    _add_account(data_dir, imap_user)
    assert relaydesk(data_dir, "settings", "set", "fetch_batch_size", "10").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), "fetch", "--once", "--no-pool"],
        cwd=ROOT,
        env={**os.environ, **_env(imap_user)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Kill once some batches are committed and before the end.
        deadline = time.monotonic() + 120
        while _stored_messages(data_dir) < 50:
            assert proc.poll() is None, "fetch finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    partial = _stored_messages(data_dir)
    assert 0 < partial < 600

    resumed = relaydesk(data_dir, "fetch", "--once", env=_env(imap_user))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1].startswith(f"fetched {600 - partial} new")
    assert _stored_messages(data_dir) == 600
    assert _distinct_raw(data_dir) == 600


@pytest.mark.imap
def test_two_fetch_processes_at_once(data_dir: Path, imap_user: ImapUser) -> None:
    corpus = generate_corpus(300, seed=14)
    imap_user.server.append_many(imap_user.name, [m.raw for m in corpus])
    _add_account(data_dir, imap_user)
    assert relaydesk(data_dir, "settings", "set", "fetch_batch_size", "25").returncode == 0
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "--data-dir", str(data_dir), "fetch", "--once"],
            cwd=ROOT,
            env={**os.environ, **_env(imap_user)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outputs]
    assert _stored_messages(data_dir) == 300 and _distinct_raw(data_dir) == 300


def _sqlite(data_dir: Path, query: str) -> int:
    import sqlite3

    path = data_dir / "relaydesk.sqlite3"
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(query).fetchone()[0])
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def _stored_messages(data_dir: Path) -> int:
    return _sqlite(data_dir, "SELECT count(*) FROM messages")


def _distinct_raw(data_dir: Path) -> int:
    return _sqlite(
        data_dir,
        "SELECT count(DISTINCT raw_hash) FROM mailbox_entries e "
        "JOIN messages m ON m.id = e.message_id",
    )


@pytest.mark.imap
def test_verify_smtp_names_the_step(
    data_dir: Path, smtp_server: SmtpServer, dovecot: DovecotServer
) -> None:
    env = {"SSL_CERT_FILE": str(dovecot.cert_path)}  # the SMTP server shares its certificate
    for name, password in (("good", "smtp-pw"), ("bad", "nope")):
        added = relaydesk(
            data_dir,
            "account",
            "add",
            name,
            "--email",
            "noreply@acme.test",
            "--smtp-host",
            smtp_server.host,
            "--smtp-port",
            str(smtp_server.port),
            "--smtp-security",
            "starttls",
            "--username",
            "smtp@example.test",
            "--password-stdin",
            stdin=password + "\n",
        )
        assert added.returncode == 0, added.stderr
    good = relaydesk(data_dir, "account", "verify", "good", env=env)
    assert (good.returncode, good.stdout.strip()) == (
        0,
        f"SMTP OK: {smtp_server.host}:{smtp_server.port} as smtp@example.test",
    ), good.stderr
    bad = relaydesk(data_dir, "account", "verify", "bad", env=env)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == (
        "SMTP authentication failed: 5.7.8 Bad credentials"
    )


@pytest.mark.imap
def test_progress_bar_only_on_a_terminal(data_dir: Path, imap_user: ImapUser) -> None:
    import pty

    imap_user.server.append_many(imap_user.name, [m.raw for m in generate_corpus(30, seed=15)])
    _add_account(data_dir, imap_user)
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "--data-dir", str(data_dir), "fetch", "--once"],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, **_env(imap_user)},
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"30/30" in drawn and b"[####" in drawn
    assert result.stdout.strip().startswith("fetched 30 new, 0 updated in ")


@pytest.mark.imap
def test_fetch_without_once_stays_connected_until_terminated(
    data_dir: Path, imap_user: ImapUser
) -> None:
    _add_account(data_dir, imap_user)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), "fetch"],
        cwd=ROOT,
        env={**os.environ, **_env(imap_user)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        corpus = generate_corpus(2, seed=16)
        imap_user.server.append(imap_user.name, corpus[0].raw)
        deadline = time.monotonic() + 60
        while _stored_messages(data_dir) < 1:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        imap_user.server.append(imap_user.name, corpus[1].raw)
        while _stored_messages(data_dir) < 2:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip().splitlines()[-1].startswith("fetched 2 new, 0 updated in ")


def test_a_damaged_store_is_a_sentence_not_a_traceback(data_dir: Path) -> None:
    (data_dir / "relaydesk.sqlite3").write_bytes(b"this is not sqlite" * 100)
    result = relaydesk(data_dir, "account", "list")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is not a Relaydesk store or is damaged" in result.stderr


def test_a_bug_gives_one_line_and_a_crash_report(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import cli

    def broken(args: object, ctx: object) -> int:
        raise RuntimeError("a bug, with password=hunter2 in its message")

    monkeypatch.setenv("RELAYDESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setitem(cli.COMMANDS, ("account", "list"), broken)
    try:
        code = cli.main(["--data-dir", str(data_dir), "account", "list"])
    finally:
        from app import logs

        logs.setup(to_file=False)
    err = capsys.readouterr().err
    assert code == 70 and "Traceback" not in err
    line = err.strip().splitlines()[-1]
    [report] = list((tmp_path / "logs").glob("crash-*.txt"))
    assert line.startswith("Relaydesk hit an internal error") and str(report) in line
    text = report.read_text()
    assert "Traceback" in text and "RuntimeError" in text and "hunter2" not in text
