"""Light and dark: the state colours of the interaction list, kept readable on either palette.

The window follows the platform's palette (Qt switches it when the OS switches between light
and dark); the only colours of our own are the four states agents read at a glance, and they
are picked per palette and then checked against the palette's backgrounds for contrast.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text
SLA_AT_RISK_AFTER = dt.timedelta(hours=4)  # an open, unclaimed interaction waiting this long


class State(Enum):
    UNREAD = "unread"
    MINE = "mine"  # claimed by the signed-in agent
    OTHERS = "others"  # claimed by another agent
    SLA_AT_RISK = "sla_at_risk"


# Starting hues per scheme; state_colors() darkens or lightens them if a palette needs it.
_LIGHT = {
    State.UNREAD: "#1a56b0",
    State.MINE: "#1b6e2d",
    State.OTHERS: "#5f6368",
    State.SLA_AT_RISK: "#b3261e",
}
_DARK = {
    State.UNREAD: "#8ab4f8",
    State.MINE: "#81c995",
    State.OTHERS: "#b0b3b8",
    State.SLA_AT_RISK: "#f28b82",
}


def relative_luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def _readable(color: QColor, backgrounds: list[QColor]) -> QColor:
    """``color``, moved towards black or white until it reads on every background."""
    dark_backgrounds = sum(relative_luminance(b) for b in backgrounds) / len(backgrounds) < 0.18
    candidate = QColor(color)
    for _ in range(40):
        if min(contrast_ratio(candidate, b) for b in backgrounds) >= MIN_CONTRAST:
            return candidate
        candidate = candidate.lighter(108) if dark_backgrounds else candidate.darker(108)
        if dark_backgrounds and candidate.lightnessF() >= 0.97:
            candidate = QColor(Qt.GlobalColor.white)
        if not dark_backgrounds and candidate.lightnessF() <= 0.03:
            candidate = QColor(Qt.GlobalColor.black)
    # Mid-grey backgrounds, or a hue that lightening cannot move: the plainest that reads best.
    return max(
        (candidate, QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)),
        key=lambda c: min(contrast_ratio(c, b) for b in backgrounds),
    )


def state_colors(palette: QPalette) -> dict[State, QColor]:
    """The state colours for ``palette``, each readable on its Base and AlternateBase."""
    backgrounds = [
        palette.color(QPalette.ColorRole.Base),
        palette.color(QPalette.ColorRole.AlternateBase),
    ]
    start = _DARK if is_dark(palette) else _LIGHT
    return {state: _readable(QColor(hex_), backgrounds) for state, hex_ in start.items()}


def row_state(
    *,
    status: str,
    unread: bool,
    claimed_by: str,
    created_at: dt.datetime,
    me: str,
    now: dt.datetime,
) -> State | None:
    """Which state colour a row of the interaction list wears (the most urgent one)."""
    if status != "open":
        return None
    if claimed_by:
        return State.MINE if me and claimed_by == me else State.OTHERS
    if now - created_at >= SLA_AT_RISK_AFTER:
        return State.SLA_AT_RISK
    return State.UNREAD if unread else None


def dark_palette() -> QPalette:
    """A dark palette for platforms whose theme has none (and for the tests and screenshots)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, hex_ in (
        (roles.Window, "#202124"),
        (roles.WindowText, "#e8eaed"),
        (roles.Base, "#1b1b1d"),
        (roles.AlternateBase, "#26272a"),
        (roles.ToolTipBase, "#303134"),
        (roles.ToolTipText, "#e8eaed"),
        (roles.PlaceholderText, "#9aa0a6"),
        (roles.Text, "#e8eaed"),
        (roles.Button, "#2d2e31"),
        (roles.ButtonText, "#e8eaed"),
        (roles.BrightText, "#ffffff"),
        (roles.Highlight, "#3b6fd1"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#8ab4f8"),
        (roles.LinkVisited, "#c58af9"),
        (roles.Light, "#3c4043"),
        (roles.Midlight, "#303134"),
        (roles.Mid, "#26272a"),
        (roles.Dark, "#151517"),
        (roles.Shadow, "#000000"),
    ):
        palette.setColor(role, QColor(hex_))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#80868b"))
    return palette


def light_palette() -> QPalette:
    """A light palette with the same roles, for forcing light on a dark desktop (and tests)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, hex_ in (
        (roles.Window, "#efefef"),
        (roles.WindowText, "#1f1f1f"),
        (roles.Base, "#ffffff"),
        (roles.AlternateBase, "#f5f5f5"),
        (roles.ToolTipBase, "#ffffdc"),
        (roles.ToolTipText, "#1f1f1f"),
        (roles.PlaceholderText, "#6b6b6b"),
        (roles.Text, "#1f1f1f"),
        (roles.Button, "#efefef"),
        (roles.ButtonText, "#1f1f1f"),
        (roles.BrightText, "#ffffff"),
        (roles.Highlight, "#3071c9"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#1a56b0"),
        (roles.LinkVisited, "#6b2fa0"),
    ):
        palette.setColor(role, QColor(hex_))
    return palette


def force_color_scheme(scheme: Qt.ColorScheme) -> None:
    """Ask for light or dark; where the platform theme cannot switch, set the palette too."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    app.styleHints().setColorScheme(scheme)
    match_palette(scheme)


def match_palette(scheme: Qt.ColorScheme) -> None:
    """Make the application palette as dark or light as ``scheme`` says, if it is not.

    The platform's own palette is preferred: we fall back on ours only where the platform
    theme reported the scheme but kept its palette (or has none, as offscreen).
    """
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication) or scheme == Qt.ColorScheme.Unknown:
        return
    wanted_dark = scheme == Qt.ColorScheme.Dark
    if is_dark(app.palette()) == wanted_dark:
        return
    # A palette with nothing set gives the platform's back (undoing one we set earlier).
    app.setPalette(QPalette())
    if is_dark(app.palette()) != wanted_dark:
        # WORKAROUND: offscreen, X11 without a desktop theme and older Qt ignore the scheme.
        app.setPalette(dark_palette() if wanted_dark else light_palette())


class ThemeWatcher(QObject):
    """Says when the palette changed (the OS switched theme, or we forced one)."""

    changed = Signal(object)  # dict[State, QColor]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QGuiApplication.instance()
        self._colors = state_colors(QGuiApplication.palette())
        if isinstance(app, QGuiApplication):
            # Deprecated in C++ but still emitted, and far cheaper than an application-wide
            # event filter seeing every event to wait for ApplicationPaletteChange.
            app.paletteChanged.connect(self.on_app_palette_changed)
            app.styleHints().colorSchemeChanged.connect(self.on_hints_color_scheme_changed)

    @property
    def colors(self) -> dict[State, QColor]:
        return self._colors

    def on_app_palette_changed(self, _palette: QPalette) -> None:
        self._update()

    def on_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        # The OS switched between light and dark: the palette follows even where the
        # platform theme would not switch it by itself.
        match_palette(scheme)
        self._update()

    def _update(self) -> None:
        colors = state_colors(QGuiApplication.palette())
        if colors != self._colors:
            self._colors = colors
            self.changed.emit(colors)
