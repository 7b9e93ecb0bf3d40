"""`--hidden 3,2` from the command line, TOML files, sweeps and the app; deep names in
`--set`; `nntui run` and `nntui step` on a network with several hidden layers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app_helpers import edit, field, make_app, plain, running, settle
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, load_toml
from nntui.lab.experiment import Experiment
from nntui.lab.rundoc import validate_document
from nntui.lab.sweep import alternatives, grid

Cli = Callable[..., tuple[int, str, str]]
HIDDEN = OPTIONS["hidden"]


def test_hidden_parses_widths_and_formats_them_back() -> None:
    assert HIDDEN.parse("2") == 2 and HIDDEN.parse(2) == 2 and HIDDEN.parse([2]) == 2
    assert HIDDEN.parse("3,2") == (3, 2) == HIDDEN.parse([3, 2]) == HIDDEN.parse(" 3 , 2 ")
    assert HIDDEN.parse("16,16,16,16") == (16,) * 4
    for value in (2, (3, 2), (1, 16, 1, 8)):
        assert HIDDEN.parse(HIDDEN.format(value)) == value
    assert HIDDEN.format((3, 2)) == "3,2"


@pytest.mark.parametrize(("value", "message"), [
    ("0", "1 to 16 units"), ("17", "1 to 16 units"), ("3,0", "1 to 16 units"),
    ("1,2,3,4,5", "1 to 4 hidden layers"), ("a,b", "'a' is not a whole number"),
    ("", "expected hidden-layer widths"), ("2.5", "not a whole number"),
    ([], "1 to 4 hidden layers"),
])
def test_bad_hidden_values_say_what_is_wrong(value: object, message: str, cli: Cli) -> None:
    with pytest.raises(UserError, match=message):
        HIDDEN.parse(value)
    if isinstance(value, str):
        code, out, err = cli("run", "--hidden", value, "--epochs", "1", "--no-save")
        assert code == 2 and out == "" and err.startswith("nntui: error: --hidden")
        assert len(err.strip().splitlines()) == 1 and message in err


def test_a_config_cannot_hold_a_bad_width_either() -> None:
    with pytest.raises(UserError, match="1 to 16 units"):
        ExperimentConfig().replace(hidden=(3, 17))


def test_sweeps_split_single_widths_by_commas_and_width_lists_by_semicolons() -> None:
    assert alternatives("hidden", "1,3") == ["1", "3"]  # two one-layer networks, as ever
    assert alternatives("hidden", "3,2;4,4") == ["3,2", "4,4"]
    assert alternatives("hidden", "3,2;") == ["3,2"]
    configs = grid(ExperimentConfig(), {"hidden": ["3,2", 2, [4, 4, 1]]})
    assert [c.hidden for c in configs] == [(3, 2), 2, (4, 4, 1)]


def test_deep_names_in_set_and_toml(tmp_path: Path, run_json: Callable[..., dict]) -> None:
    doc = run_json("--hidden", "3,2", "--epochs", "2", "--no-save",
                   "--set", "W2[1,2]=0.5,b1[3]=-0.25,W3[1,1]=2")
    start = doc["initial_params"]
    assert (start["W2[1,2]"], start["b1[3]"], start["W3[1,1]"]) == (0.5, -0.25, 2.0)
    assert doc["config"]["set"] == {"W2[1,2]": 0.5, "b1[3]": -0.25, "W3[1,1]": 2.0}
    saved = tmp_path / "deep.toml"
    run_json("--hidden", "3,2", "--epochs", "1", "--no-save", "--set", "W2[1,2]=0.5",
             "--save-config", str(saved))
    text = saved.read_text()
    assert "hidden = [" in text and '"W2[1,2]" = 0.5' in text
    cfg = load_toml(str(saved))
    assert cfg.hidden == (3, 2) and cfg.set == {"W2[1,2]": 0.5}
    written = tmp_path / "written.toml"
    written.write_text('hidden = [2, 2, 1]\n[set]\n"W3[1,2]" = -1.5\n')
    assert run_json("--config", str(written), "--epochs", "1", "--no-save")[
        "initial_params"]["W3[1,2]"] == -1.5


def test_a_flat_name_on_a_deep_network_is_refused_with_the_valid_names(cli: Cli) -> None:
    code, _, err = cli("run", "--hidden", "3,2", "--set", "w1=1", "--no-save")
    assert code == 2 and "no parameter 'w1'" in err and "W1[1,1]..W3[1,2]" in err
    assert "b1[1]..b3[1]" in err


def test_run_json_on_a_deep_network(run_json: Callable[..., dict]) -> None:
    doc = run_json("--hidden", "3,2", "--activation", "tanh", "--epochs", "4", "--no-save")
    assert doc["status"] == "ok" and len(doc["history"]["train_loss"]) == 4
    assert doc["config"]["hidden"] == [3, 2]
    assert doc["network"] == {"inputs": 2, "hidden": 3, "layers": [3, 2], "shape": "2-3-2-1",
                              "activation": "tanh"}
    exp = Experiment.build(ExperimentConfig(hidden=(3, 2), activation="tanh", epochs=4))
    exp.run()
    assert list(doc["params"]) == exp.arch.names and doc["params"] == exp.trainer.params
    validate_document(doc, "deep run")  # a saved deep run loads again


def test_step_shows_each_layer_by_name(cli: Cli) -> None:
    args = ("--hidden", "3,2", "--activation", "tanh", "--init", "xavier", "--sample", "2")
    code, out, err = cli("step", "--json", *args)
    assert code == 0, err
    doc = json.loads(out)
    exp = Experiment.build(ExperimentConfig(hidden=(3, 2), activation="tanh", init="xavier"))
    t = exp.trainer.peek(2).traces[0]
    assert doc["forward"]["z2[1]"] == t.layers[1].z[0] and doc["forward"]["h1[3]"] == t.h[2]
    assert doc["chain"]["dL/dz1[2]"] == t.layers[0].dl_dz[1]
    assert doc["chain"]["dL/dh1[2]"] == t.layers[0].dl_dh[1]
    assert list(doc["gradients"]) == exp.arch.names and list(doc["gradients"].values()) == \
        t.grads
    assert set(doc["numeric_check"].values()) == {"agree"}  # tanh: no kink
    assert [f["factor"] for f in doc["chain_rule"]["dL/dW2[1,3]"]] == [
        "dL/dz2[1]", "dz2[1]/dW2[1,3]"]
    code, out, _ = cli("step", *args)
    assert code == 0
    for line in ("z2[1] = W2[1,1]*h1[1] + W2[1,2]*h1[2] + W2[1,3]*h1[3] + b2[1] = ",
                 "dL/dh1[1] = W2[1,1]*dL/dz2[1] + W2[2,1]*dL/dz2[2] = ",
                 "dL/dz2[2] = dL/dh2[2] * tanh'(z2[2]) = ", "y_hat = W3[1,1]*h2[1]",
                 "layer 2: z2[1]="):
        assert line in out
    assert all(f"\n  {name} = " in out for name in exp.arch.names)  # every update


async def test_the_app_takes_layer_widths_and_deep_names() -> None:
    app = make_app()
    async with running(app, (80, 24)) as pilot:
        await edit(pilot, "hidden", "3,2")
        await settle(pilot)
        assert app.session.trainer.arch.shape == "2-3-2-1" and field(app, "hidden").text == "3,2"
        assert field(app, "param:W2[1,3]").text == "-0.45"
        await edit(pilot, "param:W2[1,3]", "0.75")
        assert app.session.config.set == {"W2[1,3]": 0.75}
        assert app.session.trainer.theta0[app.session.trainer.arch.weight(1, 0, 2)] == 0.75
        app.set_focus(None)  # the keys go to the app, not the field just edited
        await pilot.press("i")
        await settle(pilot)
        shown = plain(app.screen.query_one("#layer-pages LayerPage.-current"))
        assert "δ1[1] = (W2[1,1]·δ2[1] + W2[2,1]·δ2[2]) · relu'(z1[1])" in shown
        assert "W2[1,3]" in shown


def test_a_kink_in_a_layer_above_is_named_by_the_finite_difference_check() -> None:
    """z2[1] sits 1e-9 above 0: moving W1[1,1] by ±1e-5 opens and closes that gate, so the
    central difference averages two slopes; the check says so instead of 'differ'."""
    from nntui.lab.worked import worked_step

    exp = Experiment.build(ExperimentConfig(hidden=(1, 1), init="ones", test_size=0.0))
    t = exp.trainer
    x = list(t.x_train[0])
    theta = t.theta0.copy()
    z1 = theta[0] * x[0] + theta[1] * x[1] + theta[4]
    theta[5] = 1e-9 - theta[2] * z1  # b2[1]: z2[1] = W2[1,1] * h1[1] + b2[1] = 1e-9
    t.theta0 = theta
    t.reset()
    ws = worked_step(exp, t.peek(0))
    assert 0.0 < ws.trace.layers[1].z[0] < 1e-8
    check = ws.check(exp.arch.names.index("W1[1,1]"))
    assert check.status == "kink" and "z2[1]" in check.note

