"""Ingest throughput: ``relaydesk fetch --once`` against a raw imapclient FETCH, same run.

    python -m bench.ingest [--messages 5000] [--runs 3]

Starts a throwaway Dovecot, fills a mailbox with the generated multilingual corpus, then
alternates: a raw FETCH of every message (BODY.PEEK[] in batches, nothing else) and the
whole pipeline (parse, thread, detect language, store) into a fresh data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from imapclient import IMAPClient

from app.demo.corpus import generate_corpus
from tests.servers.dovecot import DovecotServer

EXTRA: list[str] = os.environ.get("RELAYDESK_BENCH_FETCH_ARGS", "").split()
USER, PASSWORD = "bench@example.test", "bench"


def raw_fetch(server: DovecotServer, batch: int) -> float:
    started = time.perf_counter()
    client = IMAPClient(server.host, server.port, ssl=False)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search(["ALL"]))
    total = 0
    for start in range(0, len(uids), batch):
        response = client.fetch(uids[start : start + batch], [b"BODY.PEEK[]"])
        total += sum(len(d[b"BODY[]"]) for d in response.values())
    client.logout()
    assert total > 0
    return time.perf_counter() - started


def pipeline(server: DovecotServer, env: dict[str, str]) -> tuple[float, float, int]:
    data = tempfile.mkdtemp(prefix="relaydesk-bench-")
    cmd = [sys.executable, "-m", "app", "--data-dir", data]
    subprocess.run(
        [
            *cmd,
            "account",
            "add",
            "bench",
            "--email",
            "support@acme.test",
            "--imap-host",
            server.host,
            "--imap-port",
            str(server.port),
            "--imap-security",
            "none",
            "--username",
            USER,
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    result = subprocess.run(
        [*cmd, "fetch", "--once", *EXTRA], text=True, env=env, check=True, capture_output=True
    )
    wall = time.perf_counter() - started
    last = result.stdout.strip().splitlines()[-1]
    match = re.match(r"fetched (\d+) new, (\d+) updated in ([\d.]+) s", last)
    assert match, last
    listed = subprocess.run(
        [*cmd, "interactions", "list", "--json"],
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    interactions = len(json.loads(listed.stdout))
    return wall, float(match.group(3)), int(match.group(1)) and interactions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="relaydesk-bench-keyring-")
    with DovecotServer() as server:
        server.add_user(USER, PASSWORD)
        corpus = generate_corpus(args.messages)
        server.append_many(USER, [m.raw for m in corpus])
        size = sum(len(m.raw) for m in corpus)
        raw_fetch(server, args.batch)  # warm Dovecot's index and the page cache
        raw_times, wall_times, own_times = [], [], []
        interactions = 0
        for _ in range(args.runs):
            raw_times.append(raw_fetch(server, args.batch))
            wall, own, interactions = pipeline(server, env)
            wall_times.append(wall)
            own_times.append(own)
    raw = statistics.median(raw_times)
    wall = statistics.median(wall_times)
    own = statistics.median(own_times)
    n = args.messages
    print(f"messages: {n} ({size / n / 1024:.1f} KiB average), interactions: {interactions}")
    print(f"raw imapclient FETCH:          {raw:6.2f} s  {n / raw:7.0f} msg/s")
    for label, seconds in (("own", own), ("wall", wall)):
        print(
            f"relaydesk fetch --once ({label}):".ljust(31)
            + f"{seconds:6.2f} s  {n / seconds:7.0f} msg/s  ratio {raw / seconds:.2f}"
        )
    print(f"runs: {args.runs}, medians; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
