"""Preferences (theme, ASCII drawing, sidebar) kept between sessions (issue 13, item 7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app_helpers import make_app, running, settle
from nntui.lab.preferences import Preferences, load, preferences_path, save
from nntui.ui.app import NNApp


def test_the_file_lives_in_the_users_config_directory(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert preferences_path() == tmp_path / "nntui" / "preferences.toml"


def test_first_start_has_defaults_and_no_warning() -> None:
    assert load() == (Preferences(), [])


def test_saved_preferences_come_back() -> None:
    prefs = Preferences(theme="nord", ascii=True, sidebar=False)
    assert save(prefs) == ""
    assert load() == (prefs, [])
    assert 'theme = "nord"' in preferences_path().read_text()


@pytest.mark.parametrize(("text", "warning"), [
    ("theme = [unclosed", "are damaged"),
    (b"\xff\xfe", "are damaged"),
    ("theme = 3\nascii = true", "preference theme = 3"),
])
def test_a_damaged_file_warns_and_never_crashes(text: str | bytes, warning: str) -> None:
    path = preferences_path()
    path.parent.mkdir(parents=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    prefs, warnings = load()
    assert len(warnings) == 1 and warning in warnings[0] and str(path) in warnings[0]
    assert prefs.theme == "textual-dark"
    assert prefs.ascii == ("ascii = true" in str(text))


def test_a_directory_in_its_place_warns(tmp_path: Path) -> None:
    preferences_path().mkdir(parents=True)
    prefs, warnings = load()
    assert prefs == Preferences() and "were not read" in warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_config_directory_is_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        problem = save(Preferences(), folder / "nntui" / "preferences.toml")
    finally:
        folder.chmod(0o700)
    assert problem.startswith("preferences not saved to ")


def test_an_unwritable_target_is_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    problem = save(Preferences(), blocker / "preferences.toml")  # a file as a directory
    assert problem.startswith("preferences not saved to ")


def keeping() -> NNApp:
    """An app that keeps the user's preferences, as `nntui` opens it."""
    app = make_app()
    return type(app)(app.session, keep_prefs=True)


async def test_a_theme_chosen_in_the_app_survives_a_restart() -> None:
    app = keeping()
    async with running(app) as pilot:
        app.theme = "nord"  # what picking it in the palette's theme list does
        await settle(pilot)
    assert load()[0].theme == "nord"
    again = keeping()
    async with running(again):
        assert again.theme == "nord"


async def test_sidebar_and_ascii_are_kept() -> None:
    app = keeping()
    async with running(app) as pilot:
        await pilot.press("b")
        app.action_toggle_ascii()  # the palette's "ASCII drawing"
        await settle(pilot)
    assert load()[0] == Preferences(ascii=True, sidebar=False)
    again = keeping()
    async with running(again):
        assert again.has_class("-ascii") and again.screen.has_class("-no-sidebar")


async def test_b_on_a_narrow_terminal_shows_the_sidebar_without_changing_the_preference(
        ) -> None:
    """At 70 columns `b` brings the sidebar over the view: that must not be kept as
    "hidden" for the next, wider session (it was, inverted)."""
    app = keeping()
    async with running(app, (70, 24)) as pilot:
        await pilot.press("b")
        await settle(pilot)
        assert app.query_one("#sidebar").display and app.screen.has_class("-show-sidebar")
        await pilot.press("b")
        await settle(pilot)
        assert not app.query_one("#sidebar").display
    assert load()[0].sidebar is True


async def test_an_unknown_theme_is_a_warning_not_a_crash() -> None:
    save(Preferences(theme="no-such-theme"))
    toasts: list[str] = []
    app = keeping()
    async with running(app) as pilot:
        await settle(pilot)
        toasts = [n.message for n in app._notifications]  # noqa: SLF001
    assert app.theme == "textual-dark"
    assert any("theme 'no-such-theme'" in t for t in toasts)


async def test_tests_and_pictures_leave_the_users_preferences_alone() -> None:
    save(Preferences(theme="nord", ascii=True))
    app = make_app()  # as every test and `make screenshots` build it
    async with running(app) as pilot:
        assert app.theme == "textual-dark" and not app.has_class("-ascii")
        app.theme = "gruvbox"
        await settle(pilot)
    assert load()[0] == Preferences(theme="nord", ascii=True)
