"""The drill and the layered inspector under classification and under momentum, Adam and
L2 (issue 14): every question's filled formula, worked with the numbers it shows, gives
the record's answer; classify asks z_out, sigmoid, the cross-entropy and dL/dz_out =
y_hat - y (never the squared error); a new parameter's formula has the rule's terms with
the record's state; the inspector's layer pages show the record's update terms and the
derivation of the output δ."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from app_helpers import hit, make_app, plain, running
from nntui.lab.config import ExperimentConfig
from nntui.lab.drill import Drill, Question, questions
from nntui.lab.session import Session
from nntui.lab.worked import WorkedStep, unit_activity, worked_step
from nntui.lab.worked_deep import layer_steps, output_delta_lines
from nntui.lab.worked_optim import rule_lines
from nntui.lab.worked_text import update_lines
from nntui.ui.screens.drill import DrillScreen
from nntui.ui.widgets.layer_pages import page

Cli = Callable[..., tuple[int, str, str]]

CLASSIFY = {"task": "classify", "dataset": "circle", "rows": 40, "lr": 0.3}
CASES = [
    {**CLASSIFY, "hidden": 2},
    {**CLASSIFY, "hidden": (3, 2), "activation": "tanh", "init": "xavier"},
    {"hidden": 2, "optimizer": "momentum", "l2": 0.05, "lr": 0.1},
    {"hidden": (3, 2), "optimizer": "adam", "l2": 0.01, "lr": 0.05, "init": "xavier"},
    {**CLASSIFY, "hidden": (3, 2), "optimizer": "adam", "activation": "sigmoid"},
    {"hidden": 3, "optimizer": "sgd", "l2": 0.1, "lr": 0.2},
]


def step_of(cfg: dict, moves: int = 3) -> WorkedStep:
    """A step a few updates in, so momentum's velocity and Adam's moments are not 0."""
    session = Session(ExperimentConfig(**cfg))
    for _ in range(moves):
        session.step()
    return worked_step(session.experiment, session.preview(5))


FUNCTIONS = {"ln": math.log, "sqrt": math.sqrt, "tanh": math.tanh,
             "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
             "relu": lambda z: max(z, 0.0), "linear": lambda z: z}


def worked(q: Question) -> list[float]:
    """The question's filled formula (each of its `=` steps), evaluated as a student would
    with a calculator."""
    text = q.filled.replace("^", "**").replace("√", "sqrt")
    return [float(eval(part, {"__builtins__": {}}, FUNCTIONS))  # noqa: S307 (our own text)
            for part in text.split(" = ")]


@pytest.mark.parametrize("cfg", CASES)
def test_every_filled_formula_works_out_to_the_records_answer(cfg: dict) -> None:
    ws = step_of(cfg)
    qs = questions(ws)
    for q in qs:
        assert all(q.accepts(v) for v in worked(q)), (q.quantity, q.filled, q.answer)
    assert [q.id for q in qs] == list(range(1, len(qs) + 1))
    # The answers are the record's own floats.
    new = [q for q in qs if q.quantity.startswith("new ")]
    assert [q.answer for q in new] == ws.record.params_after
    assert [q.old for q in new] == ws.record.params_before


@pytest.mark.parametrize("cfg", [c for c in CASES if c.get("task") == "classify"])
def test_classify_asks_the_cross_entropy_and_the_output_delta(cfg: dict) -> None:
    ws = step_of(cfg)
    t = ws.trace
    qs = {q.quantity: q for q in questions(ws)}
    assert "dL/dy_hat" not in qs
    assert qs["z_out"].answer == t.z_out and qs["y_hat"].answer == t.y_hat
    assert qs["y_hat"].formula == "sigmoid(z_out)"
    assert qs["L"].answer == t.loss and "ln(y_hat)" in qs["L"].formula
    assert qs["dL/dz_out"].answer == t.dl_dyhat == t.y_hat - t.y
    assert "dL/dy_hat*dy_hat/dz_out" in qs["dL/dz_out"].hint
    assert qs["dL/dz_out"].hint.endswith(f"= y_hat - y = {qs['dL/dz_out'].filled}")
    assert not any("(y_hat - y)^2" in q.formula or "2(y_hat - y)" in q.formula
                   for q in qs.values())
    outputs = [q for q in qs.values() if q.quantity.startswith("dL/d") and q.layer in (
        None, ws.exp.arch.depth + 1) and q.unit is None and q.quantity != "dL/dz_out"]
    assert outputs and all("dL/dz_out" in q.formula for q in outputs)


def test_a_new_parameter_under_adam_and_l2_names_every_term_with_the_records_state() -> None:
    ws = step_of({"hidden": (3, 2), "optimizer": "adam", "l2": 0.01, "lr": 0.05})
    step = ws.record.optimizer
    assert step is not None and step.t == 4
    qs = {q.quantity: q for q in questions(ws)}
    weight, bias = qs["new W1[1,1]"], qs["new b1[1]"]
    m, v = step.terms[0].state_before
    assert m != 0.0 and v != 0.0
    for text in ("m̂ = (β1*m + (1-β1)*g)/(1-β1^t)", "g = (dL/dW1[1,1] + λ*W1[1,1])",
                 "t = 4", "λ = 0.01"):
        assert text in weight.formula, text
    assert "λ" not in bias.formula  # a bias is not decayed
    assert "p <- p - lr" not in weight.formula and "- lr*dL/dW1[1,1]" not in weight.formula


def test_momentum_fills_in_the_velocity_before_the_step() -> None:
    ws = step_of({"hidden": 2, "optimizer": "momentum", "lr": 0.1})
    step = ws.record.optimizer
    assert step is not None
    (v,) = step.terms[0].state_before
    q = next(q for q in questions(ws) if q.quantity == "new w1")
    assert q.formula.startswith("w1 + (β*v - lr*dL/dw1)") and "β = 0.9" in q.formula
    assert f"0.9*{'(' if v < 0 else ''}" in q.filled
    drill = Drill(ws)
    while drill.current != q:
        drill.skip()
    assert "update rule" in drill.answer(str(q.old)).message  # not "lr*dL/dw1"


def rendered(ws: WorkedStep) -> list[str]:
    """Each layer page as the screen's text (rich, no colours)."""
    units = unit_activity(ws.exp.arch, ws.exp.trainer.theta, ws.exp.trainer.x_train)
    out = []
    for step in layer_steps(ws):
        console = Console(file=io.StringIO(), width=400, color_system=None)
        console.print(page(ws, step, units))
        out.append(" ".join(console.file.getvalue().split()))  # type: ignore[attr-defined]
    return out


def test_layer_pages_show_the_adam_and_l2_terms_of_the_record() -> None:
    ws = step_of({"hidden": (3, 2), "optimizer": "adam", "l2": 0.01, "lr": 0.05})
    rules, lines = rule_lines(ws), update_lines(ws)
    per_param = lines[len(rules):]
    pages = rendered(ws)
    for step, text in zip(layer_steps(ws), pages):
        assert "p <- p - lr · dL/dp" not in text
        assert all(" ".join(line.split()) in text for line in rules)
        for k, line in enumerate(per_param):
            assert (" ".join(line.split()) in text) == (k in step.params), line
    assert "m̂ =" in pages[0] and "weight decay" in pages[0]


def test_layer_pages_under_classify_derive_the_output_delta() -> None:
    ws = step_of({**CLASSIFY, "hidden": (3, 2)})
    pages = rendered(ws)
    top = pages[-1]
    assert "output (sigmoid)" in top and "z_out = " in top
    assert all(" ".join(line.split()) in top for line in output_delta_lines(ws))
    assert "(y_hat - y)^2" not in top and "2(y_hat - y)" not in top
    assert "dL/dW3[1,1] = dL/dz_out·h2[1]" in top
    assert "(W3ᵀ dL/dz_out)" in pages[1]  # δ2 from the output's δ
    assert "p <- p - lr · dL/dp" in top  # plain SGD keeps its table


async def test_the_drill_screen_drills_a_classify_adam_l2_step_to_the_end() -> None:
    app = make_app(**CLASSIFY, hidden=(3, 2), optimizer="adam", l2=0.01)
    async with running(app) as pilot:
        t = app.session.trainer
        step = t.peek()
        await hit(pilot, "i", "d")
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.drill is not None
        drill = screen.drill
        *first, last = drill.questions
        for q in first:
            if q.quantity == "dL/dz_out":  # its question on the screen: the derivation
                shown = plain(screen.query_one("#drill-question", Static))
                assert "dL/dz_out = dL/dy_hat*dy_hat/dz_out" in shown and "y_hat - y" in shown
            assert drill.answer(q.shown).kind == "right"
            screen.show()
        shown = plain(screen.query_one("#drill-question", Static))
        assert f"{last.quantity} = {last.formula.split(',')[0]}" in shown and "m̂" in shown
        screen.query_one(Input).value = last.shown  # the last one applies the step
        await hit(pilot, "enter")
        assert drill.count("right") == len(drill.questions)
        assert t.updates == 1 and t.theta.tolist() == step.params_after
