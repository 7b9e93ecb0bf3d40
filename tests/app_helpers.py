"""Helpers for driving the app with Textual's Pilot, without ever waiting on the clock.

Every wait here is for something to happen (a worker to finish, a message to be handled,
a condition to hold), in a bounded number of rounds; none sleeps for a fixed time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from rich.console import Console
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from nntui.lab.config import ExperimentConfig
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.screenshots import ROUNDS, SteadyApp, Unsettled, settle, wait_ready
from nntui.ui.widgets.fields import SettingField
from nntui.ui.widgets.status import StatusLine

__all__ = ["TrainingGate", "edit", "field", "make_app", "plain", "running", "settle",
           "wait_until"]


def make_app(**cfg: object) -> NNApp:
    """An app on a config; steps/s hidden, cursors steady, toasts that stay."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    return SteadyApp(Session(ExperimentConfig(**cfg)))  # type: ignore[arg-type]


def field(app: NNApp, key: str) -> SettingField:
    return app.query_one(f"#field-{key.replace(':', '-').replace('_', '-')}", SettingField)


@asynccontextmanager
async def running(app: NNApp, size: tuple[int, int] = (80, 24),
                  message_hook: Callable[[Message], None] | None = None,
                  notifications: bool = False) -> AsyncIterator[Pilot]:
    """`app.run_test()` that yields once the body and its sidebar are mounted
    (`notifications`: toasts are drawn too, as on a real screen)."""
    async with app.run_test(size=size, message_hook=message_hook,
                            notifications=notifications) as pilot:
        await wait_ready(pilot)
        yield pilot


async def wait_until(pilot: Pilot, condition: Callable[[], bool],
                     what: str = "the condition") -> None:
    """Let the app handle its messages (`pilot.pause()`, no delay) until `condition()`
    holds; at most ROUNDS rounds, so a condition that never holds fails the test.

    For what only time brings about, e.g. the inspector's play timer:
    `await wait_until(pilot, lambda: app.session.trainer.updates >= 3)`.
    """
    for _ in range(ROUNDS):
        if condition():
            return
        await pilot.pause()
    raise Unsettled(f"{what} did not hold after {ROUNDS} rounds")


class TrainingGate:
    """Holds the app's training thread between epochs: a test sees a run mid-way, in a
    known epoch, without timing it.

    `session.train` (what the app's training worker runs) is wrapped: after each epoch the
    thread waits while no epoch is allowed, until the test allows more (`allow`) or the
    worker is cancelled (a pause, a step, a reset). Pass `hook` to `running()` as its
    message hook: `finished` then counts the TrainingDone messages the app has received.
    """

    POLL = 0.005  # seconds between two looks at the worker's cancel flag while held

    def __init__(self, session: Session, epochs: int = 0) -> None:
        self._allowed = epochs
        self._cond = threading.Condition()
        self.held = False  # the thread is waiting after an epoch
        self.finished = 0
        real_train = session.train

        def train(cancelled: Callable[[], bool],
                  progress: Callable[[], None] | None = None) -> str:
            def after_epoch() -> None:
                if progress is not None:
                    progress()
                with self._cond:
                    self._allowed -= 1
                    while self._allowed <= 0 and not cancelled():
                        self.held = True
                        self._cond.wait(self.POLL)  # wakes on allow(); polls the cancel
                    self.held = False

            return real_train(cancelled, after_epoch)

        session.train = train  # type: ignore[method-assign]

    def allow(self, epochs: int) -> None:
        """Let the thread train `epochs` more epochs (then it is held again)."""
        with self._cond:
            self._allowed += epochs
            self.held = False
            self._cond.notify_all()

    def hook(self, message: Message) -> None:
        if isinstance(message, NNApp.TrainingDone):
            self.finished += 1


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
