"""How the real app ends when nobody quits it: the terminal goes away (SIGHUP), or a bug
raises. Each runs `nntui` in a pseudo-terminal at 80x24, as over SSH."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from terminal import Terminal

RUN_APP = "import sys; from nntui.cli import entry; entry(sys.argv[1:])"
#: The same, with the undo key broken: an unexpected error in the middle of a run.
CRASH_ON_UNDO = """
import sys
from nntui.ui.app import NNApp

def broken(self):
    raise RuntimeError("undo broke [/] on purpose")

NNApp.action_undo = broken
from nntui.cli import entry
entry(sys.argv[1:])
"""


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """Private data and state directories for the process under test."""
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


def saved_runs(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(results.glob("run-*.json"))]


def test_a_hang_up_during_live_training_saves_the_run_and_leaves_no_process(
        tmp_path: Path, home: dict[str, str], terminals: list[Terminal]) -> None:
    """Space, then the SSH connection stalls and drops: the run is saved and the process
    is gone with status 129 (it used to exit normally through Textual, which hung for
    ever in its writer thread when the terminal stopped taking output: parent pid 1)."""
    results = tmp_path / "runs"
    # A run far too long to finish here (minutes even with the compiled kernel), so that
    # the app keeps drawing it until the terminal is full.
    term = Terminal(RUN_APP, ["--epochs", "1000000", "--rows", "1000", "--results",
                              str(results)], home, tmp_path)
    terminals.append(term)
    term.wait_for(r"ready\s+ep 0/1000000")
    term.press(" ")
    term.wait_for(r"running\s+ep [1-9]")
    term.stall()
    status = term.hang_up()
    assert status == 129  # 128 + SIGHUP, as a shell reports a hang-up
    [run] = saved_runs(results)
    assert run["run"]["label"].startswith("stopped at epoch") and run["epochs_run"] >= 1


def test_an_unexpected_error_saves_the_run_logs_the_traceback_and_exits_1(
        tmp_path: Path, home: dict[str, str], terminals: list[Terminal]) -> None:
    results = tmp_path / "runs"
    term = Terminal(CRASH_ON_UNDO, ["--epochs", "50", "--results", str(results)], home,
                    tmp_path)
    terminals.append(term)
    term.wait_for(r"ready\s+ep 0/50")
    term.press("e")
    term.wait_for(r"paused\s+ep 1/50")
    term.press("u")
    assert term.finish() == 1
    [log] = (tmp_path / "state" / "nntui" / "log").glob("crash-*.log")
    assert "RuntimeError: undo broke [/] on purpose" in log.read_text()
    [line] = term.after_screen.strip().splitlines()  # one line, once the screen is gone
    assert line.startswith("nntui: unexpected error (RuntimeError: undo broke [/] on "
                           "purpose)") and line.endswith(str(log))
    [run] = saved_runs(results)
    assert run["epochs_run"] == 1 and run["run"]["label"] == "stopped at epoch 1"
