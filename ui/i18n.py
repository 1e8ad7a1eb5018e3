"""Translations: choosing the language, loading the shipped .qm files, updating them.

The language is, first to last: ``--language``, ``$RELAYDESK_LANGUAGE``, the global
``language`` setting (app/first_run.py window_language reads those), the system locale.
Translators edit ``resources/translations/relaydesk_<lang>.ts`` (Qt Linguist); after changing
strings in ui/, run ``python -m ui.i18n`` to refresh the .ts files from the sources and
compile the .qm files the app loads (tests/ui/test_translation.py fails when a .qm is stale).
"""

from __future__ import annotations

import importlib.resources
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("ui")

LANGUAGE_ENV = "RELAYDESK_LANGUAGE"
SHIPPED = ("it",)  # languages with a translation in resources/translations
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

ROOT = Path(__file__).resolve().parent.parent
# Every module of the ui/ floor: a string shown to agents is translated wherever it lives.
SOURCES = tuple(sorted(str(path.relative_to(ROOT)) for path in (ROOT / "ui").rglob("*.py")))


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark ``source`` for lupdate in ``context``; translate it later with translate().

    Qt's own QT_TRANSLATE_NOOP is typed as returning ``object``; this one keeps ``str``.
    lupdate finds the call by its name either way.
    """
    return source


def translations_dir() -> Path:
    return Path(str(importlib.resources.files("resources") / "translations"))


def choose_language(explicit: str | None = None) -> str:
    """A two- or three-letter language code ("it", "en")."""
    for candidate in (explicit, os.environ.get(LANGUAGE_ENV)):
        if candidate:
            code = candidate.strip().lower().replace("-", "_").split("_")[0]
            if _LANGUAGE.match(code):
                return code
            log.warning("ignoring language %r: not a code such as it or en", candidate)
    system = QLocale.system().name().split("_")[0].lower()
    return system if _LANGUAGE.match(system) else "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load Relaydesk's and Qt's own translations for ``language`` into ``app``.

    Returns the translators, which must stay alive as long as they are installed. English,
    the source language, needs none; an unknown language falls back to English quietly.
    """
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    ours = translations_dir() / f"relaydesk_{language}.qm"
    if ours.is_file():
        translator = QTranslator(app)
        if translator.load(str(ours)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("could not load the translation %s", ours)
    # Qt's own dialogs and context menus (Cancel, Copy, Select All…) in the same language.
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if qt_translator.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    return installed


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    return found


def update(languages: tuple[str, ...] = SHIPPED) -> None:
    """Refresh the .ts files from SOURCES (keeping translations) and compile the .qm files."""
    folder = ROOT / "resources" / "translations"
    for language in languages:
        ts = folder / f"relaydesk_{language}.ts"
        subprocess.run(
            [_tool("pyside6-lupdate"), *SOURCES, "-no-obsolete", "-ts", str(ts)],
            cwd=ROOT,
            check=True,
        )
        release(ts, ts.with_suffix(".qm"))


def release(ts: Path, qm: Path) -> None:
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
        check=True,
    )


if __name__ == "__main__":
    update()
