"""The layered inspector (issue 14, item 2): the per-layer records of worked_deep.py (their
formulas' numbers reproduce every value bit for bit), and the inspector's layer pages of a
2-3-2-1 network (the text shown is the records' formatted values; keys; undo)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from app_helpers import make_app, plain, running
from nntui.engine.activations import chain
from nntui.lab.config import ExperimentConfig
from nntui.lab.session import Session
from nntui.lab.worked import WorkedStep, factor, fmt, worked_step
from nntui.lab.worked_deep import LayerStep, layer_steps
from nntui.lab.worked_text import update_text
from nntui.ui.screens.help import HelpScreen
from nntui.ui.screens.inspector import InspectorScreen
from nntui.ui.widgets.layer_pages import LayerPage, LayerPages

CONFIGS = [{"hidden": (3, 2)}, {"hidden": (3, 2), "activation": "tanh", "init": "xavier"},
           {"hidden": (3, 2), "activation": "sigmoid", "seed": 3, "init": "normal"},
           {"hidden": (2, 3, 2), "init": "he", "seed": 5},
           {"hidden": (3, 2), "set": {"b1[2]": -9.0}}]  # unit h1[2] closed on every row


def steps_of(cfg: dict, moves: int = 2, index: int | None = 4) -> tuple[WorkedStep,
                                                                      list[LayerStep]]:
    session = Session(ExperimentConfig(**cfg))
    for _ in range(moves):  # a few steps in: the weights are no longer a preset's
        session.step()
    ws = worked_step(session.experiment, session.preview(index))
    return ws, layer_steps(ws)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_each_formula_reproduces_its_value_bit_for_bit(cfg: dict) -> None:
    ws, steps = steps_of(cfg)
    arch, t, p = ws.exp.arch, ws.trace, ws.record.params_before
    assert [s.number for s in steps] == list(range(1, arch.depth + 2))
    assert sorted(k for s in steps for k in s.params) == list(range(arch.n_params))
    a = list(t.x)
    for layer, step in enumerate(steps[:-1]):
        lt = t.layers[layer]
        assert [f.value for f in step.forward] == [v for j in range(len(lt.z))
                                                  for v in (lt.z[j], lt.h[j])]
        for j in range(len(lt.z)):  # z from the shown factors, in the shown order
            acc = p[arch.weight(layer, j, 0)] * a[0]
            for i in range(1, len(a)):
                acc += p[arch.weight(layer, j, i)] * a[i]
            assert (acc + p[arch.bias(layer, j)]).hex() == step.forward[2 * j].value.hex()
            shown = step.forward[2 * j].numbers
            assert shown.startswith(f"{factor(p[arch.weight(layer, j, 0)])}·{factor(a[0])}")
        a = lt.h
        for j, d in enumerate(step.deltas):  # δ = (Σ W·δ_above) · g'(z), plain floats
            acc = d.weights[0] * d.upper[0]
            for w, u in zip(d.weights[1:], d.upper[1:]):
                acc += w * u
            assert acc.hex() == d.dl_dh.hex() == lt.dl_dh[j].hex()
            assert chain(acc, d.slope).hex() == d.filled.value.hex() == lt.dl_dz[j].hex()
            assert d.slope == lt.dh_dz[j] and d.closed == (arch.activation == "relu"
                                                           and d.slope == 0.0)
            for w, u in zip(d.weights, d.upper):  # every factor is shown with its number
                assert f"{factor(w)}·{factor(u)}" in d.filled.numbers
            assert d.filled.numbers.endswith(f"= {factor(d.dl_dh)} · {factor(d.slope)}")
    out = steps[-1]
    assert [f.value for f in out.forward] == [t.y_hat, t.loss]
    assert [f.value for f in out.backward] == [t.dl_dyhat] and out.deltas == []
    for step in steps:  # every gradient: δ times the input it multiplies
        for g in step.gradients:
            assert (g.delta * g.input).hex() == g.filled.value.hex() == \
                ws.record.grads[g.index].hex()
            assert g.numeric == ws.numeric[g.index]
            assert g.check == ws.check(g.index)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=4).map(tuple),
       st.sampled_from(["relu", "sigmoid", "tanh", "linear"]), st.integers(0, 1000))
def test_every_delta_and_gradient_of_random_deep_networks(hidden: tuple[int, ...], act: str,
                                                          seed: int) -> None:
    ws, steps = steps_of({"hidden": hidden, "activation": act, "seed": seed,
                          "init": "normal"}, moves=1, index=seed % 10)
    t = ws.trace
    for layer, step in enumerate(steps[:-1]):
        assert [d.filled.value for d in step.deltas] == t.layers[layer].dl_dz
        for d in step.deltas:
            acc = d.weights[0] * d.upper[0]
            for w, u in zip(d.weights[1:], d.upper[1:]):
                acc += w * u
            assert chain(acc, d.slope).hex() == d.filled.value.hex()
    grads = sorted((g.index, g.delta * g.input) for s in steps for g in s.gradients)
    assert [v for _, v in grads] == ws.record.grads


def test_names_and_filled_formulas_of_a_2_3_2_1_step() -> None:
    ws, steps = steps_of({"hidden": (3, 2)}, moves=0, index=None)
    first, second, out = steps
    assert first.title == "layer 1 of 3: hidden, 3 relu units"
    assert out.title == "layer 3 of 3: output (linear)" and out.output
    d = first.deltas[1].filled
    assert d.name == "δ1[2]"
    assert d.symbol == "(W2[1,2]·δ2[1] + W2[2,2]·δ2[2]) · relu'(z1[2])"
    assert d.numbers == "(0.25·(-0.318648) + 0.5·(-0.637296)) · 1 = (-0.39831) · 1"
    assert d.needs == ("W2[1,2]", "δ2[1]", "W2[2,2]", "δ2[2]", "z1[2]")
    assert second.deltas[0].filled.symbol == "(W3[1,1]·dL/dy_hat) · relu'(z2[1])"
    grads = {g.filled.name: g.filled for s in steps for g in s.gradients}
    assert grads["dL/dW2[1,2]"].line() == "dL/dW2[1,2] = δ2[1]·h1[2] = (-0.318648)·0.7 = " \
        "-0.223054"
    assert grads["dL/db1[3]"].symbol == "δ1[3]·1"
    assert grads["dL/dW3[1,2]"].symbol == "dL/dy_hat·h2[2]"
    assert second.forward[0].line() == ("z2[1] = W2[1,1]·h1[1] + W2[1,2]·h1[2] + "
                                        "W2[1,3]·h1[3] + b2[1] = 0.3·0.3 + 0.25·0.7 + "
                                        "(-0.45)·0.6 + 0.1 = 0.095")
    assert layer_steps(ws, "*")[1].forward[0].symbol.startswith("W2[1,1]*h1[1] + ")


def test_a_closed_gate_passes_exactly_zero_back() -> None:
    ws, steps = steps_of(CONFIGS[-1])
    d = steps[0].deltas[1]
    assert d.closed and d.slope == 0.0 and d.filled.value == 0.0
    assert steps[0].forward[3].value == 0.0  # h1[2]
    assert all(g.filled.value == 0.0 for g in steps[0].gradients
               if g.filled.name in ("dL/dW1[2,1]", "dL/dW1[2,2]", "dL/db1[2]"))


def page_text(app, n: int | None = None) -> str:  # noqa: ANN001
    pages = list(app.screen.query(LayerPage))
    widget = pages[n] if n is not None else app.screen.query_one("LayerPage.-current",
                                                                 LayerPage)
    return plain(widget)


def expected(app) -> list[str]:  # noqa: ANN001
    """Every line a page must show, made from the lab's records."""
    ws = worked_step(app.session.experiment, app.session.preview(app.screen.index))
    out = []
    for step in layer_steps(ws):
        lines = [f.line() for f in step.forward + step.backward]
        lines += [g.filled.line() + f"  numeric {fmt(g.numeric)}" for g in step.gradients]
        lines += ["  →  ".join(update_text(ws, k)) for k in step.params]
        out.append(lines)
    return out


async def test_pages_show_the_records_numbers_and_turn_with_the_keys() -> None:
    app = make_app(hidden=(3, 2))
    async with running(app, (80, 24)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, InspectorScreen)
        pages = list(app.screen.query(LayerPage))
        assert len(pages) == 3
        for n, lines in enumerate(expected(app)):
            text = page_text(app, n)
            for line in lines:
                assert " ".join(line.split()) in " ".join(text.split()), line
        visible = [p.styles.display for p in pages]
        assert visible == ["block", "none", "none"]  # one layer per page at 80x24
        assert "Layer 1 of 3" in page_text(app)
        for key, shown in [("full_stop", 2), ("full_stop", 3), ("full_stop", 1),
                           ("comma", 3), ("comma", 2)]:
            await pilot.press(key)
            assert f"Layer {shown} of 3" in page_text(app)
            assert [p.styles.display for p in pages].count("block") == 1
        bar = plain(app.screen.query_one("KeyBar", Static))
        assert ". Next layer" in bar and ", Prev layer" in bar
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "".join(plain(w) for w in app.screen.query("#help-body Static"))
        assert "next layer's page" in text and "previous layer's page" in text


async def test_apply_and_undo_redraw_every_page() -> None:
    app = make_app(hidden=(3, 2), activation="tanh", init="xavier")
    async with running(app, (80, 24)) as pilot:
        await pilot.press("i")
        before = expected(app)
        await pilot.press("s", "n", "full_stop")  # a step, then a preview of sample 2
        assert app.session.trainer.updates == 1 and app.screen.index == 2
        after = expected(app)
        assert after != before
        for n, lines in enumerate(after):
            text = " ".join(page_text(app, n).split())
            assert all(" ".join(line.split()) in text for line in lines)
        assert "Layer 2 of 3" in page_text(app)  # the page stays where it was
        await pilot.press("u")
        assert app.session.trainer.updates == 0
        assert expected(app) == before
        text = " ".join(page_text(app, 0).split())
        assert all(" ".join(line.split()) in text for line in before[0])


async def test_side_by_side_when_wide_and_absent_for_one_hidden_layer() -> None:
    app = make_app(hidden=(3, 2))
    async with running(app, (160, 48)) as pilot:
        await pilot.press("i")
        pages = list(app.screen.query(LayerPage))
        assert [p.styles.display for p in pages] == ["block"] * 3
        assert len({p.region.x for p in pages}) == 3  # side by side
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await pilot.press("i")
        assert not app.screen.query_one(LayerPages).display
        assert not list(app.screen.query(LayerPage))
        assert "Next layer" not in plain(app.screen.query_one("KeyBar", Static))


async def test_a_closed_gate_is_marked_on_its_page() -> None:
    app = make_app(**CONFIGS[-1])
    async with running(app, (80, 24)) as pilot:
        await pilot.press("i")
        text = " ".join(page_text(app, 0).split())
        assert "h1[2] = relu(z1[2]) = relu(" in text and "= 0 (gate closed)" in text
        assert "[ReLU gate closed: δ = 0]" in text
        assert "h1[2]: output 0 on 100% of training samples DEAD" in text
