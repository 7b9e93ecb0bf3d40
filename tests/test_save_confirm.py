"""ctrl+s asks before replacing an existing settings file (issue 13, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from app_helpers import make_app, plain, running, settle, wait_until
from nntui.lab.config import load_toml
from nntui.ui.screens.forms import ConfirmScreen, SettingsFileScreen
from nntui.ui.screenshots import press, scene_app


async def save_as(pilot, name: str) -> None:  # noqa: ANN001
    """ctrl+s, the name typed, enter (the dialog's field has the focus once it opens)."""
    app = pilot.app
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, SettingsFileScreen)
                     and app.screen.focused is app.screen.query_one("#path"), "the dialog")
    app.screen.query_one("#path", Input).value = name
    await pilot.press("enter")
    await settle(pilot)


async def test_ctrl_s_asks_before_replacing_a_file(tmp_path: Path) -> None:
    target = tmp_path / "experiment.toml"
    app = make_app(lr=0.02)
    async with running(app) as pilot:
        await save_as(pilot, str(target))  # a new file: saved without a question
        assert not isinstance(app.screen, ConfirmScreen)
        assert load_toml(str(target)).lr == 0.02
        await pilot.press("plus")  # lr 0.2 now
        await settle(pilot)
        await save_as(pilot, str(target))
        assert isinstance(app.screen, ConfirmScreen)
        assert "experiment.toml exists. Replace it" in plain(app.screen.query_one(
            ".dialog-title"))
        await pilot.press("n")
        await settle(pilot)
        assert load_toml(str(target)).lr == 0.02  # kept
        assert [n.message for n in app._notifications][-1].endswith(  # noqa: SLF001
            "kept as it was; nothing saved")
        await save_as(pilot, str(target))
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert load_toml(str(target)).lr == 0.2


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_confirm_snapshot(snap_compare, size: tuple[int, int]) -> None:  # noqa: ANN001
    """The question over the app (the file exists: the scenes run in a scratch folder)."""
    Path("experiment.toml").write_text("")
    assert snap_compare(scene_app("start-80x24"), terminal_size=size,
                        run_before=press("ctrl+s", "enter"))
