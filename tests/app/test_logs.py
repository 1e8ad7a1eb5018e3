"""Logs never hold a secret; crash reports hold the traceback and recent lines."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import logs


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("login with password=hunter2 failed", "hunter2"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
        ("user=a@b\x01auth=Bearer ya29.token\x01\x01", "ya29.token"),
        ("> b'A1 LOGIN support@acme.test s3cr3t'", "s3cr3t"),
        ("AUTH PLAIN AHVzZXIAcGFzcw==", "AHVzZXIAcGFzcw=="),
        ("refresh_token: rt-abcdef", "rt-abcdef"),
    ],
)
def test_secrets_are_redacted(line: str, secret: str) -> None:
    assert secret not in logs.redact(line)


def test_log_file_and_crash_report_never_hold_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path))
    path = logs.setup(verbose=True)
    try:
        assert path == tmp_path / "relaydesk.log"
        logging.getLogger("imap").info("connecting with password=%s", "hunter2")
        try:
            raise RuntimeError("boom with token=abc123")
        except RuntimeError as exc:
            report = logs.write_crash_report(type(exc), exc, exc.__traceback__)
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
        crash = report.read_text()
        assert "connecting with password=***" in text and "hunter2" not in text
        assert "RuntimeError: boom with token=***" in crash and "abc123" not in crash
        assert "connecting with password=***" in crash  # recent lines come along
    finally:
        logs.setup(to_file=False)
