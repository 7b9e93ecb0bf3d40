"""The fit view's numbers (lab/fit.py) against the engine's forward pass."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nntui.lab import fit
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment


def trained(epochs: int = 30, **cfg: object) -> Experiment:
    exp = Experiment.build(ExperimentConfig(**cfg))  # type: ignore[arg-type]
    exp.trainer.epochs(epochs, 10.0)
    return exp


@pytest.mark.parametrize("scale", ["minmax", "standard", "none"])
def test_scatter_is_the_forward_pass_of_every_row(scale: str) -> None:
    exp = trained(scale=scale)
    ds, theta = exp.dataset, exp.trainer.theta
    for scaled in (False, True):
        s = fit.scatter(exp, scaled=scaled)
        for part in ("train", "test"):
            x, y = ds.part(part)
            pred = exp.arch.forward(theta, x)[2]
            if scaled:
                assert s.actual[part].tobytes() == y.tobytes()
                assert s.predicted[part].tobytes() == pred.tobytes()
            else:
                assert s.actual[part].tobytes() == ds.raw(part)[1].tobytes()
                assert s.predicted[part].tobytes() == ds.y_scaler.inverse(pred).tobytes()


def test_a_large_table_is_thinned_evenly_and_keeps_its_last_row() -> None:
    exp = trained(epochs=1, rows=1000)
    s = fit.scatter(exp, limit=50)
    keep = fit.evenly(800, 50)
    assert len(s.actual["train"]) == len(keep) <= 50 and keep[-1] == 799
    assert s.actual["train"].tolist() == exp.dataset.raw("train")[1][keep].tolist()


def test_the_curve_is_the_forward_pass_with_the_other_inputs_at_their_median() -> None:
    exp = trained(**{"n1_range": (0, 20), "n2_range": (0, 50)})
    ds, theta = exp.dataset, exp.trainer.theta
    c = fit.along_input(exp, 0, points=31)
    x_train = ds.raw("train")[0]
    n2 = float(np.median(x_train[:, 1]))
    assert c.held == {"n2": n2} and c.input_name == "n1" and c.units == "original"
    n1 = np.linspace(ds.table.x[:, 0].min(), ds.table.x[:, 0].max(), 31)
    inputs = ds.x_scaler.transform(np.column_stack([n1, np.full(31, n2)]))
    pred = exp.arch.forward(theta, inputs)[2]
    assert c.x.tolist() == n1.tolist()
    assert c.y_hat.tobytes() == ds.y_scaler.inverse(pred).tobytes()
    scaled = fit.along_input(exp, 0, scaled=True, points=31)
    assert scaled.y_hat.tobytes() == pred.tobytes()
    assert scaled.x.tobytes() == inputs[:, 0].tobytes()


def test_the_parts_are_each_units_product_and_add_up_to_y_hat() -> None:
    exp = trained(hidden=3)
    c = fit.along_input(exp, 1, scaled=True)
    assert list(c.parts) == ["w7·h1", "w8·h2", "w9·h3", "b4"]
    h = exp.arch.forward(exp.trainer.theta, fit.medians(exp.dataset)[None, :])[1]
    assert h.shape == (1, 3)
    # scaled: the very products the forward pass sums, in its order
    total = c.parts["w7·h1"] + c.parts["w8·h2"] + c.parts["w9·h3"] + c.parts["b4"]
    assert total.tobytes() == c.y_hat.tobytes()
    original = fit.along_input(exp, 1)
    assert np.allclose(sum(original.parts.values()), original.y_hat, rtol=1e-12, atol=1e-9)


def test_a_dead_unit_contributes_a_flat_line() -> None:
    """Unit 2 never fires (z2 = -1 for every input): its part is 0 along every input,
    before and after training, while unit 1's part varies."""
    exp = trained(set={"w3": 0.0, "w4": 0.0, "b2": -1.0})
    assert exp.arch.inactive_share(exp.trainer.theta, exp.dataset.part("train")[0])[1] == 1.0
    for index in (0, 1):
        for scaled in (False, True):
            c = fit.along_input(exp, index, scaled=scaled)
            assert np.all(c.parts["w6·h2"] == 0.0)
            assert np.ptp(c.parts["w5·h1"]) > 0
            assert np.ptp(c.parts["b3"]) == 0


def test_the_target_function_of_generated_data_is_its_noise_free_mean() -> None:
    quiet = Experiment.build(ExperimentConfig(noise_range=(0.0, 0.0)))
    x, y = quiet.dataset.table.x, quiet.dataset.table.y
    known = fit.target_function(quiet, x)
    assert known is not None and known[1] == "target n1²+n2"
    assert known[0].tolist() == y.tolist()  # no noise: the generator's own values
    noisy = Experiment.build(ExperimentConfig(noise_range=(0.0, 2.0)))
    shifted = fit.target_function(noisy, x)
    assert shifted is not None and "+1 (mean noise)" in shifted[1]
    assert (shifted[0] - known[0]).tolist() == [1.0] * len(y)
    c = fit.along_input(noisy, 0, scaled=True)
    assert c.target is not None
    table = replace(noisy.config, dataset="diabetes")  # a table has no known function
    noisy.config = table
    assert fit.target_function(noisy, x) is None and fit.along_input(noisy, 0).target is None


@pytest.mark.parametrize("hidden", [(3, 2), (2, 3, 2)])
def test_a_deeper_network_splits_into_its_last_hidden_layers_units(
        hidden: tuple[int, ...]) -> None:
    """Issue 12 trial A1: `--hidden 3,2` then the curve crashed in `unpack`. Each part is
    the output weight times that last-layer unit's h, named by layer, plus the bias."""
    exp = trained(epochs=5, hidden=hidden)
    arch, theta = exp.arch, exp.trainer.theta
    last, depth = len(hidden), len(hidden) + 1
    c = fit.along_input(exp, 0, scaled=True, points=21)
    assert list(c.parts) == [f"W{depth}[1,{j}]·h{last}[{j}]" for j in range(1, hidden[-1] + 1)
                             ] + [f"b{depth}[1]"]
    column = exp.dataset.table.x[:, 0]
    x = exp.dataset.x_scaler.transform(np.column_stack(
        [np.linspace(column.min(), column.max(), 21),
         np.full(21, fit.medians(exp.dataset)[1])]))
    _, hs, y_hat = arch.layer_values(theta, x)
    assert c.y_hat.tobytes() == y_hat.tobytes() == arch.predict(theta, x).tobytes()
    v = theta[[arch.output_weight(j) for j in range(hidden[-1])]]
    for j, name in enumerate(list(c.parts)[:-1]):
        assert c.parts[name].tobytes() == (hs[-1][:, j] * v[j]).tobytes()
    assert np.all(c.parts[f"b{depth}[1]"] == theta[arch.output_bias])
    total = c.parts[list(c.parts)[0]]
    for name in list(c.parts)[1:]:
        total = total + c.parts[name]
    assert total.tobytes() == c.y_hat.tobytes()  # the forward pass's own sum, in its order
    original = fit.along_input(exp, 1)
    assert np.allclose(sum(original.parts.values()), original.y_hat, rtol=1e-12, atol=1e-9)


def test_the_held_inputs_are_in_the_units_of_the_axis() -> None:
    """Trial B9: scaled mode showed the held median in original units beside a scaled
    axis. Scaled: the median as the network sees it (scaled); original: as in the table."""
    exp = trained(epochs=1, **{"n1_range": (0, 20), "n2_range": (10, 50)})
    median = fit.medians(exp.dataset)
    original = fit.along_input(exp, 0)
    scaled = fit.along_input(exp, 0, scaled=True)
    assert original.held == {"n2": float(median[1])}
    assert scaled.held == {"n2": float(exp.dataset.x_scaler.transform(median[None, :])[0, 1])}
    assert 0.0 <= scaled.held["n2"] <= 1.0 < original.held["n2"]
