"""Tests for app.mail.parse: a hostile and malformed corpus, each case with a specific check."""

from __future__ import annotations

import base64
import random
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from app.mail import parse
from app.mail.parse import (
    MAX_DEPTH,
    MAX_FILENAME_CHARS,
    MAX_PARTS,
    Address,
    ParsedMessage,
    ParseFailure,
    decode_header_value,
    html_to_text,
    is_dangerous_attachment,
    parse_message,
    parse_message_strict,
    safe_filename,
)

CRLF = "\r\n"


def crlf(text: str) -> bytes:
    """Write test messages with LF in the source; mail on the wire uses CRLF."""
    return text.replace("\n", CRLF).encode("utf-8")


def single(body: bytes, *, ctype: str = "text/plain", extra: str = "") -> bytes:
    head = f"Content-Type: {ctype}\r\n{extra}"
    return head.encode("ascii") + b"\r\n" + body


def has_defect(msg: ParsedMessage, *needles: str) -> bool:
    return any(all(n in d for n in needles) for d in msg.defects)


def force_feed_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fast splitter give up at once, so the stdlib feed parser does all the work."""
    monkeypatch.setattr(parse, "_fast_entity", lambda data, default_type: None)


# --------------------------------------------------------------------------- well-formed


def _utf8_multipart() -> tuple[bytes, str, str]:
    text = "Grüße aus Köln – naïve café ✓ 日本語 🎉\n\nSecond paragraph\twith a tab.\n"
    html = "<p>Grüße aus Köln – 日本語 🎉</p>\n"
    msg = EmailMessage()
    msg["From"] = "Jörg Müller <joerg@example.de>"
    msg["To"] = "Support <support@example.com>"
    msg["Subject"] = "Grüße ✓"
    msg["Message-ID"] = "<abc.123@example.de>"
    msg["Date"] = "Tue, 06 Feb 2024 09:30:00 +0100"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes(policy=msg.policy.clone(linesep=CRLF)), text, html


def test_utf8_multipart_text_comes_back_byte_exact() -> None:
    raw, text, html = _utf8_multipart()
    parsed = parse_message(raw)
    assert parsed.text == text
    assert parsed.html == html
    assert parsed.subject == "Grüße ✓"
    assert parsed.from_ == Address("Jörg Müller", "joerg@example.de")
    assert parsed.to == (Address("Support", "support@example.com"),)
    assert parsed.message_id == "abc.123@example.de"
    assert parsed.date == datetime(2024, 2, 6, 8, 30, tzinfo=UTC)
    assert parsed.attachments == ()
    assert parsed.defects == ()
    assert not parsed.is_auto_submitted
    assert not parsed.is_bounce_or_report


@pytest.mark.parametrize("cte", ["8bit", "base64", "quoted-printable"])
def test_every_transfer_encoding_round_trips_text(cte: str) -> None:
    text = "Línea uno — ünïcödé\nline two ✓ 中文\n" * 20
    msg = EmailMessage()
    msg["Subject"] = "cte"
    msg.set_content(text, cte=cte)
    for linesep in ("\n", CRLF):
        parsed = parse_message(msg.as_bytes(policy=msg.policy.clone(linesep=linesep)))
        assert parsed.text == text
        assert parsed.defects == ()


def test_attachment_bytes_are_not_altered() -> None:
    payload = bytes(range(256)) * 40
    msg = EmailMessage()
    msg.set_content("see attached")
    msg.add_attachment(payload, maintype="application", subtype="octet-stream",
                       filename="blob.bin")
    parsed = parse_message(msg.as_bytes())
    assert parsed.text == "see attached\n"
    (att,) = parsed.attachments
    assert att.data == payload
    assert att.filename == "blob.bin"
    assert att.content_type == "application/octet-stream"
    assert not att.inline
    assert not att.dangerous


def test_feed_parser_fallback_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    raw, _text, _html = _utf8_multipart()
    mixed = MIMEMultipart()
    mixed.attach(MIMEText("body ✓", "plain", "utf-8"))
    mixed.attach(MIMEApplication(b"%PDF-1.4 data", "pdf", Name="a.pdf"))
    eight_bit = crlf(
        "Subject: UTF\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"
        "KOI\n--b\nContent-Type: message/rfc822\n\nSubject: UTF\nX-A: b\n\ninner KOI\n--b--\n"
    ).replace(b"KOI", "Привет".encode("koi8-r")).replace(b"UTF", "Привет".encode())
    corpus = [raw, mixed.as_bytes(), REPORT, RELATED, eight_bit]
    fast = [parse_message(r) for r in corpus]
    force_feed_parser(monkeypatch)
    slow = [parse_message(r) for r in corpus]
    for a, b in zip(fast, slow, strict=True):
        assert (a.text, a.html, a.subject, a.from_, a.to, a.is_bounce_or_report) == (
            b.text, b.html, b.subject, b.from_, b.to, b.is_bounce_or_report
        )
        assert [(x.filename, x.content_type, x.inline, x.content_id) for x in a.attachments] == [
            (x.filename, x.content_type, x.inline, x.content_id) for x in b.attachments
        ]
        for x, y in zip(a.attachments, b.attachments, strict=True):
            # The feed parser keeps no raw bytes for message/* parts; they are re-joined.
            assert x.data.rstrip(b"\r\n") == y.data.rstrip(b"\r\n")
    assert slow[-1].text == "Привет"
    assert slow[-1].subject == "Привет"
    assert slow[-1].attachments[0].filename == "Привет.eml"


# --------------------------------------------------------------------------- headers


def test_rfc2047_subject_with_mixed_charsets_and_folding() -> None:
    raw = crlf(
        "Subject: =?ISO-8859-1?Q?Caf=E9?= und\n"
        "  =?utf-8?B?R3LDvMOfZQ==?=   =?KOI8-R?B?8NLJ18XU?=\n\nx"
    )
    assert parse_message(raw).subject == "Café und GrüßeПривет"


def test_encoded_word_split_mid_character() -> None:
    # "日本語" split inside UTF-8 sequences across Q words and across B words, and once
    # (as some encoders do) inside the base64 text itself.
    first = base64.b64encode("本".encode() + b"\xe8").decode()
    second = base64.b64encode(b"\xaa\x9e").decode()
    raw = crlf(
        f"Subject: =?UTF-8?Q?=E6=97?= =?UTF-8?Q?=A5?= =?utf-8?B?{first}?=\n"
        f" =?utf-8?B?{second}?= / =?utf-8?B?5pel5pys6K?= =?utf-8?B?qe?=\n\nx"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "日本語 / 日本語"
    assert parsed.defects == ()


def test_malformed_encoded_words_do_not_garble_the_rest() -> None:
    raw = crlf(
        "Subject: =?utf-8?B?SGVsbG8?= =?x-bogus-cs?Q?ab=C3=A7?= tail =?utf-8?Q?no_end\n\nx"
    )
    parsed = parse_message(raw)
    assert parsed.subject.startswith("Helloabç tail")
    assert "no_end" in parsed.subject
    assert has_defect(parsed, "header Subject", "unknown charset")


def test_raw_8bit_utf8_and_latin1_headers() -> None:
    utf8 = "Subject: Grüße aus Köln\r\nFrom: Jörg <JOERG@Example.DE>\r\n\r\nhi".encode()
    parsed = parse_message(utf8)
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.from_ == Address("Jörg", "JOERG@example.de")
    assert parsed.defects == ()

    latin = "Subject: Grüße aus Köln\r\n\r\nhi".encode("latin-1")
    parsed = parse_message(latin)
    assert parsed.subject == "Grüße aus Köln"
    assert has_defect(parsed, "header Subject", "cp1252")


def test_subject_whitespace_and_control_characters_are_normalised() -> None:
    raw = b"Subject: Re:\tHello\r\n   world  =?utf-8?Q?a=0D=0ABcc:_x?=\x00end\r\n\r\nx"
    subject = parse_message(raw).subject
    assert subject == "Re: Hello world a Bcc: x end"
    assert "\r" not in subject and "\n" not in subject


def test_addresses_tolerate_garbage_and_keep_what_parses() -> None:
    raw = crlf(
        'From: "Doe, John" <John.Doe@EXAMPLE.COM>\n'
        "To: =?utf-8?Q?M=C3=BCller=2C_Hans?= <hans@x.de>, garbage <<>>,\n"
        " Team: a@b.c, d@E.F;, undisclosed-recipients:;\n"
        'Cc: bob@example.com (Bob Smith), "Na\\"me" <q@x.y>, mailto:z@Z.Z\n'
        "Cc: second@cc.example\n"
        "Reply-To: <>\n\nx"
    )
    parsed = parse_message(raw)
    assert parsed.from_ == Address("Doe, John", "John.Doe@example.com")
    assert parsed.to == (
        Address("Müller, Hans", "hans@x.de"),
        Address("", "a@b.c"),
        Address("", "d@e.f"),
    )
    assert parsed.cc == (
        Address("Bob Smith", "bob@example.com"),
        Address('Na"me', "q@x.y"),
        Address("", "z@z.z"),
        Address("", "second@cc.example"),
    )
    assert parsed.reply_to == ()
    assert has_defect(parsed, "header To", "garbage")
    assert has_defect(parsed, "header Reply-To")


def test_addresses_are_not_deduplicated() -> None:
    parsed = parse_message(crlf("To: a@x.com, A <a@X.com>, a@x.com\n\nx"))
    assert [a.email for a in parsed.to] == ["a@x.com"] * 3


def test_message_ids() -> None:
    raw = crlf(
        "Message-ID:   <  abc@def  >\n"
        'In-Reply-To: Your message of "Mon, 5 Feb" <orig@host> <second@host>\n'
        "References: <a@1>\n\t<b@2> <c@3>\n"
        "References: <d@4>\n\nx"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "abc@def"
    assert parsed.in_reply_to == "orig@host"
    assert parsed.references == ("a@1", "b@2", "c@3", "d@4")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID: garbage with spaces", None),
        ("Message-ID: <>", None),
        ("Message-ID: bare-id@host", "bare-id@host"),
        ("X-Other: 1", None),
    ],
)
def test_missing_or_garbage_message_id(header: str, expected: str | None) -> None:
    assert parse_message(crlf(f"{header}\n\nx")).message_id == expected


@pytest.mark.parametrize(
    ("value", "expected", "defect"),
    [
        ("Mon, 05 Feb 2024 10:11:12 +0100 (CET)", datetime(2024, 2, 5, 9, 11, 12, tzinfo=UTC), ""),
        ("Mon, 5 Feb 99 10:11:12 PST", datetime(1999, 2, 5, 18, 11, 12, tzinfo=UTC), ""),
        ("Monday, 05-Feb-24 10:11:12 GMT", datetime(2024, 2, 5, 10, 11, 12, tzinfo=UTC), ""),
        ("Mon Feb  5 10:11:12 2024", datetime(2024, 2, 5, 10, 11, 12, tzinfo=UTC), "time zone"),
        ("5 Feb 2024 10:11", datetime(2024, 2, 5, 10, 11, tzinfo=UTC), "assumed UTC"),
        ("Mon, 5 Feb 2024 10:11:12 -0000", datetime(2024, 2, 5, 10, 11, 12, tzinfo=UTC), ""),
        ("Mon, 5 Feb 2024 10:11:12 +9999", datetime(2024, 2, 5, 10, 11, 12, tzinfo=UTC), "zone"),
        ("2024-02-05 10:11:12+02:00", datetime(2024, 2, 5, 8, 11, 12, tzinfo=UTC), ""),
        ("yesterday-ish", None, "unparseable"),
        ("Mon, 32 Feb 2024 10:11:12 +0100", None, "unparseable"),
        ("", None, "empty"),
    ],
)
def test_dates(value: str, expected: datetime | None, defect: str) -> None:
    parsed = parse_message(crlf(f"Date: {value}\n\nx"))
    assert parsed.date == expected
    if parsed.date is not None:
        assert parsed.date.utcoffset() is not None
    if defect:
        assert has_defect(parsed, "header Date", defect)
    else:
        assert parsed.defects == ()


def test_missing_date_is_none_without_defect() -> None:
    parsed = parse_message(crlf("Subject: x\n\nbody"))
    assert parsed.date is None
    assert parsed.defects == ()


def test_useful_headers_are_decoded_with_lower_case_keys() -> None:
    raw = crlf(
        "List-Id: =?utf-8?Q?Caf=C3=A9?= list <cafe.lists.example.com>\n"
        "List-Unsubscribe: <mailto:u@example.com>,\n <https://example.com/u>\n"
        "X-Auto-Response-Suppress: All\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "X-Unrelated: nope\n\nx"
    )
    headers = parse_message(raw).headers
    assert headers["list-id"] == "Café list <cafe.lists.example.com>"
    assert headers["list-unsubscribe"] == "<mailto:u@example.com>, <https://example.com/u>"
    assert headers["x-auto-response-suppress"] == "All"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert "x-unrelated" not in headers


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated; owner-email=x@y",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "X-Autoreply: yes",
        "X-Autorespond: whatever",
        "Return-Path: <>",
        "From: MAILER-DAEMON@mx.example.com",
        "From: Mail Delivery System <postmaster@example.org>",
    ],
)
def test_auto_submitted_detection(header: str) -> None:
    assert parse_message(crlf(f"{header}\nSubject: x\n\nbody")).is_auto_submitted


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: no", "Precedence: first-class", "Return-Path: <a@b.c>", "From: a@b.c"],
)
def test_human_mail_is_not_auto_submitted(header: str) -> None:
    assert not parse_message(crlf(f"{header}\nSubject: x\n\nbody")).is_auto_submitted


def test_decode_header_value() -> None:
    assert decode_header_value(None) == ""
    assert decode_header_value(b"=?utf-8?q?a_b?= c") == "a b c"
    assert decode_header_value("Re:  =?ISO-8859-1?Q?Andr=E9?=\r\n Pirard") == "Re: André Pirard"
    assert decode_header_value("Grüße".encode()) == "Grüße"
    assert decode_header_value("Grüße".encode("cp1252")) == "Grüße"
    # str as produced by the stdlib parser: 8-bit bytes surrogate-escaped
    assert decode_header_value("Grüße".encode().decode("ascii", "surrogateescape")) == "Grüße"


# --------------------------------------------------------------------------- charsets


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        ("koi8-r", "koi8-r", "Привет, мир"),
        ("windows-1251", "cp1251", "Привет, мир"),
        ("big5", "big5", "中文測試"),
        ("euc-kr", "euc-kr", "한국어 텍스트"),
        ("ks_c_5601-1987", "cp949", "한국어 텍스트 똠방각하"),
        ("iso-2022-jp", "iso2022_jp", "日本語のテキスト"),
        ("shift_jis", "cp932", "日本語①"),
        ("gb2312", "gbk", "中文 镕 GBK-only"),
        ("GB2312", "gb18030", "中文"),
        ("utf8", "utf-8", "ünïcödé"),
        ("\"UTF-8\"", "utf-8", "ünïcödé"),
        ("iso-8859-1", "cp1252", "€ “smart quotes” — naïve"),
        ("us-ascii", "cp1252", "“quoted”"),
        ("iso-8859-8-i", "iso8859-8", "שלום"),
        ("unicode-1-1-utf-7", "utf-7", "Hi ☺ there"),
    ],
)
def test_declared_and_aliased_charsets(label: str, codec: str, text: str) -> None:
    raw = single(text.encode(codec), ctype=f"text/plain; charset={label}")
    assert parse_message(raw).text == text


def test_latin1_label_on_utf8_content_is_decoded_as_utf8() -> None:
    parsed = parse_message(single("Grüße".encode(), ctype="text/plain; charset=iso-8859-1"))
    assert parsed.text == "Grüße"
    assert has_defect(parsed, "body", "iso-8859-1", "utf-8")


def test_utf8_label_on_cp1252_content() -> None:
    raw = single("Grüße aus Köln, schön".encode("cp1252"), ctype="text/plain; charset=utf-8")
    parsed = parse_message(raw)
    assert parsed.text == "Grüße aus Köln, schön"
    assert has_defect(parsed, "body", "cp1252")


def test_truncated_utf8_keeps_the_valid_text() -> None:
    raw = single("café ✓".encode()[:-1], ctype="text/plain; charset=utf-8")
    parsed = parse_message(raw)
    assert parsed.text == "café \ufffd"
    assert has_defect(parsed, "body", "U+FFFD")


def test_unknown_charset_falls_back_with_defect() -> None:
    parsed = parse_message(single("héllo".encode(), ctype="text/plain; charset=x-unknown"))
    assert parsed.text == "héllo"
    assert has_defect(parsed, "unknown charset 'x-unknown'")
    parsed = parse_message(single(b"caf\xe9 \x80", ctype="text/plain; charset=x-unknown"))
    assert parsed.text == "café €"


@pytest.mark.parametrize("label", ["unicode_escape", "base64", "rot13", "idna", "undefined"])
def test_non_charset_codec_names_are_not_used(label: str) -> None:
    parsed = parse_message(single(b"a\\x41 caf\xc3\xa9", ctype=f"text/plain; charset={label}"))
    assert parsed.text == "a\\x41 café"


def test_bad_charset_in_one_part_does_not_garble_the_others() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=koi8-r\n\nKOI\n"
        "--b\nContent-Type: text/plain; charset=no-such-charset\n\nBAD\n"
        "--b\nContent-Type: text/plain; charset=utf-8\n\nUTF\n--b--\n"
    )
    raw = raw.replace(b"KOI", "Привет".encode("koi8-r")).replace(b"BAD", b"\xff\xfe\xfd")
    raw = raw.replace(b"UTF", "日本語".encode())
    parsed = parse_message(raw)
    first, second, third = parsed.text.split("\n\n")
    assert first == "Привет"
    assert third == "日本語"
    assert len(second) == 3
    assert has_defect(parsed, "part 2", "no-such-charset")
    assert not has_defect(parsed, "part 1")
    assert not has_defect(parsed, "part 3")


def test_charset_override_applies_to_all_text_parts() -> None:
    raw = crlf(
        "Subject: RAW\n"
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\n\nPLAIN\n"
        "--b\nContent-Type: text/html; charset=iso-8859-1\n\n<p>HTML</p>\n--b--\n"
    )
    cyr = "Привет".encode("cp1251")
    raw = raw.replace(b"RAW", cyr).replace(b"PLAIN", cyr).replace(b"HTML", cyr)
    normal = parse_message(raw)
    assert normal.text != "Привет"
    forced = parse_message(raw, charset_override="windows-1251")
    assert forced.text == "Привет"
    assert forced.html == "<p>Привет</p>"
    assert forced.subject == "Привет"
    bogus = parse_message(raw, charset_override="no-such")
    assert has_defect(bogus, "charset override", "ignored")
    assert bogus.text == normal.text


def test_html_meta_charset_is_used_when_header_has_none() -> None:
    html = '<html><head><meta charset="windows-1251"></head><body>Привет</body></html>'
    parsed = parse_message(single(html.encode("cp1251"), ctype="text/html"))
    assert parsed.html == html
    assert parsed.text == "Привет"


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoded", "expected", "defect"),
    [
        (b"aGVsbG8gd29ybGQ=\r\n", b"hello world", False),
        (b"aGVsbG8gd29ybGQ\r\n", b"hello world", True),  # missing padding
        (b"aGVs!!bG8g*d29y\r\nbGQ\r\n", b"hello world", True),  # junk characters
        (b"aGk=\r\nIHRoZXJl\r\n", b"hi there", True),  # two blobs, padding in the middle
        (b"aGVsbG8gd29ybGQx\r\nZ", b"hello world1", True),  # one stray trailing char
        (b"", b"", False),
    ],
)
def test_lenient_base64(encoded: bytes, expected: bytes, defect: bool) -> None:
    raw = single(encoded, ctype="application/octet-stream",
                 extra="Content-Transfer-Encoding: base64\r\n")
    parsed = parse_message(raw)
    assert parsed.attachments[0].data == expected
    assert has_defect(parsed, "base64") == defect


def test_base64_label_on_plain_text_is_ignored() -> None:
    raw = single(b"Hello there, this is plain text and not base64.\r\n",
                 extra="Content-Transfer-Encoding: base64\r\n")
    parsed = parse_message(raw)
    assert parsed.text == "Hello there, this is plain text and not base64.\n"
    assert has_defect(parsed, "declared base64 but is not")


def test_quoted_printable_with_bad_escapes() -> None:
    raw = single(b"caf=C3=A9 =ZZ 100=\r\n% sure =3D ok=\r\n=E2=9C=93=",
                 ctype="text/plain; charset=utf-8",
                 extra="Content-Transfer-Encoding: Quoted-Printable\r\n")
    assert parse_message(raw).text == "café =ZZ 100% sure = ok✓"


def test_uuencode() -> None:
    import binascii

    data = b"hello uuencoded world\n" * 5
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    body = b"begin 644 greeting.txt\r\n" + b"".join(lines).replace(b"\n", b"\r\n") + b"`\r\nend\r\n"
    raw = single(body, ctype="application/octet-stream",
                 extra="Content-Transfer-Encoding: x-uuencode\r\n")
    (att,) = parse_message(raw).attachments
    assert att.data == data
    assert att.filename == "greeting.txt"


def test_8bit_and_binary_and_unknown_transfer_encodings() -> None:
    for cte in ("8bit", "binary", "7BIT", '"8bit"'):
        raw = single("naïve".encode(), ctype="text/plain; charset=utf-8",
                     extra=f"Content-Transfer-Encoding: {cte}\r\n")
        assert parse_message(raw).text == "naïve"
    parsed = parse_message(single(b"abc", extra="Content-Transfer-Encoding: x-zip\r\n"))
    assert parsed.text == "abc"
    assert has_defect(parsed, "unknown transfer encoding")


# --------------------------------------------------------------------------- structure


def test_missing_boundary_parameter_is_recovered() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed\n\n"
        "--xyz\nContent-Type: text/plain\n\nhello\n"
        "--xyz\nContent-Type: application/pdf; name=a.pdf\n\n%PDF\n--xyz--\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "hello"
    assert [a.filename for a in parsed.attachments] == ["a.pdf"]
    assert has_defect(parsed, "no boundary declared", "'xyz'")


def test_wrong_boundary_is_recovered() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=abc\n\npreamble\n"
        "--xyz\nContent-Type: text/plain\n\nhello\n"
        "--xyz\nContent-Type: text/plain\n\nworld\n--xyz--\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "hello\n\nworld"
    assert has_defect(parsed, "boundary 'abc' not found")


def test_unrecoverable_multipart_is_shown_as_text() -> None:
    raw = crlf("Content-Type: multipart/mixed; boundary=abc\n\njust some text\n-----\nsig\n")
    parsed = parse_message(raw)
    assert parsed.text == "just some text\n-----\nsig\n"
    assert has_defect(parsed, "shown as text")


def test_lost_content_type_with_visible_mime_body() -> None:
    raw = crlf(
        "MIME-Version: 1.0\nSubject: lost\n\n"
        "--=_abc\nContent-Type: text/plain\n\nhello\n"
        "--=_abc\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--=_abc--\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "hello"
    assert parsed.attachments[0].data == b"\x89PNG\r\n\x1a\n"


def test_truncated_message_keeps_earlier_parts() -> None:
    raw = crlf(
        "Subject: cut\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nfirst part\n"
        "--b\nContent-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\n"
        "JVBERi0xLjQKJcOkw7zDtsOf\nJVBERi0x"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "cut"
    assert parsed.text == "first part"
    assert parsed.attachments[0].data.startswith(b"%PDF-1.4\n")
    assert has_defect(parsed, "closing MIME boundary missing")


def test_truncated_in_headers() -> None:
    parsed = parse_message(b"Subject: half a subj")
    assert parsed.subject == "half a subj"
    assert parsed.text == ""


def test_nul_bytes_are_removed_from_text_but_not_from_attachments() -> None:
    raw = crlf(
        "Subject: a\x00b\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nhello\x00world\n"
        "--b\nContent-Type: application/octet-stream\n\n\x00\x01\x00\n--b--\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "a b"
    assert parsed.text == "helloworld"
    assert parsed.attachments[0].data == b"\x00\x01\x00"
    assert has_defect(parsed, "part 1", "NUL")


def test_crlf_and_lf_messages_parse_identically() -> None:
    raw, text, html = _utf8_multipart()
    lf = parse_message(raw.replace(b"\r\n", b"\n"))
    crlf_ = parse_message(raw)
    assert lf.text == crlf_.text == text
    assert lf.html == crlf_.html == html
    assert lf.subject == crlf_.subject


def test_bare_cr_line_endings() -> None:
    parsed = parse_message(b"Subject: mac\rContent-Type: text/plain\r\rline1\rline2\r")
    assert parsed.subject == "mac"
    assert parsed.text == "line1\nline2\n"


def test_extremely_long_lines() -> None:
    long_subject = "x" * 200_000
    raw = f"Subject: {long_subject}\r\n\r\n".encode() + b"a" * 2_000_000
    parsed = parse_message(raw)
    assert parsed.subject == long_subject
    assert len(parsed.text) == 2_000_000


@pytest.mark.parametrize("raw", [b"", b"\r\n", b"\n\n\n", b"\x00" * 100])
def test_empty_and_nearly_empty_input(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMessage)
    assert parsed.subject == ""
    assert parsed.text.strip() == ""
    assert parsed.attachments == ()


def test_binary_garbage() -> None:
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(20_000))
    parsed = parse_message(garbage)
    assert isinstance(parsed.text, str)
    assert "\x00" not in parsed.text
    assert parsed.from_ is None


def test_headers_only_message() -> None:
    parsed = parse_message(crlf("From: a@b.c\nSubject: only headers\n"))
    assert parsed.subject == "only headers"
    assert parsed.from_ == Address("", "a@b.c")
    assert parsed.text == ""
    assert parsed.html is None


def _nested(depth: int) -> bytes:
    head = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(depth)
    )
    tail = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    return crlf(f"Subject: deep\n{head}Content-Type: text/plain\n\ninnermost{tail}")


def test_nesting_below_the_cap_is_fully_parsed() -> None:
    parsed = parse_message(_nested(MAX_DEPTH - 1))
    assert parsed.text == "innermost"
    assert parsed.defects == ()


def test_nesting_beyond_the_cap_is_cut_with_a_defect() -> None:
    parsed = parse_message(_nested(MAX_DEPTH + 5))
    assert parsed.subject == "deep"
    assert parsed.text == ""
    assert has_defect(parsed, f"deeper than {MAX_DEPTH}")


def test_absurd_nesting_still_returns_headers() -> None:
    # Unterminated, so the fast splitter gives up and the feed parser overflows the stack.
    head = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(3000))
    parsed = parse_message(crlf(f"Subject: very deep\n{head}Content-Type: text/plain\n\nx\n"))
    assert parsed.subject == "very deep"
    assert parsed.defects


def test_huge_number_of_parts_is_capped() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=x\n\n"
        + "--x\nContent-Type: application/octet-stream\n\nA\n" * 5000
        + "--x--\n"
    )
    start = time.perf_counter()
    parsed = parse_message(raw)
    assert time.perf_counter() - start < 5
    assert len(parsed.attachments) == MAX_PARTS - 1  # the multipart itself counts
    assert has_defect(parsed, f"more than {MAX_PARTS}")


def test_duplicated_boundaries_make_empty_parts_not_crashes() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b\n"
        "Content-Type: text/plain\n\nreal\n--b\n--b--\n--b--\n"
    )
    assert parse_message(raw).text == "real"


# --------------------------------------------------------------------------- MIME layout

RELATED = crlf(
    "Content-Type: multipart/alternative; boundary=alt\n\n"
    "--alt\nContent-Type: text/plain; charset=utf-8\n\nPlain version\n"
    "--alt\nContent-Type: multipart/related; boundary=rel\n\n"
    '--rel\nContent-Type: text/html; charset=utf-8\n\n<p>Hi <img src="cid:logo@x"></p>\n'
    "--rel\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n"
    "iVBORw0KGgo=\n"
    "--rel\nContent-Type: image/gif; name=spacer.gif\nContent-ID: <unused@x>\n\nGIF89a\n"
    "--rel--\n--alt--\n"
)


def test_alternative_prefers_plain_text_and_keeps_html() -> None:
    parsed = parse_message(RELATED)
    assert parsed.text == "Plain version"
    assert parsed.html == '<p>Hi <img src="cid:logo@x"></p>'


def test_related_inline_image_with_content_id() -> None:
    logo, spacer = parse_message(RELATED).attachments
    assert (logo.content_id, logo.inline, logo.content_type) == ("logo@x", True, "image/png")
    assert logo.data == b"\x89PNG\r\n\x1a\n"
    assert logo.filename == "attachment.png"
    assert (spacer.content_id, spacer.inline, spacer.filename) == ("unused@x", False,
                                                                  "spacer.gif")


def test_empty_plain_alternative_falls_back_to_html() -> None:
    raw = crlf(
        "Content-Type: multipart/alternative; boundary=a\n\n"
        "--a\nContent-Type: text/plain\n\n \n"
        "--a\nContent-Type: text/html\n\n<div>Only&nbsp;here &amp; now</div>\n--a--\n"
    )
    assert parse_message(raw).text == "Only here & now"


def test_html_only_message_gets_a_text_rendering() -> None:
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<p>Hello&nbsp;<b>World</b> &amp; co</p><div>line2<br>line3</div>"
        "<script>alert('x')</script><ul><li>one</li><li>two</li></ul></body></html>"
    )
    parsed = parse_message(single(html.encode(), ctype="text/html; charset=utf-8"))
    assert parsed.html == html
    assert parsed.text == "Hello World & co\n\nline2\nline3\n- one\n- two"


def test_multiple_inline_text_parts_are_concatenated() -> None:
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=m\n\n"
        "--m\nContent-Type: text/plain\n\npart one\n"
        "--m\nContent-Type: text/plain; name=notes.txt\n\nnamed\n"
        "--m\nContent-Type: text/plain\nContent-Disposition: inline\n\npart two\n\n\n"
        "--m\nContent-Type: text/plain\nContent-Disposition: attachment\n\ndisposed\n"
        "--m\nContent-Type: text/html\nContent-Disposition: attachment; filename=page.html\n\n"
        "<p>x</p>\n--m--\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "part one\n\npart two"
    assert parsed.html is None
    names = [(a.filename, a.content_type, a.data) for a in parsed.attachments]
    assert names == [
        ("notes.txt", "text/plain", b"named"),
        ("attachment.txt", "text/plain", b"disposed"),
        ("page.html", "text/html", b"<p>x</p>"),
    ]


def test_attached_message_is_one_attachment_and_its_text_stays_out() -> None:
    inner = crlf("Subject: Inner: quarterly report?\nFrom: x@y.z\n\ninner body text\n")
    raw = crlf(
        "Subject: Fwd\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nouter text\n"
        "--b\nContent-Type: message/rfc822\n\n"
    ) + inner + b"\r\n--b--\r\n"
    parsed = parse_message(raw)
    assert parsed.text == "outer text"
    (att,) = parsed.attachments
    assert att.content_type == "message/rfc822"
    assert att.filename == "Inner quarterly report.eml"
    assert att.data == inner
    assert "inner body" not in parsed.text


def test_attached_message_in_base64_and_without_subject() -> None:
    inner = crlf("From: x@y.z\n\nno subject here\n")
    raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nouter\n"
        "--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
    ) + base64.encodebytes(inner) + b"--b--\r\n"
    parsed = parse_message(raw)
    (att,) = parsed.attachments
    assert att.data == inner
    assert att.filename == "message.eml"
    assert parsed.text == "outer"


REPORT = crlf(
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
    "--r\nContent-Type: text/plain\n\nDelivery to a@b.example failed.\n"
    "--r\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\n"
    "--r\nContent-Type: text/rfc822-headers\n\nSubject: original\n--r--\n"
)


def test_bounce_report() -> None:
    parsed = parse_message(REPORT)
    assert parsed.is_bounce_or_report
    assert parsed.is_auto_submitted
    assert parsed.text == "Delivery to a@b.example failed."
    status, headers = parsed.attachments
    assert status.content_type == "message/delivery-status"
    assert b"Action: failed" in status.data
    assert headers.content_type == "text/rfc822-headers"
    assert headers.data == b"Subject: original"


def test_feedback_report_is_a_report() -> None:
    raw = crlf(
        "Content-Type: multipart/report; report-type=feedback-report; boundary=f\n\n"
        "--f\nContent-Type: text/plain\n\nabuse report\n"
        "--f\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n--f--\n"
    )
    parsed = parse_message(raw)
    assert parsed.is_bounce_or_report
    assert parsed.attachments[0].filename == "feedback-report.txt"


def test_format_flowed_is_unwrapped() -> None:
    raw = single(
        b"This is a flo \r\nwed para \r\ngraph.\r\n> quoted flo \r\n> wed\r\n"
        b" From stuffed\r\n-- \r\nsig\r\n",
        ctype="text/plain; format=flowed; delsp=yes",
    )
    assert parse_message(raw).text == (
        "This is a flowed paragraph.\n> quoted flowed\nFrom stuffed\n-- \nsig\n"
    )
    raw = single(b"Soft \r\nbreak\r\n\r\nhard\r\n", ctype="text/plain; format=flowed")
    assert parse_message(raw).text == "Soft break\n\nhard\n"


def test_digest_parts_default_to_message_rfc822() -> None:
    raw = crlf(
        "Content-Type: multipart/digest; boundary=d\n\n"
        "--d\n\nSubject: first\n\none\n"
        "--d\n\nSubject: second\n\ntwo\n--d--\n"
    )
    parsed = parse_message(raw)
    assert [a.filename for a in parsed.attachments] == ["first.eml", "second.eml"]
    assert all(a.content_type == "message/rfc822" for a in parsed.attachments)
    assert parsed.text == ""


def test_well_formed_mail_never_needs_the_feed_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(raw: bytes) -> object:
        raise AssertionError("feed parser used for a well-formed message")

    monkeypatch.setattr(parse, "_feed_parse", refuse)
    for raw in [*_seed_corpus(), _utf8_multipart()[0]]:
        parsed = parse_message(raw)
        assert not has_defect(parsed, "failed"), parsed.defects


@pytest.mark.parametrize(
    "raw",
    [
        b"Subject: " + b"=?a?q?" * 50_000 + b"\r\n\r\nx",
        b"Content-Type: text/html\r\n\r\n" + b"<head>" * 50_000,
        b"Content-Type: text/html\r\n\r\n" + b"<a " * 50_000,
        b'Content-Type: text/html\r\n\r\n' + b'<a "' * 50_000,
        b"Content-Type: text/html\r\n\r\n" + b"<!x " * 50_000,
        b"To: " + b"a" * 500_000 + b" b\r\n\r\nx",
        b"To: " + b"(" * 200_000 + b"\r\n\r\nx",
        b"References: " + b"<" * 200_000 + b"\r\n\r\nx",
        b"Content-Type: multipart/mixed\r\n\r\n" + b"--a\r\n" * 50_000,
        b"Subject: a\r\n" + b" b\r\n" * 200_000 + b"\r\nx",
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b"QQ==" * 250_000,
    ],
    ids=["encoded-words", "head", "open-tags", "open-quotes", "bang", "bare-address",
         "parens", "angles", "boundary-lines", "folding", "base64-padding"],
)
def test_pathological_inputs_stay_linear(raw: bytes) -> None:
    start = time.perf_counter()
    assert isinstance(parse_message(raw), ParsedMessage)
    # Each takes well under 0.2 s; quadratic behaviour would take minutes.
    assert time.perf_counter() - start < 5


# --------------------------------------------------------------------------- filenames


def _attachment_with(disposition: str, ctype: str = "application/octet-stream") -> bytes:
    return crlf(
        "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nbody\n"
        f"--m\nContent-Type: {ctype}\nContent-Disposition: {disposition}\n\nDATA\n--m--\n"
    )


@pytest.mark.parametrize(
    ("disposition", "ctype", "expected"),
    [
        ("attachment; filename*=UTF-8''Rechnung%20f%C3%BCr%20M%C3%A4rz.pdf",
         "application/pdf", "Rechnung für März.pdf"),
        ("attachment;\n filename*0*=UTF-8''%E6%97%A5%E6%9C;\n filename*1*=%AC%E8%AA%9E.pdf",
         "application/pdf", "日本語.pdf"),
        ('attachment; filename*0="very long ";\n filename*1="name.txt"',
         "text/plain", "very long name.txt"),
        ("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt", "text/plain", "Grüße.txt"),
        ('attachment; filename="=?utf-8?B?w6TDtsO8LnBkZg==?="', "application/pdf", "äöü.pdf"),
        ("attachment", 'application/pdf; name="only-in-content-type.pdf"',
         "only-in-content-type.pdf"),
        ('attachment; filename="a;b=c.txt"; size=3', "text/plain", "a;b=c.txt"),
        ('attachment; filename="Bericht März.pdf"', "application/pdf", "Bericht März.pdf"),
    ],
)
def test_attachment_filenames(disposition: str, ctype: str, expected: str) -> None:
    parsed = parse_message(_attachment_with(disposition, ctype))
    (att,) = parsed.attachments
    assert att.filename == expected
    assert att.original_filename == expected
    assert att.data == b"DATA"


def test_raw_8bit_filename() -> None:
    raw = _attachment_with('attachment; filename="Bericht März.pdf"').replace(
        "März".encode(), "März".encode("cp1252")
    )
    assert parse_message(raw).attachments[0].filename == "Bericht März.pdf"


def test_rtl_override_and_path_traversal_filenames() -> None:
    cases = {
        'attachment; filename="invoice\u202etxt.exe"': ("invoicetxt.exe", True),
        'attachment; filename="../../etc/passwd"': ("passwd", False),
        'attachment; filename="..\\\\..\\\\Windows\\\\System32\\\\evil.dll"': ("evil.dll", True),
        'attachment; filename="C:\\\\Users\\\\x\\\\CON.txt"': ("_CON.txt", False),
        'attachment; filename="report.pdf.exe"': ("report.pdf.exe", True),
        'attachment; filename="photo.jpg      .scr"': ("photo.jpg      .scr", True),
        'attachment; filename="clean.exe."': ("clean.exe", True),
        'attachment; filename=".."': ("attachment", False),
    }
    for disposition, (safe, dangerous) in cases.items():
        (att,) = parse_message(_attachment_with(disposition)).attachments
        assert (att.filename, att.dangerous) == (safe, dangerous), disposition
    (att,) = parse_message(_attachment_with('attachment; filename="invoice\u202etxt.exe"'))\
        .attachments
    assert att.original_filename == "invoice\u202etxt.exe"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invoice\u202etxt.exe", "invoicetxt.exe"),
        ("a\u2066b\u2069c\u200f.txt", "abc.txt"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("dir/sub\\file.txt", "file.txt"),
        (".", "attachment"),
        ("..", "attachment"),
        ("...", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        ("\x00\x01\x7f", "attachment"),
        ("con", "_con"),
        ("CON.txt", "_CON.txt"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("Com1.log", "_Com1.log"),
        ("LPT9", "_LPT9"),
        ("console.txt", "console.txt"),
        ('a<b>c:d"e|f?g*h.txt', "abcdefgh.txt"),
        ("name. . .", "name"),
        ("  spaced  .txt  ", "spaced  .txt"),
        ("tab\there\nnewline.txt", "tab here newline.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("Cafe\u0301.txt", "Caf\u00e9.txt"),
        (".bashrc", "attachment.bashrc"),
        ("Ärger über Öl.pdf", "Ärger über Öl.pdf"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_extension() -> None:
    long_name = safe_filename("x" * 400 + ".pdf")
    assert len(long_name) == MAX_FILENAME_CHARS
    assert long_name.endswith("x.pdf")
    cjk = safe_filename("日" * 200 + ".docx")
    assert cjk.endswith("日.docx")
    assert len(cjk.encode()) <= 255
    no_ext = safe_filename("y" * 400)
    assert no_ext == "y" * MAX_FILENAME_CHARS
    assert safe_filename("", fallback="message.eml") == "message.eml"


@pytest.mark.parametrize(
    ("names", "ctype", "data", "expected"),
    [
        (("setup.EXE",), "application/octet-stream", b"", True),
        (("x.js",), "application/octet-stream", b"", True),
        (("x.vbs", "x.txt"), "text/plain", b"", True),
        (("run.ps1",), "text/plain", b"", True),
        (("macro.xlsm",), "application/vnd.ms-excel", b"", True),
        (("link.lnk",), "application/octet-stream", b"", True),
        (("installer.msi",), "application/octet-stream", b"", True),
        (("invoice.pdf",), "application/x-msdownload", b"", True),
        (("invoice.pdf",), "application/pdf", b"%PDF", False),
        (("notes.txt",), "text/plain", b"MZ...", False),
        (
            ("renamed.jpg",),
            "image/jpeg",
            b"MZ" + b"\x00" * 58 + (64).to_bytes(4, "little") + b"PE\x00\x00",
            True,
        ),
        (("archive.tar.gz",), "application/gzip", b"", False),
    ],
)
def test_dangerous_attachment_detection(
    names: tuple[str, ...], ctype: str, data: bytes, expected: bool
) -> None:
    assert is_dangerous_attachment(names, ctype, data) is expected


def test_content_type_name_and_disposition_name_both_checked() -> None:
    raw = _attachment_with('attachment; filename="safe.pdf"',
                           'application/octet-stream; name="payload.exe"')
    (att,) = parse_message(raw).attachments
    assert att.filename == "safe.pdf"
    assert att.dangerous


# --------------------------------------------------------------------------- html_to_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("plain words", "plain words"),
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("x<br>y<br/>z", "x\ny\nz"),
        ("&lt;tag&gt; &amp; &#8364; &euro; &nbsp;", "<tag> & € €"),
        ("<div>  lots   of\n\n   space </div>", "lots of space"),
        ("<pre>  keep\n    this</pre>", "  keep\n    this"),
        ("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>", "1\t2\n3"),
        ("<head><title>gone</title></head><body>kept</body>", "kept"),
        ("<style>.a{}</style><script>x()</script><!-- c -->text", "text"),
        ("<p>unclosed <b>bold <i>mixed</p> tail", "unclosed bold mixed\n\ntail"),
        ("<<<>>>&&&;;", "<<<>>>&&&;;"),
        ("<a href='x'>link</a> text", "link text"),
        ("<a title='a>b'>quoted gt</a>", "quoted gt"),
        ("<html><head><title>x</title><meta charset=utf-8><p>body</p>", "body"),
        ("<head><title>t</title>unclosed head<p>still shown</p>", "unclosed head\n\nstill shown"),
        ("<!--[if mso]><p>outlook only</p><![endif]-->shown", "shown"),
        ("<div>a</div><div><br></div><div>b</div>", "a\n\nb"),
        ("<P>Upper</P><BR>Case", "Upper\n\nCase"),
        ("<script>never closed", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_html_to_text_never_raises_on_hostile_markup() -> None:
    rng = random.Random(3)
    pieces = ["<", ">", "</", "<!", "<![CDATA[", "]]>", "&", "&#", "&#x", ";", "<script>",
              "</script>", "<p>", "<br", '"', "'", "=", "a", " ", "\x00", "<!--", "-->"]
    for _ in range(300):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))
        assert isinstance(html_to_text(html), str)


# --------------------------------------------------------------------------- robustness


def _seed_corpus() -> list[bytes]:
    raw, _text, _html = _utf8_multipart()
    mixed = EmailMessage()
    mixed["From"] = "a@b.c"
    mixed["Subject"] = "=?utf-8?q?caf=C3=A9?= attach"
    mixed.set_content("text body\n")
    mixed.add_attachment(b"\x00\x01binary" * 50, maintype="application", subtype="pdf",
                         filename="Größe.pdf")
    inner = EmailMessage()
    inner["Subject"] = "inner"
    inner.set_content("inner body")
    mixed.add_attachment(inner)
    return [raw, mixed.as_bytes(), RELATED, REPORT, _nested(5)]


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    if not raw:
        return rng.choice([b"", b"\r\n", b"--", b"Subject: =?"])
    data = bytearray(raw)
    kind = rng.randrange(7)
    if kind == 0:  # byte flips
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:  # truncation
        del data[rng.randrange(len(data)) :]
    elif kind == 2:  # duplicate a boundary (or any) line
        lines = bytes(data).split(b"\n")
        candidates = [i for i, line in enumerate(lines) if line.startswith(b"--")] or [0]
        i = rng.choice(candidates)
        lines[i:i] = [lines[i]] * rng.randrange(1, 5)
        data = bytearray(b"\n".join(lines))
    elif kind == 3:  # delete a random slice
        a = rng.randrange(len(data))
        del data[a : a + rng.randrange(1, 200)]
    elif kind == 4:  # splice in hostile tokens
        token = rng.choice([b"=?utf-8?B?", b"?=", b"\x00", b"\r", b"--", b"boundary=",
                            b"Content-Type: multipart/mixed\r\n", b"charset=utf-7;",
                            b"filename*0*=", b"%", b"<", b"\xff\xfe", b"begin 644 x\r\n"])
        at = rng.randrange(len(data) + 1)
        data[at:at] = token * rng.randrange(1, 4)
    elif kind == 5:  # line ending chaos
        data = bytearray(bytes(data).replace(b"\r\n", rng.choice([b"\n", b"\r", b"\r\r\n"])))
    else:  # swap two chunks
        a, b = sorted(rng.randrange(len(data)) for _ in range(2))
        data = data[b:] + data[a:b] + data[:a]
    return bytes(data)


def test_fuzzed_mutations_always_return_a_parsed_message() -> None:
    rng = random.Random(0)
    corpus = _seed_corpus()
    for _ in range(3000):
        raw = _mutate(rng, rng.choice(corpus))
        if rng.random() < 0.3:
            raw = _mutate(rng, raw)
        parsed = parse_message(raw, charset_override=rng.choice([None, None, "koi8-r"]))
        assert isinstance(parsed, ParsedMessage)
        assert isinstance(parsed.text, str) and "\x00" not in parsed.text
        assert isinstance(parsed.subject, str) and "\n" not in parsed.subject
        for att in parsed.attachments:
            assert att.filename and "/" not in att.filename and "\\" not in att.filename
        # Every string must be storable (no lone surrogates).
        parsed.text.encode("utf-8")
        parsed.subject.encode("utf-8")
        if parsed.html is not None:
            parsed.html.encode("utf-8")


def test_one_bad_message_never_stops_a_batch() -> None:
    batch = [*_seed_corpus(), b"", b"\xff" * 100, _nested(2000), b"From \r\n\r\n"]
    results = [parse_message(raw) for raw in batch]
    assert len(results) == len(batch)
    assert results[0].subject == "Grüße ✓"


def test_non_bytes_input_does_not_raise() -> None:
    assert parse_message(bytearray(b"Subject: ba\r\n\r\nx")).subject == "ba"
    assert parse_message(memoryview(b"Subject: mv\r\n\r\nx")).subject == "mv"
    assert parse_message(None).text == ""  # type: ignore[arg-type]


def test_internal_failure_yields_salvage_with_defect(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: object, node: object, path: str, depth: int) -> None:
        raise RecursionError("simulated")

    monkeypatch.setattr(parse._Parser, "walk", explode)
    raw = crlf("Subject: still here\nFrom: a@b.c\n\nbody text\n")
    parsed = parse_message(raw)
    assert parsed.subject == "still here"
    assert has_defect(parsed, "body parsing failed")

    def boom(raw: bytes) -> object:
        raise RecursionError("simulated")

    monkeypatch.setattr(parse, "_fast_entity", lambda data, default_type: None)
    monkeypatch.setattr(parse, "_feed_parse", boom)
    salvaged = parse_message(raw)
    assert salvaged.subject == "still here"
    assert salvaged.text == "body text\n"
    assert has_defect(salvaged, "MIME parsing failed")
    with pytest.raises(ParseFailure) as info:
        parse_message_strict(raw)
    assert info.value.partial.subject == "still here"


def test_parsed_message_is_hashable_and_frozen() -> None:
    parsed = parse_message(crlf("Subject: x\n\nbody"))
    hash(parsed)
    with pytest.raises(AttributeError):
        parsed.subject = "y"  # type: ignore[misc]


def test_parse_speed_is_reasonable() -> None:
    raw, _text, _html = _utf8_multipart()
    msg = EmailMessage()
    msg["Subject"] = "speed"
    msg.set_content("body line\n" * 400)
    msg.add_attachment(bytes(range(256)) * 40, maintype="application", subtype="pdf",
                       filename="a.pdf")
    samples = [raw, msg.as_bytes()]
    start = time.perf_counter()
    for _ in range(200):
        for sample in samples:
            parse_message(sample)
    per_message = (time.perf_counter() - start) / 400
    # Typically ~0.1-0.3 ms; the bound only catches pathological regressions on slow CI.
    assert per_message < 0.01
