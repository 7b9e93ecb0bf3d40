"""The guided lab on screen: from the first page to the report, through the app's own run
lifecycle (what the pages and the state file hold is tested in test_guided.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static

from app_helpers import TrainingGate, hit, make_app, plain, running, settle, wait_until
from nntui.lab.config import ExperimentConfig
from nntui.lab.guided import STATE_NAME, GuidedLab, page_config
from nntui.lab.guided_pages import PAGES
from nntui.lab.runs import RunStore
from nntui.ui.guided_app import GuidedApp
from nntui.ui.screens.guided import GuidedScreen
from nntui.ui.screenshots import SteadyApp
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.status import StatusLine

Cli = Callable[..., tuple[int, str, str]]


class SteadyLab(GuidedApp, SteadyApp):
    """`nntui lab` as tested: toasts that stay, steps/s hidden, a steady cursor."""


def lab_app(tmp_path: Path, **base: object) -> GuidedApp:
    StatusLine.show_rate = False
    Input.cursor_blink = False  # type: ignore[assignment]
    return SteadyLab(ExperimentConfig(**base), store=RunStore(tmp_path))  # type: ignore[arg-type]


def text(app: GuidedApp, selector: str) -> str:
    return plain(app.screen.query_one(selector, Static))


def saved(tmp_path: Path) -> dict:
    return json.loads((tmp_path / STATE_NAME).read_text())


async def type_answer(pilot, words: str) -> None:  # noqa: ANN001
    await hit(pilot, "a", *("space" if c == " " else c for c in words), "enter")


async def test_the_lab_from_its_first_page_to_the_report(tmp_path: Path, cli: Cli) -> None:
    """nntui lab --epochs 4: run page 1, answer, next, run page 2 (new data through the
    app's settings controller), answer; every answer and run is on disk at once, the
    overlay holds both pages, and nntui export --format md carries it all."""
    app = lab_app(tmp_path, epochs=4)
    async with running(app) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, GuidedScreen), "the lab")
        screen = app.screen
        assert f"page 1 of {len(PAGES)} · The notebook's network" in text(app, "#guided-title")
        assert PAGES[0].question in text(app, "#guided-question")
        assert "No run from this page yet" in text(app, "#guided-status")
        await hit(pilot, "r")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.pending is None, "page 1's run filed")
        [first] = app.session.history.runs
        assert first.doc["epochs_run"] == 4 and first.doc["config"]["epochs"] == 4
        assert app.session.config == page_config(PAGES[0], ExperimentConfig(epochs=4))
        assert [r.id for r in screen.state.runs["baseline"]] == [first.id]
        assert saved(tmp_path)["runs"]["baseline"][0]["id"] == first.id
        assert "1 run from this page · newest #1: ok, 4 epochs" in text(app, "#guided-status")
        assert "This page's last run:" in text(app, "#guided-seen")
        assert list(screen.query_one(LossPlot).series) == ["p1"]

        await type_answer(pilot, "It fits n1 squared")
        assert saved(tmp_path)["answers"] == {"baseline": "It fits n1 squared"}
        assert app.screen.focused is not screen.query_one(Input)  # enter: keys again

        await hit(pilot, "n")
        assert f"page 2 of {len(PAGES)} · Wider data ranges" in text(app, "#guided-title")
        assert screen.query_one(Input).value == "" and saved(tmp_path)["page"] == \
            "wide-ranges"
        await hit(pilot, "r")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.pending is None, "page 2's run filed")
        second = app.session.history.runs[-1]
        assert second.doc["config"]["n1-range"] == [0, 20] and second.doc["epochs_run"] == 4
        assert list(screen.query_one(LossPlot).series) == ["p1", "p2"]
        assert screen.query_one(LossPlot).series["p1"] == first.doc["history"]["train_loss"]
        await type_answer(pilot, "Noise is a smaller share")

        await hit(pilot, "p")  # back: page 1's answer is in the field again
        assert screen.query_one(Input).value == "It fits n1 squared"
        await hit(pilot, "x")
        report = (tmp_path / "exports" / "guided-lab-report.md").read_text()
        assert "> It fits n1 squared" in report and "> Noise is a smaller share" in report

    lab = GuidedLab.load(tmp_path / STATE_NAME)  # as after a dropped connection
    assert lab.page.id == "baseline" and lab.answers == {
        "baseline": "It fits n1 squared", "wide-ranges": "Noise is a smaller share"}
    code, out, err = cli("export", first.id, "--format", "md", "--results", str(tmp_path))
    assert code == 0 and err == ""
    section = out[out.index("## Guided lab"):]
    assert f"**Question:** {PAGES[0].question}" in section
    assert "> It fits n1 squared" in section and "> Noise is a smaller share" in section
    assert f"| {first.id} | ok | 4 |" in section and f"| {second.id} | ok | 4 |" in section


async def test_L_opens_the_lab_and_a_run_in_progress_is_shown_and_paused_on_leaving(
        tmp_path: Path) -> None:
    """From the main screen: L opens the lab on the defaults; the run trains in the app's
    thread (held by the gate after each epoch), its curve grows beside the others, and
    esc pauses it and returns to the app, where the keys work again."""
    app = make_app()
    app.store = RunStore(tmp_path)
    gate = TrainingGate(app.session, epochs=1)
    async with running(app, message_hook=gate.hook) as pilot:
        await hit(pilot, "L")
        assert isinstance(app.screen, GuidedScreen)
        screen = app.screen
        await hit(pilot, "question_mark")  # ? lists every key of the lab, then closes
        help_text = " ".join(plain(s) for s in app.screen.query(Static))
        assert all(b.tooltip in help_text for b in GuidedScreen.BINDINGS)  # type: ignore[union-attr]
        await hit(pilot, "escape")
        assert app.screen is screen
        await hit(pilot, "n", "n", "n")  # page 4: large initial weights
        await hit(pilot, "r")
        await wait_until(pilot, lambda: gate.held, "the first epoch")
        assert app.session.running and app.session.config.init == "large"
        gate.allow(1)
        await wait_until(pilot, lambda: gate.held and app.session.trainer.epochs_done == 2,
                         "epoch 2")
        app.post_message(app.Progress(app.session.generation, 0.0))  # as the thread would
        await wait_until(pilot, lambda: "epoch 2/300" in text(app, "#guided-status"),
                         "epoch 2 shown")
        assert len(screen.query_one(LossPlot).series["p4 now"]) == 2
        await hit(pilot, "r")  # a second r while it trains changes nothing
        assert app.session.trainer.epochs_done == 2
        await hit(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, GuidedScreen) and not app.session.running
        assert app.session.trainer.epochs_done == 2 and screen.state.runs == {}
        await hit(pilot, "e")  # the main screen's keys work again
        assert app.session.trainer.epochs_done == 3


async def test_a_page_on_a_table_waits_for_its_data_then_runs(tmp_path: Path) -> None:
    """The real-data page: the diabetes table loads in the controller's worker; the run
    starts once the app has adopted it, and is filed under the page."""
    app = lab_app(tmp_path, epochs=3)
    async with running(app) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, GuidedScreen), "the lab")
        screen = app.screen
        await hit(pilot, *["n"] * 12)
        assert screen.state.page.id == "real-data"
        await hit(pilot, "r")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.pending is None, "the page's run filed")
        [run] = app.session.history.runs
        assert run.doc["config"]["dataset"] == "diabetes" and run.doc["epochs_run"] == 200
        assert [r.id for r in screen.state.runs["real-data"]] == [run.id]


async def test_a_damaged_lab_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / STATE_NAME).write_text('{"format": "nntui-guided-lab", "answers": [')
    toasts: list[str] = []
    app = lab_app(tmp_path)
    async with running(app, notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, GuidedScreen), "the lab")
        await settle(pilot)
        toasts = [n.message for n in app._notifications]
        assert any("is damaged" in t and "guided-lab.json.damaged" in t for t in toasts)
        assert f"page 1 of {len(PAGES)}" in text(app, "#guided-title")
        await type_answer(pilot, "fresh")
    assert saved(tmp_path)["answers"] == {"baseline": "fresh"}
    assert (tmp_path / f"{STATE_NAME}.damaged").exists()



async def test_leaving_and_reopening_keeps_the_lab_even_without_saving(
        tmp_path: Path) -> None:
    """--no-save: nothing is written, the first answer typed says so, and the lab (page,
    answers) lives as long as the app; L after esc finds it where it was."""
    app = make_app(epochs=2)
    app.store = RunStore(tmp_path, persist=False)
    async with running(app, notifications=True) as pilot:
        await hit(pilot, "L", "n")
        await type_answer(pilot, "kept")
        told = [n.message for n in app._notifications if "session only" in n.message]
        assert len(told) == 1
        await hit(pilot, "escape", "L")
        screen = app.screen
        assert isinstance(screen, GuidedScreen) and screen.state.page.id == "wide-ranges"
        assert screen.query_one(Input).value == "kept"
    assert list(tmp_path.iterdir()) == []
