"""How the app ends when nobody asked it to: a hang-up (SIGHUP) or an unexpected error.

Either way the run in progress is saved first (the run store writes atomically and
fsyncs), so a dropped SSH connection or a bug never loses a student's run:

- SIGHUP: the terminal is gone. The process saves the run and leaves at once with
  `os._exit`. Textual writes to the terminal through a writer thread with a bounded
  queue: once the connection has stalled, that thread is stuck in write() (or dead on
  EIO), the queue fills, and the event loop itself blocks in `Queue.put`. A normal exit
  then waits forever (the process lived on with parent pid 1), and so would a handler
  run by the event loop: the handler is a plain signal handler, which Python runs in
  the main thread even while it waits on that queue. A terminal that is gone has
  nothing left to restore, and the run file is written (and fsynced) before leaving.
- An unexpected exception: the traceback goes to a log file (the user's state directory),
  the terminal gets one line naming it, and the process exits with status 1.
"""

from __future__ import annotations

import os
import platform
import signal
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from nntui.ui.app import NNApp

HANGUP_STATUS = 128 + signal.SIGHUP  # what a shell reports for a process ended by SIGHUP
LOCK_WAIT = 10.0  # seconds the training thread gets to finish its epoch before giving up


def save_run_in_progress(app: NNApp) -> str:
    """Stop training and record the current run (once); says what happened, never raises.

    Used on the way out, when waiting forever for a stuck thread would be worse than
    losing the run, so the wait for the training thread is bounded.
    """
    session = app.session
    if session is None or not app.ready:
        return "no run was in progress"
    try:
        for worker in app.workers:
            if worker.group == "train":
                worker.cancel()
        if not session.lock.acquire(timeout=LOCK_WAIT):
            return "the run in progress could not be saved: training did not stop"
        session.lock.release()
        session.running = False
        run = session.record(stopped=not session.complete)
    except Exception as exc:  # noqa: BLE001 - the way out must go on
        return f"saving the run in progress failed: {type(exc).__name__}: {exc}"
    if run is None:
        return "the run in progress was already saved (or had not started)"
    return f"the run in progress was saved as {run.id} in {session.history.store.directory}"


def catch_hang_up(app: NNApp) -> Callable[[], None]:
    """Make SIGHUP call `hang_up(app)`; returns what puts the previous handler back."""
    try:
        previous = signal.signal(signal.SIGHUP, lambda _sig, _frame: hang_up(app))
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGHUP
        return lambda: None

    def release() -> None:
        signal.signal(signal.SIGHUP, previous)

    return release


def hang_up(app: NNApp) -> NoReturn:
    """SIGHUP: save the run in progress, then leave without touching the terminal.

    It may run in the middle of any code of the main thread, so nothing is redrawn: the
    run is saved to its file only (the Runs tab is not told).
    """
    try:
        if app.session is not None:
            app.session.history.on_change = None
        save_run_in_progress(app)
    finally:
        os._exit(HANGUP_STATUS)


def log_directory() -> Path:
    """Where crash logs go: the user's state directory (XDG_STATE_HOME/nntui/log)."""
    from platformdirs import user_log_path

    return user_log_path("nntui", appauthor=False)


@dataclass
class Crash:
    """An unexpected error: the log file that holds its traceback, and the line to print."""

    log: Path | None
    line: str


def report_crash(app: NNApp, error: BaseException) -> Crash:
    """Save the run in progress and write the traceback to a new log file; never raises."""
    from textual.worker import WorkerFailed

    if isinstance(error, WorkerFailed):  # a thread worker's error: log the real one
        error = error.error
    saved = save_run_in_progress(app)
    stamp = datetime.now()
    text = "".join([
        f"nntui crashed at {stamp.isoformat(timespec='seconds')}\n",
        f"python {platform.python_version()} on {platform.platform()}\n",
        f"{saved}\n\n",
        *traceback.format_exception(error),
    ])
    name = f"crash-{stamp:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    log: Path | None = None
    for directory in (log_directory(), Path(tempfile.gettempdir())):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text, encoding="utf-8")
        except OSError:
            continue
        log = directory / name
        break
    what = (str(error).splitlines() or [""])[0][:120]
    where = f"the traceback is in {log}" if log else "no log file could be written"
    return Crash(log, f"nntui: unexpected error ({type(error).__name__}: {what}); "
                      f"{saved}; {where}")
