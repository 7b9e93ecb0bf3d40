"""The backprop inspector in the app: screen text = the trainer's record, keys, undo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_worked import HAND_LINES, TINY
from textual.widgets import Input

from app_helpers import make_app, plain, running, settle
from nntui.lab.worked import fmt, worked_step
from nntui.lab.worked_text import diagram_lines, forward_lines, update_lines
from nntui.ui.screens.inspector import InspectorScreen
from nntui.ui.widgets.worked_view import WorkedView


def shown(app) -> str:  # noqa: ANN001
    return plain(app.screen.query_one(WorkedView))


def expected_lines(app) -> list[str]:  # noqa: ANN001
    ws = worked_step(app.session.experiment, app.session.preview(app.screen.index))
    return forward_lines(ws) + diagram_lines(ws)


async def test_screen_shows_the_records_numbers_for_several_samples() -> None:
    app = make_app()
    async with running(app) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, InspectorScreen)
        for keys in [(), ("n",), ("n", "n"), ("p",), ("w",)]:
            await pilot.press(*keys)
            text = shown(app)
            for line in expected_lines(app):
                assert line in text
            record = app.session.preview(app.screen.index)
            for k, name in enumerate(app.session.trainer.arch.names):
                assert fmt(record.params_after[k]) in text and fmt(record.grads[k]) in text, name


async def test_apply_moves_on_and_undo_restores() -> None:
    app = make_app()
    async with running(app) as pilot:
        t = app.session.trainer
        await pilot.press("i")
        preview = t.peek()
        await pilot.press("s")
        assert t.theta.tolist() == preview.params_after and t.next_indices() == [1]
        await pilot.press("enter", "enter")
        assert t.updates == 3 and "update 4" in plain(app.screen.query_one(
            "#inspector-status"))
        for _ in range(3):
            await pilot.press("u")
        assert t.theta.tobytes() == t.theta0.tobytes() and t.next_indices() == [0]
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorScreen)


async def test_goto_worst_and_bad_index_only_look() -> None:
    app = make_app()
    async with running(app) as pilot:
        t = app.session.trainer
        await pilot.press("i", "g", "1", "7", "enter")
        assert app.screen.index == 17 and t.next_indices() == [0]  # training is not moved
        assert "Preview of sample 17" in shown(app) and "trains sample 0" in shown(app)
        bar = plain(app.screen.query_one("#inspector-status"))
        assert "update 1 · sample 0/79 · looking at 17" in bar
        await pilot.press("g", "9", "9", "enter")
        assert "sample 99 is out of range 0..79" in shown(app) and app.screen.index == 17
        goto = app.screen.query_one("#goto", Input)
        assert goto.value == "" and not goto.has_focus  # refused: the keys work again
        await pilot.press("g", "a", "enter")  # g opens the field again: no "ga" in it
        assert "sample: 'a' is not a whole number" in shown(app)
        await pilot.press("w")
        losses = t.arch.losses(t.theta, t.x_train, t.y_train)
        assert app.screen.index == int(losses.argmax()) and t.next_indices() == [0]
        assert "Worst-predicted sample" in shown(app)
        await pilot.press("s")  # apply trains the next sample in order, then follows it
        assert t.updates == 1 and t.next_indices() == [1] and app.screen.index is None


async def test_hand_worked_sample_on_screen(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY)
    app = make_app(dataset="csv", csv=str(path), target="n3", test_size=0.0, lr=0.1)
    async with running(app) as pilot:
        await pilot.press("i", "n")
        text = shown(app)
        for line in HAND_LINES:
            assert line in text
        assert "-1.068" in text and "0.6068" in text and "0.0246" in text


async def test_closed_gate_and_dead_units_on_screen() -> None:
    app = make_app(set={"b1": -5.0})  # unit 1 is then off for every scaled input
    async with running(app) as pilot:
        await pilot.press("i")
        text = shown(app)
        assert "(gate closed: z <= 0)" in text and "ReLU gate 1 closed" in text
        assert "h1: output 0 on 100% of training samples" in text and "DEAD" in text


async def test_play_applies_steps_until_paused() -> None:
    app = make_app()
    async with running(app) as pilot:
        await pilot.press("i", "right_square_bracket", "right_square_bracket", "space")
        screen = app.screen
        assert isinstance(screen, InspectorScreen) and screen.playing
        assert screen.timer is not None and "playing 10/s" in plain(
            screen.query_one("#inspector-status"))
        screen.timer.pause()  # the ticks below stand in for the clock
        before = app.session.trainer.updates
        for _ in range(3):
            screen.play_tick()
        await pilot.press("space")
        assert not screen.playing and app.session.trainer.updates == before + 3
        await settle(pilot)
        assert app.session.trainer.updates == before + 3


async def test_inspector_is_in_sync_with_the_main_view() -> None:
    app = make_app(rows=10, test_size=0.0)
    async with running(app) as pilot:
        await pilot.press("i")
        for _ in range(10):
            await pilot.press("s")
        assert app.session.trainer.epochs_done == 1
        await pilot.press("escape")
        await settle(pilot)
        assert "ep 1/300" in plain(app.query_one("#status"))
        assert np.array_equal(app.query_one("#plot").series["train"],  # type: ignore[attr-defined]
                              app.session.trainer.train_loss)


async def test_update_lines_match_screen_for_other_sizes() -> None:
    app = make_app(hidden=4, activation="sigmoid", init="xavier")
    async with running(app, (160, 48)) as pilot:
        await pilot.press("i", "n", "n")
        ws = worked_step(app.session.experiment, app.session.preview(app.screen.index))
        text = shown(app)
        assert "h4 = sigmoid(z4)" in text
        for line in update_lines(ws)[1:]:
            name, rest = line.split(" = ", 1)
            assert rest.rsplit(" = ", 1)[1] in text
