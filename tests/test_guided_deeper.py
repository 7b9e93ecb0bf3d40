"""The guided lab's last three pages (a deeper network, classification, optimizers) and
a run's headline metric (R² or, for a classification run, accuracy) as `nntui runs`, the
runs view and the guided lab's notes show it, from report.headline."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Static

from app_helpers import hit, make_app, plain, running, settle, wait_until
from nntui.cli.commands import config_from_args
from nntui.cli.parser import build_parser
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.guided import observations, page_config, page_words
from nntui.lab.guided_pages import PAGES
from nntui.lab.report import headline, headline_cell, metric_text
from nntui.lab.runs import RunStore
from nntui.lab.worked import unit_activity
from nntui.ui.guided_app import GuidedApp
from nntui.ui.screens.guided import GuidedScreen
from nntui.ui.screenshots import SteadyApp
from nntui.ui.widgets.status import StatusLine

Cli = Callable[..., tuple[int, str, str]]

class SteadyLab(GuidedApp, SteadyApp):
    """`nntui lab` as tested: toasts that stay, a steady cursor."""


CIRCLE = ExperimentConfig(task="classify", dataset="circle", rows=60, epochs=5, lr=0.05)


def page(page_id: str):  # noqa: ANN201 (a Page)
    return next(p for p in PAGES if p.id == page_id)


def test_the_last_three_pages_are_depth_classification_and_optimizers() -> None:
    assert len(PAGES) == 17
    assert [p.id for p in PAGES[-3:]] == ["deeper", "classify", "optimizers"]
    base = ExperimentConfig(epochs=20, lr=0.01, set={"w1": -0.25})
    deep, classify, opt = (page_config(p, base) for p in PAGES[-3:])
    assert deep.hidden == (4, 4) and deep.set == {} and deep.lr == 0.01
    assert (classify.task, classify.dataset, classify.rows) == ("classify", "circle", 200)
    assert (opt.optimizer, opt.lr, opt.epochs, opt.hidden) == ("adam", 0.01, 20, 2)
    for p in PAGES[-3:]:
        words = page_words(p, base)
        assert "{" not in words.text + words.question + words.look_at
        assert words.question.strip().endswith("?") and words.look_at.strip()
        ns = build_parser().parse_args(shlex.split(words.command)[2:])
        assert config_from_args(ns) == page_config(p, base)  # the line rebuilds it
    words = {p.id: page_words(p, base) for p in PAGES[-3:]}
    assert "2-4-4-1 instead of 2-2-1" in words["deeper"].text
    assert "δ1 = (W2ᵀ δ2)" in words["deeper"].text and "dead" in words["deeper"].question
    assert "200 points" in words["classify"].text and "y_hat - y" in words["classify"].look_at
    assert "learning rate 0.01" in words["optimizers"].text
    assert "--optimizer momentum" in words["optimizers"].text


def test_headline_is_r2_or_accuracy() -> None:
    assert headline("regress", {"r2": 0.5, "accuracy": None}) == ("R²", metric_text("r2", 0.5))
    assert headline("classify", {"r2": None, "accuracy": 0.95}) == ("accuracy", "95%")
    assert headline("classify", {"r2": None, "accuracy": None}) == ("accuracy", "n/a")
    assert headline_cell("classify", {"r2": None, "accuracy": 0.5}) == "acc 50%"
    assert headline_cell("regress", {"r2": 0.5}) == metric_text("r2", 0.5)


def test_observations_of_a_classification_and_of_a_deeper_run() -> None:
    exp = Experiment.build(CIRCLE)
    exp.run()
    test = exp.metrics("test")
    notes = observations(exp)
    assert f"test accuracy {metric_text('accuracy', test['accuracy'])}, log-loss " \
        f"{metric_text('log_loss', test['log_loss'])}" in notes
    assert not any("R²" in n for n in notes)
    deep = Experiment.build(ExperimentConfig(hidden=(3, 2), epochs=3,
                                             set={"b2[1]": -50.0}))
    deep.run()
    units = unit_activity(deep.arch, deep.trainer.theta, deep.trainer.x_train)
    assert any(u.dead("relu") for u in units)
    dead = [n for n in observations(deep) if " is dead" in n]
    assert dead and all(n.split()[0] in {u.name for u in units if u.dead("relu")}
                        for n in dead)
    assert "h2[1] is dead: 0 on every training row, so its input weights get no " \
        "gradient" in dead


def saved(tmp_path: Path) -> RunStore:
    store = RunStore(tmp_path)
    for cfg in (ExperimentConfig(epochs=3), CIRCLE):
        exp = Experiment.build(cfg)
        exp.run()
        store.save(exp.document(), "run")
    return store


def test_nntui_runs_shows_accuracy_for_a_classification_run(cli: Cli, tmp_path: Path) -> None:
    store = saved(tmp_path)
    code, out, _ = cli("runs", "--results", str(tmp_path))
    assert code == 0
    regress, classify = out.splitlines()[:2]
    first, second = (r.doc["metrics"]["test"] for r in store.load())
    assert f"test R² {metric_text('r2', first['r2'])}" in " ".join(regress.split())
    assert f"test accuracy {metric_text('accuracy', second['accuracy'])}" in \
        " ".join(classify.split())
    assert "n/a" not in classify


async def test_the_runs_view_shows_accuracy_for_a_classification_run() -> None:
    app = make_app(epochs=3)
    exp = Experiment.build(CIRCLE)
    exp.run()
    async with running(app) as pilot:
        app.session.history.record(app.session.experiment.document(), "run", "regress")
        app.session.history.record(exp.document(), "run", "classify")
        await pilot.press("4")
        await settle(pilot)
        table = app.query_one("#runs-table", DataTable)
        labels = [column.label.plain for column in table.columns.values()]
        column = labels.index("test R²")
        cells = [str(table.get_row_at(n)[column]) for n in range(table.row_count)]
        accuracy = metric_text("accuracy", exp.metrics("test")["accuracy"])
        assert cells[-1] == f"acc {accuracy}" and accuracy.endswith("%")
        assert cells[-2] == metric_text("r2", app.session.experiment.metrics("test")["r2"])


async def test_the_lab_screen_notes_a_classification_runs_accuracy(tmp_path: Path) -> None:
    StatusLine.show_rate = False
    app = SteadyLab(ExperimentConfig(epochs=4), store=RunStore(tmp_path))
    async with running(app) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, GuidedScreen), "the lab")
        screen = app.screen
        await hit(pilot, *["n"] * (len(PAGES) - 2))
        assert f"page {len(PAGES) - 1} of {len(PAGES)} · Classification" in plain(
            screen.query_one("#guided-title", Static))
        await hit(pilot, "r")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.pending is None, "the page's run filed")
        run = app.session.history.runs[-1]
        assert run.doc["task"] == "classify"
        accuracy = metric_text("accuracy", run.doc["metrics"]["test"]["accuracy"])
        status = " ".join(plain(screen.query_one("#guided-status", Static)).split())
        assert f"test accuracy {accuracy}" in status and "R²" not in status
