"""The worker's systemd unit, and secrets handed over as systemd credentials.

The unit is checked with ``systemd-analyze verify`` where systemd is installed (else parsed),
and a real ``relaydesk fetch`` logs in to Dovecot with a password found only in
$CREDENTIALS_DIRECTORY, laid out as the unit's ``LoadCredential=`` of a folder lays it out.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.dovecot import ImapUser

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "packaging" / "linux" / "relaydesk-worker.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_the_worker_with_credentials_and_no_secret_in_it() -> None:
    unit = _unit()
    service = unit["Service"]
    assert service["ExecStart"].split()[1:] == ["worker"]
    assert service["LoadCredential"] == "relaydesk:/etc/relaydesk/credentials"
    assert service["DynamicUser"] == "yes" and service["StateDirectory"] == "relaydesk"
    assert "RELAYDESK_DATA_DIR=/var/lib/relaydesk" in UNIT.read_text()
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    text = UNIT.read_text().lower()
    assert "password=" not in text and "token=" not in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: point it at this checkout's relaydesk command.
    command = Path(sys.executable).with_name("relaydesk")
    assert command.exists(), "pip install -e . puts the relaydesk command beside python"
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/usr/bin/relaydesk", str(command)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    # verify exits 0 on unknown keys and only warns: any output at all is a failure.
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert not result.stdout.strip(), result.stdout


def _relaydesk(
    data: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **env},
    )


@pytest.mark.imap
def test_the_worker_logs_in_with_a_password_from_credentials_directory(
    tmp_path: Path, imap_user: ImapUser
) -> None:
    imap_user.server.append(imap_user.name, b"From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n")
    data = tmp_path / "data"
    tls = {"SSL_CERT_FILE": str(imap_user.server.cert_path)}
    added = _relaydesk(
        data,
        "account", "add", "support", "--email", "support@acme.test",
        "--imap-host", imap_user.server.host, "--imap-port", str(imap_user.server.port),
        "--imap-security", "starttls", "--username", imap_user.name, "--json",
        **tls,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    account_id = json.loads(added.stdout)["id"]
    # As on a server: no keyring at all, so the password can only come from the credential.
    server = {**tls, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    without = _relaydesk(data, "fetch", "--once", **server)
    assert without.returncode == 1

    credentials = tmp_path / "credentials"  # what systemd makes of LoadCredential=relaydesk:DIR
    credentials.mkdir(mode=0o700)
    (credentials / f"relaydesk_{account_id}.password").write_text(imap_user.password + "\n")
    fetched = _relaydesk(data, "fetch", "--once", CREDENTIALS_DIRECTORY=str(credentials), **server)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.strip().splitlines()[-1].startswith("fetched 1 new")
    stored = (data / "relaydesk.sqlite3").read_bytes()
    assert imap_user.password.encode() not in stored, "the secret never reaches the store"
