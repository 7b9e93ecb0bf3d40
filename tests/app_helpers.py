"""Helpers for driving the app with Textual's Pilot."""

from __future__ import annotations

import io

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from nntui.core.config import ExperimentConfig
from nntui.core.session import Session
from nntui.ui.app import NNApp
from nntui.ui.widgets.fields import SettingField
from nntui.ui.widgets.status import StatusLine


def make_app(**cfg: object) -> NNApp:
    """An app on a config; steps/s hidden and cursors steady so screens are repeatable."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    return NNApp(Session(ExperimentConfig(**cfg)))  # type: ignore[arg-type]


def field(app: NNApp, key: str) -> SettingField:
    return app.query_one(f"#field-{key.replace(':', '-').replace('_', '-')}", SettingField)


async def edit(pilot: Pilot, key: str, text: str) -> SettingField:
    """Type `text` into a field and press Enter (or choose it), then let the app settle."""
    app: NNApp = pilot.app  # type: ignore[assignment]
    f = field(app, key)
    if f.choices:
        f.query_one(Select).value = text
    else:
        box = f.query_one(Input)
        box.focus()
        await pilot.pause()
        box.value = text
        await pilot.press("enter")
    await settle(pilot)
    return f


async def settle(pilot: Pilot) -> None:
    """Wait until every worker is done and every message handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def plain(widget: Static) -> str:
    """The text a Static widget shows (rich renderables rendered without colour)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]
