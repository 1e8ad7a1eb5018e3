"""The Linux build: PyInstaller folder, tarball and .deb, and the frozen app actually runs.

Builds once per module into a temporary folder, so it never touches the developer's dist/
(about 1.5 min on an idle 2-core machine, 3 min when other tests share it). To test a build
made before instead: RELAYDESK_TEST_DIST=dist pytest tests/packaging/test_build.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from storage.migrate import head_revision
from tests.servers.dovecot import ImapUser

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "packaging" / "build.py"
APP_ID = "com.relaydesk.Relaydesk"

pytestmark = [
    pytest.mark.slow,
    # The first test waits for the build: ~1.5 min alone, 4.5 min on a machine busy with others.
    pytest.mark.timeout(900),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed"),
]


def _build_module():  # type: ignore[no-untyped-def]
    """packaging/ is not a package (it would shadow PyPI's ``packaging``): load it by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("relaydesk_build", BUILD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    existing = os.environ.get("RELAYDESK_TEST_DIST")
    if existing:  # test a build made before (packaging/build.py --out DIR) instead of building
        yield Path(existing)
        return
    pytest.importorskip("PyInstaller", reason="pip install -e '.[build]'")
    out = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    result = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out), "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test passed" in result.stdout
    yield out
    shutil.rmtree(work, ignore_errors=True)


def _run(exe: Path, *args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(exe), "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "RELAYDESK_LOG_DIR": str(data / "logs"), **env},
        cwd=data.parent,  # not the source tree: the frozen app must not find it
    )


def test_the_frozen_app_starts_headless_without_unexpected_errors(
    dist: Path, tmp_path: Path
) -> None:
    exe = dist / "relaydesk" / "relaydesk"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert (version.returncode, version.stdout.strip()) == (0, f"relaydesk {__version__}")
    started = _run(exe, "--quit-after-startup", data=tmp_path / "d", QT_QPA_PLATFORM="offscreen")
    assert started.returncode == 0, started.stderr
    assert _build_module().unexpected_stderr(started.stderr) == []
    assert (tmp_path / "d" / "relaydesk.sqlite3").exists()


def test_the_frozen_app_migrates_an_old_store_and_runs_headless_commands(
    dist: Path, tmp_path: Path
) -> None:
    """storage/migrations and alembic's files made it into the build: 0001 upgrades to head."""
    exe = dist / "relaydesk" / "relaydesk"
    data = tmp_path / "old"
    data.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "store-0001.sqlite3", data / "relaydesk.sqlite3")
    upgraded = _run(exe, "db", "upgrade", data=data)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.startswith(f"store schema at {head_revision()} ")
    assert list(data.glob("relaydesk.before-*.sqlite3")), "the upgrade backs the store up first"
    listed = _run(exe, "settings", "list", "--json", data=data)
    assert listed.returncode == 0, listed.stderr
    assert '"undo_send_seconds"' in listed.stdout


def test_the_frozen_app_applies_a_first_run_file(dist: Path, tmp_path: Path) -> None:
    exe = dist / "relaydesk" / "relaydesk"
    (tmp_path / "pw").write_text("correct horse battery\n")
    config = tmp_path / "first-run.toml"
    config.write_text(
        'language = "it"\n[supervisor]\nname = "sam"\npassword_file = "pw"\n'
        "[settings]\nundo_send_seconds = 20\n"
    )
    done = _run(exe, "--first-run-config", str(config), data=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert "added supervisor sam" in done.stdout


def test_the_frozen_app_keeps_a_password_in_the_file_keyring_servers_use(
    dist: Path, tmp_path: Path
) -> None:
    exe = dist / "relaydesk" / "relaydesk"
    data = tmp_path / "d"
    result = subprocess.run(
        [
            str(exe), "--data-dir", str(data), "account", "add", "support",
            "--email", "support@acme.test", "--imap-host", "imap.acme.test",
            "--username", "support", "--password-stdin",
        ],
        input="s3cret-in-the-keyring\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "xdg"),
            "RELAYDESK_LOG_DIR": str(tmp_path / "logs"),
        },
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [keyring_file] = (tmp_path / "xdg").rglob("keyring_pass.cfg")
    assert "relaydesk" in keyring_file.read_text(), "the entry is in the file keyring"
    assert b"s3cret-in-the-keyring" not in (data / "relaydesk.sqlite3").read_bytes()


def test_language_profiles_resources_and_no_unused_qt_modules(dist: Path) -> None:
    internal = dist / "relaydesk" / "_internal"
    profiles = internal / "langdetect" / "profiles"
    assert len(list(profiles.iterdir())) >= 50, "langdetect's language profiles"
    assert (internal / "resources" / "icons" / "relaydesk.svg").is_file()
    assert (internal / "storage" / "migrations" / "script.py.mako").is_file()
    assert (internal / "alembic" / "templates").is_dir()
    for source in (ROOT / "resources").rglob("*.qm"):
        assert (internal / source.relative_to(ROOT)).is_file(), f"{source.name} is missing"
    qt = internal / "PySide6" / "Qt" / "lib"
    for unused in ("Qml", "Quick", "WebEngineCore", "Multimedia", "Pdf", "3DCore", "Sql"):
        assert not list(qt.glob(f"libQt6{unused}.so*")), f"Qt{unused} should be excluded"
    assert not (internal / "PySide6" / "QtQml.abi3.so").exists()
    translations = {p.name.split("_")[0] for p in (internal / "PySide6/Qt/translations").iterdir()}
    assert translations <= {"qtbase"}


def test_the_tarball_holds_the_folder_and_desktop_integration(dist: Path, tmp_path: Path) -> None:
    [tarball] = dist.glob(f"relaydesk-{__version__}-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path, filter="tar")
    top = tmp_path / f"relaydesk-{__version__}"
    assert (top / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert (top / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (top / "relaydesk-worker.service").is_file()
    version = subprocess.run(
        [str(top / "relaydesk"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"relaydesk {__version__}", version.stderr


def test_the_deb_installs_the_app_menu_entry_icon_metainfo_and_unit(
    dist: Path, tmp_path: Path
) -> None:
    [deb] = dist.glob(f"relaydesk_{__version__}_*.deb")
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True)
    fields = dict(
        line.split(": ", 1) for line in info.stdout.splitlines() if not line.startswith(" ")
    )
    assert fields["Package"] == "relaydesk" and fields["Version"] == __version__
    assert "libxcb-cursor0" in fields["Depends"]
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    assert os.readlink(root / "usr/bin/relaydesk") == "/opt/relaydesk/relaydesk"
    share = root / "usr" / "share"
    desktop = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert "Exec=relaydesk" in desktop and f"Icon={APP_ID}" in desktop
    assert (share / "icons/hicolor/256x256/apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (root / "usr/lib/systemd/system/relaydesk-worker.service").is_file()
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert f'version="{__version__}"' in metainfo.read_text()
    if shutil.which("appstreamcli"):
        checked = subprocess.run(
            ["appstreamcli", "validate", "--no-net", "--pedantic", str(metainfo)],
            capture_output=True,
            text=True,
        )
        problems = [line for line in checked.stdout.splitlines() if line.startswith(("E:", "W:"))]
        assert problems == [], checked.stdout
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(
            ["desktop-file-validate", str(share / "applications" / f"{APP_ID}.desktop")],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    version = subprocess.run(
        [str(root / "opt/relaydesk/relaydesk"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.stdout.strip() == f"relaydesk {__version__}", version.stderr


@pytest.mark.imap
def test_the_frozen_worker_logs_in_with_a_systemd_credential(
    dist: Path, tmp_path: Path, imap_user: ImapUser
) -> None:
    """The worker as its unit runs it: no keyring, the password only in $CREDENTIALS_DIRECTORY."""
    exe = dist / "relaydesk" / "relaydesk"
    imap_user.server.append(imap_user.name, b"From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n")
    data = tmp_path / "worker"
    server = {
        "SSL_CERT_FILE": str(imap_user.server.cert_path),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    added = _run(
        exe,
        "account", "add", "support", "--email", "support@acme.test",
        "--imap-host", imap_user.server.host, "--imap-port", str(imap_user.server.port),
        "--imap-security", "starttls", "--username", imap_user.name, "--json",
        data=data, **server,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    name = f"relaydesk_{json.loads(added.stdout)['id']}.password"
    (credentials / name).write_text(imap_user.password)
    worked = _run(
        exe, "worker", "--once", data=data, CREDENTIALS_DIRECTORY=str(credentials), **server
    )
    assert worked.returncode == 0, worked.stderr
    assert worked.stdout.strip().splitlines()[-1].startswith("fetched 1 new, sent 0")
