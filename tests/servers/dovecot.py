"""A throwaway Dovecot IMAP server, configured from scratch in a temp dir, for tests."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient, imap_utf7

from tests.servers.ports import free_ports

HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
STOP_GRACE = 3.0
_POLL = 0.01

# CONDSTORE and QRESYNC are built into Dovecot 2.3's imap binary, so the only way to hide them is
# to replace the advertised list. This is 2.3.19's post-login list minus those two;
# test_condstore_can_be_hidden fails if another Dovecot version's default list differs.
_CAPS_WITHOUT_CONDSTORE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN "
    "CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE "
    "SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
)
# UID FETCH/STORE arguments are kept below Dovecot's 64 KiB command-line limit.
_UID_CHUNK = 2000
# One MULTIAPPEND is one transaction in Dovecot; batches keep a failure's blast radius and the
# client's memory bounded without costing measurable speed.
_APPEND_BATCH = 500

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")
_live: weakref.WeakSet[DovecotServer] = weakref.WeakSet()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


def _parse_uid_set(text: str) -> list[int]:
    uids: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        uids.extend(range(int(lo), int(hi or lo) + 1))
    return uids


def _check_traversable(path: Path) -> None:
    # Dovecot's unprivileged processes must walk down to base_dir and the mail root.
    for p in [path, *path.parents]:
        if not p.stat().st_mode & 0o001:
            raise RuntimeError(
                f"{p} is not searchable by other users (mode {oct(p.stat().st_mode & 0o777)}); "
                "Dovecot's unprivileged processes could not reach the server directory"
            )


def _busy_children(pgid: int) -> bool:
    """True while a Dovecot worker other than the master and its log process is alive."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False  # Not Linux: no cheap way to look, so don't wait.
    for entry in entries:
        if not entry.isdigit() or int(entry) == pgid:
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state != "Z" and comm != "log":
            return True
    return False


def _wait_workers_gone(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and _busy_children(proc.pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL)
    return True


@dataclass(frozen=True)
class ImapUser:
    """A mailbox user on a test server."""

    name: str
    password: str
    server: DovecotServer


class DovecotServer:
    """One Dovecot instance with its own config, users, certificate, mail and ports.

    Ports are chosen once, so `restart()` and `stop()`/`start()` reuse them.
    """

    def __init__(
        self,
        *,
        condstore: bool = True,
        idle: bool = True,
        esearch: bool = True,
        extra_config: str = "",
        root: str | os.PathLike[str] | None = None,
        dovecot_bin: str | None = None,
    ) -> None:
        binary = dovecot_bin or shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise FileNotFoundError("dovecot binary not found")
        self._bin = binary
        self.condstore = condstore
        self.idle = idle  # False: IDLE left out of the advertised list
        self.esearch = esearch  # False: ESEARCH left out (searches answer UID by UID)
        self.extra_config = extra_config
        self._owns_root = root is None
        if root is None:
            self._root = Path(tempfile.mkdtemp(prefix="relaydesk-dovecot-"))
            self._root.chmod(0o755)
        else:
            self._root = Path(root).resolve()
            self._root.mkdir(parents=True, exist_ok=True)
        self._is_root = os.geteuid() == 0
        if self._is_root:
            _check_traversable(self._root)
        self._port, self._tls_port = free_ports(2)
        self._started = False  # ports are new until a first start binds them
        self._port_choices = 1
        self._passwords: dict[str, str] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False

        if self._is_root:
            # Dovecot refuses uid 0 for mail access; nobody is guaranteed to exist.
            nobody = pwd.getpwnam("nobody")
            self._mail_uid, self._mail_gid = nobody.pw_uid, nobody.pw_gid
        else:
            self._mail_uid, self._mail_gid = os.geteuid(), os.getegid()

        for sub in ("run", "state", "mail", "users"):
            (self._root / sub).mkdir(mode=0o755, exist_ok=True)
        if self._is_root:
            os.chown(self._root / "mail", self._mail_uid, self._mail_gid)
        self._make_cert()
        self.config_path.write_text(self._config())

    # -- paths and addresses ---------------------------------------------------------------

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        """Plaintext port; STARTTLS is offered on it."""
        return self._port

    @property
    def tls_port(self) -> int:
        """Implicit-TLS port."""
        return self._tls_port

    @property
    def root(self) -> Path:
        return self._root

    @property
    def cert_path(self) -> Path:
        """Self-signed certificate (CN=localhost, SAN localhost + 127.0.0.1) to use as cafile."""
        return self._root / "cert.pem"

    @property
    def log_path(self) -> Path:
        return self._root / "dovecot.log"

    @property
    def config_path(self) -> Path:
        return self._root / "dovecot.conf"

    @property
    def users_dir(self) -> Path:
        """One passwd-file per user (see `add_user` for why not one shared file)."""
        return self._root / "users"

    @property
    def mail_root(self) -> Path:
        return self._root / "mail"

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        """On-disk Maildir++ directory of a folder (may not exist until first used)."""
        base = self.mail_root / user
        if folder.upper() == "INBOX":
            return base
        # Maildir++ always uses "." for hierarchy on disk and mUTF-7 for names.
        encoded = imap_utf7.encode(folder).decode("ascii")
        return base / ("." + encoded.replace("/", "."))

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cert_path))

    # -- setup ----------------------------------------------------------------------------

    def _make_cert(self) -> None:
        key = self._root / "key.pem"
        # EC keys are generated instantly, unlike RSA; the SAN carries the IP so hostname
        # checking works when clients connect to 127.0.0.1.
        cmd = [
            "openssl", "req", "-x509", "-nodes", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(key), "-out", str(self.cert_path), "-days", "7",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]  # fmt: skip
        res = subprocess.run(cmd, capture_output=True, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"openssl failed: {res.stderr.decode(errors='replace')}")
        # Dovecot's config process reads the key; it runs as root or as us.
        key.chmod(0o600)
        self.cert_path.chmod(0o644)

    def _config(self) -> str:
        r = self._root
        lines = [
            f"base_dir = {r}/run",
            f"state_dir = {r}/state",
            f"log_path = {self.log_path}",
            f"info_log_path = {self.log_path}",
            f"debug_log_path = {self.log_path}",
            "protocols = imap",
            f"listen = {HOST}",
            "ssl = yes",
            f"ssl_cert = <{self.cert_path}",
            f"ssl_key = <{r}/key.pem",
            "ssl_min_protocol = TLSv1.2",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "auth_verbose = yes",
            # Failed logins are answered after 2 s by default; tests check them on purpose.
            "auth_failure_delay = 0",
            f"mail_location = maildir:{r}/mail/%u",
            # Tests never survive a power cut; fsync dominates APPEND time otherwise.
            "mail_fsync = never",
            # IDLE learns of new mail from inotify, else by polling every 30 s; with many
            # servers on one machine inotify instances run out, so poll often as well.
            "mailbox_idle_check_interval = 1 secs",
            f"first_valid_uid = {self._mail_uid}",
            f"last_valid_uid = {self._mail_uid}",
            f"first_valid_gid = {self._mail_gid}",
            f"last_valid_gid = {self._mail_gid}",
            "passdb {",
            "  driver = passwd-file",
            f"  args = scheme=PLAIN username_format=%u {self.users_dir}/%u",
            "}",
            "userdb {",
            "  driver = passwd-file",
            f"  args = username_format=%u {self.users_dir}/%u",
            "}",
            "namespace inbox {",
            "  inbox = yes",
            "  separator = /",
            "  mailbox Drafts {",
            "    special_use = \\Drafts",
            "  }",
            "  mailbox Sent {",
            "    special_use = \\Sent",
            "  }",
            "  mailbox Trash {",
            "    special_use = \\Trash",
            "  }",
            "  mailbox Junk {",
            "    special_use = \\Junk",
            "  }",
            "  mailbox Archive {",
            "    special_use = \\Archive",
            "  }",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            f"    address = {HOST}",
            f"    port = {self._port}",
            "  }",
            "  inet_listener imaps {",
            f"    address = {HOST}",
            f"    port = {self._tls_port}",
            "    ssl = yes",
            "  }",
        ]
        if not self._is_root:
            lines.append("  chroot =")
        lines.append("}")
        lines += [
            # Anvil's per-IP penalty delays every login from 127.0.0.1 for seconds after a
            # failed one, so one wrong-password test would slow down the tests after it.
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            *(["  chroot ="] if not self._is_root else []),
            "}",
        ]
        if not (self.condstore and self.idle and self.esearch):
            hidden = {"IDLE"} if not self.idle else set()
            hidden |= {"ESEARCH"} if not self.esearch else set()
            caps = [c for c in _CAPS_WITHOUT_CONDSTORE.split() if c not in hidden]
            if self.condstore:  # built in: advertised again by naming it
                caps += ["CONDSTORE", "QRESYNC"]
            lines.append(f"imap_capability = {' '.join(caps)}")
        if not self._is_root:
            me = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
            # Without root nothing can switch users or chroot, so every process runs as us.
            lines += [
                f"default_internal_user = {me}",
                f"default_internal_group = {group}",
                f"default_login_user = {me}",
                "service auth-worker {",
                "  user = $default_internal_user",
                "}",
            ]
        # Last, so later tasks can override anything above (Dovecot keeps the last value).
        if self.extra_config:
            lines.append(self.extra_config)
        return "\n".join(lines) + "\n"

    def _user_file(self, name: str) -> Path:
        return self.users_dir / name

    def _write_user(self, name: str) -> None:
        path = self._user_file(name)
        row = (
            f"{name}:{{PLAIN}}{self._passwords[name]}:{self._mail_uid}:{self._mail_gid}"
            f"::{self.mail_root / name}::\n"
        )
        old_mtime = path.stat().st_mtime if path.exists() else None
        # Replace atomically so Dovecot never reads a half-written file.
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(row)
        tmp.chmod(0o644)
        if old_mtime is not None:
            # Dovecot reloads only when mtime (whole seconds) or size differ, and a new
            # password of the same length written within the same second would be missed.
            stamp = max(int(time.time()), int(old_mtime) + 1)
            os.utime(tmp, (stamp, stamp))
        tmp.replace(path)

    def add_user(self, name: str, password: str) -> None:
        """Create (or re-password) a user; Dovecot picks the change up without a reload.

        A new user is visible at once. A changed password can take up to a second to be seen
        by a running server (Dovecot stats each passwd-file at most once per second), so this
        then waits for the next second to begin.
        """
        if not name or any(c in name for c in ":\n\r/%") or name.startswith("."):
            raise ValueError(f"unusable user name {name!r}")
        if any(c in password for c in ":\n\r"):
            raise ValueError("password must not contain ':' or newlines")
        known = name in self._passwords
        self._passwords[name] = password
        self._write_user(name)
        if known and self.running:
            time.sleep(1.0 - time.time() % 1.0 + _POLL)

    def password(self, user: str) -> str:
        return self._passwords[user]

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._closed:
            raise RuntimeError("server was closed")
        if self.running:
            raise RuntimeError("already running")
        # A killed master leaves its pid file (the next one would refuse to start) and possibly
        # a dotlock on state/instances (the next one would wait ~10 s for it to go stale).
        stale = [self._root / "run" / "master.pid", *(self._root / "state").glob("*.lock")]
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.config_path.write_text(self._config())
        with open(self._root / "dovecot.stderr", "ab") as err:
            self._proc = subprocess.Popen(
                [self._bin, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                # Own process group: stop() can signal every worker at once, and a Ctrl-C
                # aimed at pytest does not kill the server in the middle of teardown.
                start_new_session=True,
            )
        _live.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._proc.poll() is not None:
                rc = self._proc.returncode
                self._proc = None
                tail = self.log_tail()
                taken = "Address already in use" in tail
                if not self._started and taken and self._port_choices < 3:
                    # Another process took a port between its choice and Dovecot's bind (a
                    # second test worker): nobody knows these ports yet, so choose again.
                    self._port, self._tls_port = free_ports(2)
                    self._port_choices += 1
                    self.start()
                    return
                raise RuntimeError(f"dovecot exited with {rc} during start\n{tail}")
            if self._greets(self._port) and _port_open(self._tls_port):
                self._started = True
                return
            if time.monotonic() > deadline:
                self._kill()
                raise RuntimeError(f"dovecot did not become ready\n{self.log_tail()}")
            time.sleep(_POLL)

    def _greets(self, port: int) -> bool:
        # An accepted connection only proves the master listens; the greeting proves a
        # login process is serving.
        try:
            with socket.create_connection((HOST, port), timeout=1.0) as s:
                return s.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            # The master stops its own services promptly but leaves connected imap processes
            # running and then lingers 1-6 s for its log process. So: ask the master, then the
            # stragglers (clients get "BYE Server shutting down"), and once every worker is
            # gone kill the rest of the group instead of waiting for it.
            proc.send_signal(signal.SIGTERM)
            if not _wait_workers_gone(proc, 0.2):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                _wait_workers_gone(proc, STOP_GRACE)
            self._kill()
        self._proc = None
        deadline = time.monotonic() + STOP_TIMEOUT
        # Listeners are shared with children; make sure nobody still accepts.
        while _port_open(self._port) or _port_open(self._tls_port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"ports still open after stop\n{self.log_tail()}")
            time.sleep(_POLL)

    def _kill(self) -> None:
        proc = self._proc
        if proc is None:
            return
        # start_new_session made the master a group leader; its children share the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop and delete the server directory (if this object created it)."""
        if self._closed:
            return
        try:
            self.stop()
        finally:
            self._closed = True
            _live.discard(self)
            if self._owns_root:
                shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in (self._root / "dovecot.stderr", self.log_path):
            try:
                text = path.read_text(errors="replace").splitlines()[-lines:]
            except FileNotFoundError:
                continue
            if text:
                out.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(out) or "(no dovecot log output)"

    # -- client-side helpers ------------------------------------------------------------------

    @contextlib.contextmanager
    def client(self, user: str, *, tls: bool = False) -> Iterator[IMAPClient]:
        """A logged-in IMAPClient for `user` (plaintext port unless `tls`)."""
        if tls:
            c = IMAPClient(HOST, self._tls_port, ssl=True, ssl_context=self.ssl_context())
        else:
            c = IMAPClient(HOST, self._port, ssl=False)
        try:
            c.login(user, self._passwords[user])
            yield c
        finally:
            with contextlib.suppress(Exception):
                c.logout()
            with contextlib.suppress(Exception):
                c.shutdown()

    def append(
        self,
        user: str,
        raw: bytes,
        folder: str = "INBOX",
        flags: Sequence[str | bytes] = (),
        msg_time: dt.datetime | None = None,
    ) -> int:
        """Append one message and return its UID."""
        with self.client(user) as c:
            resp = c.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
        return _parse_uid_set(self._appenduid(resp))[0]

    def append_many(self, user: str, raws: Iterable[bytes], folder: str = "INBOX") -> list[int]:
        """Append messages over one connection (MULTIAPPEND batches); UIDs in input order."""
        batch: list[bytes] = []
        uids: list[int] = []
        with self.client(user) as c:

            def flush() -> None:
                if batch:
                    _typ, data = c.multiappend(folder, batch)
                    uids.extend(_parse_uid_set(self._appenduid(data[0])))
                    batch.clear()

            for raw in raws:
                batch.append(raw)
                if len(batch) >= _APPEND_BATCH:
                    flush()
            flush()
        return uids

    @staticmethod
    def _appenduid(resp: bytes) -> str:
        m = _APPENDUID.search(resp)
        if not m:
            raise RuntimeError(f"no APPENDUID in {resp!r}")
        return m.group(2).decode("ascii")

    def uids(self, user: str, folder: str = "INBOX") -> list[int]:
        with self.client(user) as c:
            c.select_folder(folder, readonly=True)
            return sorted(c.search("ALL"))

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID -> flags as imapclient returns them (bytes). \\Recent is left out: it depends
        on which session saw the message first, so it only adds noise to assertions."""
        result: dict[int, tuple[bytes, ...]] = {}
        with self.client(user) as c:
            c.select_folder(folder, readonly=True)
            uids = sorted(c.search("ALL"))
            for i in range(0, len(uids), _UID_CHUNK):
                fetched = c.fetch(uids[i : i + _UID_CHUNK], ["FLAGS"])
                for uid, data in fetched.items():
                    result[uid] = tuple(f for f in data[b"FLAGS"] if f != b"\\Recent")
        return result

    def set_flags(
        self,
        user: str,
        uids: Sequence[int],
        flags: Sequence[str | bytes],
        folder: str = "INBOX",
    ) -> None:
        """Replace the flags of messages, as another client would."""
        with self.client(user) as c:
            c.select_folder(folder)
            for i in range(0, len(uids), _UID_CHUNK):
                c.set_flags(list(uids[i : i + _UID_CHUNK]), list(flags), silent=True)

    def expunge(self, user: str, uids: Sequence[int], folder: str = "INBOX") -> None:
        """Remove exactly these UIDs (UID EXPUNGE, so other \\Deleted messages survive)."""
        uids = list(uids)
        if not uids:
            return
        with self.client(user) as c:
            c.select_folder(folder)
            for i in range(0, len(uids), _UID_CHUNK):
                chunk = uids[i : i + _UID_CHUNK]
                c.add_flags(chunk, [b"\\Deleted"], silent=True)
                c.uid_expunge(chunk)

    def create_folder(self, user: str, name: str, *, subscribe: bool = True) -> None:
        with self.client(user) as c:
            c.create_folder(name)
            if subscribe:
                c.subscribe_folder(name)

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user) as c:
            return int(c.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"])

    def reset_uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        """Make the server renumber `folder` under a new UIDVALIDITY, keeping its messages.

        Restarts the whole server (every open connection drops), then returns the new value.
        """
        old = self.uidvalidity(user, folder)
        box = self.maildir(user, folder)
        self.stop()
        # Maildir filenames keep the messages and their flags; the uidlist and index hold the
        # UID assignment. dovecot-uidvalidity* (kept) makes the next value strictly larger.
        # The list index caches per-folder UIDVALIDITY for STATUS, so it goes too.
        doomed = [box / "dovecot-uidlist", *box.glob("dovecot.index*")]
        doomed += (self.mail_root / user).glob("dovecot.list.index*")
        for path in doomed:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.start()
        new = self.uidvalidity(user, folder)
        if new == old:
            raise RuntimeError(f"UIDVALIDITY stayed {old} after reset")
        return new


@atexit.register
def _stop_leftovers() -> None:
    # A crashed or interrupted session must not leave daemons holding ports.
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.close()
