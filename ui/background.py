"""The mail worker inside the desktop: standalone mode's, or a team's on a worker desk.

It runs app.worker on its own thread and its own store connection, so fetching and
sending go on while the window stays responsive; closing the window stops it. In team mode
(a central database is configured) it does nothing, unless a supervisor opted this desktop
in as the worker host (``run_team_worker``): then it is ``relaydesk worker --central`` in
the background, writing the central database with the configured URL's role and reading
the mailbox passwords from this computer's keyring, while the desk itself only pulls.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from app import worker
from app.context import AppContext, open_local
from app.mail.fetcher import load_options
from app.services.sync import open_worker_context, resolve_central
from app.settings import get_value

log = logging.getLogger("ui")


class BackgroundWorker:
    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats: worker.WorkerStats | None = None
        self.error: str = ""
        self.team_mode = False
        self.team_worker = False  # this desktop is the team's worker host

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mail-worker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        ctx: AppContext | None = None
        team: AppContext | None = None
        try:
            ctx = open_local(self._data_dir)
            config = resolve_central(ctx.store)
            if config is None:
                self.stats = worker.run(ctx, load_options(ctx), self._stop)
                return
            self.team_mode = True
            with ctx.store.read() as session:
                opted_in = bool(get_value(session, "global", "run_team_worker"))
            if not opted_in:
                log.info("team mode: the central database's worker fetches and sends")
                return
            log.info("team mode: this desktop runs the team's mail worker")
            team = open_worker_context(self._data_dir, config)
            self.team_worker = True
            self.stats = worker.run(team, load_options(team), self._stop, central=team.store)
        except Exception as exc:  # the window must live on; the status bar shows this
            self.error = str(exc)
            log.exception("the background mail worker stopped")
        finally:
            for opened in (team, ctx):
                if opened is not None:
                    opened.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
