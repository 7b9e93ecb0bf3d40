"""Run history, overlay, sweeps, exports, settings files and the framework check in the app."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from app_helpers import make_app, plain, running, settle, wait_until
from nntui.lab.config import load_toml
from nntui.lab.runs import RunStore
from nntui.ui.screens.forms import SettingsFileScreen, SweepScreen
from nntui.ui.screens.framework import FrameworkScreen
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.runs_view import RunsView


async def runs_of(app) -> RunsView:  # noqa: ANN001
    """The Runs tab's view (made when the tab is first shown: made here if not yet)."""
    await app.view.make_view("tab-runs")
    return app.query_one(RunsView)


async def dialog(pilot: Pilot, kind: type[Screen], box: str) -> Input:
    """Wait for the dialog to be open with its input focused (enter then submits it)."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, kind)
                     and app.screen.focused is app.screen.query_one(box), kind.__name__)
    return app.screen.query_one(box, Input)


async def test_finished_and_stopped_runs_are_saved_and_listed(tmp_path: Path) -> None:
    """The app records a run when its worker finishes and when a reset stops it (which
    runs are recorded, and how often: test_session.py)."""
    app = make_app(epochs=20)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        files = list(tmp_path.glob("run-*.json"))
        assert len(files) == 1 and json.loads(files[0].read_text())["epochs_run"] == 20
        assert len((await runs_of(app)).runs) == 1
        await pilot.press("f")  # a finished run: f runs again from the initial weights
        await settle(pilot)
        await pilot.press("r", "e", "e", "r")  # two epochs, then reset: a stopped run
        stored = RunStore(tmp_path).load()
        assert len(stored) == 3 and stored[2].label == "stopped at epoch 2"
        assert stored[0].doc["params"] == stored[1].doc["params"]
        assert len((await runs_of(app)).runs) == 3
        assert "stopped at epoch 2" in str((await runs_of(app)).query_one("#runs-table")
                                           .get_row_at(2))  # type: ignore[attr-defined]


async def test_history_survives_a_restart(tmp_path: Path) -> None:
    app = make_app(epochs=5)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
    again = make_app(epochs=5)
    again.store = RunStore(tmp_path)
    async with running(again):
        assert len((await runs_of(again)).runs) == 1


async def test_select_overlay_compare_and_export(tmp_path: Path) -> None:
    app = make_app(epochs=30)
    app.store = RunStore(tmp_path)
    async with running(app, (160, 48)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("plus", "f")
        await settle(pilot)
        await pilot.press("4")
        view = await runs_of(app)
        table = view.query_one("#runs-table")
        await wait_until(pilot, lambda: app.focused is table, "the runs table's focus")
        await pilot.press("enter", "up", "enter")  # the cursor starts on the newest run
        assert len(view.selected) == 2
        overlay = view.query_one("#overlay", LossPlot)
        assert list(overlay.series) == ["#1", "#2"]
        assert overlay.series["#2"] == view.runs[1].doc["history"]["train_loss"]
        weights = plain(view.query_one("#weights-compare"))
        assert "#1" in weights and "w6" in weights
        assert "lr 0.005→0.05" in str(table.get_row_at(1))  # type: ignore[attr-defined]
        await pilot.press("x")
        exports = sorted(p.suffix for p in (tmp_path / "exports").iterdir())
        assert exports == [".csv", ".json", ".md"]
        await pilot.press("c")
        assert view.selected == [] and overlay.series == {}


async def test_sweep_from_the_app_records_and_overlays(tmp_path: Path) -> None:
    app = make_app(epochs=10)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("v")
        values = await dialog(pilot, SweepScreen, "#sweep-values")
        values.value = "0.001,0.01,abc"
        await pilot.press("enter")
        assert "'abc' is not a number" in plain(app.screen.query_one("#sweep-error"))
        values.value = "0.001,0.01,1"
        await pilot.press("enter")
        await settle(pilot)
        view = await runs_of(app)
        assert sorted(r.doc["config"]["lr"] for r in view.runs) == [0.001, 0.01, 1.0]
        assert len(view.selected) == 3 and len(list(tmp_path.glob("run-*.json"))) == 3


async def test_save_and_load_settings(tmp_path: Path) -> None:
    app = make_app(lr=0.02)
    async with running(app) as pilot:
        await pilot.press("ctrl+s")
        path = await dialog(pilot, SettingsFileScreen, "#path")
        target = tmp_path / "mine.toml"
        path.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert load_toml(str(target)).lr == 0.02
        await pilot.press("ctrl+o")
        path = await dialog(pilot, SettingsFileScreen, "#path")
        path.value = str(tmp_path / "missing.toml")
        await pilot.press("enter")
        assert "not found" in plain(app.screen.query_one("#file-error"))
        path.value = "wide-range"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.config.n1_range == (0, 20) and app.session.config.rows == 300
        assert len(app.session.table) == 300


async def test_framework_check_screen() -> None:
    app = make_app(epochs=5, lr=0.01)
    async with running(app) as pilot:
        await pilot.press("k")
        screen = app.screen
        assert isinstance(screen, FrameworkScreen)
        await settle(pilot)
        assert screen.result is not None and screen.result.largest_weight_difference < 1e-9
        assert "they agree" in plain(screen.query_one("#framework-status"))
        conventions = plain(screen.query_one("#framework-conventions"))
        assert "scikit-learn" in conventions and "Keras" in conventions
        await pilot.press("escape")
        assert not isinstance(app.screen, FrameworkScreen)


async def test_framework_check_refuses_shuffle_in_place() -> None:
    app = make_app(epochs=5, shuffle=True)
    async with running(app) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert "--no-shuffle" in plain(app.screen.query_one("#framework-status"))
