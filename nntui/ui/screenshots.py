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

from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widgets import Input

from nntui.lab.config import ExperimentConfig
from nntui.lab.runs import RunStore
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.widgets.status import StatusLine

WIDE_DATA = {"n1_range": (0, 20), "n2_range": (0, 50), "noise_range": (0.0, 10.0)}


#: Rounds (not seconds) that `settle` and `wait_ready` allow before they give up. A round
#: waits for the workers and for every queued message; a few are enough, even when the
#: machine is busy, so a limit reached means the app is stuck, never that it is slow.
ROUNDS = 500


class Unsettled(AssertionError):
    """The app kept starting work (or never built its body) for ROUNDS rounds."""


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and every message be handled.

    Each round awaits the workers (training, data loads, sweeps, the command palette's
    search) and then lets every queued message and callback be handled; it stops after two
    rounds in a row that find no worker and no message waiting in any queue, since
    handling a message may start one (a worker's last message, a signal's callback).
    """
    app = pilot.app
    quiet = 0
    for _ in range(ROUNDS):
        busy = list(app.workers)
        if busy:  # a failed worker is the test's business: it shows in the app's state
            await asyncio.gather(*(worker.wait() for worker in busy), return_exceptions=True)
        await pilot.pause()
        waiting = any(node.message_queue_size
                      for node in (app, *app.screen.walk_children(with_self=True)))
        quiet = 0 if busy or app.workers or waiting else quiet + 1
        if quiet == 2:
            return
    raise Unsettled(f"workers still running after {ROUNDS} rounds: {list(app.workers)}")


async def wait_ready(pilot: Pilot) -> None:
    """Wait until the app has built its body and drawn its sidebar."""
    from nntui.ui.widgets.settings import Sidebar

    app: NNApp = pilot.app  # type: ignore[assignment]
    for _ in range(ROUNDS):
        if app.ready and app.query(Sidebar):
            break
        await pilot.pause()
    else:
        raise Unsettled(f"the app's body was not built after {ROUNDS} rounds")
    await settle(pilot)


def press(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """The keys of a scene, each one handled completely (its training run, data load and
    messages) before the next is pressed, as a person waiting for the screen would."""

    async def run(pilot: Pilot) -> None:
        await wait_ready(pilot)
        for key in keys:
            await pilot.press(key)
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
                                     "up", "enter", "up", "enter"), (80, 24)),
    "runs-weights-80x24": ({"epochs": 100}, ("f", "plus", "f", "4", "enter", "up",
                                             "enter", "o"), (80, 24)),
    "inspector-closed-gate-160x48": ({}, ("i", "g", "6", "enter"), (160, 48)),
    "inspector-chain-80x24": ({}, ("i", "pagedown", "pagedown"), (80, 24)),
    "framework-80x24": ({"epochs": 20}, ("k",), (80, 24)),
    "drill-80x24": ({}, ("i", "d", *"0.3", "enter", "9", "enter"), (80, 24)),
    "drill-160x48": ({}, ("i", "d", *"0.3", "enter", *"0.3", "enter", *"0.7", "enter",
                          *"0.5", "enter", *"0.6", "enter", *"0.11", "enter", "ctrl+n",
                          *"-1.71", "enter", "9", "enter"), (160, 48)),
    "inspector-layers-80x24": ({"hidden": (3, 2)}, ("i", "full_stop"), (80, 24)),
    "inspector-layers-160x48": ({"hidden": (3, 2)}, ("i",), (160, 48)),
    "drill-layers-80x24": ({"hidden": (3, 2)}, ("i", "d", *"0.3", "enter", *"0.3", "enter",
                                                *("ctrl+n",) * 11, "9", "enter"), (80, 24)),
    "guided-80x24": ({}, ("L", "r"), (80, 24)),
    "guided-160x48": ({}, ("L", "r", "n", "n", "n", "r"), (160, 48)),
    "fit-80x24": ({}, ("f", "5"), (80, 24)),
    "fit-curve-160x48": ({"init": "small", **WIDE_DATA}, ("f", "5", "p"), (160, 48)),
    "landscape-80x24": ({}, ("f", "6"), (80, 24)),
    "landscape-160x48": ({"rows": 300, **WIDE_DATA}, ("f", "6", "x"), (160, 48)),
    "classify-80x24": ({"task": "classify", "dataset": "blobs", "optimizer": "adam",
                        "epochs": 30}, ("f", "2"), (80, 24)),
}


def fixed_clock() -> datetime:
    return datetime(2026, 11, 29, 9, 0, 0)


#: Seconds a toast of a scene stays: far longer than any picture takes, however busy the
#: machine (Textual's default of 5 s removed "New run from the initial weights." from
#: pictures taken on a loaded machine).
SCENE_TOAST_SECONDS = 10**7


class SteadyApp(NNApp):
    """The app as pictured and tested: every toast stays until the picture is taken."""

    NOTIFICATION_TIMEOUT = SCENE_TOAST_SECONDS

    def notify(self, message: str, *, title: str = "",
               severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        super().notify(message, title=title, severity=severity,
                       timeout=SCENE_TOAST_SECONDS, markup=markup)


def scene_app(name: str) -> NNApp:
    """The app of a scene: steps/s hidden, cursors steady, toasts that never expire, a
    fixed clock and an in-memory run history (repeatable pictures that never touch the
    user's results)."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    store = RunStore("/nonexistent/nntui-scenes", clock=fixed_clock, persist=False)
    return SteadyApp(Session(ExperimentConfig(**SCENES[name][0])), store=store)


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
