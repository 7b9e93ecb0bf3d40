"""A sweep's worker processes never outlive it (issue 9, item 4): killing the parent with
SIGKILL leaves no worker, Ctrl-C stops the sweep at once with status 130, and a cancelled
sweep (the app's) abandons the runs in progress instead of waiting for them.

The long runs here (a million epochs of 1,000 rows) would take hours: waiting for them
instead of stopping them cannot pass. Every wait is synchronised on the sweep's own
"finished i/N" progress lines; the timeouts only guard against a hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from nntui.lab.config import ExperimentConfig
from nntui.lab.sweep import grid, run_sweep

#: One quick run to synchronise on, then runs that would take hours.
ENDLESS = ["--epochs", "1,999999,1000000", "--rows", "1000", "--workers", "2"]
NO_PDEATHSIG = """\
import ctypes

class _NoLibc:  # this test's children: no prctl, only the check between epochs
    def __init__(self, *args, **kw):
        raise OSError("no libc in this test")

ctypes.CDLL = _NoLibc
"""


def as_in_a_terminal() -> None:
    """In the child before exec: Ctrl-C delivered and handled as in an interactive shell.

    A process inherits an ignored or blocked SIGINT (background jobs, and threads of a
    busy test process that hold it while writing a file); a sweep started from a terminal
    has neither, and that is the case these tests are about.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def start_sweep(results: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nntui", "sweep", *ENDLESS, "--results", str(results)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env=env, preexec_fn=as_in_a_terminal)


def wait_for_first_run(proc: subprocess.Popen[str], first: str = "finished 1/3") -> None:
    """Read stderr up to the first progress line: both workers have started by then."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(first):
            return
    raise AssertionError("the sweep ended before its first run finished")


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = read_stat(int(entry))
            if stat is not None and int(stat[1]) == pid:
                found.append(int(entry))
    return found


def read_stat(pid: int) -> list[str] | None:
    """[state, ppid] of a process, or None once it is gone (a zombie counts as gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rpartition(")")[2].split()[:2]
    return None if state in ("Z", "X") else [state, ppid]


def survivors(pids: list[int], within: float) -> list[int]:
    """The pids still alive after `within` seconds (polled; returns as soon as none is)."""
    deadline = time.monotonic() + within
    while True:
        alive = [p for p in pids if read_stat(p) is not None]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def kill_all(proc: subprocess.Popen[str], pids: list[int]) -> None:
    """Clean up after a failure: nothing of this test may keep running."""
    for pid in [proc.pid, *pids]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.communicate(timeout=60)


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc to find the workers")


@pytest.mark.parametrize("pdeathsig", [True, False], ids=["pdeathsig", "epoch-check"])
def test_killing_the_parent_leaves_no_worker(tmp_path: Path, pdeathsig: bool) -> None:
    env = dict(os.environ)
    if not pdeathsig:  # the portable way: each worker sees its parent change between epochs
        site = tmp_path / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(NO_PDEATHSIG)
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    proc = start_sweep(tmp_path / "runs", env)
    workers: list[int] = []
    try:
        wait_for_first_run(proc)
        workers = children(proc.pid)
        assert len(workers) >= 2  # two workers (and multiprocessing's resource tracker)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as `kill -9 PID` does
        proc.wait(timeout=60)
        assert survivors(workers, within=5.0) == []
    finally:
        kill_all(proc, workers)


@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c", "kill-INT"])
def test_sigint_stops_the_sweep_at_once_with_status_130(tmp_path: Path, group: bool) -> None:
    """Ctrl-C in a terminal signals the whole process group; `kill -INT` only the parent."""
    proc = start_sweep(tmp_path / "runs")
    workers: list[int] = []
    try:
        wait_for_first_run(proc)
        workers = children(proc.pid)
        start = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, signal.SIGINT)
        rest = proc.communicate(timeout=60)[1]  # a hang guard
        code = proc.returncode
        elapsed = time.monotonic() - start
        assert code == 130 and elapsed < 3.0, (code, elapsed, rest)
        assert "Traceback" not in rest
        assert survivors(workers, within=5.0) == []
    finally:
        kill_all(proc, workers)
    assert len(list((tmp_path / "runs").glob("run-*.json"))) == 1  # the finished run


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cancelled_sweep_abandons_the_runs_in_progress(workers: int) -> None:
    """The app's sweep: `cancelled()` turns true while long runs are training."""
    configs = grid(ExperimentConfig(rows=1000), {"epochs": [1, 999_999, 1_000_000]})
    results: list[int] = []
    stop = threading.Event()
    polls_after_first = [0]

    def on_result(i: int, doc: dict[str, Any]) -> None:
        results.append(i)

    def cancelled() -> bool:
        if results:  # a few looks later the other runs are training (epochs or polls)
            polls_after_first[0] += 1
            if polls_after_first[0] > 3:
                stop.set()
        return stop.is_set()

    thread = threading.Thread(target=run_sweep, args=(configs, on_result, workers, cancelled),
                              daemon=True)
    thread.start()
    thread.join(timeout=120)  # a hang guard: hours if the runs were awaited
    assert not thread.is_alive(), "the cancelled sweep waited for its runs"
    assert results == [0] and stop.is_set()


def test_a_worker_that_dies_is_one_failed_run(tmp_path: Path) -> None:
    """Workers killed (say, by the out-of-memory killer): each one's run is reported as
    failed, a new worker takes the runs left, the sweep ends normally with status 2."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nntui", "sweep", "--epochs", "1,999999,999998,5", "--rows",
         "1000", "--workers", "2", "--results", str(tmp_path)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers: list[int] = []
    try:
        wait_for_first_run(proc, "finished 1/4")
        workers = children(proc.pid)
        for pid in workers:  # both workers hold (or are about to get) an endless run
            if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text():
                os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)  # a hang guard
    finally:
        kill_all(proc, workers)
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.splitlines()[-1] == (
        "nntui: error: 2 of 4 runs failed: epochs=999999: the process running this run "
        "ended unexpectedly (killed by signal 9; out of memory?); epochs=999998: the "
        "process running this run ended unexpectedly (killed by signal 9; out of memory?)")
    assert [line.split()[0] for line in out.splitlines()[1:3]] == ["1", "5"]
