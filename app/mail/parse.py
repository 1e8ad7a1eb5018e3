"""Defensive MIME parsing: raw RFC 5322 bytes in, a ParsedMessage out, never an exception.

Mail is data from strangers. Every step here assumes the input is hostile or broken: a bad
part is decoded as well as possible and noted in ``ParsedMessage.defects`` instead of
poisoning its neighbours, and a message the stdlib parser cannot cope with at all still
yields its headers and a best-effort body so that ingest keeps going.

Structure: well-formed messages are split by a small byte-level splitter (exact part bytes,
a fraction of the cost); anything irregular is handed to the stdlib feed parser,
``email.message_from_bytes(raw, policy=compat32)``, which is slow (it walks every line in
Python) but has decades of tolerance for broken mail. compat32 rather than policy.default:
the default policy's header objects cost 3-6x more per message and raise lazily on
malformed headers. Header values are always taken raw and decoded here, because the charset
fallbacks that mail clients apply are not what the stdlib does.
"""

from __future__ import annotations

import binascii
import codecs
import email
import email.parser
import email.policy
import functools
import mimetypes
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime, parsedate_tz
from html import unescape as html_unescape
from urllib.parse import unquote as url_unquote
from urllib.parse import unquote_to_bytes

__all__ = [
    "MAX_DEPTH",
    "MAX_FILENAME_CHARS",
    "MAX_PARTS",
    "Address",
    "ParseFailure",
    "ParsedAttachment",
    "ParsedMessage",
    "decode_header_value",
    "html_to_text",
    "is_dangerous_attachment",
    "parse_message",
    "parse_message_strict",
    "safe_filename",
]

MAX_DEPTH = 30
MAX_PARTS = 500
MAX_DEFECTS = 200
MAX_FILENAME_CHARS = 150
# ext4, NTFS and APFS cap a name at 255 bytes/UTF-16 units; 150 CJK characters would not fit.
_MAX_FILENAME_BYTES = 240
_MAX_HEADER_VALUE_CHARS = 4000
_MAX_MESSAGE_ID_CHARS = 998

_POLICY = email.policy.compat32


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: display name (decoded) and address (domain lower-cased)."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    """A non-body MIME part, already transfer-decoded."""

    filename: str
    original_filename: str
    content_type: str
    content_id: str | None
    inline: bool
    data: bytes
    dangerous: bool


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything ingest needs from one message; see ``parse_message``."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_: Address | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    date: datetime | None
    text: str
    html: str | None
    attachments: tuple[ParsedAttachment, ...]
    # A dict is not hashable; leaving it out of the hash keeps the frozen dataclass hashable.
    headers: dict[str, str] = field(hash=False)
    is_auto_submitted: bool
    is_bounce_or_report: bool
    defects: tuple[str, ...]


class ParseFailure(Exception):
    """Raised by ``parse_message_strict`` when only a salvage parse was possible."""

    def __init__(self, message: str, partial: ParsedMessage) -> None:
        super().__init__(message)
        self.partial = partial


# --------------------------------------------------------------------------- defects


class _Defects:
    """Collects ``"<where>: <what went wrong>; <what was done>"`` notes, capped."""

    __slots__ = ("dropped", "items")

    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, where: str, what: str) -> None:
        # Fuzzed input can produce thousands of identical complaints; the list is for humans.
        if len(self.items) < MAX_DEFECTS:
            self.items.append(f"{where}: {what}")
        else:
            self.dropped += 1

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.items, f"message: {self.dropped} further defects not listed")
        return tuple(self.items)


def _q(value: str | bytes, limit: int = 60) -> str:
    """Quote attacker-controlled text for a defect note (escaped, bounded)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if len(value) > limit:
        return repr(value[:limit]) + "…"
    return repr(value)


# --------------------------------------------------------------------------- charsets

# Labels Python does not know, or knows under a narrower meaning than mail clients use.
_CHARSET_ALIASES: dict[str, tuple[str, ...]] = {
    "utf8": ("utf-8",),
    "utf-8": ("utf-8",),
    "unicode-1-1-utf-7": ("utf-7",),
    "unicode-1-1-utf-8": ("utf-8",),
    "x-unicode20utf8": ("utf-8",),
    "iso-8859-8-i": ("iso8859-8",),
    "iso-8859-6-i": ("iso8859-6",),
    "iso-8859-8-e": ("iso8859-8",),
    "iso-8859-6-e": ("iso8859-6",),
    "x-mac-roman": ("mac-roman",),
    "macintosh": ("mac-roman",),
    "x-mac-cyrillic": ("mac-cyrillic",),
    "x-mac-greek": ("mac-greek",),
    "x-mac-turkish": ("mac-turkish",),
    "x-mac-ce": ("mac-latin2",),
    "x-sjis": ("cp932",),
    "windows-31j": ("cp932",),
    "x-euc-jp": ("euc_jp", "euc_jis_2004"),
    "cp50220": ("iso2022_jp_ext", "iso2022_jp", "iso2022_jp_2"),
    "cp50221": ("iso2022_jp_ext", "iso2022_jp", "iso2022_jp_2"),
    "cp50222": ("iso2022_jp_ext", "iso2022_jp", "iso2022_jp_2"),
    "x-gbk": ("gb18030",),
    "x-euc-tw": ("big5hkscs",),
    "x-x-big5": ("big5hkscs",),
    "windows-874": ("cp874",),
    "x-cp1250": ("cp1250",),
    "x-cp1251": ("cp1251",),
    "ansi_x3.4-1968": ("cp1252",),
}

# After Python resolved the label: widen to the superset every mail client actually uses,
# because senders label cp1252 text as latin-1, GBK text as gb2312, UHC text as euc-kr, etc.
_CODEC_UPGRADES: dict[str, tuple[str, ...]] = {
    "ascii": ("cp1252",),
    "iso8859-1": ("cp1252",),
    "iso8859-9": ("cp1254",),
    "iso8859-11": ("cp874",),
    "tis-620": ("cp874",),
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "euc_kr": ("cp949",),
    "shift_jis": ("cp932",),
    "big5": ("big5hkscs",),
    "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
    "euc_jp": ("euc_jp", "euc_jis_2004"),
}

# Text codecs that interpret escapes or are not charsets at all; a label naming them is junk.
_REFUSED_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "charmap"}
)
# Codecs whose plain-ASCII bytes do not mean plain ASCII text.
_NOT_ASCII_SAFE = ("utf-7", "utf-16", "utf-32", "iso2022", "hz")

_SURROGATES = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=512)
def _codecs_for(label: str) -> tuple[str, ...]:
    """Python codec names to try, in order, for a charset label; () if unknown."""
    name = label.strip().strip("\"'").strip().lower()
    if not name or len(name) > 64:
        return ()
    candidates = _CHARSET_ALIASES.get(name, (name,))
    out: list[str] = []
    for cand in candidates:
        try:
            info = codecs.lookup(cand)
        except (LookupError, ValueError, TypeError):
            if cand.startswith("x-"):
                try:
                    info = codecs.lookup(cand[2:])
                except (LookupError, ValueError, TypeError):
                    continue
            else:
                continue
        if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
            continue
        for upgraded in _CODEC_UPGRADES.get(info.name, (info.name,)):
            if upgraded not in out:
                out.append(upgraded)
    return tuple(out)


@functools.lru_cache(maxsize=128)
def _is_single_byte(codec: str) -> bool:
    if codec.startswith(("utf", "iso2022", "hz")):
        return False
    try:
        high = bytes(range(0x80, 0x100)).decode(codec, "replace")
    except Exception:  # a codec that cannot even do this is not single-byte
        return False
    return len(high) == 128 and high.count("\ufffd") < 64


def _mostly_utf8(data: bytes) -> str | None:
    """Lenient UTF-8 when the text is UTF-8 with a few broken sequences, else None.

    Tells a truncated or damaged UTF-8 body (keep it, mark the damage) from cp1252 text
    mislabelled as UTF-8 (every accented letter would become U+FFFD).
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            # Cut off mid-character, typically a truncated message.
            return data[: exc.start].decode("utf-8", "replace") + "\ufffd"
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    valid = sum(1 for ch in lenient if ord(ch) > 127) - bad
    return lenient if valid >= 2 * bad else None


def _decode_bytes(
    data: bytes,
    declared: str | None,
    *,
    defects: _Defects | None = None,
    where: str = "",
    what: str = "text",
    override: str | None = None,
    quiet_utf8: bool = False,
) -> str:
    """Decode bytes that claim to be in ``declared``; never raises, never loses the rest.

    Order: override (if any) > declared strictly > UTF-8 strictly > declared/cp1252 with
    replacement. A declared single-byte Latin/Cyrillic/… charset is checked against UTF-8
    first, because "iso-8859-1 that is really UTF-8" decodes without error into mojibake.
    """

    def note(msg: str) -> None:
        if defects is not None:
            defects.add(where, f"{what} {msg}")

    if override:
        forced = _codecs_for(override)
        if forced:
            return _try_decode(data, forced[0], "replace") or data.decode("cp1252", "replace")
    label = (declared or "").strip()
    cands = _codecs_for(label) if label else ()
    if data.isascii() and (not cands or not cands[0].startswith(_NOT_ASCII_SAFE)):
        return data.decode("ascii")
    if label and not cands:
        note(f"has unknown charset {_q(label)}")
    utf8_tried = False
    if cands:
        if cands[0] != "utf-8" and _is_single_byte(cands[0]):
            utf8_tried = True
            utf8 = _try_decode(data, "utf-8")
            if utf8 is not None:
                note(f"labelled {_q(label)} is valid UTF-8; decoded as utf-8")
                return utf8
        for codec in cands:
            decoded = _try_decode(data, codec)
            if decoded is not None:
                return decoded
    if not utf8_tried and (not cands or cands[0] != "utf-8"):
        decoded = _try_decode(data, "utf-8")
        if decoded is not None:
            if label:
                note(f"is not valid {_q(label)}; decoded as utf-8")
            elif not quiet_utf8:
                note("has 8-bit bytes but no charset; decoded as utf-8")
            return decoded
    if cands and cands[0] == "utf-8":
        lenient = _mostly_utf8(data)
        if lenient is not None:
            note("has invalid UTF-8 sequences; replaced with U+FFFD")
            return lenient
        note("labelled 'utf-8' is not UTF-8; decoded as cp1252")
    elif cands:
        # Mostly-right text in its own charset beats a whole part of cp1252 mojibake.
        decoded = _try_decode(data, cands[0], "replace")
        if decoded is not None:
            note(f"has bytes invalid in {_q(label)}; decoded as {cands[0]} with replacement")
            return decoded
    elif label:
        note("decoded as cp1252")
    else:
        note("has 8-bit bytes but no charset and is not UTF-8; decoded as cp1252")
    return data.decode("cp1252", "replace")


def _try_decode(data: bytes, codec: str, errors: str = "strict") -> str | None:
    try:
        text = data.decode(codec, errors)
    except Exception:  # UnicodeError, and whatever an exotic codec raises on junk
        return None
    # Only the UTF-7 decoder hands out lone surrogates; they cannot be stored or encoded.
    if codec == "utf-7" and _SURROGATES.search(text):
        if errors == "strict":
            return None
        text = _SURROGATES.sub("\ufffd", text)
    return text


# --------------------------------------------------------------------------- headers

# Encoded text cannot contain "?" (RFC 2047 5); stopping there keeps scanning linear.
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([bBqQ])\?([^?]*)\?=")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def _header_str(
    value: object, *, override: str | None, defects: _Defects | None, where: str
) -> str:
    """A raw header value (str with surrogate-escaped 8-bit bytes) as real text."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = value if isinstance(value, str) else str(value)
        if text.isascii():
            return text
        raw = text.encode("utf-8", "surrogateescape")
    # RFC 6532 allows raw UTF-8 in headers; legacy clients send raw latin-1/cp1252.
    return _decode_bytes(
        raw,
        None,
        defects=defects,
        where=where,
        what="value",
        override=override,
        quiet_utf8=True,
    )


def _unfold(value: str) -> str:
    if "\n" in value:
        value = _FOLD.sub("", value)
    # isprintable() is a C scan; most header values have no control characters at all.
    return value if value.isprintable() else _CONTROLS.sub(" ", value)


def _normalise_ws(value: str) -> str:
    if not value.isprintable():
        value = _CONTROLS.sub(" ", value)
    return " ".join(value.split())


def _b64_lenient(data: bytes) -> tuple[bytes, bool]:
    """Base64 decode tolerating junk, missing padding and padding in the middle.

    Returns (decoded, clean) where clean is False when anything had to be repaired.
    """
    # bytes.translate runs at memory speed; a regex over a large attachment does not.
    junk = data.translate(None, _B64_KEEP)
    body = data.rstrip(b" \t\r\n=")
    if not junk and b"=" not in body:
        try:
            return binascii.a2b_base64(data), True
        except binascii.Error:
            pass
    cleaned = data.translate(None, _B64_DROP)
    out = bytearray()
    # Concatenated base64 blobs each carry their own padding; decode them one by one.
    for chunk in re.split(rb"=+", cleaned):
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
        if not chunk:
            continue
        chunk += b"=" * (-len(chunk) % 4)
        try:
            out += binascii.a2b_base64(chunk)
        except binascii.Error:
            continue
    return bytes(out), False


_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_B64_KEEP = _B64_ALPHABET + b" \t\r\n\x0b\x0c"
_B64_DROP = bytes(sorted(set(range(256)) - set(_B64_ALPHABET)))


def _decode_encoded_words(value: str, *, defects: _Defects | None = None, where: str = "") -> str:
    """Decode RFC 2047 encoded-words leniently.

    Adjacent words in the same charset are joined as bytes before decoding, so a character
    split across two words survives; whitespace between encoded-words is dropped (RFC 2047
    section 6.2); malformed words are decoded as far as possible.
    """
    if "=?" not in value:
        return value
    out: list[str] = []
    pending = bytearray()
    pending_charset = ""
    # Base64 text of a word that did not end on a 4-character boundary: some encoders split
    # the base64 text itself, not the bytes, across words.
    carry = ""
    pos = 0
    last_was_word = False

    def flush() -> None:
        nonlocal pending_charset, carry
        if carry:
            pending.extend(b64(carry))
            carry = ""
        if pending_charset or pending:
            out.append(
                _decode_bytes(
                    bytes(pending),
                    pending_charset or None,
                    defects=defects,
                    where=where,
                    what="encoded-word",
                )
            )
        pending.clear()
        pending_charset = ""

    def b64(text: str) -> bytes:
        decoded, clean = _b64_lenient(text.encode("utf-8", "surrogateescape"))
        if not clean and defects is not None:
            defects.add(where, "malformed base64 encoded-word repaired")
        return decoded

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        pos = match.end()
        if between and not (last_was_word and between.isspace()):
            flush()
            out.append(between)
        charset = match.group(1).split("*", 1)[0].lower()
        encoding = match.group(2).lower()
        text = match.group(3)
        if charset != pending_charset or (carry and encoding != "b"):
            flush()
            pending_charset = charset
        if encoding == "b":
            text = carry + text.strip()
            carry = ""
            if len(text) % 4 and "=" not in text:
                whole = len(text) - len(text) % 4
                text, carry = text[:whole], text[whole:]
            pending.extend(b64(text))
        else:
            pending.extend(
                binascii.a2b_qp(text.encode("utf-8", "surrogateescape").replace(b"_", b" "))
            )
        last_was_word = True
    flush()
    out.append(value[pos:])
    return "".join(out)


def decode_header_value(value: str | bytes | None) -> str:
    """Decode a header value for display: 8-bit bytes, RFC 2047 words, folding, controls.

    Accepts the raw value as bytes or as the str the stdlib parser produces (where 8-bit
    bytes are surrogate-escaped). Never raises.
    """
    if value is None:
        return ""
    try:
        text = _header_str(value, override=None, defects=None, where="")
        return _normalise_ws(_decode_encoded_words(_unfold(text)))
    except Exception:  # display helpers must never take the UI down
        if isinstance(value, bytes):
            return _normalise_ws(value.decode("latin-1"))
        return _normalise_ws(_SURROGATES.sub("\ufffd", str(value)))


# ---------------------------------------------------------------- structured parameters

_PARAM_SPLIT = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|;|[^";]+', re.S)
_RFC2231_SECTION = re.compile(r"^(.+?)\*(\d{1,3})(\*?)$")
_BACKSLASH_ESCAPE = re.compile(r"\\(.)")
_COMMENT = re.compile(r"\([^()]*\)")
_TOKEN_TYPE = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+/[a-z0-9!#$%&'*+.^_`|~-]+$")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        inner = value[1:-1]
    elif value.startswith('"'):
        inner = value[1:]
    else:
        return value
    return _BACKSLASH_ESCAPE.sub(r"\1", inner) if "\\" in inner else inner


def _parse_structured(
    value: str, *, defects: _Defects | None = None, where: str = ""
) -> tuple[str, dict[str, str]]:
    """Split ``type/subtype; k=v; k*=utf-8''x`` into a lower-case main value and params.

    Handles quoted values containing ';', RFC 2231 extended values and continuations.
    The first occurrence of a parameter wins.
    """
    if '"' in value:
        pieces: list[str] = []
        current: list[str] = []
        for token in _PARAM_SPLIT.findall(value):
            if token == ";":
                pieces.append("".join(current))
                current = []
            else:
                current.append(token)
        pieces.append("".join(current))
    else:
        pieces = value.split(";")
    main = pieces[0]
    if "(" in main:
        main = _COMMENT.sub("", main)
    main = main.strip().strip('"').lower()
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    extended: dict[str, str] = {}
    for piece in pieces[1:]:
        key, sep, raw_val = piece.partition("=")
        if not sep:
            continue
        key = key.strip().lower()
        if not key:
            continue
        section = _RFC2231_SECTION.match(key)
        if section:
            name, num, star = section.group(1), int(section.group(2)), bool(section.group(3))
            sections.setdefault(name, {}).setdefault(num, (_unquote(raw_val), star))
        elif key.endswith("*"):
            extended.setdefault(key[:-1], _unquote(raw_val))
        else:
            plain.setdefault(key, _unquote(raw_val))
    params = dict(plain)
    for name, raw_val in extended.items():
        params[name] = _decode_rfc2231(raw_val, True, defects=defects, where=where)
    for name, parts in sections.items():
        joined_bytes = bytearray()
        charset = ""
        for index, num in enumerate(sorted(parts)):
            text, encoded = parts[num]
            if index == 0 and encoded and text.count("'") >= 2:
                charset, _lang, text = text.split("'", 2)
            if encoded:
                joined_bytes += unquote_to_bytes(text)
            else:
                joined_bytes += text.encode("utf-8", "surrogateescape")
        params[name] = _decode_bytes(
            bytes(joined_bytes),
            charset or None,
            defects=defects,
            where=where,
            what=f"parameter {name!r}",
            quiet_utf8=True,
        )
    return main, params


def _decode_rfc2231(value: str, encoded: bool, *, defects: _Defects | None, where: str) -> str:
    if not encoded:
        return value
    charset = ""
    if value.count("'") >= 2:
        charset, _lang, value = value.split("'", 2)
    raw = unquote_to_bytes(value)
    return _decode_bytes(
        raw,
        charset or None,
        defects=defects,
        where=where,
        what="RFC 2231 parameter",
        quiet_utf8=True,
    )


# --------------------------------------------------------------------------- addresses

_ADDR_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*(?:"|$)|\((?:[^()\\]|\\.)*(?:\)|$)|<[^<>]*(?:>|$)|[^",;:(<]+|[,;:]|.',
    re.S,
)
_ANGLE = re.compile(r"<([^<>]*)>")


def _split_address_list(value: str) -> list[str]:
    """Top-level comma/semicolon split that respects quotes, comments, <> and groups."""
    if '"' not in value and "(" not in value and ":" not in value:
        return value.replace(";", ",").split(",")
    segments: list[str] = []
    current: list[str] = []
    for token in _ADDR_TOKEN.findall(value):
        if token in (",", ";"):
            segments.append("".join(current))
            current = []
        elif token == ":" and not any(t.startswith("<") or "@" in t for t in current):
            # "Team: a@x, b@y;" - the text before ':' is a group name, not an address.
            current = []
        else:
            current.append(token)
    segments.append("".join(current))
    return segments


def _make_address(name: str, addr: str) -> Address:
    addr = "".join(addr.split())
    if addr.lower().startswith("mailto:"):
        addr = addr[7:]
    local, at, domain = addr.rpartition("@")
    if at:
        addr = f"{local}@{domain.lower()}"
    return Address(name=name, email=addr)


def _parse_address_header(value: str, *, defects: _Defects, where: str) -> list[Address]:
    """Parse an unfolded address header; keeps what parses, notes the rest."""
    result: list[Address] = []
    bad: list[str] = []
    for segment in _split_address_list(value):
        seg = segment.strip()
        if not seg:
            continue
        angles = list(_ANGLE.finditer(seg))
        if angles:
            angle = angles[-1]
            addr = angle.group(1).strip()
            name = seg[: angle.start()].strip()
            if not name:
                trailing = seg[angle.end() :].strip()
                if trailing.startswith("(") and trailing.endswith(")"):
                    name = trailing[1:-1]
            name = _unquote(name).strip().strip('"').strip()
        elif len(seg) > 2000:
            # Nothing real is that long, and parseaddr walks it character by character.
            bad.append(seg)
            continue
        else:
            name, addr = parseaddr(seg)
            if not addr or ("@" not in addr and len(seg.split()) > 1):
                bad.append(seg)
                continue
        if not addr:
            bad.append(seg)
            continue
        name = _normalise_ws(_decode_encoded_words(name, defects=defects, where=where))
        result.append(_make_address(name, addr))
    if bad:
        defects.add(
            where,
            f"{len(bad)} unparseable address entr{'y' if len(bad) == 1 else 'ies'} skipped "
            f"(first: {_q(bad[0])})",
        )
    return result


# --------------------------------------------------------------------------- ids, dates

_MSG_ID = re.compile(r"<([^<>]*)>")


def _message_ids(value: str) -> list[str]:
    ids = ["".join(found.split()) for found in _MSG_ID.findall(value)]
    ids = [i for i in ids if i and len(i) <= _MAX_MESSAGE_ID_CHARS]
    if ids:
        return ids
    # Some clients omit the brackets; only trust bare tokens that look like ids.
    return [
        t.strip("<>")
        for t in value.replace(",", " ").split()
        if "@" in t and len(t) <= _MAX_MESSAGE_ID_CHARS
    ]


def _own_message_id(value: str) -> str | None:
    ids = _message_ids(value)
    if ids:
        return ids[0]
    token = value.strip().strip("<>").strip()
    if token and not any(c.isspace() for c in token) and len(token) <= _MAX_MESSAGE_ID_CHARS:
        return token
    return None


def _wall_clock(text: str) -> datetime | None:
    """The date and time of an RFC 5322 date whose zone is unusable, as a naive datetime."""
    try:
        fields = parsedate_tz(text)
        if not fields:
            return None
        year, month, day, hour, minute, second = (int(f or 0) for f in fields[:6])
        return datetime(year, month, day, hour, minute, second)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_date(value: str, *, defects: _Defects) -> datetime | None:
    text = value.strip()
    if not text:
        defects.add("header Date", "empty; date set to None")
        return None
    parsed: datetime | None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        # Usually an impossible zone offset such as +9999: keep the wall-clock time.
        parsed = _wall_clock(text)
        if parsed is not None:
            defects.add("header Date", f"invalid time zone in {_q(text)}; assumed UTC")
            parsed = parsed.replace(tzinfo=UTC)
    if parsed is None:
        # Some bulk senders and scripts write ISO 8601 instead of RFC 5322.
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            defects.add("header Date", f"unparseable {_q(text)}; date set to None")
            return None
    if parsed.tzinfo is None:
        if "-0000" not in text:
            defects.add("header Date", f"no usable time zone in {_q(text)}; assumed UTC")
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        defects.add("header Date", f"out of range {_q(text)}; date set to None")
        return None


# --------------------------------------------------------------------------- filenames

_BIDI_AND_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
        "\u200b\u2060\ufeff",
    ),
    None,
)
_WINDOWS_INVALID = dict.fromkeys(map(ord, '<>:"/\\|?*'), None)
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"COM{d}" for d in "0123456789¹²³"}
    | {f"LPT{d}" for d in "0123456789¹²³"}
)
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")  # ZWNJ/ZWJ are needed by Persian, emoji


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """Turn a sender-supplied name into one that is safe to show and to save anywhere.

    Removes directories, control/format characters (including bidi overrides used to hide
    a real extension), characters Windows forbids, reserved device names, leading dots
    (hidden files) and trailing dots/spaces; NFC-normalises and bounds the length while
    keeping the extension. Returns ``fallback`` when nothing usable is left.
    """
    try:
        return _safe_filename(name, fallback) or fallback or "attachment"
    except Exception:  # a filename must always come back
        return fallback or "attachment"


def _safe_filename(name: str, fallback: str) -> str:
    if not isinstance(name, str):
        name = str(name)
    name = unicodedata.normalize("NFC", _SURROGATES.sub("_", name))
    name = name.translate(_BIDI_AND_INVISIBLE)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        ch
        for ch in name.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        if ch in _KEPT_FORMAT_CHARS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )
    name = name.translate(_WINDOWS_INVALID)
    name = name.strip(" ").rstrip(". ")
    if not name or set(name) <= {"."}:
        return ""
    if name.startswith("."):
        name = f"{fallback}{name}"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED_NAMES:
        name = f"_{name}"
        stem = f"_{stem}"
    if len(name) > MAX_FILENAME_CHARS or len(name.encode("utf-8")) > _MAX_FILENAME_BYTES:
        suffix = f".{ext}" if dot and 0 < len(ext) <= 16 else ""
        base = stem if suffix else name
        budget = MAX_FILENAME_CHARS - len(suffix)
        base = base[:budget]
        while base and len((base + suffix).encode("utf-8")) > _MAX_FILENAME_BYTES:
            base = base[:-1]
        base = base.rstrip(". ")
        name = (base or fallback) + suffix
    return name


_DANGEROUS_EXTENSIONS = frozenset(
    {
        "exe",
        "com",
        "scr",
        "pif",
        "bat",
        "cmd",
        "btm",
        "js",
        "jse",
        "vbs",
        "vbe",
        "vb",
        "wsf",
        "wsh",
        "wsc",
        "ws",
        "sct",
        "ps1",
        "ps1xml",
        "ps2",
        "psc1",
        "psd1",
        "psm1",
        "msc",
        "msi",
        "msp",
        "mst",
        "msix",
        "msixbundle",
        "appx",
        "appxbundle",
        "appref-ms",
        "application",
        "gadget",
        "jar",
        "class",
        "lnk",
        "url",
        "scf",
        "hta",
        "reg",
        "dll",
        "cpl",
        "ocx",
        "sys",
        "drv",
        "inf",
        "ins",
        "isp",
        "chm",
        "hlp",
        "shb",
        "shs",
        "mde",
        "mdb",
        "ade",
        "adp",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "udf",
        "sh",
        "bash",
        "command",
        "csh",
        "ksh",
        "run",
        "app",
        "pkg",
        "apk",
        "deb",
        "rpm",
        "desktop",
        "docm",
        "dotm",
        "xlsm",
        "xltm",
        "xlam",
        "pptm",
        "potm",
        "ppsm",
        "ppam",
        "sldm",
        "one",
        "xll",
        "wll",
    }
)
_DANGEROUS_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/x-executable",
        "application/x-ms-installer",
        "application/x-msi",
        "application/x-ms-shortcut",
        "application/x-sh",
        "application/x-shellscript",
        "application/x-bat",
        "application/x-javascript",
        "application/javascript",
        "text/javascript",
        "application/ecmascript",
        "text/vbscript",
        "application/x-vbscript",
        "application/hta",
        "application/java-archive",
        "application/x-java-archive",
        "application/vnd.microsoft.portable-executable",
        "application/x-powershell",
        "application/x-ms-application",
        "application/x-iso9660-image",
    }
)


def _extension(name: str) -> str:
    cleaned = name.translate(_BIDI_AND_INVISIBLE).rstrip(". \t\r\n\x00")
    _, dot, ext = cleaned.rpartition(".")
    return ext.strip().lower() if dot else ""


def is_dangerous_attachment(
    names: tuple[str, ...] | list[str], content_type: str, data: bytes = b""
) -> bool:
    """True for executables and scripts, judged by any of the names, the type or the bytes."""
    if any(_extension(n) in _DANGEROUS_EXTENSIONS for n in names if n):
        return True
    if content_type.lower() in _DANGEROUS_TYPES:
        return True
    # A Windows PE image is dangerous whatever it claims to be called.
    if data[:2] == b"MZ" and len(data) >= 0x40:
        offset = int.from_bytes(data[0x3C:0x40], "little")
        if data[offset : offset + 4] == b"PE\x00\x00":
            return True
    return False


_DEFAULT_EXTENSIONS = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/csv": ".csv",
    "text/rfc822-headers": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
    "application/octet-stream": "",
}
_REPORT_NAMES = {
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "original-headers.txt",
}


def _default_filename(content_type: str) -> str:
    if content_type in _REPORT_NAMES:
        return _REPORT_NAMES[content_type]
    ext = _DEFAULT_EXTENSIONS.get(content_type)
    if ext is None:
        try:
            ext = mimetypes.guess_extension(content_type, strict=False) or ""
        except Exception:  # broken system mime.types must not matter
            ext = ""
    return f"attachment{ext}"


# --------------------------------------------------------------------------- HTML


_BLOCK_TAGS = (
    "address|article|aside|blockquote|body|caption|center|dd|details|dialog|dir|div|dl|dt"
    "|fieldset|figcaption|figure|footer|form|header|hgroup|li|main|menu|nav|ol|pre|section"
    "|summary|tbody|tfoot|thead|tr|ul"
)
_PARAGRAPH_TAGS = "h[1-6]|hr|p|table"
# Attributes may hold ">" inside quotes. No "<" anywhere, so that a tag that never closes
# fails at the next "<" instead of rescanning the rest of the document (quadratic).
_ATTRS = r"""(?:"[^"<]*"|'[^'<]*'|[^'"<>])*"""
# Elements whose content is never shown. script/style are raw text: unclosed, they run to
# the end (as in browsers). Comments include Outlook's conditional ones.
_INVISIBLE = re.compile(
    r"<(script|style|title|template)\b[^<>]*>.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)",
    re.S | re.I,
)
_PRE = re.compile(r"(<pre\b[^<>]*>.*?(?:</pre\s*>|\Z))", re.S | re.I)
_HEAD_OPEN = re.compile(r"<head\b[^<>]*>", re.I)
_HEAD_CLOSE = re.compile(r"</head\s*>", re.I)
# Line-break intents become private-use marker characters, so that tag handling and
# whitespace collapsing are whole-text C-level passes; marker runs are resolved at the end.
_PARA, _BLOCK, _BR, _CELL = "\ue000", "\ue001", "\ue002", "\ue003"
# A run of markers plus the single spaces the whitespace collapsing left around them.
_MARKER_RUN = re.compile("[\ue000-\ue003](?: ?[\ue000-\ue003])* ?")
_HTML_BREAKS = (
    (re.compile(rf"<br\b{_ATTRS}>", re.I), _BR),
    (re.compile(rf"</?(?:{_PARAGRAPH_TAGS})\b{_ATTRS}>", re.I), _PARA),
    (re.compile(rf"<li\b{_ATTRS}>", re.I), _BLOCK + "- "),
    (re.compile(rf"</?(?:{_BLOCK_TAGS})\b{_ATTRS}>", re.I), _BLOCK),
    (re.compile(rf"<t[dh]\b{_ATTRS}>", re.I), _CELL),
)
_ANY_TAG = re.compile(rf"</?[a-zA-Z][a-zA-Z0-9:-]*{_ATTRS}>|<[!?][^<>]*>")


def _resolve_run(match: re.Match[str]) -> str:
    return _run_text(match.group(0)) or ("\t" if match.start() else "")


@functools.lru_cache(maxsize=256)
def _run_text(run: str) -> str:
    """Newlines for a run of break markers, as a browser's line layout would give."""
    newlines = 0
    for ch in run:
        if ch == _BR:
            newlines += 1
        elif ch == _BLOCK:
            newlines = max(newlines, 1)
        elif ch == _PARA:
            newlines = max(newlines, 2)
    return "\n" * newlines


def html_to_text(html: str) -> str:
    """Plain-text rendering of an HTML body for previews, search and quoting.

    Drops scripts, styles, comments and the head, turns block elements and <br> into line
    breaks, decodes entities and collapses whitespace. Never raises. Built from whole-text
    regex passes rather than html.parser, which costs about a microsecond per tag in
    Python, because this runs for every HTML-only message.
    """
    if not html:
        return ""
    try:
        text = _render_html(html)
    except Exception:  # e.g. MemoryError on absurd input; degrade rather than fail
        text = " ".join(re.sub(r"<[^<>]*>", " ", html).split())
    text = "\n".join(map(str.rstrip, text.split("\n")))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")


def _render_html(html: str) -> str:
    # Private-use characters already in the HTML would act as breaks too; harmless.
    html = _INVISIBLE.sub(" ", html)
    close = _HEAD_CLOSE.search(html)
    if close:
        # Only a closed <head> is dropped, so a missing </head> cannot swallow the body.
        opened = _HEAD_OPEN.search(html, 0, close.start())
        if opened:
            html = html[: opened.start()] + " " + html[close.end() :]
    pieces: list[str] = []
    for index, piece in enumerate(_PRE.split(html)):
        if index % 2:
            # Preformatted: keep its whitespace (as no-break spaces, which the space
            # collapsing below leaves alone) and drop only the markup.
            body = _ANY_TAG.sub("", piece).replace("\r\n", "\n").replace("\r", "\n")
            body = body.replace(" ", "\xa0").replace("\t", "\xa0" * 8)
            pieces.append(_BLOCK + body.replace("\n", _BR) + _BLOCK)
            continue
        for pattern, marker in _HTML_BREAKS:
            piece = pattern.sub(marker, piece)
        pieces.append(" ".join(_ANY_TAG.sub("", piece).split()))
    text = _MARKER_RUN.sub(_resolve_run, _PARA + " ".join(pieces))
    if "&" in text:
        text = html_unescape(text)
    return text.replace("\xa0", " ")


_META_CHARSET = re.compile(rb"""(?i)<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""")


# --------------------------------------------------------------------------- bodies


def _unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed soft line breaks so the UI can re-wrap paragraphs."""
    out: list[str] = []
    current: list[str] | None = None
    current_depth = 0

    def finish() -> None:
        if current is not None:
            prefix = ">" * current_depth + (" " if current_depth else "")
            out.append(prefix + "".join(current))

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if current is not None and depth != current_depth:
            finish()
            current = None
        if flowed and delsp:
            content = content[:-1]
        if current is None:
            current = []
            current_depth = depth
        current.append(content)
        if not flowed:
            finish()
            current = None
    finish()
    return "\n".join(out)


def _transfer_encoding(value: str) -> str:
    cte = value.strip().lower()
    if not cte.isalnum():
        cte = _COMMENT.sub("", cte).replace('"', "").split(";")[0].strip()
    return cte


def _transfer_decode(
    payload: bytes, cte: str, *, defects: _Defects, where: str
) -> tuple[bytes, str]:
    """Undo Content-Transfer-Encoding. Returns (data, uuencoded filename or '')."""
    if cte in ("", "7bit", "8bit", "binary"):
        return payload, ""
    if cte == "base64":
        # Base64 lines never contain spaces; prose mislabelled as base64 is full of them.
        if payload.count(b" ") * 20 > len(payload):
            defects.add(where, "declared base64 but is not; used as-is")
            return payload, ""
        decoded, clean = _b64_lenient(payload)
        if not clean:
            defects.add(where, "malformed base64 (junk or bad padding) repaired")
        return decoded, ""
    if cte == "quoted-printable":
        return binascii.a2b_qp(payload), ""
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        return _uudecode(payload, defects=defects, where=where)
    defects.add(where, f"unknown transfer encoding {_q(cte)}; used as-is")
    return payload, ""


def _uudecode(payload: bytes, *, defects: _Defects, where: str) -> tuple[bytes, str]:
    out = bytearray()
    filename = ""
    started = False
    broken = 0
    for line in payload.splitlines():
        if not started:
            if line.startswith(b"begin "):
                started = True
                parts = line.split(None, 2)
                if len(parts) == 3:
                    filename = parts[2].decode("utf-8", "replace").strip()
                continue
            if not line.strip():
                continue
            started = True  # no begin line: treat everything as data
        if line.strip() in (b"end", b"`"):
            if line.strip() == b"end":
                break
            continue
        if not line.strip():
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Encoders disagree about trailing padding; trim to the declared length.
            try:
                nbytes = (((line[0] - 32) & 63) * 4 + 5) // 3
                out += binascii.a2b_uu(line[:nbytes])
            except (binascii.Error, IndexError):
                broken += 1
    if broken:
        defects.add(where, f"{broken} undecodable uuencode line(s) skipped")
    return bytes(out), filename


# --------------------------------------------------------------------------- structure
#
# Two ways to find the MIME tree. The fast splitter handles well-formed messages with
# bytes.find and one regex per header block, and keeps the exact bytes of every part. On
# anything irregular (a stray non-header line, a boundary that never shows up, a missing
# closing delimiter, bare CR line ends) it gives up and the stdlib feed parser, with its
# years of tolerance for broken mail, parses the whole message instead. The feed parser
# walks every line in Python and alone costs more than a local IMAP FETCH of the message.

_HEADER_FIELD = re.compile(r"([!-9;-~]+):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)")
_HEADER_BLOCK = re.compile(r"(?:[!-9;-~]+:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*(?:\r?\n|\Z))*")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


class _SlowPath(Exception):
    """The fast splitter met something irregular; redo the structure with the feed parser."""


class _Node:
    """One MIME entity, from the fast splitter (raw bytes) or the feed parser (a Message)."""

    __slots__ = ("default_type", "defects", "headers", "msg", "raw_body")

    def __init__(
        self,
        headers: list[tuple[str, str]],
        default_type: str,
        *,
        raw_body: bytes = b"",
        msg: Message | None = None,
        defects: tuple[str, ...] = (),
    ) -> None:
        self.headers = headers
        self.default_type = default_type
        self.raw_body = raw_body
        self.msg = msg
        self.defects = defects

    def first_headers(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, value in self.headers:
            found.setdefault(key.lower(), value)
        return found

    def body(self, linesep: str) -> bytes:
        """Entity body, still transfer-encoded (a message/* body re-serialised if needed)."""
        if self.msg is None:
            return self.raw_body
        payload = _raw_payload(self.msg)
        if isinstance(payload, list):
            nl = linesep.encode("ascii")
            # Each block ends with its own blank line (delivery-status is a list of blocks).
            return b"".join(_serialise(sub, nl) for sub in payload if isinstance(sub, Message))
        if isinstance(payload, str):
            return payload.encode("utf-8", "surrogateescape")
        if isinstance(payload, bytes):
            return payload
        return b""

    def feed_children(self) -> list[_Node] | None:
        if self.msg is None:
            return None
        payload = _raw_payload(self.msg)
        if not isinstance(payload, list):
            return None
        return [_node_from_message(sub) for sub in payload if isinstance(sub, Message)]


def _raw_payload(msg: Message) -> object:
    # compat32's get_payload() "helpfully" decodes 8-bit payloads with the declared charset
    # and errors="replace", which destroys the bytes; the stored payload is the raw text.
    return getattr(msg, "_payload", None)


def _node_from_message(msg: Message) -> _Node:
    headers = [(str(k), v if isinstance(v, str) else str(v)) for k, v in msg.raw_items()]
    defects = tuple(type(d).__name__ for d in getattr(msg, "defects", ()) or ())
    return _Node(headers, msg.get_default_type(), msg=msg, defects=defects)


def _feed_parse(raw: bytes) -> _Node:
    return _node_from_message(email.message_from_bytes(raw, policy=_POLICY))


def _split_head(data: bytes) -> tuple[list[tuple[str, str]], bytes] | None:
    """(headers, body) of a well-formed entity; None when the header block is irregular."""
    if data[:1] in (b"\r", b"\n"):
        if data.startswith(b"\r\n"):
            return [], data[2:]
        return ([], data[1:]) if data.startswith(b"\n") else None
    # bytes.find is memchr-fast where a regex search pays per position. Look for the blank
    # line in the style of the first line ending, bounding the other style's scan by it.
    first_nl = data.find(b"\n")
    if first_nl > 0 and data[first_nl - 1] == 0x0D:
        crlf = data.find(b"\n\r\n")
        lf = data.find(b"\n\n", 0, crlf if crlf >= 0 else len(data))
    else:
        lf = data.find(b"\n\n")
        crlf = data.find(b"\n\r\n", 0, lf if lf >= 0 else len(data))
    if lf >= 0 and (crlf < 0 or lf < crlf):
        block, body = data[:lf], data[lf + 2 :]
    elif crlf >= 0:
        block, body = data[:crlf], data[crlf + 3 :]
    else:
        block, body = data, b""
    if block.endswith(b"\r"):
        block = block[:-1]
    # Same str form the feed parser produces: 8-bit bytes surrogate-escaped.
    text = block.decode("ascii", "surrogateescape")
    if not _HEADER_BLOCK.fullmatch(text):
        return None
    return _HEADER_FIELD.findall(text), body


def _fast_entity(data: bytes, default_type: str) -> _Node | None:
    split = _split_head(data)
    if split is None:
        return None
    return _Node(split[0], default_type, raw_body=split[1])


def _fast_children(body: bytes, boundary: str, child_default: str) -> list[_Node] | None:
    """Split a multipart body at its delimiter lines; None unless cleanly delimited."""
    if not boundary:
        return None
    needle = b"--" + boundary.encode("utf-8", "surrogateescape")
    size = len(body)
    spans: list[tuple[int, int]] = []
    content_start = -1
    pos = 0
    closed = False
    while True:
        index = body.find(needle, pos)
        if index < 0:
            break
        pos = index + len(needle)
        if index and body[index - 1] != 0x0A:
            continue
        cursor = pos
        close = body.startswith(b"--", cursor)
        if close:
            cursor += 2
        while cursor < size and body[cursor] in (0x20, 0x09):
            cursor += 1
        if cursor < size:
            if body[cursor] == 0x0A:
                line_end = cursor + 1
            elif body.startswith(b"\r\n", cursor):
                line_end = cursor + 2
            else:
                continue  # "--boundaryX...": a longer line, not a delimiter
        else:
            line_end = size
        # The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
        start = index
        if index and body[index - 1] == 0x0A:
            start = index - 1
            if start and body[start - 1] == 0x0D:
                start -= 1
        if content_start >= 0:
            spans.append((content_start, start))
            if len(spans) > MAX_PARTS:
                # The walker stops at MAX_PARTS and says so; splitting further is wasted.
                closed = True
                break
        content_start = line_end
        if close:
            closed = True
            break
    if not closed:
        return None
    children: list[_Node] = []
    for begin, finish in spans:
        node = _fast_entity(body[begin:finish], child_default)
        if node is None:
            return None
        children.append(node)
    return children


def _serialise(msg: Message, linesep: bytes, depth: int = 0) -> bytes:
    """Bytes of a feed-parsed message, for message/* attachments in the slow path.

    Written by hand rather than with email.generator: compat32 keeps header values as the
    raw text, so joining them back is faithful, and the generator re-folds headers and
    raises on some malformed ones.
    """
    out = bytearray()
    for name, value in msg.raw_items():
        text = value if isinstance(value, str) else str(value)
        out += f"{name}: {text}".encode("utf-8", "surrogateescape") + linesep
    out += linesep
    payload = _raw_payload(msg)
    if isinstance(payload, str):
        out += payload.encode("utf-8", "surrogateescape")
    elif isinstance(payload, list) and depth < 2 * MAX_DEPTH:
        subs = [_serialise(sub, linesep, depth + 1) for sub in payload if isinstance(sub, Message)]
        content_type = next((v for k, v in msg.raw_items() if str(k).lower() == "content-type"), "")
        boundary = _parse_structured(_unfold(str(content_type)))[1].get("boundary", "")
        if boundary:
            mark = b"--" + boundary.encode("utf-8", "surrogateescape")
            if msg.preamble:
                out += msg.preamble.encode("utf-8", "surrogateescape") + linesep
            for sub in subs:
                out += mark + linesep + sub + linesep
            out += mark + b"--" + linesep
            if msg.epilogue:
                out += msg.epilogue.encode("utf-8", "surrogateescape")
        else:
            out += linesep.join(subs)
    return bytes(out)


_FEEDPARSER_DEFECTS = {
    "NoBoundaryInMultipartDefect": "multipart without a boundary parameter",
    "StartBoundaryNotFoundDefect": "declared MIME boundary never appears in the body",
    "CloseBoundaryNotFoundDefect": "closing MIME boundary missing (truncated message?)",
    "FirstHeaderLineIsContinuationDefect": "first header line is a continuation line",
    "MisplacedEnvelopeHeaderDefect": "envelope 'From ' line inside the headers",
    "MissingHeaderBodySeparatorDefect": "header block ended by a line that is not a header",
    "MultipartInvariantViolationDefect": "multipart type but no multipart body",
    "InvalidMultipartContentTransferEncodingDefect": "multipart with a transfer encoding",
    "MalformedHeaderDefect": "malformed header line",
}
# Reported in our own words by the boundary recovery instead.
_QUIET_FEEDPARSER_DEFECTS = frozenset(
    {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect"}
)

_BOUNDARY_LINE = re.compile(rb"^--([^\s\"\\]{1,200}?)(--)?[ \t]*\r?$", re.M)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def _guess_boundary(body: bytes) -> bytes | None:
    """Find the delimiter a body really uses when the declared boundary is absent/wrong."""
    counts: Counter[bytes] = Counter()
    first_end: dict[bytes, int] = {}
    for match in _BOUNDARY_LINE.finditer(body):
        cand = match.group(1)
        counts[cand] += 1
        first_end.setdefault(cand, match.end())
    for cand, _count in counts.most_common(5):
        rest = body[first_end[cand] :]
        # A real delimiter is followed by part headers (or an empty header block).
        if _HEADER_LINE.match(rest.lstrip(b"\r\n")) or rest.startswith((b"\r\n\r\n", b"\n\n")):
            return cand
    return None


# --------------------------------------------------------------------------- assembly


@dataclass(slots=True)
class _PendingAttachment:
    filename: str
    original_filename: str
    content_type: str
    content_id: str | None
    disposition_inline: bool
    data: bytes
    names: tuple[str, ...]


@dataclass(slots=True)
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, raw: bytes, override: str | None) -> None:
        self.raw = raw
        self.defects = _Defects()
        self.override: str | None = None
        if override:
            if _codecs_for(override):
                self.override = override
            else:
                self.defects.add("message", f"charset override {_q(override)} unknown; ignored")
        self.linesep = "\r\n" if b"\r\n" in raw[:4096] else "\n"
        self.reset_body_state()

    def reset_body_state(self) -> None:
        self.parts_seen = 0
        self.too_many_parts = False
        self.is_report = False
        self.attachments: list[_PendingAttachment] = []

    # ----------------------------------------------------------------- headers

    def header_text(self, value: str, where: str) -> str:
        return _unfold(
            _header_str(value, override=self.override, defects=self.defects, where=where)
        )

    def decoded(self, value: str, where: str) -> str:
        text = self.header_text(value, where)
        if "=?" in text:
            text = _decode_encoded_words(text, defects=self.defects, where=where)
        return _normalise_ws(text)

    def headers_stage(self, headers: list[tuple[str, str]]) -> dict[str, object]:
        first: dict[str, str] = {}
        every: dict[str, list[str]] = {}
        for key, value in headers:
            lower = key.lower()
            if lower not in first:
                first[lower] = value
            if lower in _MULTI_HEADERS:
                every.setdefault(lower, []).append(value)
        out: dict[str, object] = {}

        def guarded(name: str, fn: Callable[[], object]) -> None:
            try:
                out[name] = fn()
            except Exception as exc:  # one bad header must not cost the rest
                self.defects.add(f"header {name}", f"could not be parsed ({type(exc).__name__})")

        guarded("subject", lambda: self.decoded(first.get("subject", ""), "header Subject"))
        guarded("message_id", lambda: self._msgid(first.get("message-id")))
        guarded("in_reply_to", lambda: self._in_reply_to(first.get("in-reply-to")))
        guarded("references", lambda: self._references(every.get("references", [])))
        guarded("from_", lambda: self._from(first.get("from")))
        guarded("reply_to", lambda: self._addresses(every.get("reply-to", []), "Reply-To"))
        guarded("to", lambda: self._addresses(every.get("to", []), "To"))
        guarded("cc", lambda: self._addresses(every.get("cc", []), "Cc"))
        guarded("date", lambda: self._date(first.get("date")))
        guarded("headers", lambda: self._useful_headers(first))
        guarded("auto", lambda: self._auto_submitted(first, every, out.get("from_")))
        return out

    def _msgid(self, value: str | None) -> str | None:
        if value is None:
            return None
        found = _own_message_id(self.header_text(value, "header Message-ID"))
        if found is None:
            self.defects.add("header Message-ID", f"unparseable {_q(value)}; set to None")
        return found

    def _in_reply_to(self, value: str | None) -> str | None:
        if value is None:
            return None
        ids = _message_ids(self.header_text(value, "header In-Reply-To"))
        return ids[0] if ids else None

    def _references(self, values: list[str]) -> tuple[str, ...]:
        refs: list[str] = []
        for value in values:
            refs.extend(_message_ids(self.header_text(value, "header References")))
        return tuple(refs)

    def _from(self, value: str | None) -> Address | None:
        if value is None:
            return None
        found = _parse_address_header(
            self.header_text(value, "header From"), defects=self.defects, where="header From"
        )
        return found[0] if found else None

    def _addresses(self, values: list[str], header: str) -> tuple[Address, ...]:
        where = f"header {header}"
        found: list[Address] = []
        for value in values:
            found.extend(
                _parse_address_header(
                    self.header_text(value, where), defects=self.defects, where=where
                )
            )
        return tuple(found)

    def _date(self, value: str | None) -> datetime | None:
        if value is None:
            return None
        return _parse_date(self.header_text(value, "header Date"), defects=self.defects)

    def _useful_headers(self, first: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in _USEFUL_HEADERS.intersection(first):
            try:
                value = self.decoded(first[name], f"header {name}")
            except Exception:  # keep the other headers
                continue
            out[name] = value[:_MAX_HEADER_VALUE_CHARS]
        return out

    def _auto_submitted(
        self, first: dict[str, str], every: dict[str, list[str]], sender: object
    ) -> bool:
        auto = _normalise_ws(_unfold(first.get("auto-submitted", ""))).lower()
        if auto and auto.split(";")[0].strip() not in ("", "no"):
            return True
        precedence = _normalise_ws(_unfold(first.get("precedence", ""))).lower()
        if precedence in ("bulk", "junk", "list", "auto_reply"):
            return True
        if any(name in first for name in ("x-autoreply", "x-autorespond", "x-auto-reply")):
            return True
        if _normalise_ws(first.get("x-autogenerated", "")).lower() in ("reply", "forward"):
            return True
        for value in every.get("return-path", []):
            bare = _COMMENT.sub("", _unfold(value)).strip()
            if bare.replace(" ", "") in ("<>", ""):
                return True
        if isinstance(sender, Address):
            local = sender.email.rpartition("@")[0] or sender.email
            if local.lower() in ("mailer-daemon", "postmaster"):
                return True
        return False

    # ----------------------------------------------------------------- body

    def walk(self, node: _Node, path: str, depth: int) -> _Body:
        where = f"part {path}" if path else "message"
        self.parts_seen += 1
        if self.parts_seen > MAX_PARTS:
            if not self.too_many_parts:
                self.too_many_parts = True
                self.defects.add(where, f"more than {MAX_PARTS} MIME parts; the rest ignored")
            return _Body()
        for kind in node.defects:
            if kind not in _QUIET_FEEDPARSER_DEFECTS:
                self.defects.add(where, _FEEDPARSER_DEFECTS.get(kind, kind))
        headers = node.first_headers()
        ctype_raw = headers.get("content-type")
        if ctype_raw is not None:
            ctype, ct_params = _parse_structured(
                self.header_text(ctype_raw, where), defects=self.defects, where=where
            )
            if not _TOKEN_TYPE.match(ctype):
                self.defects.add(
                    where, f"invalid content type {_q(ctype)}; treated as {node.default_type}"
                )
                ctype = node.default_type
        else:
            ctype, ct_params = node.default_type, {}
        maintype, _, subtype = ctype.partition("/")

        if maintype == "message":
            self.message_part(node, headers, ctype, ct_params, path)
            return _Body()
        feed_children = node.feed_children()
        if maintype == "multipart" or feed_children is not None:
            if depth >= MAX_DEPTH:
                self.defects.add(
                    where, f"MIME nesting deeper than {MAX_DEPTH}; inner parts ignored"
                )
                return _Body()
            if maintype != "multipart":
                subtype = "mixed"
            children = feed_children
            if children is None and node.msg is None:
                child_default = "message/rfc822" if subtype == "digest" else "text/plain"
                children = _fast_children(
                    node.raw_body, ct_params.get("boundary", "").rstrip(), child_default
                )
                if children is None:
                    raise _SlowPath
            if children is None:
                children = self.recover_children(node, ct_params, where)
            if children is not None:
                return self.combine(children, subtype, path, depth)
            self.defects.add(where, "multipart body without usable boundaries; shown as text")
            ctype, ct_params = "text/plain", {"charset": ct_params.get("charset", "")}
            headers = {k: v for k, v in headers.items() if k != "content-disposition"}
        elif depth == 0 and ctype_raw is None and "mime-version" in headers:
            # Content-Type lost but the body is visibly MIME: read it as multipart/mixed.
            children = self.recover_children(node, {}, where)
            if children is not None:
                return self.combine(children, "mixed", path, depth)
        return self.leaf(node, headers, ctype, ct_params, path)

    def combine(self, children: list[_Node], subtype: str, path: str, depth: int) -> _Body:
        if subtype == "report":
            self.is_report = True
        bodies = [
            self.walk(child, f"{path}.{index}" if path else str(index), depth + 1)
            for index, child in enumerate(children, 1)
        ]
        body = _Body()
        if subtype == "alternative":
            # Plain text is preferred for `text`; the richest (last) HTML for `html`.
            for alt in bodies:
                if any(p.strip() for p in alt.plain):
                    body.plain = alt.plain
                    break
            for alt in reversed(bodies):
                if alt.html:
                    body.html = alt.html
                    break
            return body
        for sub in bodies:
            body.plain.extend(sub.plain)
            body.html.extend(sub.html)
        return body

    def recover_children(
        self, node: _Node, params: dict[str, str], where: str
    ) -> list[_Node] | None:
        boundary = _guess_boundary(node.body(self.linesep))
        if boundary is None:
            return None
        synthetic = b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' % boundary
        children = _feed_parse(synthetic + node.body(self.linesep)).feed_children()
        if not children:
            return None
        declared = params.get("boundary")
        what = f"boundary {_q(declared)} not found" if declared else "no boundary declared"
        self.defects.add(where, f"{what}; recovered parts using {_q(boundary)} found in body")
        return children

    def leaf(
        self, node: _Node, headers: dict[str, str], ctype: str, ct_params: dict[str, str], path: str
    ) -> _Body:
        where = f"part {path}" if path else "body"
        disposition, disp_params = "", dict[str, str]()
        if "content-disposition" in headers:
            disposition, disp_params = _parse_structured(
                self.header_text(headers["content-disposition"], where),
                defects=self.defects,
                where=where,
            )
        cte = _transfer_encoding(headers.get("content-transfer-encoding", ""))
        names = self.filenames(disp_params, ct_params, where)
        data, uu_name = _transfer_decode(
            node.body(self.linesep), cte, defects=self.defects, where=where
        )
        if uu_name and not names:
            names = (uu_name,)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not names:
            if ctype == "text/plain":
                text = self.body_text(data, ct_params, where)
                if ct_params.get("format", "").lower() == "flowed":
                    text = _unflow(text, ct_params.get("delsp", "").lower() == "yes")
                return _Body(plain=[text])
            return _Body(html=[self.body_html(data, ct_params, where)])
        self.add_attachment(
            names=names,
            ctype=ctype,
            headers=headers,
            disposition=disposition,
            data=data,
            fallback_name=_default_filename(ctype),
        )
        return _Body()

    def filenames(
        self, disp_params: dict[str, str], ct_params: dict[str, str], where: str
    ) -> tuple[str, ...]:
        names: list[str] = []
        for raw in (disp_params.get("filename"), ct_params.get("name")):
            if raw:
                # Outlook and others put RFC 2047 words inside quoted filenames.
                name = _decode_encoded_words(raw, defects=self.defects, where=where)
                name = _SURROGATES.sub("\ufffd", name.replace("\x00", "")).strip()
                if name and name not in names:
                    names.append(name)
        return tuple(names)

    def body_text(self, data: bytes, params: dict[str, str], where: str) -> str:
        text = _decode_bytes(
            data, params.get("charset"), defects=self.defects, where=where, override=self.override
        )
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return self.strip_nul(text, where)

    def body_html(self, data: bytes, params: dict[str, str], where: str) -> str:
        charset = params.get("charset")
        if not charset and not data.isascii():
            meta = _META_CHARSET.search(data[:4096])
            if meta:
                charset = meta.group(1).decode("ascii")
        html = _decode_bytes(
            data, charset, defects=self.defects, where=where, what="HTML", override=self.override
        )
        if "\r" in html:
            # Wire CRLF is canonical form, not content; LF and CRLF copies must compare equal.
            html = html.replace("\r\n", "\n").replace("\r", "\n")
        return self.strip_nul(html, where)

    def strip_nul(self, text: str, where: str) -> str:
        # PostgreSQL text columns reject NUL; nothing legitimate needs it in a mail body.
        if "\x00" in text:
            self.defects.add(where, "NUL characters removed")
            return text.replace("\x00", "")
        return text

    def message_part(
        self, node: _Node, headers: dict[str, str], ctype: str, ct_params: dict[str, str], path: str
    ) -> None:
        where = f"part {path}" if path else "message"
        disposition, disp_params = "", dict[str, str]()
        if "content-disposition" in headers:
            disposition, disp_params = _parse_structured(
                self.header_text(headers["content-disposition"], where)
            )
        cte = _transfer_encoding(headers.get("content-transfer-encoding", ""))
        try:
            data = node.body(self.linesep)
        except Exception as exc:  # e.g. RecursionError re-serialising absurd nesting
            self.defects.add(
                where,
                f"embedded message could not be re-serialised ({type(exc).__name__}); left empty",
            )
            data = b""
        if cte in ("base64", "quoted-printable", "x-uuencode", "uuencode"):
            # Forbidden by RFC 2046 for message/rfc822, but some gateways do it anyway.
            self.defects.add(where, f"{ctype} with {cte} transfer encoding decoded")
            data, _ = _transfer_decode(data.lstrip(b"\r\n"), cte, defects=self.defects, where=where)
        names = self.filenames(disp_params, ct_params, where)
        fallback = _default_filename(ctype)
        if ctype in ("message/rfc822", "message/global"):
            fallback = "message.eml"
            if not names:
                subject = self.embedded_subject(data, where)
                if subject:
                    fallback = safe_filename(f"{subject}.eml", fallback="message")
        self.add_attachment(
            names=names,
            ctype=ctype,
            headers=headers,
            disposition=disposition,
            data=data,
            fallback_name=fallback,
        )

    def embedded_subject(self, data: bytes, where: str) -> str:
        split = _split_head(data[:65536])
        if split is not None:
            headers = split[0]
        else:
            try:
                parsed = email.parser.BytesHeaderParser(policy=_POLICY).parsebytes(data[:65536])
                headers = _node_from_message(parsed).headers
            except Exception:  # only used to name the file
                return ""
        for key, value in headers:
            if key.lower() == "subject":
                return self.decoded(value, where)
        return ""

    def add_attachment(
        self,
        *,
        names: tuple[str, ...],
        ctype: str,
        headers: dict[str, str],
        disposition: str,
        data: bytes,
        fallback_name: str,
    ) -> None:
        content_id = None
        if "content-id" in headers:
            cid = _normalise_ws(self.header_text(headers["content-id"], "content-id"))
            cid = cid[1:] if cid.startswith("<") else cid
            cid = cid[:-1] if cid.endswith(">") else cid
            content_id = cid.strip() or None
        original = names[0] if names else ""
        filename = safe_filename(original, fallback=fallback_name) if original else fallback_name
        self.attachments.append(
            _PendingAttachment(
                filename=filename,
                original_filename=original,
                content_type=ctype,
                content_id=content_id,
                disposition_inline=disposition == "inline",
                data=data,
                names=(*names, filename),
            )
        )

    # ----------------------------------------------------------------- driver

    def walk_root(self, root: _Node) -> _Body:
        try:
            return self.walk(root, "", 0)
        except _SlowPath:
            raise
        except Exception as exc:  # keep headers and whatever was collected
            self.defects.add(
                "message", f"body parsing failed ({type(exc).__name__}); partial result"
            )
            return _Body()

    def run(self) -> ParsedMessage:
        root = _fast_entity(self.raw, "text/plain")
        fast = root is not None
        if root is None:
            root = _feed_parse(self.raw)
        fields = self.headers_stage(root.headers)
        if fast:
            mark = len(self.defects.items)
            try:
                return self.build(fields, self.walk_root(root))
            except _SlowPath:
                del self.defects.items[mark:]
                self.reset_body_state()
                root = _feed_parse(self.raw)
        return self.build(fields, self.walk_root(root))

    def salvage(self, failure: BaseException) -> ParsedMessage:
        """Headers plus the raw body as text, for input the feed parser cannot handle."""
        self.defects.add(
            "message",
            f"MIME parsing failed ({type(failure).__name__}); showing the raw body as text",
        )
        self.reset_body_state()
        fields: dict[str, object] = {}
        text = ""
        try:
            split = _BLANK_LINE.search(self.raw)
            head = self.raw[: split.start()] if split else self.raw
            rest = self.raw[split.end() :] if split else b""
            msg = email.parser.BytesHeaderParser(policy=_POLICY).parsebytes(head + b"\n\n")
            fields = self.headers_stage(_node_from_message(msg).headers)
            text = _decode_bytes(rest, None, defects=self.defects, where="body")
            text = self.strip_nul(text.replace("\r\n", "\n"), "body")
        except Exception as exc:  # last line of defence
            self.defects.add("message", f"salvage failed too ({type(exc).__name__})")
        return self.build(fields, _Body(plain=[text] if text else []))

    def build(self, fields: dict[str, object], body: _Body) -> ParsedMessage:
        plain = [p for p in body.plain if p.strip()]
        html = "".join(body.html) if body.html else None
        if plain:
            text = "\n\n".join(p.rstrip("\n") for p in plain) if len(plain) > 1 else plain[0]
        elif html is not None:
            text = html_to_text(html)
        else:
            text = "\n\n".join(body.plain) if body.plain else ""
        referenced: set[str] = set()
        if html is not None and self.attachments and "cid:" in html.lower():
            for match in _CID_REF.finditer(html):
                referenced.add(url_unquote(match.group(1)).lower())
        attachments = tuple(
            ParsedAttachment(
                filename=p.filename,
                original_filename=p.original_filename,
                content_type=p.content_type,
                content_id=p.content_id,
                inline=p.disposition_inline
                or (p.content_id is not None and p.content_id.lower() in referenced),
                data=p.data,
                dangerous=is_dangerous_attachment(p.names, p.content_type, p.data),
            )
            for p in self.attachments
        )
        refs = fields.get("references", ())
        headers = fields.get("headers", {})
        return ParsedMessage(
            message_id=_opt_str(fields.get("message_id")),
            in_reply_to=_opt_str(fields.get("in_reply_to")),
            references=refs if isinstance(refs, tuple) else (),
            subject=str(fields.get("subject") or ""),
            from_=_opt_address(fields.get("from_")),
            reply_to=_address_tuple(fields.get("reply_to")),
            to=_address_tuple(fields.get("to")),
            cc=_address_tuple(fields.get("cc")),
            date=_opt_datetime(fields.get("date")),
            text=text,
            html=html,
            attachments=attachments,
            headers=headers if isinstance(headers, dict) else {},
            is_auto_submitted=bool(fields.get("auto", False)),
            is_bounce_or_report=self.is_report,
            defects=self.defects.result(),
        )


_CID_REF = re.compile(r"(?i)cid:([^\"'\s)>]+)")
_MULTI_HEADERS = frozenset({"to", "cc", "reply-to", "references", "return-path"})
_USEFUL_HEADERS = frozenset(
    {
        "auto-submitted",
        "precedence",
        "list-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "list-post",
        "x-auto-response-suppress",
        "x-autoreply",
        "x-autorespond",
        "x-autogenerated",
        "return-path",
        "content-type",
        "content-language",
        "mime-version",
        "sender",
        "delivered-to",
        "x-original-to",
        "x-failed-recipients",
        "x-mailer",
        "user-agent",
        "importance",
        "x-priority",
        "x-spam-flag",
        "feedback-id",
    }
)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_address(value: object) -> Address | None:
    return value if isinstance(value, Address) else None


def _opt_datetime(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _address_tuple(value: object) -> tuple[Address, ...]:
    if isinstance(value, tuple):
        return tuple(a for a in value if isinstance(a, Address))
    return ()


def _as_bytes(raw: object) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, bytearray | memoryview):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _empty_message(defect: str) -> ParsedMessage:
    return ParsedMessage(
        message_id=None,
        in_reply_to=None,
        references=(),
        subject="",
        from_=None,
        reply_to=(),
        to=(),
        cc=(),
        date=None,
        text="",
        html=None,
        attachments=(),
        headers={},
        is_auto_submitted=False,
        is_bounce_or_report=False,
        defects=(defect,),
    )


def _parse(raw: object, charset_override: str | None) -> tuple[ParsedMessage, bool]:
    data = _as_bytes(raw)
    try:
        return _Parser(data, charset_override).run(), True
    except Exception as exc:  # one bad message must never stop ingest
        failure: BaseException = exc
    try:
        return _Parser(data, charset_override).salvage(failure), False
    except Exception as exc:
        return _empty_message(f"message: unparseable ({type(exc).__name__})"), False


def parse_message(
    raw: bytes | bytearray | memoryview, *, charset_override: str | None = None
) -> ParsedMessage:
    """Parse one raw RFC 5322 message. Never raises for any input.

    ``charset_override`` forces one charset for every text part and for unlabelled 8-bit
    header bytes (the UI's "message looks garbled" switch). Problems found and the repair
    applied are listed in ``defects`` as ``"<where>: <what>; <what was done>"`` strings
    where ``<where>`` is ``message``, ``body``, ``header <Name>`` or ``part <1.2.3>``
    (IMAP-style part numbers).
    """
    return _parse(raw, charset_override)[0]


def parse_message_strict(
    raw: bytes | bytearray | memoryview, *, charset_override: str | None = None
) -> ParsedMessage:
    """Like ``parse_message`` but raises ``ParseFailure`` when only a salvage was possible."""
    parsed, complete = _parse(raw, charset_override)
    if not complete:
        raise ParseFailure(parsed.defects[0] if parsed.defects else "unparseable", parsed)
    return parsed
