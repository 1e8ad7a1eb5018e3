"""Build Relaydesk for Linux: the PyInstaller folder, a tarball and a .deb.

    .venv/bin/python packaging/build.py            # everything, into dist/
    .venv/bin/python packaging/build.py --out DIR  # somewhere else
    .venv/bin/python packaging/build.py --icons    # only the .ico/.icns (Windows, macOS)

Run from any directory; needs PyInstaller (``pip install -e '.[build]'``) and, for the .deb,
dpkg-deb. The finished folder is smoke-tested (``--version``, ``--quit-after-startup``)
before anything is packed, and the build fails on unexpected output on stderr.
packaging/ is imported by nothing in the app.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
APP_ID = "com.relaydesk.Relaydesk"
# Qt's offscreen platform says this on every window it shows; it is not about us.
HARMLESS_STDERR = ("This plugin does not support propagateSizeHints",)
# Qt's runtime needs from the system what PyInstaller does not bundle (the same list as
# packaging/bootstrap.sh installs for the app).
DEB_DEPENDS = (
    "libc6 (>= 2.31), libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, "
    "libdbus-1-3, libglib2.0-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, "
    "libxcb-render-util0, libxcb-image0, fonts-dejavu-core"
)


class BuildError(Exception):
    """A step of the build failed; the message says which and why."""


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import __version__

    return __version__


def run_pyinstaller(out: Path, work: Path) -> Path:
    """The one-folder build in ``out/relaydesk``."""
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(out), "--workpath", str(work), str(HERE / "relaydesk.spec"),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed:\n{result.stderr[-4000:]}")
    folder = out / "relaydesk"
    if not (folder / "relaydesk").is_file():
        raise BuildError(f"PyInstaller left no {folder / 'relaydesk'}")
    return folder


def unexpected_stderr(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.strip() and not any(ok in line for ok in HARMLESS_STDERR)
    ]


def smoke_test(executable: Path) -> None:
    """The frozen app reports its version and starts its window headless."""
    result = subprocess.run([str(executable), "--version"], capture_output=True, text=True)
    if result.returncode != 0 or result.stdout.strip() != f"relaydesk {version()}":
        raise BuildError(f"{executable} --version said {result.stdout!r} {result.stderr!r}")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RELAYDESK_LOG_DIR": data}
        result = subprocess.run(
            [str(executable), "--data-dir", data, "--quit-after-startup"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    noise = unexpected_stderr(result.stderr)
    if result.returncode != 0 or noise:
        raise BuildError(
            f"the frozen app failed to start (exit {result.returncode}):\n" + "\n".join(noise)
        )


def _metainfo(release_date: str) -> str:
    text = (HERE / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    return text.replace("@VERSION@", version()).replace("@DATE@", release_date)


def desktop_files(share: Path) -> None:
    """The .desktop file, icons and AppStream metainfo under a ``share/`` folder."""
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "linux" / f"{APP_ID}.desktop", share / "applications")
    icons = share / "icons" / "hicolor"
    (icons / "256x256" / "apps").mkdir(parents=True, exist_ok=True)
    (icons / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "resources/icons/relaydesk.png", icons / "256x256/apps" / f"{APP_ID}.png")
    shutil.copy(ROOT / "resources/icons/relaydesk.svg", icons / "scalable/apps" / f"{APP_ID}.svg")
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    (share / "metainfo" / f"{APP_ID}.metainfo.xml").write_text(_metainfo(today), "utf-8")


def tarball(folder: Path, out: Path) -> Path:
    """``relaydesk-VERSION-linux-ARCH.tar.gz``: the folder plus share/ for desktop menus."""
    name = f"relaydesk-{version()}"
    path = out / f"{name}-linux-{os.uname().machine}.tar.gz"
    with tempfile.TemporaryDirectory() as extra:
        share = Path(extra) / "share"
        desktop_files(share)
        shutil.copy(HERE / "linux" / "relaydesk-worker.service", Path(extra))
        with tarfile.open(path, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=name)
            tar.add(share, arcname=f"{name}/share")
            tar.add(Path(extra) / "relaydesk-worker.service", f"{name}/relaydesk-worker.service")
    return path


def deb(folder: Path, out: Path) -> Path:
    """``relaydesk_VERSION_ARCH.deb``: /opt/relaydesk, /usr/bin/relaydesk, menus, the unit."""
    if shutil.which("dpkg-deb") is None:
        raise BuildError("dpkg-deb is missing: install the dpkg package to build the .deb.")
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    path = out / f"relaydesk_{version()}_{arch}.deb"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(folder, root / "opt" / "relaydesk", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "relaydesk").symlink_to("/opt/relaydesk/relaydesk")
        desktop_files(root / "usr" / "share")
        unit_dir = root / "usr" / "lib" / "systemd" / "system"
        unit_dir.mkdir(parents=True)
        shutil.copy(HERE / "linux" / "relaydesk-worker.service", unit_dir)
        doc = root / "usr" / "share" / "doc" / "relaydesk"
        doc.mkdir(parents=True)
        shutil.copy(ROOT / "docs" / "deploy.md", doc)
        size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(
            f"Package: relaydesk\n"
            f"Version: {version()}\n"
            f"Architecture: {arch}\n"
            f"Maintainer: Relaydesk <support@relaydesk.invalid>\n"
            f"Installed-Size: {size_kib}\n"
            f"Depends: {DEB_DEPENDS}\n"
            f"Section: mail\n"
            f"Priority: optional\n"
            f"Description: contact-center client for shared email mailboxes\n"
            f" Agents work shared mailboxes the way they work a voice queue; supervisors\n"
            f" configure and watch it. Includes the headless mail worker and its systemd unit.\n",
            encoding="utf-8",
        )
        result = subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(path)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BuildError(f"dpkg-deb failed: {result.stderr.strip()}")
    return path


def _png() -> bytes:
    return (ROOT / "resources" / "icons" / "relaydesk.png").read_bytes()


def icons(out: Path) -> tuple[Path, Path]:
    """Windows .ico and macOS .icns wrapping the 256 px PNG (both formats accept PNG data)."""
    out.mkdir(parents=True, exist_ok=True)
    png = _png()
    ico = out / "relaydesk.ico"
    # ICONDIR, one ICONDIRENTRY (0 means 256 px), then the PNG itself.
    ico.write_bytes(struct.pack("<HHH", 0, 1, 1) + struct.pack(
        "<BBBBHHII", 0, 0, 0, 0, 1, 32, len(png), 6 + 16
    ) + png)  # fmt: skip
    icns = out / "relaydesk.icns"
    entry = b"ic08" + struct.pack(">I", 8 + len(png)) + png  # ic08: 256x256 PNG
    icns.write_bytes(b"icns" + struct.pack(">I", 8 + len(entry)) + entry)
    return ico, icns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--work", type=Path, help="PyInstaller's work folder (default: build/)")
    parser.add_argument("--icons", action="store_true", help="only write the .ico and .icns")
    parser.add_argument("--no-deb", action="store_true", help="skip the .deb")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    try:
        icons(ROOT / "build" / "icons")
        if args.icons:
            print(f"icons in {ROOT / 'build' / 'icons'}")
            return 0
        started = time.monotonic()
        folder = run_pyinstaller(out, (args.work or ROOT / "build" / "pyinstaller").resolve())
        built = time.monotonic()
        print(f"built {folder} in {built - started:.0f} s")
        smoke_test(folder / "relaydesk")
        print("smoke test passed (--version, --quit-after-startup)")
        print(f"wrote {tarball(folder, out)}")
        if not args.no_deb:
            print(f"wrote {deb(folder, out)}")
        print(f"done in {time.monotonic() - started:.0f} s")
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
