"""The demo corpus: deterministic, realistic in shape and proportions, and parseable."""

from __future__ import annotations

import email
import hashlib
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from itertools import pairwise
from pathlib import Path

import pytest

from app.demo.corpus import CorpusMessage, generate_corpus, hostile_messages
from app.mail.language import detect_language

ROOT = Path(__file__).resolve().parents[3]
N = 5000
LANGUAGES = {"en", "de", "it", "fr", "es", "pt", "nl", "pl", "ru", "zh-cn", "ja"}
# Reply and forward markers of the clients customers use, including French "RE :".
REPLY_PREFIX = re.compile(
    r"^(?:re|aw|r|sv|antw|odp|res|答复|fwd?|wg|tr|i|rv|enc|pd|转发)\s?:", re.IGNORECASE
)


@pytest.fixture(scope="module")
def timed_corpus() -> tuple[list[CorpusMessage], float]:
    began = time.perf_counter()
    corpus = generate_corpus(N)
    return corpus, time.perf_counter() - began


@pytest.fixture(scope="module")
def corpus(timed_corpus: tuple[list[CorpusMessage], float]) -> list[CorpusMessage]:
    return timed_corpus[0]


@pytest.fixture(scope="module")
def parsed(corpus: list[CorpusMessage]) -> list[Message]:
    return [email.message_from_bytes(m.raw) for m in corpus]


def _text_part(message: Message) -> Message:
    """The first text/plain body part, else the first text/html one."""
    html = None
    for part in message.walk():
        if part.get_content_maintype() == "multipart" or part.get_filename():
            continue
        if part.get_content_type() == "text/plain":
            return part
        if part.get_content_type() == "text/html" and html is None:
            html = part
    assert html is not None
    return html


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    charset = part.get_content_charset()
    assert charset is not None
    return payload.decode(charset)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes() -> None:
    first = generate_corpus(300, seed=7)
    second = generate_corpus(300, seed=7)
    assert [m.raw for m in first] == [m.raw for m in second]
    assert first == second


def test_different_seed_different_mail() -> None:
    a = generate_corpus(50, seed=1)
    b = generate_corpus(50, seed=2)
    assert {m.message_id for m in a}.isdisjoint({m.message_id for m in b})


def test_smaller_corpus_is_a_prefix(corpus: list[CorpusMessage]) -> None:
    assert generate_corpus(700) == corpus[:700]


def test_reproducible_across_processes(corpus: list[CorpusMessage]) -> None:
    code = (
        "import hashlib; from app.demo.corpus import generate_corpus; "
        "print(hashlib.sha256(b''.join(m.raw for m in generate_corpus(200))).hexdigest())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
        cwd=ROOT,
        timeout=120,
    )
    here = hashlib.sha256(b"".join(m.raw for m in corpus[:200])).hexdigest()
    assert done.stdout.strip() == here


def test_edge_sizes() -> None:
    assert generate_corpus(0) == []
    assert len(generate_corpus(1)) == 1


def test_fast_enough(timed_corpus: tuple[list[CorpusMessage], float]) -> None:
    corpus, seconds = timed_corpus
    assert len(corpus) == N
    # About 0.7 s on a developer machine; the bound only catches an accidental O(n^2).
    assert seconds < 8.0


# --------------------------------------------------------------------------- shape


def test_every_message_parses_with_its_declared_charset(
    corpus: list[CorpusMessage], parsed: list[Message]
) -> None:
    for item, message in zip(corpus, parsed, strict=True):
        assert not message.defects, item.message_id
        part = _text_part(message)
        assert part.get_content_charset() == item.charset
        assert _decoded(part).strip()
        for sub in message.walk():
            assert not sub.defects, item.message_id
            if not sub.is_multipart():
                sub.get_payload(decode=True)
        assert message["Message-ID"] == item.message_id


def test_parses_with_the_modern_policy_too(corpus: list[CorpusMessage]) -> None:
    for item in corpus[:600]:
        message = email.message_from_bytes(item.raw, policy=policy.default)
        assert str(message["From"])
        assert str(message["Subject"])
        body = message.get_body(preferencelist=("plain", "html"))
        assert body is not None
        assert body.get_content().strip()


def test_message_ids_unique_and_hex(corpus: list[CorpusMessage]) -> None:
    ids = [m.message_id for m in corpus]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"<[0-9a-f]{32}@[a-z0-9.-]+>", i) for i in ids)


def test_dates_increase_from_start(parsed: list[Message]) -> None:
    dates = [parsedate_to_datetime(m["Date"]) for m in parsed]
    assert dates[0] == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert all(later > earlier for earlier, later in pairwise(dates))
    gaps = sorted((b - a).total_seconds() for a, b in pairwise(dates))
    # Busy office hours and quiet nights: minutes typically, hours at most.
    assert 30 < statistics.median(gaps) < 30 * 60
    assert gaps[-1] < 24 * 3600


def test_custom_start_and_support_address() -> None:
    start = datetime(2025, 6, 2, 8, 30)
    mail = generate_corpus(20, start=start, support_address="hilfe@beispiel.test")
    first = email.message_from_bytes(mail[0].raw)
    assert parsedate_to_datetime(first["Date"]) == start.replace(tzinfo=UTC)
    assert all(b"hilfe@beispiel.test" in m.raw for m in mail)
    assert all(b"support@acme.test" not in m.raw for m in mail)


def test_sizes(corpus: list[CorpusMessage]) -> None:
    sizes = [len(m.raw) for m in corpus]
    typical = sum(2_000 <= s <= 30_000 for s in sizes) / len(sizes)
    assert typical > 0.85
    assert 2_000 < statistics.median(sizes) < 15_000
    assert max(sizes) < 100_000


def test_proportions(corpus: list[CorpusMessage], parsed: list[Message]) -> None:
    attachments = sum(m.has_attachment for m in corpus) / len(corpus)
    assert 0.10 < attachments < 0.22
    charsets = Counter(m.charset for m in corpus)
    assert 0.6 < charsets["utf-8"] / len(corpus) < 0.9
    for legacy in (
        "iso-8859-1",
        "windows-1252",
        "koi8-r",
        "windows-1251",
        "gb2312",
        "gb18030",
        "iso-2022-jp",
        "shift_jis",
    ):
        assert charsets[legacy] >= 3, legacy
    assert {m.language for m in corpus} == LANGUAGES
    assert Counter(m.language for m in corpus).most_common(1)[0][0] == "en"

    html_only = sum(m.get_content_type() == "text/html" for m in parsed) / len(parsed)
    assert 0.03 < html_only < 0.15
    types = Counter(part.get_content_type() for m in parsed for part in m.walk())
    assert types["multipart/alternative"] > 0.3 * len(parsed)
    assert types["multipart/related"] > 0
    assert types["application/pdf"] > 0 and types["image/png"] > 0 and types["text/csv"] > 0
    encodings = Counter(
        str(part.get("Content-Transfer-Encoding", "")).lower()
        for m in parsed
        for part in m.walk()
        if part.get_content_maintype() == "text"
    )
    for cte in ("quoted-printable", "base64", "8bit", "7bit"):
        assert encodings[cte] > 0, cte


def test_headers_use_rfc2047_and_filenames_rfc2231(
    corpus: list[CorpusMessage], parsed: list[Message]
) -> None:
    raw_headers = [m.raw.split(b"\r\n\r\n", 1)[0] for m in corpus]
    assert sum(b"Subject: =?" in h for h in raw_headers) > 100
    assert sum(b"From: =?" in h for h in raw_headers) > 100
    assert all(h.isascii() for h in raw_headers)
    assert any(b"filename*=utf-8''" in m.raw for m in corpus)
    assert any(b"filename*0*=utf-8''" in m.raw for m in corpus)
    names = [p.get_filename() for m in parsed for p in m.walk() if p.get_filename()]
    assert any(not name.isascii() for name in names if name and "=?" not in name)
    # Every stored name must decode to something printable, whichever convention was used.
    for message in parsed[:800]:
        for part in message.walk():
            if part.get_filename():
                assert part.get_payload(decode=True)


def test_inline_images_are_referenced_by_cid(parsed: list[Message]) -> None:
    found = 0
    for message in parsed:
        for part in message.walk():
            if part.get_content_type() == "multipart/related":
                children = part.get_payload()
                assert isinstance(children, list)
                html, image = children
                assert isinstance(html, Message) and isinstance(image, Message)
                cid = str(image["Content-ID"]).strip("<>")
                assert f"cid:{cid}" in _decoded(html)
                found += 1
    assert found >= 10


def test_same_attachment_bytes_are_sent_more_than_once(parsed: list[Message]) -> None:
    seen: Counter[str] = Counter()
    for message in parsed:
        for part in message.walk():
            if part.get("Content-Disposition", "").startswith("attachment"):
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                seen[hashlib.sha256(payload).hexdigest()] += 1
    assert sum(1 for count in seen.values() if count > 1) >= 5


def test_attachments_look_like_their_type(parsed: list[Message]) -> None:
    magic = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n"}
    for message in parsed[:1500]:
        for part in message.walk():
            payload = part.get_payload(decode=True) if not part.is_multipart() else None
            if part.get_content_type() in magic and isinstance(payload, bytes):
                assert payload.startswith(magic[part.get_content_type()])
                if part.get_content_type() == "application/pdf":
                    assert payload.rstrip().endswith(b"%%EOF")


# --------------------------------------------------------------------------- threads


def test_threads(corpus: list[CorpusMessage], parsed: list[Message]) -> None:
    position: dict[str, int] = {}
    thread_of: dict[str, str] = {}
    last_in_thread: dict[str, int] = {}
    sizes: Counter[str] = Counter(m.thread_key for m in corpus)
    kinds: Counter[str] = Counter()
    for index, (item, message) in enumerate(zip(corpus, parsed, strict=True)):
        in_reply_to = message["In-Reply-To"]
        references = str(message.get("References", "")).split()
        if item.thread_key in last_in_thread:
            previous = corpus[last_in_thread[item.thread_key]]
            previous_message = parsed[last_in_thread[item.thread_key]]
            if in_reply_to:
                kinds["full"] += 1
                assert in_reply_to == previous.message_id
                assert references[-1] == previous.message_id
            elif references:
                kinds["references only"] += 1
                assert references[-1] == previous.message_id
            else:
                kinds["none"] += 1
                # Clients that drop the headers: only the subject, sender and timing tell.
                subject = str(make_header(decode_header(message["Subject"])))
                assert REPLY_PREFIX.match(subject), subject
                assert parseaddr(message["From"])[1] == parseaddr(previous_message["From"])[1]
                gap = parsedate_to_datetime(message["Date"]) - parsedate_to_datetime(
                    previous_message["Date"]
                )
                assert timedelta(0) < gap <= timedelta(days=4, minutes=5)
            for ref in references:
                assert position[ref] < index
                assert thread_of[ref] == item.thread_key
        else:
            assert in_reply_to is None and not references
        position[item.message_id] = index
        thread_of[item.message_id] = item.thread_key
        last_in_thread[item.thread_key] = index
    assert set(sizes.values()) == {1, 2, 3, 4, 5, 6}
    total = sum(kinds.values())
    assert kinds["full"] / total > 0.5
    assert kinds["references only"] / total > 0.04
    assert kinds["none"] / total > 0.1


def test_language_of_first_messages_is_detectable(
    corpus: list[CorpusMessage], parsed: list[Message]
) -> None:
    seen: set[str] = set()
    agree: dict[str, list[bool]] = defaultdict(list)
    for item, message in zip(corpus, parsed, strict=True):
        if item.thread_key in seen:
            continue
        seen.add(item.thread_key)
        agree[item.language].append(detect_language(_decoded(_text_part(message))) == item.language)
    overall = sum(sum(v) for v in agree.values()) / sum(len(v) for v in agree.values())
    assert overall >= 0.9
    for lang, results in agree.items():
        assert sum(results) / len(results) >= 0.8, lang


def test_replies_are_detected_despite_their_quotes(
    corpus: list[CorpusMessage], parsed: list[Message]
) -> None:
    replies = [
        (item, message)
        for item, message in zip(corpus[:1500], parsed[:1500], strict=True)
        if message["References"] or message["In-Reply-To"]
    ]
    hits = sum(detect_language(_decoded(_text_part(m))) == item.language for item, m in replies)
    assert hits / len(replies) >= 0.9


# --------------------------------------------------------------------------- hostile mail


def test_hostile_messages_are_named_and_parse() -> None:
    hostile = hostile_messages()
    names = [name for name, _ in hostile]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
    for name, raw in hostile:
        assert raw, name
        for pol in (policy.compat32, policy.default):
            message = email.message_from_bytes(raw, policy=pol)
            for part in message.walk():
                if not part.is_multipart():
                    part.get_payload(decode=True)
            assert message.keys(), name


def test_hostile_messages_are_as_nasty_as_named() -> None:
    hostile = dict(hostile_messages())
    assert b"Message-ID" not in hostile["no_message_id"]
    no_id = email.message_from_bytes(hostile["no_message_id"])
    assert no_id["Message-ID"] is None
    garbage = email.message_from_bytes(hostile["garbage_date"])
    with pytest.raises((TypeError, ValueError)):
        parsedate_to_datetime(garbage["Date"])
    assert b"\x00" in hostile["nul_bytes"]
    headers = hostile["raw_utf8_headers"].split(b"\r\n\r\n", 1)[0]
    assert not headers.isascii()
    assert max(len(line) for line in hostile["huge_single_line"].split(b"\r\n")) >= 200_000
    depth = hostile["deeply_nested_multipart"].count(b"Content-Type: multipart/mixed")
    assert depth >= 30
    missing = email.message_from_bytes(hostile["missing_boundary"])
    assert missing.get_content_type() == "multipart/mixed" and missing.get_boundary() is None
    assert not hostile["headers_only"].rstrip().endswith(b"\r\n\r\n")
    assert b"\r\n\r\n" not in hostile["headers_only"]
    assert not hostile["truncated"].rstrip().endswith(b"--")

    def filename(name: str) -> str | None:
        message = email.message_from_bytes(hostile[name])
        return next((p.get_filename() for p in message.walk() if p.get_filename()), None)

    assert filename("path_traversal_filename") == "../../etc/passwd"
    assert filename("rtl_override_filename") == "invoice\u202efdp.exe"
