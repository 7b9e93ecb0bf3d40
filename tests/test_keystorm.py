"""A key storm: a student mashing keys (and resizing the terminal) while a run trains.

A fixed, seeded sequence of keys (the app's, the inspector's, the Runs tab's, the dialogs'
and some text with brackets), with resizes in between, pressed while a run trains live.
Whatever it reaches (a dialog, the inspector, a field, the framework check, the help),
the app must survive it, and its numbers must still agree with its state.

The training thread runs through a TrainingGate: between two keys it may train none, one,
a few or many epochs (also while the next key is handled), so the storm meets the run
at every point without a thread that hogs the interpreter and makes each key take a
fraction of a second.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from textual.binding import Binding

from app_helpers import (
    TrainingGate,
    hit,
    make_app,
    plain,
    resize,
    running,
    settle,
    wait_until,
)
from nntui.lab.runs import RunStore
from nntui.ui.keys import APP_BINDINGS
from nntui.ui.screens.inspector import InspectorScreen
from nntui.ui.widgets.keybar import CHARACTERS
from nntui.ui.widgets.runs_view import RunsView
from nntui.ui.widgets.status import StatusLine

SEED = 3  # fixed: the storm is the same on every run (this one types brackets and enter
#           into the sweep and file dialogs, which crashed the app before issue 9 A)
PRESSES = 8  # in each phase: it starts a run, opens an area, presses, goes back
#: Where each phase starts: the main screen, the Runs tab, each dialog, each screen.
AREAS = ["1", "i", "v", "ctrl+o", "ctrl+s", "k", "question_mark", "4"]
EPOCHS_BETWEEN = [0, 0, 1, 1, 3, 20]  # epochs the thread may train before the next key
QUITS = {"q", "ctrl+q", "ctrl+c", "ctrl+p"}  # leaving is tested on its own (the palette
#                                             can run Quit too)
SIZES = [(80, 24), (40, 12), (120, 30), (60, 20), (160, 48), (72, 20)]


def keys_of(bindings: list) -> list[str]:
    return [key for b in bindings if isinstance(b, Binding) for key in b.key.split(",")]


APP_KEYS = [k for k in keys_of(APP_BINDINGS) if k not in QUITS] + ["space"] * 2
SCREEN_KEYS = keys_of(InspectorScreen.BINDINGS) + keys_of(RunsView.BINDINGS) + [
    "tab", "shift+tab", "enter", "up", "down", "end", "pagedown", "escape", "escape"]
#: Text typed as a burst of keys (into whatever has the focus), then often enter.
TEXT = ["[/]", "[/x]", "a[/]b", "[b]", "0.5", "1e999", "-3", "x,;", "7"]
KEY_OF = {character: key for key, character in CHARACTERS.items()}
#: Keys that open or reach a text box: a student often types into it at once.
OPENS_A_BOX = {"v", "ctrl+s", "ctrl+o", "g", "tab", "shift+tab", "i"}


def storm(rng: random.Random) -> list[tuple[str | tuple[int, int], int]]:
    """The sequence, in phases that each start a run (space), open an area (AREAS) and end
    with escapes (back to the main screen): mostly app keys, then screen keys and text
    (more often just after a key that opens a text box), a resize now and then; each with
    the epochs the training thread may train before it."""
    out: list[tuple[str | tuple[int, int], int]] = []
    for area in AREAS:
        out += [("space", rng.choice(EPOCHS_BETWEEN)), (area, rng.choice(EPOCHS_BETWEEN))]
        out += phase(rng)
        out += [("escape", 0)] * 3
    return out


def phase(rng: random.Random) -> list[tuple[str | tuple[int, int], int]]:
    out: list[tuple[str | tuple[int, int], int]] = []
    while len(out) < PRESSES:
        roll = rng.random()
        if (not out and roll < 0.8) or (out and out[-1][0] in OPENS_A_BOX and roll < 0.7) \
                or roll > 0.85:  # text at once in the area just opened, after a box...
            keys = [KEY_OF[c] for c in rng.choice(TEXT)] + ["enter"] * (rng.random() < 0.7)
            out += [(key, 0) for key in keys[:-1]]
            item: str | tuple[int, int] = keys[-1]
        elif roll < 0.06:
            item = rng.choice(SIZES)
        elif roll < 0.55:
            item = rng.choice(APP_KEYS)
        else:
            item = rng.choice(SCREEN_KEYS)
        out.append((item, rng.choice(EPOCHS_BETWEEN)))
    return out


async def test_a_key_storm_while_training_leaves_the_app_alive_and_consistent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # ctrl+s then enter saves experiment.toml here
    started: list[int] = []
    # A sweep's worker processes have their own tests; here it is enough that one starts.
    monkeypatch.setattr("nntui.ui.sweeps.start_sweep",
                        lambda app, configs: started.append(len(configs)))
    app = make_app(epochs=60)  # a short run: the framework check (k) trains it too
    app.store = RunStore(tmp_path / "runs")
    gate = TrainingGate(app.session)
    sequence = storm(random.Random(SEED))
    async with running(app) as pilot:
        for item, epochs in sequence:
            gate.allow(epochs)
            if isinstance(item, tuple):
                await resize(pilot, *item)
            else:
                await hit(pilot, item)
            assert app.is_running and app._exception is None, item
        for _ in range(6):  # back to the main screen: leave a field, close what is open
            await hit(pilot, "escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the main screen")
        await resize(pilot, 80, 24)
        if app.running:
            await hit(pilot, "space")
        await settle(pilot)

        session, t = app.session, app.session.trainer
        assert app._exception is None and not app.running
        assert t.diverged or np.all(np.isfinite(t.theta))
        assert t.epochs_done == len(t.train_loss) and t.updates >= t.epochs_done
        status = plain(app.query_one(StatusLine))
        assert session.state.value in status
        assert f"ep {t.epochs_done}/{session.config.epochs}" in status
        await pilot.press("q")
    assert app.return_code == 0 and app._exception is None
