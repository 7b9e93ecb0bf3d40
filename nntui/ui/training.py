"""The app's training thread: runs `Session.train` and reports to the app's thread.

`Session.train` takes the session's lock one epoch at a time, so a key pressed meanwhile
waits at most one epoch. The thread posts `NNApp.Progress` about 10 times a second (live
runs only) and `NNApp.TrainingDone` once when it stops.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

if TYPE_CHECKING:
    from nntui.ui.app import NNApp

PROGRESS_INTERVAL = 0.1  # seconds between live updates from the worker (~10 per second)
NICENESS = 10  # the training thread yields the processor to the screen's thread


def yield_to_screen() -> None:
    """Lower this thread's scheduling priority (Linux: each thread has its own nice
    value), so on a busy machine a key is drawn before training goes on; a no-op where
    the system does not allow it."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass


def start_thread(app: NNApp, live: bool) -> Worker[None]:
    """Train in a thread worker (one at a time: a new one replaces the old)."""
    return app.run_worker(lambda: _train(app, live), thread=True, exclusive=True,
                          group="train")


def _train(app: NNApp, live: bool) -> None:
    yield_to_screen()
    worker = get_current_worker()
    session = app.live
    gen, start_updates = session.generation, session.trainer.updates
    start = last = time.perf_counter()

    def rate() -> float:
        elapsed = max(time.perf_counter() - start, 1e-9)
        return (session.trainer.updates - start_updates) / elapsed

    def progress() -> None:
        nonlocal last
        now = time.perf_counter()
        if live and now - last >= PROGRESS_INTERVAL:
            last = now
            app.post_message(app.Progress(gen, rate()))

    status = session.train(lambda: worker.is_cancelled, progress)
    app.post_message(app.TrainingDone(gen, status, rate()))
