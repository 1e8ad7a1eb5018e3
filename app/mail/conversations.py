"""Threading rules: which conversation a message belongs to, and subject normalising."""

from __future__ import annotations

import re
import unicodedata

# Reply and forward prefixes as mail clients write them in many languages, with optional
# counters ("Re[2]:", "Re(3):") and full-width colons from CJK clients.
_PREFIX = re.compile(
    r"""^\s*(?:
        (?:re|aw|r|rif|sv|vs|antw|antwort|ref|odp|res|ynt|atb|vá|v|
           fwd?|wg|tr|enc|rv|doorst|pd|i|fs|vl|tr|
           回复|回覆|答复|转发|轉寄|転送|返信)
        (?:\s*[\[(]\d+[\])])?
        \s*[:：]
      |\[(?:ext(?:ernal)?|spam|fwd?)\]
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_SPACE = re.compile(r"\s+")


def strip_prefixes(subject: str) -> tuple[str, bool]:
    """The subject without reply/forward prefixes, and whether there were any."""
    text = unicodedata.normalize("NFKC", subject or "")
    had_prefix = False
    while True:
        match = _PREFIX.match(text)
        if not match or match.end() == 0:
            break
        text = text[match.end() :]
        had_prefix = True
    return text, had_prefix


def thread_subject(subject: str) -> str:
    """The key a subject is matched on: prefixes gone, case and spacing folded."""
    text, _ = strip_prefixes(subject)
    return _SPACE.sub(" ", text).strip().casefold()[:255]


def looks_like_reply(subject: str) -> bool:
    return strip_prefixes(subject)[1]
