"""Helpers for driving the app with Textual's Pilot, without ever waiting on the clock.

Every wait here is for something to happen (a worker to finish, a message to be handled,
a condition to hold), in a bounded number of rounds; none sleeps for a fixed time.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from rich.console import Console
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nntui.lab.config import ExperimentConfig
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.screenshots import ROUNDS, SteadyApp, Unsettled, settle, wait_ready
from nntui.ui.widgets.keybar import CHARACTERS
from nntui.ui.widgets.settings import Sidebar
from nntui.ui.widgets.settings_rows import Row
from nntui.ui.widgets.status import StatusLine

__all__ = ["TrainingGate", "drain", "edit", "field", "hit", "make_app", "plain", "resize",
           "running", "screen_text", "settle", "sidebar_text", "wait_until"]


def make_app(**cfg: object) -> NNApp:
    """An app on a config; steps/s hidden, cursors steady, toasts that stay."""
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    return SteadyApp(Session(ExperimentConfig(**cfg)))  # type: ignore[arg-type]


def field(app: NNApp, key: str) -> Row:
    """A setting's row in the sidebar: its text, error, hint, and whether it shows."""
    return app.query_one(Sidebar).row(key)


def sidebar_text(app: NNApp) -> str:
    """The sidebar's lines as drawn (above and below an open editor), without colour."""
    from nntui.ui.widgets.settings import SheetPart

    return "\n".join(part.render().plain for part in app.query(SheetPart))


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
                  progress: Callable[[], None] | None = None, seconds: float = 0.0) -> str:
            def after_epoch() -> None:
                if progress is not None:
                    progress()
                with self._cond:
                    self._allowed -= 1
                    while self._allowed <= 0 and not cancelled():
                        self.held = True
                        self._cond.wait(self.POLL)  # wakes on allow(); polls the cancel
                    self.held = False

            return real_train(cancelled, after_epoch, 0.0)  # one epoch per chunk

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


async def drain(pilot: Pilot) -> None:
    """Let the app and the widgets of its screen handle every queued message, including
    those that handling queues (a key goes from the app to the focused widget and back to
    a binding; an action may push a screen), in at most ROUNDS rounds.

    Event-based: each round waits for a marker queued behind the messages of every node
    that has any. `pilot.press` and `pilot.pause` instead wait for the process's CPU to go
    idle (up to a second each), which never happens while a run trains.
    """
    app = pilot.app
    nodes: list = [app]  # a key was just posted to the app
    for _ in range(ROUNDS):
        done = [asyncio.Event() for _ in nodes]
        waits = [event.wait() for node, event in zip(nodes, done) if node.call_later(event.set)]
        await asyncio.gather(*waits)
        nodes = [node for node in (app, *app.screen.walk_children(with_self=True))
                 if node.message_queue_size]
        if not nodes:
            return
    raise Unsettled(f"messages still queued after {ROUNDS} rounds")


async def hit(pilot: Pilot, *keys: str) -> None:
    """Press keys as a terminal sends them, each handled (`drain`) before the next."""
    for key in keys:
        pilot.app.post_message(events.Key(key, CHARACTERS.get(key)))
        await drain(pilot)


async def resize(pilot: Pilot, width: int, height: int) -> None:
    """The terminal is resized (as `pilot.resize_terminal`, without its wait for idle)."""
    size = Size(width, height)
    pilot.app._driver._size = size  # type: ignore[union-attr] # the headless driver's size
    pilot.app.post_message(events.Resize(size, size))
    await drain(pilot)


async def edit(pilot: Pilot, key: str, text: str) -> Row:
    """Edit a setting as a user does: focus the sidebar, cursor to its row, enter, type
    `text` and enter (or pick `text` from the choice list); then let the app settle."""
    app: NNApp = pilot.app  # type: ignore[assignment]
    sidebar = app.query_one(Sidebar)
    assert sidebar.row(key).shown, f"{key}: not shown for this source or optimizer"
    sidebar.focus()
    sidebar.model.go_to(key)
    sidebar.redraw()
    await drain(pilot)
    row = sidebar.row(key)
    if row.choices:
        await hit(pilot, "enter")
        assert sidebar.model.choosing is not None, f"{key}: no choice list opened"
        steps = row.choices.index(text) - sidebar.model.choosing
        await hit(pilot, *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    else:
        await hit(pilot, "enter")
        box = app.focused
        assert isinstance(box, Input), f"{key}: no editor opened"
        box.value = text
        await hit(pilot, "enter")
    await settle(pilot)
    return row


def plain(widget: Static) -> str:
    """The text a Static widget shows (rich renderables rendered without colour)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def screen_text(app: NNApp) -> str:
    """What the terminal shows, as text: the compositor's lines, line filters applied."""
    console = Console(record=True, width=app.size.width, file=io.StringIO(),
                      color_system=None)
    console.print(app.screen._compositor.render_update(full=True))  # noqa: SLF001
    return console.export_text()
