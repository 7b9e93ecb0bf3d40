"""Helpers for driving the app with Textual's Pilot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from nntui.lab.config import ExperimentConfig
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.screenshots import settle, wait_ready
from nntui.ui.widgets.fields import SettingField
from nntui.ui.widgets.status import StatusLine


def make_app(**cfg: object) -> NNApp:
    """An app on a config; steps/s hidden and cursors steady so screens are repeatable."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    return NNApp(Session(ExperimentConfig(**cfg)))  # type: ignore[arg-type]


def field(app: NNApp, key: str) -> SettingField:
    return app.query_one(f"#field-{key.replace(':', '-').replace('_', '-')}", SettingField)


@asynccontextmanager
async def running(app: NNApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot]:
    """`app.run_test()` that yields once the body and its sidebar are mounted."""
    async with app.run_test(size=size) as pilot:
        await wait_ready(pilot)
        yield pilot


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


def plain(widget: Static) -> str:
    """The text a Static widget shows (rich renderables rendered without colour)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]
