"""The app, driven by keys and fields through Textual's Pilot: what the screen shows and
which keys reach which action. The rules behind them (what a value may be, what resets a
run) are tested on the Session in test_session.py and test_session_settings.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.widgets import TabbedContent

from app_helpers import (
    TrainingGate,
    edit,
    field,
    make_app,
    plain,
    running,
    settle,
    sidebar_text,
    wait_until,
)
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.report import metric_text
from nntui.ui.screens.help import HelpScreen
from nntui.ui.widgets.loss_plot import LossPlot, thin
from nntui.ui.widgets.results import ResultsView
from nntui.ui.widgets.status import StatusLine


def status(app) -> str:  # noqa: ANN001
    return plain(app.query_one(StatusLine))


async def test_start_screen_shows_the_default_experiment() -> None:
    app = make_app()
    async with running(app, (80, 24)):
        cfg = app.session.config
        assert (cfg.dataset, cfg.hidden, cfg.activation, cfg.init, cfg.lr, cfg.epochs) == (
            "generated", 2, "relu", "notebook", 0.005, 300)
        assert "ready" in status(app) and "ep 0/300" in status(app)
        assert field(app, "lr").text == "0.005" and field(app, "param:w1").text == "0.5"
        assert app.query_one(LossPlot).series == {}


async def test_step_epoch_undo_reset_keys() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        t = app.session.trainer
        await pilot.press("s")
        assert t.updates == 1 and t.pos == 1 and "+1" in status(app)
        await pilot.press("e")
        assert t.epochs_done == 1 and t.pos == 0 and len(t.train_loss) == 1
        await pilot.press("e", "e")
        assert t.epochs_done == 3 and "ep 3/300" in status(app)
        await pilot.press("u")
        assert t.epochs_done == 2
        await pilot.press("u", "u", "u")
        assert t.updates == 0 and np.array_equal(t.theta, t.theta0)
        await pilot.press("e", "r")
        assert t.epochs_done == 0 and np.array_equal(t.theta, t.theta0)
        assert "ready" in status(app)


async def test_run_to_end_matches_headless_run_and_shows_results() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        t = app.session.trainer
        assert t.epochs_done == 300 and "finished" in status(app)
        headless = Experiment.build(ExperimentConfig())
        headless.run()
        assert np.array_equal(t.theta, headless.trainer.theta)
        assert app.query_one(LossPlot).series["train"] == headless.trainer.train_loss
        await pilot.press("2")  # the Results tab is drawn when it is shown
        await settle(pilot)
        text = plain(app.query_one("#results", ResultsView))
        r2 = headless.metrics("test")["r2"]
        assert metric_text("r2", r2) in text and "metrics after 300 epoch(s)" in text


async def test_space_runs_and_pauses_without_blocking() -> None:
    """The run trains in a thread while the keys still work; the gate holds the thread
    after each epoch, so the test knows the epoch without timing anything."""
    app = make_app(epochs=50)
    gate = TrainingGate(app.session, epochs=1)
    async with running(app, (80, 24), message_hook=gate.hook) as pilot:
        t = app.session.trainer
        await pilot.press("space")
        await wait_until(pilot, lambda: gate.held, "the first epoch")
        assert app.running and t.epochs_done == 1 and "running" in status(app)
        await pilot.press("space")  # pause: the key is handled while the thread is mid-run
        assert not app.running
        await wait_until(pilot, lambda: gate.finished == 1, "the end of the run")
        await settle(pilot)
        assert t.epochs_done == 1 and "paused" in status(app) and "ep 1/50" in status(app)
        gate.allow(1)
        await pilot.press("space")
        await wait_until(pilot, lambda: gate.held, "the second epoch")
        assert app.running and t.epochs_done == 2
        await pilot.press("s")  # a step while running pauses the run first
        await wait_until(pilot, lambda: gate.finished == 2, "the end of the second run")
        await settle(pilot)
        assert not app.running and t.epochs_done == 2 and t.pos == 1
        assert "paused" in status(app) and "+1" in status(app)


async def test_learning_rate_keys_apply_at_the_next_step() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("s", "plus")
        assert app.session.config.lr == 0.05 and app.session.trainer.lr == 0.05
        await settle(pilot)
        assert field(app, "lr").text == "0.05"
        rec_updates = app.session.trainer.updates
        await pilot.press("minus", "minus", "asterisk", "slash", "slash")
        assert abs(app.session.config.lr - 0.00025) < 1e-18
        assert app.session.trainer.updates == rec_updates == 1  # nothing was reset


async def test_a_bad_value_is_refused_under_its_field() -> None:
    """The message of the Session's refusal is shown in place and the run is kept (every
    rule and message: test_session_settings.py); a good value clears it."""
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("e", "e")
        theta = app.session.trainer.theta.copy()
        for key, text, message in [("n1_range", "5,1", "LO must be below HI"),
                                   ("lr", "0", "must be above 0")]:
            f = await edit(pilot, key, text)
            assert message in f.error, key
            assert message.split()[-1] in sidebar_text(app), key
            assert app.session.trainer.epochs_done == 2
            assert np.array_equal(app.session.trainer.theta, theta)
        lr = await edit(pilot, "lr", "0.01")
        assert not lr.error and app.session.trainer.lr == 0.01
        assert app.session.trainer.epochs_done == 2  # the learning rate never resets


async def test_a_csv_loads_in_a_worker_and_its_errors_show_in_place(
        tmp_path: Path, insurance_csv: Path) -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await edit(pilot, "dataset", "csv")  # asks for the path
        path = await edit(pilot, "csv", str(tmp_path / "missing.csv"))
        assert "not found" in path.error and "not found" in sidebar_text(app)
        assert app.session.config.dataset == "generated"
        assert field(app, "dataset").text == "csv"  # as chosen, until a file loads
        path = await edit(pilot, "csv", str(insurance_csv))
        assert not path.error
        assert app.session.config.dataset == "csv" and len(app.session.table) == 11
        assert field(app, "dataset").text == "csv"
        await edit(pilot, "features", "age,bmi")
        assert app.session.table.features == ["age", "bmi"]
        assert field(app, "param:w1").text == "0.5"


async def test_new_data_key_resets_the_run_and_shows_the_seed() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("e", "e")
        seed = app.session.config.seed
        await pilot.press("g")
        await settle(pilot)
        assert app.session.trainer.epochs_done == 0 and "ep 0/300" in status(app)
        assert app.session.config.seed == seed + 1 and field(app, "seed").text == str(seed + 1)


async def test_hidden_units_rebuild_parameter_fields() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await edit(pilot, "hidden", "3")
        await settle(pilot)
        assert app.session.trainer.arch.n_params == 13
        assert field(app, "param:w9").text == "-0.45" and field(app, "param:b4").text == "0"
        await edit(pilot, "param:w2", "-0.75")
        assert app.session.trainer.theta0[1] == -0.75 and app.session.config.set == {
            "w2": -0.75}


async def test_new_weights_key_shows_the_new_draw() -> None:
    app = make_app(init="normal")
    async with running(app, (80, 24)) as pilot:
        first = app.session.trainer.theta0.copy()
        await pilot.press("w")
        await settle(pilot)
        assert not np.array_equal(app.session.trainer.theta0, first)
        assert field(app, "param:w1").text == f"{app.session.trainer.theta0[0]:.6g}"


async def test_divergence_shows_a_banner() -> None:
    app = make_app(lr=1.0, n1_range=(0, 20), n2_range=(0, 50), noise_range=(0.0, 10.0))
    async with running(app, (80, 24)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        banner = app.query_one("#banner")
        assert banner.display and "DIVERGED" in plain(banner)  # type: ignore[arg-type]
        assert "diverged" in status(app)
        assert np.all(np.isfinite(app.session.trainer.theta))
        await pilot.press("u")
        assert not app.query_one("#banner").display


async def test_tabs_log_scale_sidebar_and_help() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("2")
        assert app.query_one(TabbedContent).active == "tab-results"
        await pilot.press("3")
        assert app.query_one(TabbedContent).active == "tab-data"
        await pilot.press("1", "l")
        assert app.query_one(LossPlot).log_scale
        await pilot.press("b")
        assert not app.query_one("#sidebar").display
        await pilot.press("b", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "".join(plain(s) for s in app.screen.query("Static"))
        for binding in app.BINDINGS:
            assert binding.tooltip in text  # type: ignore[union-attr]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_actions() -> None:
    from textual.command import CommandList, CommandPalette

    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"Epoch")
        await settle(pilot)  # the palette's search is a worker: wait for its hits
        hits = app.screen.query_one(CommandList)
        assert hits.option_count == 1 and "finish the current epoch" in str(
            hits.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.trainer.epochs_done == 1


async def test_survives_resizing() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        for size in [(40, 12), (160, 48), (60, 20), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.press("e")
            await pilot.pause()
        assert app.session.trainer.epochs_done == 4
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.screen.has_class("-narrow") and not app.query_one("#sidebar").display
        await pilot.press("b")
        await pilot.pause()
        assert app.query_one("#sidebar").display


def test_thin_keeps_ends_and_limit() -> None:
    xs, ys = thin([float(i) for i in range(1000)], 50)
    assert len(xs) <= 51 and xs[0] == 1 and xs[-1] == 1000 and ys[-1] == 999.0
    assert thin([1.0, 2.0], 50) == ([1, 2], [1.0, 2.0])


async def test_quit_key_exits_and_keeps_an_unfinished_run(tmp_path: Path) -> None:
    from nntui.lab.runs import RunStore

    app = make_app()
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("e", "q")
        await pilot.pause()
    assert app.return_code == 0
    [run] = RunStore(tmp_path).load()
    assert run.label == "stopped at epoch 1" and run.doc["epochs_run"] == 1


async def test_every_shown_key_is_in_the_key_bar_at_80_columns() -> None:
    from nntui.ui.widgets.keybar import KeyBar

    app = make_app()
    async with running(app) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = plain(bar)
        assert len(text.strip().splitlines()) <= 3
        for binding in app.BINDINGS:
            if binding.show and binding.group is None:  # type: ignore[union-attr]
                assert binding.description in text, binding  # type: ignore[union-attr]
        assert "+ - * / lr" in text and "1-6 tabs" in text
