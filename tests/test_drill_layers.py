"""The drill of a network with several hidden layers (issue 14, item 2): its answers are the
step record's own floats, its names read by layer (`z1[2]`, `δ2[1]`, `dL/dW2[1,2]`), the
`nntui drill --hidden 3,2` sheet agrees with a plain-Python step written here, and the
drill screen drills a 2-3-2-1 step to the end."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from by_hand import G
from textual.widgets import Input, Static

from app_helpers import hit, make_app, plain, running
from nntui.engine.naming import param_names
from nntui.lab.config import ExperimentConfig
from nntui.lab.drill import Drill, exercise, givens, questions, select, subsets
from nntui.lab.drill_text import given_lines, sheet_json
from nntui.lab.session import Session
from nntui.lab.worked import fmt, worked_step
from nntui.ui.screens.drill import DrillScreen

Cli = Callable[..., tuple[int, str, str]]

CONFIGS = [{"hidden": (3, 2)}, {"hidden": (3, 2), "activation": "sigmoid", "init": "xavier"},
           {"hidden": (3, 2), "activation": "tanh", "init": "normal", "seed": 4, "lr": 0.3},
           {"hidden": (2, 2, 2), "activation": "linear", "init": "he"}]


def quantities(n_inputs: int, widths: tuple[int, ...]) -> list[str]:
    """The documented order: z and h per unit layer by layer, y_hat, L, dL/dy_hat, δ from
    the top hidden layer down, every dL/dp, every new p (parameter order)."""
    names = param_names(n_inputs, widths)
    forward = [f"{v}{n}[{j}]" for n, k in enumerate(widths, 1) for j in range(1, k + 1)
               for v in ("z", "h")]
    deltas = [f"δ{n}[{j}]" for n in range(len(widths), 0, -1)
              for j in range(1, widths[n - 1] + 1)]
    return [*forward, "y_hat", "L", "dL/dy_hat", *deltas, *(f"dL/d{p}" for p in names),
            *(f"new {p}" for p in names)]


@pytest.mark.parametrize("cfg", CONFIGS)
def test_answers_are_the_records_own_floats_to_the_last_bit(cfg: dict) -> None:
    session = Session(ExperimentConfig(**cfg))
    session.step()
    for index in (None, 5):
        record = session.preview(index)
        t = record.traces[0]
        qs = questions(worked_step(session.experiment, record))
        expected = [*(v for lt in t.layers for j in range(len(lt.z)) for v in (lt.z[j],
                                                                             lt.h[j])),
                    t.y_hat, t.loss, t.dl_dyhat,
                    *(d for lt in reversed(t.layers) for d in lt.dl_dz),
                    *record.grads, *record.params_after]
        assert [q.quantity for q in qs] == quantities(2, cfg["hidden"])
        assert [q.answer.hex() for q in qs] == [float(v).hex() for v in expected]
        assert [q.id for q in qs] == list(range(1, len(qs) + 1))


def test_formulas_hints_and_what_each_question_uses() -> None:
    session = Session(ExperimentConfig(hidden=(3, 2)))
    ws = worked_step(session.experiment, session.preview())
    qs = {q.quantity: q for q in questions(ws)}
    assert qs["z2[1]"].formula == "W2[1,1]*h1[1] + W2[1,2]*h1[2] + W2[1,3]*h1[3] + b2[1]"
    assert qs["δ1[2]"].hint == ("δ1[2] = (W2[1,2]*δ2[1] + W2[2,2]*δ2[2]) * relu'(z1[2]) = "
                                "(0.25*(-0.318648) + 0.5*(-0.637296)) * 1 = (-0.39831) * 1")
    assert qs["dL/dW2[1,2]"].formula == "δ2[1]*h1[2]"
    assert qs["dL/dW3[1,2]"].formula == "dL/dy_hat*h2[2]"
    assert qs["new W2[1,2]"].formula == "W2[1,2] - lr*dL/dW2[1,2]"
    assert qs["new W2[1,2]"].old == ws.record.params_before[ws.names.index("W2[1,2]")]
    uses = given_lines(ws, "all", qs["δ1[2]"])[1]
    assert uses == ("δ1[2] uses: W2[1,2] = 0.25  δ2[1] = -0.318648  "
                    "W2[2,2] = 0.5  δ2[2] = -0.637296  z1[2] = 0.7")
    assert "δ1[2] =" not in given_lines(ws, "all", qs["δ1[2]"])[1]  # never its own answer


def test_parts_are_layers_and_what_they_are_given() -> None:
    ws = exercise(2, "tanh", (3, 2))
    qs = questions(ws)
    assert subsets(3, 2) == ["all", "forward", "backward", "layer 1", "layer 2", "layer 3"]
    layer1 = select(qs, "layer 1")
    assert select(qs, "layer1") == layer1
    assert [q.quantity for q in layer1][:9] == ["z1[1]", "h1[1]", "z1[2]", "h1[2]", "z1[3]",
                                                "h1[3]", "δ1[1]", "δ1[2]", "δ1[3]"]
    assert {q.quantity for q in select(qs, "layer 3")} == {
        "y_hat", "L", "dL/dy_hat", "dL/dW3[1,1]", "dL/dW3[1,2]", "dL/db3[1]",
        "new W3[1,1]", "new W3[1,2]", "new b3[1]"}
    assert sum(len(select(qs, f"layer {n}")) for n in (1, 2, 3)) == len(qs)
    assert givens(ws, "layer 1") == []  # every later value is computed from layer 1's h
    assert [n for n, _ in givens(ws, "layer 2")] == ["h1[1]", "h1[2]", "h1[3]"]
    with pytest.raises(Exception, match="choose all, forward, backward or layer1..layer3"):
        select(qs, "unit 1")


def test_a_drill_of_a_deep_step_runs_to_the_end() -> None:
    drill = Drill(exercise(9, "sigmoid", (2, 3, 2)))
    while not drill.done:
        q = drill.current
        assert q is not None
        assert drill.answer(q.shown).kind == "right"
    assert drill.count("right") == len(drill.questions) == len(
        quantities(2, (2, 3, 2)))




def by_hand(doc: dict) -> dict[str, float]:
    """One SGD step of a network with several hidden layers as docs/design.md §2 writes
    it, in plain Python floats, reading each parameter by its name `W2[1,3]`, `b2[1]`."""
    x, y, p, lr = doc["sample"]["x"], doc["sample"]["y"], doc["params"], doc["lr"]
    g, dg = G[doc["activation"]]
    sizes = [len(x), *doc["network"]["layers"], 1]
    out: dict[str, float] = {}
    a, zs, hs = list(x), [], [list(x)]
    for n in range(1, len(sizes)):
        z = [sum(p[f"W{n}[{j},{i}]"] * a[i - 1] for i in range(1, sizes[n - 1] + 1))
             + p[f"b{n}[{j}]"] for j in range(1, sizes[n] + 1)]
        if n == len(sizes) - 1:
            out["y_hat"] = y_hat = z[0]
            break
        a = [g(v) for v in z]
        zs.append(z)
        hs.append(a)
        for j in range(sizes[n]):
            out[f"z{n}[{j + 1}]"], out[f"h{n}[{j + 1}]"] = z[j], a[j]
    out["L"], out["dL/dy_hat"] = (y_hat - y) ** 2, 2 * (y_hat - y)
    delta = [2 * (y_hat - y)]
    grads: dict[str, float] = {}
    for n in range(len(sizes) - 1, 0, -1):  # weight layer n, its δ known
        for j in range(sizes[n]):
            for i in range(sizes[n - 1]):
                grads[f"W{n}[{j + 1},{i + 1}]"] = delta[j] * hs[n - 1][i]
            grads[f"b{n}[{j + 1}]"] = delta[j]
        if n > 1:
            delta = [sum(p[f"W{n}[{m + 1},{j + 1}]"] * delta[m] for m in range(sizes[n]))
                     * dg(zs[n - 2][j]) for j in range(sizes[n - 1])]
            for j, d in enumerate(delta):
                out[f"δ{n - 1}[{j + 1}]"] = d
    out.update({f"dL/d{name}": v for name, v in grads.items()})
    out.update({f"new {name}": p[name] - lr * v for name, v in grads.items()})
    return out


@pytest.mark.parametrize("args", [("--hidden", "3,2"), ("--hidden", "3,2", "--seed", "4"),
                                  ("--hidden", "3,2", "--activation", "sigmoid"),
                                  ("--hidden", "2,3,2", "--activation", "tanh", "--inputs",
                                   "3", "--lr", "0.5")])
def test_cli_sheet_answers_equal_a_computation_by_hand(cli: Cli, args: tuple[str, ...]) -> None:
    code, out, err = cli("drill", "--json", *args)
    assert code == 0, err
    doc = json.loads(out)
    widths = tuple(doc["network"]["layers"])
    assert doc["network"]["shape"] == "-".join(map(str, (len(doc["sample"]["x"]), *widths,
                                                          1)))
    answers = {q["quantity"]: q["answer"] for q in doc["questions"]}
    assert list(answers) == quantities(len(doc["sample"]["x"]), widths)
    expected = by_hand(doc)
    assert set(answers) == set(expected)
    for quantity, value in expected.items():
        assert answers[quantity] == pytest.approx(value, rel=1e-12, abs=1e-15), quantity
    assert list(doc["params"]) == param_names(len(doc["sample"]["x"]), widths)
    assert all(v == round(v, 2) for v in doc["params"].values())


def test_cli_sheet_parts_and_the_same_as_the_lab(cli: Cli) -> None:
    code, out, _ = cli("drill", "--json", "--hidden", "3,2", "--part", "layer2")
    assert code == 0
    doc = json.loads(out)
    assert doc["questions"][0]["quantity"] == "z2[1]"
    assert doc == json.loads(json.dumps(sheet_json(exercise(0, "relu", (3, 2)), 0, "layer2")))
    code, out, _ = cli("drill", "--hidden", "3,2", "--answers")
    assert code == 0 and "δ1[2]" in out and "W3[1,1]  W3[1,2]  b3[1]  lr" in out
    code, _, err = cli("drill", "--hidden", "3,2", "--part", "unit1")
    assert code == 2 and "choose all, forward, backward or layer1..layer3" in err


async def test_the_drill_screen_drills_a_2_3_2_1_step() -> None:
    app = make_app(hidden=(3, 2))
    async with running(app) as pilot:
        t = app.session.trainer
        step = t.peek()
        await hit(pilot, "i", "d")
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.drill is not None
        drill = screen.drill
        question = plain(screen.query_one("#drill-question", Static))
        assert "Q1 of 58  z1[1] = W1[1,1]*x1 + W1[1,2]*x2 + b1[1] = ?" in question
        given = plain(screen.query_one("#drill-given", Static))
        assert "z1[1] uses: W1[1,1] = 0.5  x1 = 1  W1[1,2] = -0.3  x2 = 1  b1[1] = 0.1" in given
        *first, last = drill.questions
        for n, q in enumerate(first):
            if n < 3 or q.quantity == "δ1[2]":  # typed on the screen
                if q.quantity == "δ1[2]":
                    given = plain(screen.query_one("#drill-given", Static))
                    assert f"δ2[1] = {fmt(drill.ws.trace.layers[1].dl_dz[0])}" in given
                screen.query_one(Input).value = q.shown
                await hit(pilot, "enter")
            else:  # the rest straight to the drill (typing them only costs time)
                assert drill.answer(q.shown).kind == "right"
                screen.show()
        assert t.updates == 0
        screen.query_one(Input).value = last.shown  # the last one applies the step
        await hit(pilot, "enter")
        assert drill.count("right") == 58
        assert t.updates == 1 and t.theta.tolist() == step.params_after
        await hit(pilot, "ctrl+t")
        assert screen.part == "forward"
        await hit(pilot, "ctrl+t", "ctrl+t", "ctrl+t")
        assert screen.part == "layer 2" and screen.drill is not None
        assert screen.drill.questions[0].quantity == "z2[1]"
