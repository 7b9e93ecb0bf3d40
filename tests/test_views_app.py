"""The Fit and Landscape tabs in the app: keys, live following, and no work while hidden.

Their numbers are tested on the lab in test_fit.py and test_landscape.py; here only what
the screen does with them.
"""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from app_helpers import make_app, running, settle
from nntui.lab import fit
from nntui.ui.screens.help import HelpScreen
from nntui.ui.widgets.fit_view import CURVE, SCATTER, FitView
from nntui.ui.widgets.landscape_view import LandscapeView, draw


async def test_fit_tab_keys_switch_panel_input_and_units() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("e", "5")
        await settle(pilot)
        view = app.query_one(FitView)
        assert app.query_one(TabbedContent).active == "tab-fit" and app.focused is view
        assert view.panel == SCATTER and view.scatter is not None
        expected = fit.scatter(app.session.experiment)
        assert view.scatter.predicted["test"].tolist() == expected.predicted["test"].tolist()
        await pilot.press("p")
        assert view.panel == CURVE and view.curve is not None
        assert view.curve.input_name == "n1" and view.curve.units == "original"
        await pilot.press("x")
        assert view.curve.input_name == "n2" and view.curve.held.keys() == {"n1"}
        await pilot.press("c")
        assert view.curve.units == "scaled"
        assert view.curve.y_hat.tolist() == fit.along_input(
            app.session.experiment, 1, scaled=True).y_hat.tolist()
        await pilot.press("x")  # back to the first input (two inputs)
        assert view.curve.input_name == "n1"
        await pilot.press("p")
        assert view.panel == SCATTER and view.scatter.units == "scaled"


async def test_landscape_tab_follows_training_and_its_keys() -> None:
    app = make_app(epochs=40)
    async with running(app, (80, 24)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        view = app.query_one(LandscapeView)
        assert app.focused is view and view.result is not None
        assert view.result.center_loss == app.session.trainer.initial_loss
        await pilot.press("f")  # trains while the tab is shown: the landscape follows
        await settle(pilot)
        t = app.session.trainer
        assert t.epochs_done == 40 and view.result.center_loss == t.train_loss[-1]
        assert view.result.names == ("w5", "w6") and len(view.result.path) == 41
        # the grid fills the widget: one cell per column beside the labels
        assert view.result.loss.shape == tuple(n | 1 for n in reversed(view.grid_size()))
        await pilot.press("y")
        await settle(pilot)
        assert view.result.names == ("w5", "b1")
        await pilot.press("x")
        await settle(pilot)
        assert view.result.names == ("w6", "b1")
        span = view.result.span
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert view.result.span == span / 2 and view.span == span / 2
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert view.result.span == span * 2
        text = draw(view.result, auto=False).plain
        assert "X loss at the current weights" in text and "train loss: w6 → b1" in text


async def test_hidden_views_do_no_work_while_training(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(FitView, "follow", lambda self, *args: calls.append("fit"))
    monkeypatch.setattr(LandscapeView, "follow", lambda self, *args: calls.append("landscape"))
    app = make_app(epochs=30)
    async with running(app, (80, 24)) as pilot:
        await pilot.press("f", "e", "s", "u")
        await settle(pilot)
        assert app.session.trainer.epochs_done == 30 and calls == []
        await pilot.press("5")
        assert calls == ["fit"]


async def test_help_lists_the_keys_of_both_tabs() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        tips = {b.tooltip for b in app.screen.bindings}
        for binding in (*FitView.BINDINGS, *LandscapeView.BINDINGS):
            assert binding.tooltip in tips  # type: ignore[union-attr]


def test_a_coarse_grid_is_stretched_onto_the_characters_with_the_current_point_centred(
) -> None:
    import numpy as np

    from nntui.lab.landscape import Landscape

    loss = np.arange(15.0).reshape(3, 5) + 1.0
    ls = Landscape(("w1", "w2"), np.linspace(-1, 1, 5), np.linspace(-1, 1, 3), loss,
                   np.array([[-1.0, -1.0], [0.0, 0.0]]), 1.0, coarse=True)
    lines = draw(ls, auto=True, cols=21, rows=9).plain.splitlines()
    grid = [line[9:] for line in lines[1:10]]
    assert "coarse grid" in lines[-1] and all(len(row) == 21 for row in grid)
    assert grid[4][10] == "X" and grid[8][0] == "S"  # bottom-left: the path's start
    assert grid[0][-1] == "@" and grid[8][1] == " "  # highest loss top right, lowest


async def test_a_live_run_with_the_landscape_shown_ends_on_the_final_weights() -> None:
    """Space trains in the app's thread, reporting progress while the landscape's worker
    takes the session's lock to copy the weights: the last grid is the finished run's."""
    app = make_app(epochs=5000, rows=1000)  # long enough for progress reports
    async with running(app, (80, 24)) as pilot:
        await pilot.press("6", "space")
        await settle(pilot)
        t, view = app.session.trainer, app.query_one(LandscapeView)
        assert t.epochs_done == 5000 and view.result is not None
        assert view.result.center_loss == t.train_loss[-1]


def test_the_fit_view_draws_one_live_update_in_three() -> None:
    from nntui.lab.config import ExperimentConfig
    from nntui.lab.experiment import Experiment
    from nntui.ui.widgets import fit_view

    exp = Experiment.build(ExperimentConfig())
    view = FitView()
    view.follow(exp)
    first = view.scatter
    drawn = []
    for _ in range(6):
        view.follow(exp, live=True)
        if view.scatter is not first:
            drawn.append(True)
            first = view.scatter
    assert len(drawn) == 6 // fit_view.LIVE_EVERY
    view.follow(exp)  # not live (the run ended): always drawn
    assert view.scatter is not first


async def test_the_landscape_goes_back_to_the_output_weights_when_the_network_changes(
) -> None:
    from app_helpers import edit

    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("6", "x")
        await settle(pilot)
        view = app.query_one(LandscapeView)
        assert view.result is not None and view.result.names == ("b1", "w6")
        await edit(pilot, "hidden", "3")
        await pilot.press("escape", "6")  # leave the field, then the tab's keys work
        await settle(pilot)
        assert view.result.names == ("w7", "w8")  # 2-3-1: the output weights w7..w9


async def test_the_fit_curve_of_a_deeper_network_is_drawn() -> None:
    """Trial A1: `--hidden 3,2`, key 5 then p raised ValueError from `unpack`."""
    app = make_app(hidden=(3, 2))
    async with running(app, (80, 24)) as pilot:
        await pilot.press("5", "p")
        await settle(pilot)
        view = app.query_one(FitView)
        assert view.panel == CURVE and view.curve is not None
        assert list(view.curve.parts) == ["W3[1,1]·h2[1]", "W3[1,2]·h2[2]", "b3[1]"]
        shown = view.render().plain  # type: ignore[union-attr]
        assert "W3[1,2]·h2[2]" in shown and "cannot be drawn" not in shown


async def test_the_diabetes_scatter_has_a_title_and_its_legend_below_the_plot() -> None:
    """Trial C3: the title was too long for 80x24 and plotext dropped it; C2: the legend
    sat over the data. The title fits; the legend is the last line, under the axis."""
    app = make_app(dataset="diabetes")
    async with running(app, (80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        view = app.query_one(FitView)
        lines = view.render().plain.splitlines()  # type: ignore[union-attr]
        assert len(lines) == view.size.height
        assert "progression (original)" in lines[0]
        assert lines[-1].startswith("▞▞ ŷ = y") and "train" in lines[-1]
        assert not any("train" in line for line in lines[:-1])


async def test_while_training_the_landscape_is_a_preview_then_exact_once_paused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Trial C4: a large table's grid took seconds while training. Training, the tab
    shows a preview on fewer rows, labelled; paused, the exact grid (centre = loss)."""
    from app_helpers import TrainingGate, wait_until
    from nntui.lab import landscape as core
    from nntui.ui.widgets import landscape_view

    monkeypatch.setattr(core, "PREVIEW_ROWS", 50)
    monkeypatch.setattr(landscape_view, "LIVE_WAIT", 0.0)  # no report dropped for time
    app = make_app(rows=300, epochs=10)
    gate = TrainingGate(app.session, epochs=1)
    async with running(app, (80, 24), message_hook=gate.hook) as pilot:
        await pilot.press("6")
        await settle(pilot)
        view = app.query_one(LandscapeView)
        assert view.result is not None and not view.result.preview
        await pilot.press("space")
        await wait_until(pilot, lambda: gate.held and not view._busy  # noqa: SLF001
                         and view.result is not None and view.result.preview, "a preview")
        assert (view.result.rows_used, view.result.rows_total) == (50, 240)
        assert "preview: 50 of 240 rows" in draw(view.result, auto=True, cols=61).plain
        await pilot.press("space")  # pause
        await settle(pilot)
        t = app.session.trainer
        assert not app.session.running and not view.result.preview
        assert t.pos == 0 and view.result.center_loss == t.train_loss[-1]
