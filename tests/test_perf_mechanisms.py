"""The mechanisms behind the speed figures of `make bench` (behaviour only, no timing):
which sweeps get a second process, what a progress report redraws, the training thread's
priority."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from app_helpers import make_app, plain, running, settle
from nntui.lab.config import ExperimentConfig
from nntui.lab.sweep import choose_workers, estimated_seconds, grid
from nntui.ui.training import NICENESS, yield_to_screen
from nntui.ui.widgets.results import ResultsView

LRS = ["0.001", "0.002", "0.003", "0.005", "0.007", "0.01", "0.02", "0.03", "0.05", "0.07"]
DEFAULT_GRID = grid(ExperimentConfig(), {"lr": LRS, "seed": [str(s) for s in range(10)]})
LONG_GRID = grid(ExperimentConfig(rows=1338, epochs=3000), {"lr": LRS[:8]})


def test_the_default_grid_runs_in_one_process_with_the_kernel() -> None:
    """100 default runs take well under a worker's start-up with the compiled kernel."""
    seconds = estimated_seconds(DEFAULT_GRID, "compiled")
    assert choose_workers(seconds, len(DEFAULT_GRID), limit=2, cores=2, load=0.0) == 1
    assert estimated_seconds(DEFAULT_GRID, "python") > 5 * seconds


def test_a_long_grid_gets_a_second_process_only_on_an_idle_core() -> None:
    seconds = estimated_seconds(LONG_GRID, "python")
    assert choose_workers(seconds, len(LONG_GRID), limit=2, cores=2, load=1.0) == 2
    assert choose_workers(seconds, len(LONG_GRID), limit=2, cores=2, load=3.0) == 1
    assert choose_workers(seconds, len(LONG_GRID), limit=2, cores=1, load=0.0) == 1
    assert choose_workers(seconds, len(LONG_GRID), limit=1, cores=8, load=0.0) == 1
    assert choose_workers(seconds, 1, limit=2, cores=8, load=0.0) == 1  # one run: one process


def test_estimates_grow_with_rows_epochs_and_width() -> None:
    base = estimated_seconds([ExperimentConfig()], "python")
    for bigger in (ExperimentConfig(rows=1000), ExperimentConfig(epochs=3000),
                   ExperimentConfig(hidden=16)):
        assert estimated_seconds([bigger], "python") > 2 * base


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values")
def test_the_training_thread_yields_the_processor_to_the_screen() -> None:
    seen: list[int] = []

    def body() -> None:
        yield_to_screen()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    before = os.getpriority(os.PRIO_PROCESS, 0)
    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [min(before + NICENESS, 19)] or seen[0] >= NICENESS
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the screen's thread is untouched


async def test_a_hidden_results_tab_is_drawn_when_shown_not_on_every_report() -> None:
    app = make_app(epochs=20)
    async with running(app, (80, 24)) as pilot:
        results = app.query_one("#results", ResultsView)
        await pilot.press("e", "e", "e")  # three epochs, each redraws what follows training
        await settle(pilot)
        app.refresh_training()  # what a progress report from the training thread does
        assert results.stale and "metrics" not in plain(results)  # hidden: never drawn
        await pilot.press("2")
        await settle(pilot)
        assert not results.stale and "metrics after 3 epoch(s)" in plain(results)
        before = plain(results)
        await pilot.press("e")  # shown: redrawn at once
        await settle(pilot)
        assert not results.stale and "metrics after 4 epoch(s)" in plain(results)
        await pilot.press("1", "e")  # hidden again: left as it was
        await settle(pilot)
        assert results.stale and "metrics after 4 epoch(s)" in plain(results)
        assert before != plain(results)
