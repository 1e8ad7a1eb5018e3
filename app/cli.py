"""The ``relaydesk`` command: the window by default, headless subcommands for everything else.

Nothing here imports Qt at module level: only ``_open_window`` does, lazily, so the CLI and
the mail worker run on servers without a display or Qt's system libraries.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from app import __version__, cli_search, logs, paths
from app.context import AppContext, open_local
from app.errors import RelaydeskError, UserError
from app.settings import SECURITY, SERVICES

log = logging.getLogger("app")

Handler = Callable[[argparse.Namespace, AppContext], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relaydesk", description="Shared email mailboxes worked like a voice queue."
    )
    parser.add_argument("--version", action="version", version=f"relaydesk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"where the local store lives (default: ${paths.DATA_DIR_ENV} or the platform's)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    parser.add_argument("--central", metavar="URL", help=_CENTRAL_HELP)
    parser.add_argument(
        "--language",
        dest="ui_language",
        metavar="CODE",
        help="the window's language, e.g. it or en (default: $RELAYDESK_LANGUAGE or the system's)",
    )
    parser.add_argument(
        "--quit-after-startup",
        action="store_true",
        help="open the main window, process events once and exit (smoke test for builds)",
    )
    parser.add_argument(
        "--first-run-config",
        metavar="FILE",
        help="set up this desk unattended from a TOML file (IT images; see docs/deploy.md), "
        "then exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="the local store").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate the store's schema (with --central: the central one)")
    d_password = db.add_parser("password", help="keep the central database password in the keyring")
    d_password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    d_grant_agent = db.add_parser(
        "grant-agent", help="give an agent a login role on the central database (as its owner)"
    )
    d_grant_agent.add_argument("name", help="the agent's name")
    d_grant_agent.add_argument("--role", help="the login role (default: rd_ and the name)")
    d_grant_agent.add_argument(
        "--password-stdin", action="store_true", help="read the role's password from stdin"
    )
    d_grant_worker = db.add_parser(
        "grant-worker", help="make a login role the worker's on the central database"
    )
    d_grant_worker.add_argument("role", help="the login role")
    d_grant_worker.add_argument(
        "--password-stdin", action="store_true", help="read the role's password from stdin"
    )

    sync = sub.add_parser("sync", help="pull what changed from the central database (team mode)")
    sync.add_argument("--once", action="store_true", help="pull once and exit")
    sync.add_argument("--json", action="store_true")

    project = sub.add_parser("project", help="projects").add_subparsers(
        dest="project_command", required=True
    )
    p_add = project.add_parser("add", help="add a project")
    p_add.add_argument("name")
    p_add.add_argument("--key", required=True, help="3 capital letters or digits")
    p_add.add_argument("--time-zone", default="UTC", metavar="TZ")
    p_add.add_argument("--json", action="store_true")
    p_list = project.add_parser("list", help="list projects")
    p_list.add_argument("--json", action="store_true")

    account = sub.add_parser("account", help="email accounts").add_subparsers(
        dest="account_command", required=True
    )
    a_add = account.add_parser("add", help="store an email account (without connecting)")
    a_add.add_argument("name")
    a_add.add_argument("--email", required=True)
    a_add.add_argument("--project")
    a_add.add_argument("--key", help="short name on agents' tabs, at most 5 characters")
    a_add.add_argument("--display-name", default="")
    a_add.add_argument("--service", choices=SERVICES, default="custom")
    a_add.add_argument("--imap-host")
    a_add.add_argument("--imap-port", type=int)
    a_add.add_argument("--imap-security", choices=SECURITY, default="ssl")
    a_add.add_argument("--mailbox", default="INBOX")
    a_add.add_argument("--smtp-host")
    a_add.add_argument("--smtp-port", type=int)
    a_add.add_argument("--smtp-security", choices=SECURITY, default="ssl")
    a_add.add_argument("--connect-timeout", type=int)
    a_add.add_argument("--auth-timeout", type=int)
    a_add.add_argument("--username", required=True)
    a_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    a_add.add_argument("--json", action="store_true")
    a_list = account.add_parser("list", help="list email accounts")
    a_list.add_argument("--json", action="store_true")
    a_verify = account.add_parser("verify", help="try to connect and log in (IMAP and SMTP)")
    a_verify.add_argument("name")
    a_signin = account.add_parser(
        "signin", help="sign in with OAuth2 (Microsoft 365, Gmail) in the browser"
    )
    a_signin.add_argument("name")
    a_signin.add_argument("--timeout", type=int, default=300, help="seconds to wait")
    a_plan = account.add_parser("plan", help="set the account's action plan from a JSON file")
    a_plan.add_argument("name")
    a_plan.add_argument("file", help="the plan as JSON ('-' for standard input, 'none' to remove)")
    a_password = account.add_parser(
        "password",
        help="keep an account's mailbox password in this host's keyring (e.g. the worker's)",
    )
    a_password.add_argument("name")
    a_password.add_argument(
        "--smtp", action="store_true", help="the SMTP password, where it differs from IMAP's"
    )
    a_password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    a_remove = account.add_parser("remove", help="remove an email account")
    a_remove.add_argument("name")

    demo = sub.add_parser("demo", help="fill a new store with demo data (no mail server)")
    demo.add_argument("--messages", type=int, default=3000, help="how many emails (default 3000)")

    cli_search.add_parser(sub)

    purge = sub.add_parser("purge", help="automatic deletion of old emails (per project)")
    purge.add_argument("--dry-run", action="store_true", help="only say what would go")
    purge.add_argument("--json", action="store_true")

    report = sub.add_parser("report", help="reports, as JSON or CSV")
    report.add_argument("report_name", choices=("email-log", "tickets", "agents", "dispositions"))
    report.add_argument("--from", dest="start", metavar="DATE", help="YYYY-MM-DD (inclusive)")
    report.add_argument("--to", dest="end", metavar="DATE", help="YYYY-MM-DD (inclusive)")
    report.add_argument(
        "--with-tickets",
        action="store_true",
        help="email log: include emails already handled as tickets",
    )
    form = report.add_mutually_exclusive_group(required=True)
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    report.add_argument("--bom", action="store_true", help="CSV with a UTF-8 BOM, for spreadsheets")

    worker = sub.add_parser(
        "worker", help="the mail worker: fetch, send the outbox, run timers (headless)"
    )
    worker.add_argument("--once", action="store_true", help="one round of every duty, then exit")

    settings = sub.add_parser("settings", help="settings").add_subparsers(
        dest="settings_command", required=True
    )
    s_list = settings.add_parser("list", help="every setting with its value, range and help")
    s_list.add_argument("--project", metavar="P")
    s_list.add_argument("--account", metavar="NAME")
    s_list.add_argument("--json", action="store_true")
    s_set = settings.add_parser("set", help="change a setting (validated against its range)")
    s_set.add_argument("key")
    s_set.add_argument("value")
    s_set.add_argument("--project", metavar="P")
    s_set.add_argument("--account", metavar="NAME")

    fetch = sub.add_parser("fetch", help="fetch new mail")
    fetch.add_argument("--once", action="store_true", help="catch up and exit")
    fetch.add_argument("--account", metavar="NAME")
    fetch.add_argument("--no-pool", action="store_true", help=argparse.SUPPRESS)

    inter = sub.add_parser("interactions", help="interactions").add_subparsers(
        dest="interactions_command", required=True
    )
    i_list = inter.add_parser("list", help="list interactions")
    i_list.add_argument("--json", action="store_true")
    i_list.add_argument("--limit", type=int)
    i_export = inter.add_parser("export", help="a zip of the conversation's .eml files")
    i_export.add_argument("id", metavar="ID")
    i_export.add_argument("--zip", required=True, metavar="FILE")
    i_export.add_argument("--without-attachments", action="store_true")
    i_delete = inter.add_parser("delete", help="delete a conversation for good")
    i_delete.add_argument("id", metavar="ID")
    i_delete.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    i_close = inter.add_parser("close", help="close an interaction you hold")
    i_close.add_argument("id", metavar="ID")
    i_close.add_argument("--agent", required=True, metavar="NAME")
    i_close.add_argument("--disposition", metavar="D")
    i_close.add_argument("--json", action="store_true")

    agent = sub.add_parser("agent", help="agents and supervisors").add_subparsers(
        dest="agent_command", required=True
    )
    g_add = agent.add_parser("add", help="add an agent (or a supervisor)")
    g_add.add_argument("name")
    g_add.add_argument("--supervisor", action="store_true")
    g_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    g_add.add_argument(
        "--queue",
        action="extend",
        nargs="+",
        default=[],
        metavar="Q",
        help="queues to join (default: the default queue of each account's project)",
    )
    g_add.add_argument("--account", action="extend", nargs="+", default=[], metavar="A")
    g_add.add_argument("--json", action="store_true")

    queue = sub.add_parser("queue", help="queues").add_subparsers(
        dest="queue_command", required=True
    )
    q_add = queue.add_parser("add", help="add a queue to a project")
    q_add.add_argument("name")
    q_add.add_argument("--language", metavar="CODE")
    q_add.add_argument("--project", metavar="P")
    q_add.add_argument("--json", action="store_true")

    claim = sub.add_parser("claim", help="accept work").add_subparsers(
        dest="claim_command", required=True
    )
    c_next = claim.add_parser("next", help="accept the oldest unclaimed interaction you may see")
    c_next.add_argument("--agent", required=True, metavar="NAME")
    c_next.add_argument("--json", action="store_true")

    tickets = sub.add_parser("tickets", help="tickets").add_subparsers(
        dest="tickets_command", required=True
    )
    t_assign = tickets.add_parser("assign", help="put an interaction on a new or existing ticket")
    t_assign.add_argument("interaction", metavar="INTERACTION")
    t_assign.add_argument("--agent", required=True, metavar="NAME")
    which = t_assign.add_mutually_exclusive_group(required=True)
    which.add_argument("--new", action="store_true", help="open a new ticket")
    which.add_argument("--ticket", metavar="NUMBER", help="an existing ticket")
    t_assign.add_argument("--type", metavar="T", help="ticket type of a new ticket")
    t_assign.add_argument("--json", action="store_true")
    t_show = tickets.add_parser("show", help="a ticket and its derived facts")
    t_show.add_argument("number", metavar="NUMBER")
    t_show.add_argument("--json", action="store_true")

    contacts = sub.add_parser("contacts", help="contacts as CSV (supervisors)").add_subparsers(
        dest="contacts_command", required=True
    )
    k_import = contacts.add_parser(
        "import", help="merge contacts from a UTF-8 CSV file (by email address)"
    )
    k_import.add_argument("file", metavar="FILE", help="the CSV file ('-' for standard input)")
    k_import.add_argument("--list", metavar="NAME", help="the contact list for new contacts")
    k_import.add_argument("--agent", required=True, metavar="NAME", help="a supervisor")
    k_import.add_argument("--json", action="store_true")
    k_export = contacts.add_parser("export", help="contacts as CSV (RFC 4180, UTF-8)")
    k_export.add_argument("out", nargs="?", metavar="OUT", help="file to write (default: stdout)")
    k_export.add_argument("--list", metavar="NAME", help="only this contact list")
    k_export.add_argument("--agent", required=True, metavar="NAME", help="a supervisor")
    k_export.add_argument("--bom", action="store_true", help="with a UTF-8 BOM, for spreadsheets")
    k_export.add_argument("--json", action="store_true", help="a JSON summary (needs OUT)")
    _add_central_everywhere(parser)
    return parser


_CENTRAL_HELP = "the central PostgreSQL for this command (default: IT policy, then settings)"


def _add_central_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept ``--central URL`` after any command too (``relaydesk db upgrade --central URL``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument(
                    "--central", metavar="URL", default=argparse.SUPPRESS, help=_CENTRAL_HELP
                )
                _add_central_everywhere(child)


# --- commands --------------------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace, ctx: AppContext) -> int:
    from storage.migrate import current_revision

    print(f"store schema at {current_revision(ctx.store.engine)} ({ctx.data_dir})")
    if args.central:
        from app.services.sync import resolve_central, upgrade_central

        config = resolve_central(ctx.store, args.central)
        assert config is not None
        before, after = upgrade_central(config)
        change = f"{before or 'empty'} -> {after}" if before != after else f"{after}, unchanged"
        print(f"central schema at {change} ({config.display})")
    return 0


def _db_password(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.sync import resolve_central, store_password

    config = resolve_central(ctx.store, args.central)
    if config is None:
        raise UserError("Name the central database with --central URL (or set central_url).")
    password = _read_password(args)
    if not password:
        raise UserError("Give the password on standard input with --password-stdin.")
    store_password(config.url, password)
    print(f"password for {config.display} kept in the keyring")
    return 0


def _central_for_grant(args: argparse.Namespace, ctx: AppContext) -> Any:
    from app.services.sync import resolve_central

    config = resolve_central(ctx.store, args.central)
    if config is None:
        raise UserError("Name the central database with --central URL (its owner's role).")
    return config


def _db_grant_agent(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.db_roles import grant_agent

    config = _central_for_grant(args, ctx)
    role = grant_agent(config, args.name, args.role, _read_password(args))
    print(f"agent {args.name} signs in to {config.display} as database role {role}")
    return 0


def _db_grant_worker(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.db_roles import grant_worker

    config = _central_for_grant(args, ctx)
    role = grant_worker(config, args.role, _read_password(args))
    print(f"database role {role} writes {config.display} as the worker")
    return 0


def _print_pulled(result: Any) -> None:
    if result.changed:
        print(f"pulled {result.rows} rows", flush=True)


def _sync(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.sync import CentralSync, SyncLoop, pull_interval, resolve_central

    config = resolve_central(ctx.store, args.central)
    if config is None:
        raise UserError(
            "No central database is configured (--central URL, the IT policy or the "
            "central_url setting): this store stands alone."
        )
    sync = CentralSync(ctx.store, config, blobs=ctx.blobs)
    try:
        sync.check_schema()
        if args.once:
            bar = _ProgressBar(sys.stderr)
            try:
                result = sync.pull(progress=bar)
            finally:
                bar.close()
            assert result is not None  # nothing cancels it here
            if args.json:
                _json(
                    {
                        "rows": result.rows,
                        "batches": result.batches,
                        "full": result.full,
                        "pruned": result.pruned,
                        "tables": result.tables,
                    }
                )
            else:
                print(f"pulled {result.rows} rows from {config.display}")
            return 0
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        loop = SyncLoop(
            sync,
            interval=pull_interval(ctx.store),
            on_pulled=_print_pulled,
            on_error=lambda exc: print(exc, file=sys.stderr, flush=True),
        )
        loop.start()
        stop.wait()
        loop.stop()
        loop.join()
        return 0
    finally:
        sync.close()


def _project_add(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.accounts import add_project

    info = add_project(ctx.store, args.name, args.key, args.time_zone)
    if args.json:
        _json({"id": str(info.id), "name": info.name, "key": info.key, "time_zone": info.time_zone})
    else:
        print(f"added project {info.name} ({info.key}, {info.time_zone})")
    return 0


def _project_list(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.accounts import list_projects

    projects = list_projects(ctx.store)
    if args.json:
        _json(
            [
                {"id": str(p.id), "name": p.name, "key": p.key, "time_zone": p.time_zone}
                for p in projects
            ]
        )
    else:
        for p in projects:
            print(f"{p.key}  {p.name}  ({p.time_zone})")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _account_add(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.accounts import add_account

    extra: dict[str, Any] = {}
    if args.connect_timeout is not None:
        extra["connect_timeout"] = args.connect_timeout
    if args.auth_timeout is not None:
        extra["auth_timeout"] = args.auth_timeout
    info = add_account(
        ctx.store,
        name=args.name,
        email=args.email,
        username=args.username,
        password=_read_password(args),
        project=args.project,
        service=args.service,
        key=args.key,
        display_name=args.display_name,
        imap_host=args.imap_host,
        imap_port=args.imap_port,
        imap_security=args.imap_security,
        imap_mailbox=args.mailbox,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_security=args.smtp_security,
        **extra,
    )
    if args.json:
        _json(info.as_json())
    else:
        print(f"added email account {info.name} <{info.email}> in project {info.project}")
    return 0


def _account_list(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.accounts import list_accounts

    accounts = list_accounts(ctx.store)
    if args.json:
        _json([a.as_json() for a in accounts])
        return 0
    for a in accounts:
        kinds = "+".join(k for k, on in (("in", a.inbound), ("out", a.outbound)) if on)
        state = "" if a.active else "  (inactive)"
        print(f"{a.key:<5}  {a.name}  <{a.email}>  {kinds}  {a.project}{state}")
    return 0


def _account_verify(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.verify import verify_account

    # On a worker host in team mode the account is in the central database and its
    # password in this host's keyring: the check runs from where the mail is fetched.
    with _where_mail_is_fetched(args, ctx) as where:
        steps = verify_account(where, args.name)
    failed = False
    for step in steps:
        print(step.line, file=sys.stdout if step.ok else sys.stderr)
        failed = failed or not step.ok
    return 1 if failed else 0


@contextlib.contextmanager
def _where_mail_is_fetched(args: argparse.Namespace, ctx: AppContext) -> Iterator[AppContext]:
    """The store whose accounts this host fetches: the central database in team mode (a
    worker host keeping mailbox secrets), else the local one."""
    from app.services.sync import open_worker_context, resolve_central

    config = resolve_central(ctx.store, args.central)
    if config is None:
        yield ctx
        return
    team = open_worker_context(ctx.data_dir, config)
    try:
        yield team
    finally:
        team.close()


def _account_signin(args: argparse.Namespace, ctx: AppContext) -> int:
    import webbrowser

    from app import oauth

    def show(url: str) -> None:
        print(f"Opening the sign-in page; if no browser appears, open:\n{url}", file=sys.stderr)
        webbrowser.open(url)

    with _where_mail_is_fetched(args, ctx) as where:
        oauth.sign_in_account(where.store, args.name, open_browser=show, timeout=args.timeout)
    print(f"signed in: {args.name} can fetch and send with OAuth2")
    return 0


def _account_password(args: argparse.Namespace, ctx: AppContext) -> int:
    """The mailbox password where the mail is fetched: in team mode the worker host's keyring
    (the account is looked up in the central database), else this desk's."""
    from app import secrets
    from app.services.accounts import find_account

    password = _read_password(args)
    if not password:
        raise UserError("Give the password on standard input with --password-stdin.")
    with _where_mail_is_fetched(args, ctx) as where, where.store.read() as session:
        account_id = find_account(session, args.name).id
    secrets.set_secret(account_id, "smtp_password" if args.smtp else "password", password)
    kind = "SMTP password" if args.smtp else "password"
    print(f"{kind} of {args.name} kept in this host's keyring")
    return 0


def _account_plan(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.action_plans import set_plan

    if args.file == "none":
        plan = None
    else:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
            plan = json.loads(text)
        except OSError as exc:
            raise UserError(f"Cannot read {args.file}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise UserError(f"{args.file} is not valid JSON: {exc}.") from exc
    set_plan(ctx.store, args.name, plan)
    print(f"action plan of {args.name} {'set' if plan else 'removed'}")
    return 0


def _account_remove(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.accounts import remove_account

    remove_account(ctx.store, args.name)
    print(f"removed email account {args.name}")
    return 0


class _ProgressBar:
    """A one-line progress bar, drawn only when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _fetch(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.mail.fetch import fetch_once, watch
    from app.mail.fetcher import SyncResult, load_options

    started = time.monotonic()
    totals = SyncResult()
    if args.once:
        bar = _ProgressBar(sys.stderr)
        options = load_options(ctx, progress=bar, use_pool=not args.no_pool)
        try:
            report = fetch_once(ctx, options, args.account)
        finally:
            bar.close()
        totals = report.result
        for error in report.errors:
            print(error, file=sys.stderr)
        _fetch_summary(totals, started)
        return 1 if report.errors else 0

    lock = threading.Lock()

    def on_synced(result: SyncResult) -> None:
        with lock:
            totals.add(result)
        if result.new or result.updated:
            print(f"fetched {result.new} new, {result.updated} updated", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    options = load_options(ctx, on_synced=on_synced, use_pool=not args.no_pool)
    watch(ctx, options, stop, args.account)
    _fetch_summary(totals, started)
    return 0


def _worker(args: argparse.Namespace, ctx: AppContext) -> int:
    from app import worker
    from app.mail.fetcher import load_options
    from app.services.sync import open_worker_context, resolve_central

    config = resolve_central(ctx.store, args.central)
    team: AppContext | None = None
    if config is not None:
        # Team mode: mail goes into the central database and agents' operations are
        # applied from its queue; this host's keyring holds the mailbox passwords.
        team = open_worker_context(ctx.data_dir, config)
        print(f"worker for the central database {config.display}", flush=True)
    work = team or ctx
    try:
        if args.once:
            report, stats = worker.run_once(work, load_options(work))
            for error in report.errors + stats.errors:
                print(error, file=sys.stderr)
            print(
                f"fetched {report.result.new} new, sent {stats.sent}, timers {stats.timers}, "
                f"uncertain after restart {stats.recovered}",
                flush=True,
            )
            return 1 if report.errors or stats.errors else 0
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stats = worker.run(
            work, load_options(work), stop, central=team.store if team is not None else None
        )
    finally:
        if team is not None:
            team.close()
    print(f"worker stopped: sent {stats.sent}, timers {stats.timers}", flush=True)
    return 0


def _interaction_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise UserError(f"{text!r} is not an interaction id.") from None


def _interactions_export(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.exports import eml_zip

    data = eml_zip(
        ctx.store, ctx.blobs, _interaction_id(args.id), attachments=not args.without_attachments
    )
    Path(args.zip).write_bytes(data)
    print(f"wrote {args.zip} ({len(data)} bytes)")
    return 0


def _interactions_delete(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.exports import delete_interaction

    if not args.yes:
        raise UserError("Deleting cannot be undone: add --yes to confirm.")
    count = delete_interaction(ctx.store, ctx.blobs, _interaction_id(args.id), None)
    print(f"deleted the interaction and its {count} messages")
    return 0


def _demo(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.demo.seed import DEMO_PASSWORD, seed

    if not 10 <= args.messages <= 100_000:
        raise UserError("--messages must be between 10 and 100000.")
    bar = _ProgressBar(sys.stderr)
    try:
        made = seed(ctx, args.messages, progress=bar)
    finally:
        bar.close()
    print(
        f"demo store ready in {ctx.data_dir}: {made['interactions']} interactions, "
        f"{made['worked']} worked by agents. Sign in as sam (supervisor) or giulia, lukas, "
        f"amelie, carmen, david, nina with the password {DEMO_PASSWORD!r}."
    )
    return 0


def _purge(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.retention import purge

    done = purge(ctx.store, ctx.blobs, dry_run=args.dry_run)
    if args.json:
        _json({"dry_run": args.dry_run, **done.as_json()})
        return 0
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {len(done.interactions)} interactions and {len(done.tickets)} tickets; "
        f"{'would anonymise' if args.dry_run else 'anonymised'} {len(done.contacts)} contacts"
    )
    return 0


def _date(text: str | None, default: dt.datetime, *, end: bool = False) -> dt.datetime:
    if text is None:
        return default
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{text!r} is not a date like 2026-01-31.") from None
    moment = dt.datetime.combine(day, dt.time(), dt.UTC)
    return moment + dt.timedelta(days=1) if end else moment


def _report(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services import reports

    now = dt.datetime.now(dt.UTC)
    start = _date(args.start, now - dt.timedelta(days=30))
    end = _date(args.end, now + dt.timedelta(seconds=1), end=True)
    if end <= start:
        raise UserError("--to must not be before --from.")
    if args.report_name == "email-log":
        rows = reports.email_log(ctx.store, start, end, with_tickets=args.with_tickets)
    elif args.report_name == "tickets":
        rows = reports.ticket_list(ctx.store, start, end)
    elif args.report_name == "dispositions":
        rows = reports.disposition_statistics(ctx.store, start, end)
    else:
        rows = reports.agent_statistics(ctx.store, start, end)
    if args.json:
        _json(rows)
    else:
        sys.stdout.write(reports.to_csv(rows, bom=args.bom))
    return 0


def _fetch_summary(totals: Any, started: float) -> None:
    elapsed = time.monotonic() - started
    print(f"fetched {totals.new} new, {totals.updated} updated in {elapsed:.1f} s", flush=True)


def _interactions_list(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.interactions import list_interactions

    if args.limit is not None and args.limit < 0:
        raise UserError("--limit must be 0 or more.")
    rows = list_interactions(ctx.store, args.limit)
    if args.json:
        _json([r.as_json() for r in rows])
        return 0
    for r in rows:
        print(f"{r.status:<6} {r.language:<7} {r.message_count:>3}  {r.customer:<30}  {r.subject}")
    return 0


def _interactions_close(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.operations import Operation, apply_or_raise

    payload: dict[str, Any] = {"interaction": args.id}
    if args.disposition:
        payload["disposition"] = args.disposition
    result = apply_or_raise(ctx.store, Operation("close", args.agent, payload), blobs=ctx.blobs)
    if args.json:
        _json(result)
    else:
        print(f"closed {result['id']}")
    return 0


def _agent_add(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.agents import add_agent

    info = add_agent(
        ctx.store,
        args.name,
        supervisor=args.supervisor,
        password=_read_password(args),
        queues=args.queue,
        accounts=args.account,
    )
    if args.json:
        _json(info.as_json())
    else:
        where = ", ".join(info.queues) or "no queue"
        print(f"added {info.role} {info.name} ({where})")
    return 0


def _queue_add(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.agents import add_queue

    info = add_queue(ctx.store, args.name, language=args.language, project=args.project)
    if args.json:
        _json(info.as_json())
    else:
        print(f"added queue {info.name} to project {info.project}")
    return 0


def _claim_next(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.operations import Operation, apply_or_raise

    result = apply_or_raise(ctx.store, Operation("claim", args.agent), blobs=ctx.blobs)
    if args.json:
        _json(result)
    elif result:
        print(f"claimed {result['id']} (fence {result['fence']})")
    else:
        print("nothing to claim")
    return 0


def _tickets_assign(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.operations import Operation, apply_or_raise

    if args.type and not args.new:
        raise UserError("--type applies to a new ticket only (with --new).")
    payload: dict[str, Any] = {"interaction": args.interaction}
    if args.new:
        payload.update(new=True, type=args.type)
    else:
        payload["ticket"] = args.ticket
    result = apply_or_raise(
        ctx.store, Operation("assign_ticket", args.agent, payload), blobs=ctx.blobs
    )
    if args.json:
        _json({"interaction": args.interaction, **result})
    else:
        verb = "opened" if result["new"] else "joined"
        print(f"{verb} ticket {result['ticket']}")
    return 0


def _tickets_show(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.tickets import get_ticket

    info = get_ticket(ctx.store, args.number)
    if args.json:
        _json(info.as_json())
        return 0
    print(f"{info.number}  {info.title}")
    print(f"type {info.type or '-'}, responsible {info.responsible or '-'}")
    print(f"received {info.received_count}, sent {info.sent_count}, SLA {info.sla or '-'}")
    return 0


def _settings_list(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.settings import list_settings

    rows = list_settings(ctx.store, project=args.project, account=args.account)
    if args.json:
        _json([r.as_json() for r in rows])
        return 0
    for r in rows:
        print(f"{r.key:<28} {r.value!s:<12} ({r.range_text})  {r.help}")
    return 0


def _settings_set(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.settings import change_setting

    value = change_setting(
        ctx.store, args.key, args.value, project=args.project, account=args.account
    )
    print(f"{args.key} = {value}")
    return 0


def _contacts_import(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.contact_io import import_contacts

    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise UserError(f"Cannot read {args.file}: {exc.strerror}.") from None
    report = import_contacts(ctx.store, data, actor=args.agent, list_name=args.list)
    if args.json:
        _json(report.as_json())
    else:
        print(f"imported {report.created} new and {report.updated} updated contacts")
        for problem in report.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
    # Good rows are kept either way; a refused line still makes the run a failure to look at.
    return 1 if report.problems else 0


def _contacts_export(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.contact_io import export_contacts

    if args.json and not args.out:
        raise UserError("--json prints a summary: name the CSV file to write (OUT).")
    text, count = export_contacts(ctx.store, actor=args.agent, list_name=args.list, bom=args.bom)
    if not args.out:
        sys.stdout.write(text)
        return 0
    target = Path(args.out)
    partial = target.with_name(target.name + ".partial")
    try:
        # Whole or not at all: a crash never leaves half a file under the real name.
        partial.write_bytes(text.encode("utf-8"))
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"Cannot write {args.out}: {exc.strerror}.") from None
    if args.json:
        _json({"file": str(target), "contacts": count})
    else:
        print(f"exported {count} contacts to {target}")
    return 0


COMMANDS: dict[tuple[str, str | None], Handler] = {
    ("settings", "list"): _settings_list,
    ("settings", "set"): _settings_set,
    ("db", "upgrade"): _db_upgrade,
    ("db", "password"): _db_password,
    ("db", "grant-agent"): _db_grant_agent,
    ("db", "grant-worker"): _db_grant_worker,
    ("sync", None): _sync,
    ("project", "add"): _project_add,
    ("project", "list"): _project_list,
    ("account", "add"): _account_add,
    ("account", "list"): _account_list,
    ("account", "verify"): _account_verify,
    ("account", "remove"): _account_remove,
    ("account", "plan"): _account_plan,
    ("account", "password"): _account_password,
    ("account", "signin"): _account_signin,
    ("fetch", None): _fetch,
    ("worker", None): _worker,
    ("report", None): _report,
    ("purge", None): _purge,
    ("search", None): cli_search.run,
    ("demo", None): _demo,
    ("interactions", "export"): _interactions_export,
    ("interactions", "delete"): _interactions_delete,
    ("interactions", "list"): _interactions_list,
    ("interactions", "close"): _interactions_close,
    ("agent", "add"): _agent_add,
    ("queue", "add"): _queue_add,
    ("claim", "next"): _claim_next,
    ("tickets", "assign"): _tickets_assign,
    ("tickets", "show"): _tickets_show,
    ("contacts", "import"): _contacts_import,
    ("contacts", "export"): _contacts_export,
}


def _json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _open_window(args: argparse.Namespace) -> int:
    if _no_display():
        if not args.quit_after_startup:
            print(
                "No display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). "
                "Run it in a desktop session, or use the headless commands (relaydesk --help).",
                file=sys.stderr,
            )
            return 1
        # The smoke test needs no screen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.first_run import window_language
    from ui.app import run  # lazily: the only place app/ reaches into ui/

    data_dir = paths.data_dir(args.data_dir)
    return run(
        data_dir,
        quit_after_startup=args.quit_after_startup,
        language=window_language(data_dir, args.ui_language),
    )


def _no_display() -> bool:
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _first_run(args: argparse.Namespace, ctx: AppContext) -> int:
    from app import first_run

    print(first_run.apply(ctx.store, args.first_run).summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logs.setup(verbose=args.verbose)
    if args.first_run_config is not None:
        if args.command is not None or args.quit_after_startup:
            parser.error("--first-run-config runs on its own, without a command")
        from app import first_run

        try:  # checked before the store is even created: a bad file changes nothing
            args.first_run = first_run.load(Path(args.first_run_config))
        except RelaydeskError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        handler: Handler = _first_run
    elif args.command is None:
        return _open_window(args)
    else:
        sub = getattr(args, f"{args.command}_command", None)
        handler = COMMANDS[(args.command, sub)]
    ctx: AppContext | None = None
    try:
        ctx = open_local(paths.data_dir(args.data_dir))
        return handler(args, ctx)
    except RelaydeskError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error; keep Python quiet at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line here, the whole story in a crash report
        log.error("unexpected error in %s: %r", args.command, exc)
        report = logs.write_crash_report(type(exc), exc, exc.__traceback__)
        print(
            f"Relaydesk hit an internal error ({type(exc).__name__}); the details are in {report}",
            file=sys.stderr,
        )
        return 70
    finally:
        if ctx is not None:
            ctx.close()


def entry() -> None:
    """The ``relaydesk`` console script."""
    run_as_package_main()
    sys.exit(main())


def run_as_package_main() -> None:
    """Let spawned worker processes skip the console script, as they skip ``python -m app``.

    A spawned process first runs its parent's main module, unless that is a package's
    ``__main__``. The console script is one import, ``app.cli``, which is the whole
    application: about a second of start-up in each of ingest's parsing workers, which need
    only app/mail/prepare.py. The script does what ``python -m app`` does, so it is
    announced as that module.
    """
    main_module = sys.modules["__main__"]
    if getattr(main_module, "__spec__", None) is None:
        main_module.__spec__ = importlib.util.find_spec("app.__main__")
