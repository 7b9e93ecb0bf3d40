"""`make screenshots`: SVG screenshots of the real app for the README.

Each scene is a config plus the keys a user would press; the same scenes drive the
snapshot tests, so the README shows exactly what the tests check.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from nntui.lab.config import ExperimentConfig
from nntui.lab.runs import RunStore
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.widgets.status import StatusLine

WIDE_DATA = {"n1_range": (0, 20), "n2_range": (0, 50), "noise_range": (0.0, 10.0)}


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and every message be handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def wait_ready(pilot: Pilot) -> None:
    """Wait until the app has built its body and mounted the (lazy) sidebar."""
    from nntui.ui.widgets.settings import Sidebar

    app: NNApp = pilot.app  # type: ignore[assignment]
    for _ in range(1000):
        if app.ready and app.query(Sidebar):
            break
        await pilot.pause(0.01)
    await settle(pilot)


def press(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await wait_ready(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


#: name -> (config, keys to press, terminal size)
SCENES: dict[str, tuple[dict, tuple[str, ...], tuple[int, int]]] = {
    "start-80x24": ({}, (), (80, 24)),
    "finished-80x24": ({}, ("f",), (80, 24)),
    "results-80x24": ({}, ("f", "2"), (80, 24)),
    "diverged-80x24": ({"lr": 1.0, **WIDE_DATA}, ("f",), (80, 24)),
    "wide-160x48": ({"rows": 300, **WIDE_DATA}, ("f",), (160, 48)),
    "inspector-80x24": ({}, ("i",), (80, 24)),
    "runs-80x24": ({"epochs": 100}, ("f", "plus", "f", "asterisk", "f", "4", "enter",
                                     "down", "enter", "down", "enter"), (80, 24)),
    "runs-weights-80x24": ({"epochs": 100}, ("f", "plus", "f", "4", "enter", "down",
                                             "enter", "o"), (80, 24)),
    "inspector-closed-gate-160x48": ({}, ("i", "g", "6", "enter"), (160, 48)),
}


def fixed_clock() -> datetime:
    return datetime(2026, 11, 29, 9, 0, 0)


def scene_app(name: str) -> NNApp:
    """The app of a scene: steps/s hidden, cursors steady, a fixed clock and an in-memory
    run history (repeatable pictures that never touch the user's results)."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    store = RunStore("/nonexistent/nntui-scenes", clock=fixed_clock, persist=False)
    return NNApp(Session(ExperimentConfig(**SCENES[name][0])), store=store)


async def shoot(name: str, out: Path) -> None:
    _, keys, size = SCENES[name]
    app = scene_app(name)
    async with app.run_test(size=size) as pilot:
        await press(*keys)(pilot)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))


def main(argv: list[str]) -> None:
    out = Path(argv[0] if argv else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        asyncio.run(shoot(name, out))
        print(f"wrote {out / (name + '.svg')}")


if __name__ == "__main__":
    main(sys.argv[1:])
