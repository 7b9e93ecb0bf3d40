"""How the app looks, kept between sessions: the theme, ASCII drawing and the sidebar.

The preferences themselves (file, format, damage) are the lab's (lab/preferences.py);
this applies them to an app at start and saves each change the user makes: a theme
picked in the palette, `b`, or the palette's ASCII drawing switch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nntui.lab.preferences import Preferences, load, save
from nntui.ui.ascii import ascii_drawing, set_ascii_drawing

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

SIDEBAR_HIDDEN = "-no-sidebar"


def kept(app: App[Any]) -> bool:
    """Whether this app restores and saves the user's preferences."""
    return bool(getattr(app, "keep_prefs", False))


def restore(app: App[Any], ascii_only: bool = False) -> tuple[Preferences, list[str]]:
    """Load the preferences (when the app keeps them: `app.keep_prefs`) and apply what
    can be applied before the app runs (ASCII drawing: asked for by `ascii_only`, or
    kept from an earlier session)."""
    prefs, warnings = load() if kept(app) else (Preferences(), [])
    if ascii_only or prefs.ascii:
        set_ascii_drawing(app, True)
    return prefs, warnings


def apply_on_mount(app: App[Any], prefs: Preferences) -> list[str]:
    """The theme and the sidebar (they need a running app); then watch theme changes."""
    warnings = []
    if prefs.theme in app.available_themes:
        app.theme = prefs.theme
    else:
        warnings.append(f"theme {prefs.theme!r} (from your preferences) is not known; "
                        f"using {app.theme}")
    if not prefs.sidebar:
        app.screen.add_class(SIDEBAR_HIDDEN)

    def changed(theme: Theme) -> None:
        remember(app, prefs, theme=theme.name)

    app.theme_changed_signal.subscribe(app, changed)
    return warnings


def remember(app: App[Any], prefs: Preferences, **changes: object) -> None:
    """Update and save the preferences; a failed save is a warning, never an error."""
    if all(getattr(prefs, k) == v for k, v in changes.items()):
        return
    for key, value in changes.items():
        setattr(prefs, key, value)
    problem = save(prefs) if kept(app) else ""
    if problem:
        app.notify(problem, severity="warning")


def sidebar_changed(app: App[Any], prefs: Preferences) -> None:
    """After `b`: keep whether the sidebar is hidden."""
    remember(app, prefs, sidebar=not app.screen.has_class(SIDEBAR_HIDDEN))


def toggle_ascii(app: App[Any], prefs: Preferences) -> None:
    """The palette's switch: ASCII drawing on or off, now and in later sessions."""
    on = not ascii_drawing(app)
    set_ascii_drawing(app, on)
    remember(app, prefs, ascii=on)
    app.notify("ASCII drawing on." if on else "ASCII drawing off.")
