"""Language detection for ingest: clean a mail body down to its newest text, then ask langdetect."""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import random
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram
from langdetect.utils.unicode_block import unicode_block

__all__ = [
    "MAX_DETECTION_CHARS",
    "MIN_LETTERS",
    "N_TRIAL",
    "UNKNOWN",
    "clean_for_detection",
    "detect_language",
    "detect_many",
    "init_worker",
]

UNKNOWN = "unknown"

# The "too short to tell" gate. Measured on fragments of real-style customer sentences
# (11 languages): langdetect is right 68% of the time at 10 letters, 73% at 12, 80% at 15,
# 85% at 20 and 93% at 30. 12 keeps "ok"/"Thanks!"/"Danke!" out and still answers
# "Wo ist mein Paket?". A CJK character carries about a word, so it counts
# CJK_LETTER_WEIGHT times: "谢谢" is unknown, "请问可以修改收货地址吗" is not.
MIN_LETTERS = 12
CJK_LETTER_WEIGHT = 3

# Answers on the test texts are identical from 50 to 1600 characters, but the n-gram pass
# is linear: 0.13 ms at 400 characters, 0.53 ms at 1600. Customers put the point first.
MAX_DETECTION_CHARS = 400

# langdetect's default, kept so answers stay identical to stock langdetect with seed 0.
# Three trials disagreed with seven on 3 of 2,000 corpus mails; the early decision below
# gets most of that speed without changing any answer.
N_TRIAL = 7

# Below this many texts still running, the batch path finishes them one by one.
TAIL_ONE_BY_ONE = 4

# langdetect's internal constants, copied so the fast path cannot drift from them silently
# (tests compare the fast path against Detector itself).
_ALPHA_DEFAULT = Detector.ALPHA_DEFAULT
_ALPHA_WIDTH = Detector.ALPHA_WIDTH
_ITERATION_LIMIT = Detector.ITERATION_LIMIT
_PROB_THRESHOLD = Detector.PROB_THRESHOLD
_CONV_THRESHOLD = Detector.CONV_THRESHOLD
_BASE_FREQ = Detector.BASE_FREQ
_SEED = 0


# --------------------------------------------------------------------------- cleaning

_HTML_HINT = re.compile(r"<(?:html|body|div|p|br|table|span|font)\b", re.IGNORECASE)
# Quoted history in HTML mail lives in these containers; the newest text sits above them.
_HTML_QUOTE_START = re.compile(
    r"<blockquote\b|class=\"?(?:gmail_quote|moz-cite-prefix|yahoo_quoted)"
    r"|id=\"?(?:divRplyFwdMsg|appendonsend)",
    re.IGNORECASE,
)
_HTML_DROP = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")

_ATTRIBUTION_START = re.compile(
    r"^\s*(?:On|Am|Le|El|Il(?:\s+giorno)?|Em|Op|W\s+dniu|Den|Dne|Dňa|Pada|在)\s", re.IGNORECASE
)
_ATTRIBUTION_VERB = (
    r"(?:wrote|schrieb|a\s+écrit|escribió|ha\s+scritto|escreveu|schreef|napisał\(a\)|napisała|"
    r"napisał|pisze|skrev|napsal|написал\(а\)|написала|написал|пишет|写道)"
)
_ATTRIBUTION_END = re.compile(_ATTRIBUTION_VERB + r"\s*[:：]\s*$", re.IGNORECASE)
# German and Dutch put the verb before the name: "Am 05.01.26 um 10:00 schrieb Jürgen Müller:".
_ATTRIBUTION_ANY_VERB = re.compile(_ATTRIBUTION_VERB, re.IGNORECASE)
# Localised Gmail/Apple attributions end in "<address>:" on a line that carries a date; this
# catches the locales that put no verb there (ja, ru, pl) or put it before the name (de, nl).
_ADDRESS_ATTRIBUTION = re.compile(r"<[^<>\s]+@[^<>\s]+>.{0,40}[:：]\s*$")
_HAS_DIGIT = re.compile(r"\d")
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}|_{2,}|={2,})?\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht|"
    r"Weitergeleitete Nachricht|Messaggio originale|Messaggio inoltrato|Message d'origine|"
    r"Message transféré|Mensaje original|Mensaje reenviado|Mensagem original|"
    r"Mensagem encaminhada|Oorspronkelijk bericht|Doorgestuurd bericht|Wiadomość oryginalna|"
    r"Przekazana wiadomość|Исходное сообщение|Пересылаемое сообщение|原始邮件|転送メッセージ|"
    r"元のメッセージ)\s*(?:-{2,}|_{2,}|={2,})?\s*$|^\s*Begin forwarded message:\s*$|^\s*_{10,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(
    r"^\s*\*?(?:From|Von|Da|De|Van|Od|От|Från|Fra|Lähettäjä|发件人|寄件者|差出人)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_HEADER_SENT = re.compile(
    r"^\s*\*?(?:Sent|Gesendet|Inviato|Envoyé|Enviado(?: el)?|Enviada|Verzonden|Wysłano|Wysłane|"
    r"Отправлено|Skickat|Sendt|Date|Datum|Data|Fecha|Дата|Päivämäärä|发送时间|日期|送信日時|日時)"
    r"\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_DEVICE_SIGNOFF = re.compile(
    r"^\s*(?:Sent from my|Get Outlook for|Von meinem .{1,30} gesendet|Gesendet von|"
    r"Inviato da|Envoyé de mon|Enviado desde mi|Enviado do meu|Verstuurd vanaf mijn|"
    r"Verzonden (?:vanaf|met) mijn|Wysłane z|Отправлено с|发自我的|iPhoneから送信)",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Order numbers, phone numbers, dates, tracking codes: ASCII-only so a digit inside CJK text
# (no spaces there) does not take the surrounding sentence with it.
_DIGITS = re.compile(r"[A-Za-z0-9_#/+:.\-]*\d[A-Za-z0-9_#/+:.\-]*")
_WHITESPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_ASCII_WORD = re.compile(r"[A-Za-z]+")


def _html_to_text(text: str) -> str:
    quote = _HTML_QUOTE_START.search(text)
    if quote is not None:
        # The marker may be an attribute: cut at the start of the tag that carries it.
        tag_start = text.rfind("<", 0, quote.start() + 1)
        text = text[: tag_start if tag_start >= 0 else quote.start()]
    text = _HTML_DROP.sub(" ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    return html.unescape(text)


def _is_outlook_header(lines: Sequence[str], index: int) -> bool:
    if not _HEADER_FROM.match(lines[index]):
        return False
    return any(_HEADER_SENT.match(line) for line in lines[index + 1 : index + 6])


def _is_attribution(lines: Sequence[str], index: int) -> bool:
    line = lines[index].strip()
    if not line:
        return False
    starts = bool(_ATTRIBUTION_START.match(line))
    if not (starts or _HAS_DIGIT.search(line) or "@" in line):
        return False
    if line.endswith((":", "：")) and (
        _ATTRIBUTION_END.search(line)
        or _ADDRESS_ATTRIBUTION.search(line)
        or (starts and _HAS_DIGIT.search(line) and _ATTRIBUTION_ANY_VERB.search(line))
    ):
        return True
    # Clients wrap a long attribution, leaving "wrote:" or "<address>:" on the next line.
    if index + 1 < len(lines) and (starts or "<" in line):
        joined = line + " " + lines[index + 1].strip()
        return bool(_ATTRIBUTION_END.search(joined) or _ADDRESS_ATTRIBUTION.search(joined))
    return False


def clean_for_detection(text: str) -> str:
    """Return the newest, prose-only part of a mail body, capped at MAX_DETECTION_CHARS.

    Quoted lines, the quoted history after a reply/forward header, the signature after
    "-- ", URLs, addresses and digit-bearing tokens are removed; whitespace is collapsed.
    """
    if not text:
        return ""
    if _HTML_HINT.search(text):
        text = _html_to_text(text)
    # Only the start of a body can be newest text, and a quoted history can be megabytes.
    text = text[: MAX_DETECTION_CHARS * 40]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if line in ("-- ", "--"):
            break
        if _SEPARATOR.match(line) or _DEVICE_SIGNOFF.match(line):
            break
        if _is_attribution(lines, index) or _is_outlook_header(lines, index):
            # Clients leave a blank line above an attribution; a dated line right above it is
            # the first half of a wrapped one ("śr., 7 sty 2026 o 10:00 Name" / "<addr> …:").
            if kept and kept[-1] is lines[index - 1] and _HAS_DIGIT.search(kept[-1]):
                kept.pop()
            break
        kept.append(line)
        size += len(stripped)
        # Twice the cap leaves room for the URLs and numbers removed below.
        if size > MAX_DETECTION_CHARS * 2:
            break
    cleaned = "\n".join(kept)
    cleaned = _URL.sub(" ", cleaned)
    cleaned = _EMAIL.sub(" ", cleaned)
    cleaned = _DIGITS.sub(" ", cleaned)
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    # langdetect drops Latin letters only when they are under a third of the non-Latin ones;
    # a CJK character carries about a word, so "Order:"-style labels or an English sign-off
    # under two Chinese sentences would otherwise outvote them (and come out as "no" or "en").
    cjk = len(_CJK.findall(cleaned))
    if cjk and cjk * CJK_LETTER_WEIGHT > len(_ASCII_LETTERS.findall(cleaned)):
        cleaned = _WHITESPACE.sub(" ", _ASCII_WORD.sub(" ", cleaned)).strip()
    if len(cleaned) > MAX_DETECTION_CHARS:
        cut = cleaned.rfind(" ", 0, MAX_DETECTION_CHARS + 1)
        # CJK text has no spaces to cut at; a hard cut costs at most one word elsewhere.
        cleaned = cleaned[: cut if cut > MAX_DETECTION_CHARS // 2 else MAX_DETECTION_CHARS]
    return cleaned


def _letter_weight(text: str) -> int:
    letters = sum(1 for ch in text if ch.isalpha())
    cjk = sum(1 for ch in _CJK.findall(text) if ch.isalpha())
    return letters + (CJK_LETTER_WEIGHT - 1) * cjk


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class _Model:
    factory: DetectorFactory
    langs: tuple[str, ...]
    vectors: dict[str, list[float]]


_model: _Model | None = None
_model_lock = threading.Lock()


def _profile_texts() -> list[str]:
    """langdetect's profiles (JSON), sorted by file name."""
    texts = []
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        full = os.path.join(PROFILES_DIRECTORY, name)
        if not name.startswith(".") and os.path.isfile(full):
            with open(full, encoding="utf-8") as handle:
                texts.append(handle.read())
    return texts


@dataclass(frozen=True, slots=True)
class _Matrix:
    """langdetect's model as one numpy array (the batch path): a row per n-gram, a column
    per language, the very floats ``DetectorFactory.add_profile`` computes."""

    langs: tuple[str, ...]
    rows: dict[str, int]
    values: Any  # numpy.ndarray, float64, (n-grams, languages)


_matrix: _Matrix | None = None


def _load_matrix() -> _Matrix:
    """The batch path's matrix, once per process: from the cache file a previous process
    left (~0.05 s), else read from the profiles (~0.3 s) and cached for the next one."""
    global _matrix
    if _matrix is not None:
        return _matrix
    with _model_lock:
        if _matrix is None:
            texts = _profile_texts()
            cache = _matrix_cache_path(texts)
            _matrix = _read_matrix(cache)
            if _matrix is None:
                _matrix = _matrix_from_profiles(texts)
                _write_matrix(cache, _matrix)
    return _matrix


def _matrix_from_profiles(texts: list[str]) -> _Matrix:
    """The profiles straight into the matrix: the same profiles in the same sorted order as
    ``_load_model``, and the same division (``freq / n_words[len - 1]``, n-grams of 1 to 3
    characters), so every row is bit for bit the model's vector (a test holds them equal).
    Building it from the model instead costs the model's 0.35 s and as much again."""
    import numpy as np  # only the batch path needs it

    profiles = [json.loads(text) for text in texts]
    rows: dict[str, int] = {}
    entries = []
    for column, profile in enumerate(profiles):
        freq: dict[str, int] = profile["freq"]
        n_words = np.array([0, *profile["n_words"]], dtype=np.float64)
        at = np.fromiter((rows.setdefault(g, len(rows)) for g in freq), np.int64, len(freq))
        sizes = np.fromiter(map(len, freq), np.int64, len(freq))
        counts = np.fromiter(freq.values(), np.float64, len(freq))
        kept = (sizes >= 1) & (sizes <= 3)
        # 1.0 * freq / n_words[length - 1], as add_profile divides (exact: counts are far
        # below 2**53, so int-to-float is exact on both sides)
        entries.append((at[kept], column, counts[kept] / n_words[sizes[kept]]))
    values = np.zeros((len(rows), len(profiles)), dtype=np.float64)
    for at, column, probs in entries:
        values[at, column] = probs
    return _Matrix(tuple(str(profile["name"]) for profile in profiles), rows, values)


# Part of the cache file's name: a change to what the file holds, or to how the matrix is
# computed, takes a new number, so that no process reads an older file for a newer one.
_MATRIX_FORMAT = 1


def _matrix_cache_path(texts: list[str]) -> Path | None:
    """Named by the profiles' contents: another langdetect's profiles get a file of their own."""
    from app.paths import cache_dir

    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    try:
        name = f"langdetect-matrix-v{_MATRIX_FORMAT}-{digest.hexdigest()[:24]}.npz"
        return cache_dir() / name
    except Exception:  # no usable cache folder: build every time, never fail for it
        return None


def _read_matrix(path: Path | None) -> _Matrix | None:
    if path is None:
        return None
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as stored:
            grams, langs, values = stored["grams"].tolist(), stored["langs"], stored["values"]
        if values.shape != (len(grams), len(langs)) or values.dtype != np.float64:
            return None
        return _Matrix(tuple(langs.tolist()), {g: i for i, g in enumerate(grams)}, values)
    except Exception:  # missing, unreadable or damaged (a cut zip, a foreign file): rebuild
        return None


def _write_matrix(path: Path | None, matrix: _Matrix) -> None:
    if path is None:
        return
    import numpy as np

    grams = np.array(list(matrix.rows), dtype=str)  # insertion order: row order
    partial = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(partial, grams=grams, langs=np.array(matrix.langs), values=matrix.values)
        os.replace(partial, path)  # whole or not at all, whoever else writes it meanwhile
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def _load_model() -> _Model:
    """Load every profile once per process, in sorted order.

    langdetect loads profiles in os.listdir() order, which differs between installs; the
    order decides float summation order and ties, so a sorted load is what makes answers
    identical across machines, not just across runs.
    """
    global _model
    if _model is not None:
        return _model
    with _model_lock:
        if _model is None:
            profiles = _profile_texts()
            factory = DetectorFactory()
            factory.load_json_profile(profiles)
            factory.set_seed(_SEED)
            _model = _Model(factory, tuple(factory.langlist), factory.word_lang_prob_map)
    return _model


def init_worker() -> None:
    """ProcessPoolExecutor initializer: load the batch path's matrix before the first task
    (0.04 s from the cache, ~0.3 s the first time); ``detect_many`` then runs its texts
    side by side."""
    _load_matrix()


# --------------------------------------------------------------------------- fast detector
#
# A re-implementation of Detector.append/_detect_block that performs the same float
# operations in the same order with the same random draws, so its probabilities are
# bit-identical to langdetect's (test_fast_path_matches_langdetect_bit_for_bit). It is faster
# because n-grams resolve to their probability vectors once, the per-character normalisation
# is memoised, the five updates between convergence checks are fused into one pass, and
# detection stops once the remaining trials can no longer change the winner.

_Found = TypeVar("_Found")

# Bounded by the Unicode repertoire; in practice a few hundred entries.
_normalized: dict[str, tuple[str, bool]] = {}


def _normalize_char(ch: str) -> tuple[str, bool]:
    hit = _normalized.get(ch)
    if hit is None:
        norm = NGram.normalize(ch)
        hit = (norm, norm.isupper())
        _normalized[ch] = hit
    return hit


def _prepare(text: str, max_length: int) -> str:
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    text = re.sub(" {2,}", " ", text[:max_length])
    latin = non_latin = 0
    for ch in text:
        if "A" <= ch <= "z":
            latin += 1
        elif ch >= "\u0300" and unicode_block(ch) != "Latin Extended Additional":
            non_latin += 1
    if latin * 2 < non_latin:
        text = "".join(ch for ch in text if ch < "A" or ch > "z")
    return text


def _ngram_vectors(text: str, vectors: Mapping[str, _Found]) -> list[_Found]:
    """What ``vectors`` holds for each n-gram of ``text`` that it knows, in langdetect's
    order: the probability vectors, or (for the batch path) their rows in the matrix."""
    result: list[_Found] = []
    append = result.append
    get = vectors.get
    grams = " "
    capital = False
    for raw in text:
        ch, upper = _normalize_char(raw)
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if upper:
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != " ":
            vector = get(ch)
            if vector is not None:
                append(vector)
        size = len(grams)
        if size >= 2:
            vector = get(grams[-2:])
            if vector is not None:
                append(vector)
            if size >= 3:
                vector = get(grams)
                if vector is not None:
                    append(vector)
    return result


def _probabilities(
    ngrams: list[list[float]], n_langs: int, n_trial: int, decide_early: bool = False
) -> list[float]:
    """Detector._detect_block's averaged probabilities, bit for bit.

    With ``decide_early`` it stops as soon as the leader is certain: a trial's probabilities
    sum to 1, so the trials still to run can add at most ``remaining / n_trial`` to any rival.
    The winner is then the one the full run would pick, but the returned numbers are
    partial sums, good for the argmax only.
    """
    rng = random.Random(_SEED)
    choice = rng.choice
    return _run_trials(
        rng,
        lambda: choice(ngrams),
        n_langs,
        n_trial,
        decide_early,
        1,
        None,
        0.0,
        0,
        [0.0] * n_langs,
    )


def _run_trials(
    rng: random.Random,
    draw: Callable[[], list[float]],
    n_langs: int,
    n_trial: int,
    decide_early: bool,
    trial: int,
    prob: list[float] | None,
    weight: float,
    steps: int,
    langprob: list[float],
) -> list[float]:
    """The trials of one text from trial ``trial`` on: at its start (``prob`` None), or
    between two convergence checks (``prob``, ``weight`` and ``steps`` as the last check left
    them), which is where the batch path hands over the last few texts of a batch."""
    start = 1.0 / n_langs
    while True:
        if prob is None:
            weight = (_ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * _ALPHA_WIDTH) / _BASE_FREQ
            # Iteration 0 is checked on its own, then every fifth: the same schedule as
            # Detector._detect_block, so the random stream is consumed identically.
            prob = [start * (weight + q) for q in draw()]
            total = sum(prob)
            prob = [p / total for p in prob]
            steps = 0
            done = max(prob) > _CONV_THRESHOLD
        else:
            done = False
        while not done:
            a, b, c, d, e = draw(), draw(), draw(), draw(), draw()
            prob = [
                p * (weight + qa) * (weight + qb) * (weight + qc) * (weight + qd) * (weight + qe)
                for p, qa, qb, qc, qd, qe in zip(prob, a, b, c, d, e, strict=True)
            ]
            steps += 5
            total = sum(prob)
            prob = [p / total for p in prob]
            done = max(prob) > _CONV_THRESHOLD or steps >= _ITERATION_LIMIT
        for j in range(n_langs):
            langprob[j] += prob[j] / n_trial
        if _decided(langprob, trial, n_trial, decide_early):
            return langprob
        trial += 1
        prob = None


def _decided(langprob: Sequence[float], trial: int, n_trial: int, decide_early: bool) -> bool:
    """Whether a text's trials end after trial ``trial``: it was the last, or with
    ``decide_early`` the leader is certain (a trial's probabilities sum to 1, so the trials
    still to run can add at most ``remaining / n_trial`` to any rival)."""
    remaining = n_trial - trial
    if remaining == 0:
        return True
    if not decide_early or remaining >= trial:
        return False
    first, second = sorted(langprob, reverse=True)[:2]
    # Rounding in these sums is ~1e-16; the 1e-9 slack keeps a near-tie undecided.
    return first > _PROB_THRESHOLD and first - second > remaining / n_trial + 1e-9


def _probabilities_many(
    ids: Sequence[list[int]], matrix: Any, n_trial: int, decide_early: bool
) -> list[list[float] | None]:
    """``_probabilities`` of many texts at once, bit for bit the same numbers (None where
    it would divide by zero). ``ids``: each text's n-grams as rows of ``matrix``.

    Each text keeps its own random stream and its own schedule; what is shared is the
    arithmetic. At each step every text still running draws its n-grams (in Python, from its
    own generator, as ``_probabilities`` does), then numpy applies the updates to all of them
    in one pass: the same IEEE operations in the same order, so the same bits. Sums stay
    Python's ``sum`` over each row (numpy sums pairwise, which rounds differently).
    """
    import numpy as np

    count = len(ids)
    n_langs = matrix.shape[1]
    rngs = [random.Random(_SEED) for _ in range(count)]
    prob = np.zeros((count, n_langs))
    langprob = np.zeros((count, n_langs))
    weight = np.zeros(count)
    trial = [1] * count
    steps = [0] * count
    start = 1.0 / n_langs
    starting = list(range(count))  # texts at the start of a trial
    iterating: list[int] = []  # texts between convergence checks

    failed: set[int] = set()

    def normalised(values: Any, texts: list[int]) -> Any:
        totals = [sum(row) for row in values.tolist()]
        for i, total in zip(texts, totals, strict=True):
            if total == 0.0:
                failed.add(i)  # where _probabilities divides by zero
        with np.errstate(divide="ignore", invalid="ignore"):
            return values / np.array(totals)[:, None]

    def end_trials(ended: list[int]) -> list[int]:
        """Add the ended trials to their texts' sums; the texts that go on."""
        at = np.array(ended)
        langprob[at] = langprob[at] + prob[at] / n_trial
        going: list[int] = []
        for i in ended:
            if not _decided(langprob[i].tolist(), trial[i], n_trial, decide_early):
                trial[i] += 1
                going.append(i)
        return going

    def finish(i: int, at_start: bool) -> None:
        """The rest of text ``i``'s trials one by one, in Python."""
        choice, own = rngs[i].choice, ids[i]
        try:
            langprob[i] = _run_trials(
                rngs[i],
                lambda: matrix[choice(own)].tolist(),
                n_langs,
                n_trial,
                decide_early,
                trial[i],
                None if at_start else prob[i].tolist(),
                float(weight[i]),
                steps[i],
                langprob[i].tolist(),
            )
        except ZeroDivisionError:
            failed.add(i)

    while starting or iterating:
        # The last few texts of a batch (half of its steps, typically) go on one by one: a
        # pass of numpy over two rows costs more than the Python it saves.
        if len(starting) + len(iterating) <= TAIL_ONE_BY_ONE:
            for i in starting:
                finish(i, at_start=True)
            for i in iterating:
                finish(i, at_start=False)
            break
        ended: list[int] = []
        if starting:
            at = np.array(starting)
            firsts = []
            for i in starting:
                rng = rngs[i]
                weight[i] = (_ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * _ALPHA_WIDTH) / _BASE_FREQ
                firsts.append(rng.choice(ids[i]))
                steps[i] = 0
            fresh = normalised(start * (weight[at][:, None] + matrix[firsts]), starting)
            prob[at] = fresh
            converged = (fresh.max(axis=1) > _CONV_THRESHOLD).tolist()
            for i, done in zip(starting, converged, strict=True):
                if i not in failed:
                    (ended if done else iterating).append(i)
        if iterating:
            at = np.array(iterating)
            draws = []
            for i in iterating:
                choice, own = rngs[i].choice, ids[i]
                draws.append((choice(own), choice(own), choice(own), choice(own), choice(own)))
            picked = np.array(draws)
            w = weight[at][:, None]
            updated = prob[at]
            for k in range(5):
                updated = updated * (w + matrix[picked[:, k]])
            updated = normalised(updated, iterating)
            prob[at] = updated
            converged = (updated.max(axis=1) > _CONV_THRESHOLD).tolist()
            going_on: list[int] = []
            for i, done in zip(iterating, converged, strict=True):
                steps[i] += 5
                if i not in failed:
                    (ended if done or steps[i] >= _ITERATION_LIMIT else going_on).append(i)
            iterating = going_on
        starting = end_trials(ended) if ended else []
    return [None if i in failed else row for i, row in enumerate(langprob.tolist())]


def _detect_prepared(text: str, n_trial: int = N_TRIAL, decide_early: bool = True) -> str:
    model = _load_model()
    ngrams = _ngram_vectors(_prepare(text, MAX_DETECTION_CHARS * 2), model.vectors)
    if not ngrams:
        return UNKNOWN
    langprob = _probabilities(ngrams, len(model.langs), n_trial, decide_early)
    return _answer(model.langs, langprob)


def _answer(langs: Sequence[str], langprob: list[float]) -> str:
    best = max(range(len(langprob)), key=langprob.__getitem__)
    if langprob[best] <= _PROB_THRESHOLD:
        return UNKNOWN
    return langs[best]


# --------------------------------------------------------------------------- public API


def detect_language(text: str, *, cleaned: bool = False) -> str:
    """Return the langdetect code ("en", "de", "zh-cn", …) of a mail body's newest text.

    "unknown" when the cleaned text has too few letters to tell, or langdetect cannot
    decide. Deterministic across calls, call orders and processes. ``cleaned``: ``text``
    already went through ``clean_for_detection`` (which changes nothing the second time).
    """
    clean = text if cleaned else clean_for_detection(text)
    if _letter_weight(clean) < MIN_LETTERS:
        return UNKNOWN
    try:
        return _detect_prepared(clean)
    except (LangDetectException, ZeroDivisionError):
        return UNKNOWN


def detect_many(texts: Sequence[str], *, cleaned: bool = False) -> list[str]:
    """``detect_language`` over a batch, the same answers. ``cleaned``: the texts already
    went through ``clean_for_detection`` (ingest cleans them as it parses).

    In a process that built the matrix (a worker: ``init_worker``) the texts run side by
    side (``_probabilities_many``), about 2.5 times faster per text in batches of 50;
    elsewhere one by one, rather than build a 39 MB matrix for a few new mails. The unit of
    work of a worker process: ``ProcessPoolExecutor(initializer=init_worker)``.
    """
    matrix = _matrix
    if matrix is None:
        return [detect_language(text, cleaned=cleaned) for text in texts]
    answers = [UNKNOWN] * len(texts)
    todo: list[int] = []
    grams: list[list[int]] = []
    for i, text in enumerate(texts):
        clean = text if cleaned else clean_for_detection(text)
        if _letter_weight(clean) < MIN_LETTERS:
            continue
        ngrams = _ngram_vectors(_prepare(clean, MAX_DETECTION_CHARS * 2), matrix.rows)
        if ngrams:
            todo.append(i)
            grams.append(ngrams)
    if grams:
        found = _probabilities_many(grams, matrix.values, N_TRIAL, decide_early=True)
        for i, langprob in zip(todo, found, strict=True):
            answers[i] = UNKNOWN if langprob is None else _answer(matrix.langs, langprob)
    return answers
