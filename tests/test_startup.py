"""The garbage collector waits while `nntui` starts (cli/startup.py) and always resumes.

Each case runs the console entry point in a fresh interpreter (the collector's state is
per process) with the app's `run` replaced by a probe, and reports what the collector
was doing at each moment.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest

from nntui.cli import startup

PROBE = """
import gc, json, sys
import nntui.cli.commands as commands
from nntui.ui.app import NNApp

seen = {}
def has_terminal():
    seen["collecting while starting"] = gc.isenabled()
    return True
def run(self, *args, **kwargs):
    seen["collecting when the app runs"] = gc.isenabled()
    self.when_built()  # what build_body does once the first screen is built
    seen["collecting once its screen is built"] = gc.isenabled()
    seen["frozen then"] = gc.get_freeze_count() > 0
commands.has_terminal = has_terminal
NNApp.run = run

from nntui.cli import entry
try:
    entry(sys.argv[1:])
except SystemExit as exc:
    seen["status"] = exc.code
seen["collecting at the end"] = gc.isenabled()
sys.stderr.write("\\n" + json.dumps(seen) + "\\n")
"""


def probe(*argv: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stderr.splitlines()[-1])  # type: ignore[no-any-return]


def test_the_app_starts_without_collecting_and_collects_once_its_screen_is_built() -> None:
    assert probe("--no-save") == {
        "collecting while starting": False, "collecting when the app runs": False,
        "collecting once its screen is built": True, "frozen then": True, "status": 0,
        "collecting at the end": True}


@pytest.mark.parametrize("argv", [
    ("presets",),  # a subcommand: resumed before its handler
    ("--no-save", "--lr", "-1"),  # a mistake before the app: `nntui: error:`, status 2
    ("--csv", "no-such.csv", "--no-save"),  # a mistake found while checking the data
], ids=["subcommand", "bad-value", "missing-file"])
def test_every_other_way_out_collects_again(argv: tuple[str, ...]) -> None:
    seen = probe(*argv)
    assert seen["collecting at the end"] is True
    assert "collecting when the app runs" not in seen
    assert seen["status"] == (0 if argv == ("presets",) else 2)


def test_main_in_process_leaves_the_collector_alone() -> None:
    """resume() without pause() (tests, scripts calling main) neither freezes nor enables,
    and pause() leaves a collector switched off by someone else to them."""
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        startup.resume()
        assert not gc.isenabled() and gc.get_freeze_count() == frozen
        startup.pause()
        startup.resume()
        assert not gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.enable()
    startup.resume()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


async def test_the_app_says_when_its_screen_is_built() -> None:
    """build_body calls `when_built` once the body is mounted (the entry point resumes
    the collector there), and again on the way out, harmlessly."""
    from app_helpers import make_app, running

    app = make_app()
    calls: list[bool] = []
    app.when_built = lambda: calls.append(app.ready)
    async with running(app):
        assert calls == [True]
    assert calls == [True, True]
