"""The drill screen: answers typed key by key, right and wrong, to the score; the step is
applied only when the drill is done or skipped (what only the screen shows)."""

from __future__ import annotations

from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input, Static

from app_helpers import hit, make_app, plain, running
from nntui.lab.drill import HINTED, REVEALED, RIGHT, SKIPPED
from nntui.ui.screens.drill import DrillScreen
from nntui.ui.screens.help import HelpScreen
from nntui.ui.screens.inspector import InspectorScreen


async def answer(pilot: Pilot, text: str) -> None:
    """Type `text` key by key into the answer field, then Enter."""
    await hit(pilot, *(_character_to_key(c) for c in text), "enter")


def shown(app, widget: str) -> str:  # noqa: ANN001
    return plain(app.screen.query_one(f"#drill-{widget}", Static))


async def test_a_full_drill_typed_right_and_wrong_then_the_step_is_applied() -> None:
    app = make_app()
    async with running(app) as pilot:
        t = app.session.trainer
        step = t.peek()
        await hit(pilot, "i", "d")
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.drill is not None
        drill = screen.drill
        assert drill.ws.record.params_after == step.params_after  # the step training makes
        assert "Q1 of 25  z1 = w1*x1 + w2*x2 + b1 = ?" in shown(app, "question")
        assert "right: within a relative 1e-3" in shown(app, "given")
        questions = list(drill.questions)
        for n, q in enumerate(questions):
            assert t.updates == 0  # nothing moves before the drill is done
            if n == 1:  # garbage first: a message, no try used, the text kept but selected
                await answer(pilot, "0,3")
                assert "write decimals with a dot (0.3, not 0,3)" in shown(app, "feedback")
                field = app.screen.query_one(Input)
                assert field.value == "0,3" and field.selection == (0, 3)
                await answer(pilot, "1.5e")  # typing replaces it: nothing appended
                assert "'1.5e' is not a number" in shown(app, "feedback")
            if n in (2, 3):  # a miss: the hint, the formula with the numbers filled in
                await answer(pilot, "999")
                assert f"Not 999. Hint: {q.hint}" in shown(app, "feedback").replace("\n", " ")
            if n == 3:  # a second miss shows the answer and moves on
                await answer(pilot, "-1e-3")
                assert q.solution in shown(app, "results").replace("\n", "")
                continue
            if n == 4:
                await hit(pilot, "ctrl+r")
                continue
            if n == 5:
                await hit(pilot, "ctrl+n")
                continue
            if n < 10:
                await answer(pilot, f" {q.shown} ")
            else:  # the rest at once (typing them key by key only costs time)
                app.screen.query_one(Input).value = q.shown
                await hit(pilot, "enter")
        statuses = [r.status for r in drill.results]
        assert statuses == [RIGHT, RIGHT, HINTED, REVEALED, REVEALED, SKIPPED] + [RIGHT] * 19
        score = "22/25 right (21 first try) · 2 shown · 1 skipped · 0 to go"
        assert score in shown(app, "status") and "earlier" not in shown(app, "status")
        assert f"Done: {score}." in shown(app, "question")
        assert t.updates == 1 and t.theta.tolist() == step.params_after
        assert "Step applied (sample 0)" in shown(app, "question")
        log = shown(app, "results")
        assert "✓ z1 = 0.3" in log and "✓ z2 = 0.7 after the hint (first 999)" in log
        await hit(pilot, "enter")  # the next step's drill
        assert screen.drill is not drill and screen.drill.ws.record.indices == [1]
        assert "earlier 22/25" in shown(app, "status")
        await hit(pilot, "escape")
        assert isinstance(app.screen, InspectorScreen) and t.updates == 1
        assert "update 2 · sample 1/79" in plain(app.screen.query_one("#inspector-status"))


async def test_escape_part_skip_and_help() -> None:
    app = make_app()
    async with running(app) as pilot:
        t = app.session.trainer
        await hit(pilot, "i", "d")
        await answer(pilot, "0.3")
        await hit(pilot, "escape")  # back without applying
        assert isinstance(app.screen, InspectorScreen) and t.updates == 0
        await hit(pilot, "d", "ctrl+t")
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.part == "forward"
        assert "Q1 of 6" in shown(app, "question") and "Drill (forward)" in shown(
            app, "status")
        await hit(pilot, "ctrl+t")
        assert "Q1 of 19  dL/dy_hat = 2(y_hat - y) = ?" in shown(app, "question")
        assert "z1 = 0.3  h1 = 0.3" in shown(app, "given")  # what backward needs is given
        await hit(pilot, "ctrl+t", "ctrl+t")
        assert screen.part == "unit 2" and "Q1 of 10  z2 =" in shown(app, "question")
        preview = t.peek()
        await hit(pilot, "ctrl+s")  # skip the drill: the step is applied, the next drilled
        assert t.updates == 1 and t.theta.tolist() == preview.params_after
        assert "Drill skipped. Step applied (sample 0)." in shown(app, "feedback")
        assert screen.drill is not None and screen.drill.ws.record.indices == [1]
        await hit(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(plain(s) for s in app.screen.query(Static))
        assert "ctrl+s" in text and "3 significant digits" in text
        await hit(pilot, "escape")
        assert app.screen is screen and app.screen.query_one(Input).value == ""


async def test_the_values_say_their_units() -> None:
    app = make_app(scale="none")
    async with running(app) as pilot:
        await hit(pilot, "i", "d")
        assert "sample 0 (original units) · given" in shown(app, "given")
        assert "x1 = 4  x2 = 4  y = 20.114" in shown(app, "given")


async def test_a_mini_batch_says_why_there_is_no_drill() -> None:
    app = make_app(batch_size=4)
    async with running(app) as pilot:
        await hit(pilot, "i", "d", "ctrl+s", "ctrl+n")
        assert "one sample at a time: set the batch size to 1" in shown(app, "question")
        assert app.session.trainer.updates == 0
