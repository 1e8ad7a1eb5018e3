"""Find a PostgreSQL server for tests, or start a throwaway cluster, and make per-test databases."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.servers.ports import free_port

ENV_URL = "RELAYDESK_TEST_PG_URL"
LOCAL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DB_PREFIX = "relaydesk_t_"
CONNECT_TIMEOUT = 3
PG_OS_USER = "postgres"

_clusters: list[ThrowawayPostgres] = []


def unavailable(reason: str) -> NoReturn:
    """Skip locally, but fail on CI where a missing database must not hide tests."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL unavailable on CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a plain libpq URI that psycopg.connect() accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect(url: str, *, timeout: int = CONNECT_TIMEOUT) -> psycopg.Connection:
    """An autocommit psycopg connection (CREATE/DROP DATABASE cannot run in a transaction)."""
    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=timeout)


def reachable(url: str, *, timeout: int = CONNECT_TIMEOUT) -> str | None:
    """None if a connection works, else the error text."""
    try:
        with connect(url, timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def database_name(url: str) -> str:
    return make_url(url).database or ""


def find_or_start_postgres(
    tmp_root: str | os.PathLike[str], *, force_throwaway: bool = False
) -> str:
    """An admin SQLAlchemy URL: $RELAYDESK_TEST_PG_URL, else 127.0.0.1:5432, else a throwaway
    cluster under `tmp_root` (stopped by `stop_throwaway_clusters()` or at exit).

    Skips the calling test when nothing works (fails instead when $CI is "true").
    """
    if not force_throwaway:
        env_url = os.environ.get(ENV_URL)
        if env_url:
            error = reachable(env_url)
            if error:
                # An explicit setting that is wrong should be fixed, not silently skipped.
                pytest.fail(f"{ENV_URL} is set but unusable: {error}", pytrace=False)
            return env_url
        if _port_listening("127.0.0.1", 5432) and reachable(LOCAL_URL) is None:
            return LOCAL_URL
    return start_throwaway_postgres(tmp_root).url


def start_throwaway_postgres(tmp_root: str | os.PathLike[str]) -> ThrowawayPostgres:
    """A started private cluster; skips (or fails on CI) when that is impossible here."""
    try:
        cluster = ThrowawayPostgres(tmp_root)
    except ClusterUnavailable as exc:
        unavailable(str(exc))
    try:
        cluster.start()
    except ClusterUnavailable as exc:
        cluster.stop()
        unavailable(str(exc))
    return cluster


def _port_listening(host: str, port: int) -> bool:
    # Cheaper than a libpq timeout when nothing listens at all.
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# fsync costs most of CREATE DATABASE's time and guards only against the machine losing
# power. Commits are still written to the kernel at once (synchronous_commit on): tests
# crash the server (pg_ctl stop -m immediate) and must find every acknowledged commit.
FAST_BUT_CRASH_SAFE = "-c fsync=off -c full_page_writes=off"


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL binaries, no usable OS user, or the cluster would not start."""


def find_pg_bindir() -> Path | None:
    """Newest Debian-style /usr/lib/postgresql/<v>/bin, else whatever initdb is on PATH."""

    def version(path: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/([\d.]+)/", path)
        return tuple(int(p) for p in m.group(1).split(".")) if m else ()

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _others_can_traverse(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


class ThrowawayPostgres:
    """A private cluster (initdb + pg_ctl) on a free loopback port with trust auth.

    As root the server runs as the `postgres` OS user, because initdb and postgres refuse root.
    """

    def __init__(self, tmp_root: str | os.PathLike[str]) -> None:
        bindir = find_pg_bindir()
        if bindir is None:
            raise ClusterUnavailable("no initdb found (/usr/lib/postgresql/*/bin or PATH)")
        self.bindir = bindir
        self._as_root = os.geteuid() == 0
        self._owner: pwd.struct_passwd | None = None
        if self._as_root:
            try:
                self._owner = pwd.getpwnam(PG_OS_USER)
            except KeyError:
                raise ClusterUnavailable(
                    f"running as root but there is no {PG_OS_USER!r} OS user to run initdb as"
                ) from None
        parent = Path(tmp_root).resolve()
        parent.mkdir(parents=True, exist_ok=True)
        # pytest's tmp dirs are 0700 and root-owned; the postgres user could not reach a
        # cluster inside one, so fall back to the system temp dir.
        if self._as_root and not _others_can_traverse(parent):
            parent = Path(tempfile.gettempdir())
        self.base = Path(tempfile.mkdtemp(prefix="relaydesk-pg-", dir=parent))
        self.base.chmod(0o755)
        if self._owner is not None:
            os.chown(self.base, self._owner.pw_uid, self._owner.pw_gid)
        self.data_dir = self.base / "data"
        self.log_path = self.base / "postgres.log"
        self.port = free_port()
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self._owner is not None:
            runuser = shutil.which("runuser")
            if runuser:
                cmd = [runuser, "-u", self._owner.pw_name, "--", *cmd]
            else:
                cmd = ["su", self._owner.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        # cwd matters: postgres as another user cannot stat a root-only cwd.
        return subprocess.run(
            cmd, cwd=self.base, capture_output=True, text=True, check=False, timeout=120
        )

    def start(self) -> None:
        res = self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data_dir),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        if res.returncode != 0:
            # Not every libc has C.UTF-8; plain C always exists.
            res = self._run(
                str(self.bindir / "initdb"),
                "-D", str(self.data_dir),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )  # fmt: skip
            if res.returncode != 0:
                raise ClusterUnavailable(f"initdb failed:\n{res.stdout}\n{res.stderr}")
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 {FAST_BUT_CRASH_SAFE}"
        res = self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.data_dir),
            "-l", str(self.log_path),
            "-o", opts,
            "-w", "-t", "60",
            "start",
        )  # fmt: skip
        if res.returncode != 0:
            raise ClusterUnavailable(
                f"pg_ctl start failed:\n{res.stdout}\n{res.stderr}\n{self.log_tail()}"
            )
        self.started = True
        _clusters.append(self)
        error = reachable(self.url)
        if error:
            self.stop()
            raise ClusterUnavailable(f"cluster started but refuses connections: {error}")

    def stop(self) -> None:
        if self.started:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast",
                      "-w", "stop")  # fmt: skip
            self.started = False
        with contextlib.suppress(ValueError):
            _clusters.remove(self)
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no postgres log)"


@atexit.register
def stop_throwaway_clusters() -> None:
    """Stop every cluster this process started (safe to call more than once)."""
    for cluster in list(_clusters):
        with contextlib.suppress(Exception):
            cluster.stop()


def create_database(admin_url: str, prefix: str = DB_PREFIX) -> str:
    """Create an empty, uniquely named database and return its SQLAlchemy URL."""
    name = f"{prefix}{secrets.token_hex(6)}"
    create = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
        sql.Identifier(name)
    )
    with connect(admin_url) as conn:
        # template0 is never connected to, so concurrent creations cannot collide on it, and
        # nothing a previous run installed into template1 leaks in.
        try:
            conn.execute(create)
        except psycopg.errors.InvalidParameterValue:
            # The cluster's default locale is not UTF-8 capable; C works with any encoding.
            conn.execute(sql.SQL("{} LC_COLLATE 'C' LC_CTYPE 'C'").format(create))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database even if sessions (e.g. a leaked engine's pool) are still connected."""
    with connect(admin_url) as conn:
        ident = sql.Identifier(name)
        if conn.info.server_version >= 130000:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            return
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(ident))
