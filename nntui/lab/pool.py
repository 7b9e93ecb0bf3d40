"""The sweep's worker processes: runs on several cores that never outlive their parent.

concurrent.futures cannot stop a task in progress and leaves its workers running when the
parent is killed (`kill -9` of `nntui sweep` left them training for minutes). Here each
worker is a spawned process with a pipe to the parent, and:

- it dies with its parent: PR_SET_PDEATHSIG on Linux, and everywhere a check between two
  epochs that its parent is still the same process (a closed pipe ends an idle worker);
- it ignores Ctrl-C (the terminal sends SIGINT to the whole process group): the parent
  decides, and terminates its workers at once instead of waiting for their runs;
- a cancelled sweep (the app's `cancelled()`, checked ten times a second) also terminates
  them: the runs in progress are abandoned, finished ones were already reported.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

from nntui.lab.storage import signals_held

POLL = 0.1  # seconds between two looks at `cancelled()`
PR_SET_PDEATHSIG = 1


def run_pool(tasks: list[dict[str, Any]], on_result: Callable[[int, dict[str, Any]], None],
             workers: int, cancelled: Callable[[], bool] | None = None) -> None:
    """Run `sweep.run_document` on each task in `workers` processes (see the module doc)."""
    ctx = multiprocessing.get_context("spawn")
    start_resource_tracker()
    todo = list(enumerate(tasks))
    busy: dict[Connection, tuple[BaseProcess, int]] = {}
    procs: list[BaseProcess] = []

    def hand_out(conn: Connection, proc: BaseProcess) -> None:
        """The next task for this worker, or None: nothing left, the worker ends."""
        task = todo.pop(0) if todo else None
        try:
            conn.send(task)
        except OSError:  # it died before it could take the task
            if task is not None:
                lost(task[0], proc)
            return
        if task is None:
            conn.close()
        else:
            busy[conn] = (proc, task[0])

    def lost(i: int, proc: BaseProcess) -> None:
        """A worker died (out of memory, killed): its run is an error; a new one goes on."""
        proc.join(timeout=5)
        code = proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else \
            f"exit status {code}"
        on_result(i, {"error": f"the process running this run ended unexpectedly ({how}; "
                      "out of memory?)", "config": tasks[i]})
        if todo:
            start_worker()

    def start_worker() -> None:
        conn, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=(child, os.getpid()), daemon=True,
                           name="nntui-sweep")
        with signals_held(frozenset({signal.SIGINT})):  # the child starts with it held,
            proc.start()  # so a Ctrl-C while it starts cannot print a traceback from it
        child.close()
        procs.append(proc)
        hand_out(conn, proc)

    try:
        for _ in range(workers):
            start_worker()
        while busy:
            if cancelled is not None and cancelled():
                return
            for ready in wait(list(busy), timeout=POLL if cancelled is not None else None):
                conn = cast(Connection, ready)
                proc, i = busy.pop(conn)
                try:
                    _, doc = conn.recv()
                except (EOFError, OSError):
                    conn.close()
                    lost(i, proc)
                    continue
                on_result(i, doc)
                hand_out(conn, proc)
    finally:
        stop(procs, list(busy))


def stop(procs: list[BaseProcess], conns: list[Connection]) -> None:
    """End every worker now: the ones still training are terminated, not awaited."""
    for conn in conns:
        conn.close()
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)


def worker_main(conn: Connection, parent: int) -> None:
    """A sweep worker: run the tasks it is sent until told to stop or its parent is gone."""
    # One thread of numpy's BLAS per worker: its thread pool costs start-up CPU and
    # competes with the other worker for the cores, and these matrices are tiny.
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from nntui.lab.sweep import run_document

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with_parent(parent)

    def orphaned() -> bool:
        return os.getppid() != parent

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or is gone
            return
        if task is None:
            return
        i, cfg = task
        try:
            doc = run_document(cfg, orphaned)
        except Exception as exc:  # noqa: BLE001 - reported as this run's error, never a hang
            doc = {"error": f"the run failed: {type(exc).__name__}: {exc}", "config": cfg}
        if doc is None or orphaned():
            return
        try:
            conn.send((i, doc))
        except OSError:
            return


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; end now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the check between epochs still ends the worker
    if os.getppid() != parent:
        os._exit(0)


def start_resource_tracker() -> None:
    """Start multiprocessing's helper process with the real stderr.

    Inside a Textual app sys.stderr is replaced by an object without a file descriptor,
    and the helper cannot be started from there ("bad value(s) in fds_to_keep").
    """
    from multiprocessing import resource_tracker

    saved = sys.stderr
    sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = saved
