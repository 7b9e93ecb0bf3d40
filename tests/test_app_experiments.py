"""Run history, overlay, sweeps, exports, settings files and the framework check in the app."""

from __future__ import annotations

import json
from pathlib import Path

from app_helpers import make_app, plain, running, settle
from nntui.lab.config import load_toml
from nntui.lab.runs import RunStore
from nntui.ui.screens.framework import FrameworkScreen
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.runs_view import RunsView


def runs_of(app) -> RunsView:  # noqa: ANN001
    return app.query_one(RunsView)


async def test_finished_diverged_and_stopped_runs_are_saved(tmp_path: Path) -> None:
    app = make_app(epochs=20)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        files = list(tmp_path.glob("run-*.json"))
        assert len(files) == 1 and json.loads(files[0].read_text())["epochs_run"] == 20
        await pilot.press("r", "r")  # a recorded state is not recorded again
        assert len(list(tmp_path.glob("run-*.json"))) == 1
        await pilot.press("f")  # a finished run: f runs again from the initial weights
        await settle(pilot)
        await pilot.press("r", "e", "e", "r")  # two epochs, then reset: a stopped run
        stored = RunStore(tmp_path).load()
        assert len(stored) == 3 and stored[2].label == "stopped at epoch 2"
        assert stored[0].doc["params"] == stored[1].doc["params"]
        assert len(runs_of(app).runs) == 3
        for _ in range(3):
            await pilot.press("plus")
        await pilot.press("f")
        await settle(pilot)
        assert RunStore(tmp_path).load()[-1].doc["status"] == "diverged"


async def test_history_survives_a_restart(tmp_path: Path) -> None:
    app = make_app(epochs=5)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
    again = make_app(epochs=5)
    again.store = RunStore(tmp_path)
    async with running(again):
        assert len(runs_of(again).runs) == 1


async def test_select_overlay_compare_and_export(tmp_path: Path) -> None:
    app = make_app(epochs=30)
    app.store = RunStore(tmp_path)
    async with running(app, (160, 48)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("plus", "f")
        await settle(pilot)
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("enter", "down", "enter")
        view = runs_of(app)
        assert len(view.selected) == 2
        overlay = view.query_one("#overlay", LossPlot)
        assert list(overlay.series) == ["#1", "#2"]
        assert overlay.series["#2"] == view.runs[1].doc["history"]["train_loss"]
        weights = plain(view.query_one("#weights-compare"))
        assert "#1" in weights and "w6" in weights
        table = view.query_one("#runs-table")
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
        await pilot.pause()
        app.screen.query_one("#sweep-values").value = "0.001,0.01,abc"  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert "'abc' is not a number" in plain(app.screen.query_one("#sweep-error"))
        app.screen.query_one("#sweep-values").value = "0.001,0.01,1"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        view = runs_of(app)
        assert sorted(r.doc["config"]["lr"] for r in view.runs) == [0.001, 0.01, 1.0]
        assert len(view.selected) == 3 and len(list(tmp_path.glob("run-*.json"))) == 3


async def test_save_and_load_settings(tmp_path: Path) -> None:
    app = make_app(lr=0.02)
    async with running(app) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        target = tmp_path / "mine.toml"
        app.screen.query_one("#path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert load_toml(str(target)).lr == 0.02
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path").value = str(tmp_path / "missing.toml")  # type: ignore
        await pilot.press("enter")
        assert "not found" in plain(app.screen.query_one("#file-error"))
        app.screen.query_one("#path").value = "wide-range"  # type: ignore[attr-defined]
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
        await pilot.press("escape")
        assert not isinstance(app.screen, FrameworkScreen)


async def test_framework_check_refuses_shuffle_in_place() -> None:
    app = make_app(epochs=5, shuffle=True)
    async with running(app) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert "--no-shuffle" in plain(app.screen.query_one("#framework-status"))
