"""Networks with several hidden layers: names, the chain rule layer by layer, every training
path bit for bit, presets, and scikit-learn from the same start."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntui.engine import kernel
from nntui.engine.activations import ACTIVATIONS
from nntui.engine.initialization import initial_params
from nntui.engine.naming import PRESETS, param_names
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.framework import train_sklearn

PATHS = [False, True] if kernel.BUILT is not None else [False]

widths = st.lists(st.integers(1, 8), min_size=1, max_size=4).map(tuple)
activations = st.sampled_from(ACTIVATIONS)


def test_names_read_as_layer_unit_input() -> None:
    arch = Architecture.of(2, (3, 2))
    names = arch.names
    assert arch.shape == "2-3-2-1" and arch.n_params == 2 * 3 + 3 * 2 + 2 + 3 + 2 + 1 == 20
    assert names[:3] == ["W1[1,1]", "W1[1,2]", "W1[2,1]"]
    assert names[arch.weight(1, 0, 2)] == "W2[1,3]"  # layer 2, into unit 1, from h1[3]
    assert names[arch.output_weight(1)] == "W3[1,2]" and names[arch.output_bias] == "b3[1]"
    assert names[arch.hidden_bias(2)] == "b1[3]" and names[arch.bias(1, 1)] == "b2[2]"
    assert names == param_names(2, (3, 2)) and len(set(names)) == len(names)
    # one hidden layer keeps the notebook's names and order, whichever way it is written
    assert Architecture.of(2, (2,)) == Architecture(2, 2)
    assert Architecture.of(2, 2).names == ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2",
                                           "b3"]


def test_a_hand_worked_deep_sample() -> None:
    """2-1-1-1 linear, every number by hand: z1 = 2*1 + 3*2 + 1 = 9, z2 = 0.5*9 - 1 = 3.5,
    y_hat = 2*3.5 + 0 = 7, y = 5: dL/dy_hat = 4, δ2 = 2*4 = 8, δ1 = 0.5*8 = 4."""
    arch = Architecture.of(2, (1, 1), "linear")
    assert arch.names == ["W1[1,1]", "W1[1,2]", "W2[1,1]", "W3[1,1]", "b1[1]", "b2[1]",
                          "b3[1]"]
    t = arch.trace([2.0, 3.0, 0.5, 2.0, 1.0, -1.0, 0.0], [1.0, 2.0], 5.0)
    assert [lt.z for lt in t.layers] == [[9.0], [3.5]] and t.y_hat == 7.0 and t.loss == 4.0
    assert [lt.dl_dz for lt in t.layers] == [[4.0], [8.0]] and t.dl_dyhat == 4.0
    assert t.grads == [4.0, 8.0, 72.0, 14.0, 4.0, 8.0, 4.0]  # δ times the input it multiplies
    assert t.z == [9.0, 3.5] and t.dl_dz == [4.0, 8.0]  # the flat lists, layer 1 first


@settings(max_examples=25)
@given(widths, activations, st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_trace_gradient_matches_finite_differences(hidden: tuple[int, ...], act: str,
                                                   n_inputs: int, seed: int) -> None:
    arch = Architecture.of(n_inputs, hidden, act)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 0.7, arch.n_params)
    x, y = list(rng.uniform(-1, 1, n_inputs)), float(rng.uniform(-1, 1))
    t = arch.trace(theta, x, y)
    if act == "relu":  # a central difference across the kink averages two slopes
        assume(min(abs(z) for z in t.z) > 1e-3)
    numeric = arch.numeric_gradient(theta, x, y)
    for k, (a, n) in enumerate(zip(t.grads, numeric)):
        assert math.isclose(a, n, rel_tol=1e-5, abs_tol=1e-8), (arch.names[k], a, n)


@settings(max_examples=25)
@given(widths, activations, st.integers(0, 2**32 - 1))
def test_forward_equals_the_trace_bit_for_bit(hidden: tuple[int, ...], act: str,
                                              seed: int) -> None:
    arch = Architecture.of(2, hidden, act)
    rng = np.random.default_rng(seed)
    theta, x = rng.normal(0.0, 2.0, arch.n_params), rng.uniform(-3, 3, (5, 2))
    traces = [arch.trace(theta, list(r), 0.0) for r in x]
    z, h, y_hat = arch.forward(theta, x)
    assert z.tolist() == [t.z for t in traces] and h.tolist() == [t.h for t in traces]
    assert y_hat.tolist() == [t.y_hat for t in traces]
    zs, hs, _ = arch.layer_values(theta, x)
    for layer, (zl, hl) in enumerate(zip(zs, hs)):
        assert zl.tolist() == [t.layers[layer].z for t in traces]
        assert hl.tolist() == [t.layers[layer].h for t in traces]
    assert arch.mean_loss(theta, x, np.zeros(5)) == sum(t.loss for t in traces) / 5


def trainers(arch: Architecture, theta0: np.ndarray, data_seed: int,
             **kw: object) -> list[Trainer]:
    rng = np.random.default_rng(data_seed)
    x, y = rng.uniform(0, 1, (13, arch.n_inputs)), rng.uniform(0, 1, 13)
    return [Trainer(arch, theta0, x[:10], y[:10], x[10:], y[10:], compiled=c,
                    **kw) for c in PATHS]  # type: ignore[arg-type]


@settings(max_examples=20)
@given(widths, activations, st.sampled_from([1, 3]), st.booleans(),
       st.sampled_from([0.05, 0.5, 40.0]), st.integers(0, 2**32 - 1))
def test_step_fast_and_kernel_paths_agree_bit_for_bit(
        hidden: tuple[int, ...], act: str, batch: int, shuffle: bool, lr: float,
        seed: int) -> None:
    """Three epochs on every path; lr 40 with large weights usually diverges, and every
    path must stop at the same update with the same last finite parameters."""
    arch = Architecture.of(2, hidden, act)
    theta0 = np.random.default_rng(seed).normal(0.0, 3.0 if lr > 1 else 0.7, arch.n_params)
    kw = {"lr": lr, "batch_size": batch, "shuffle": shuffle, "seed": seed % 7}
    fast = trainers(arch, theta0, seed, **kw)
    stepped = trainers(arch, theta0, seed, **kw)[0]
    for t in fast:
        for _ in range(3):
            t.epoch()
    while stepped.epochs_done < 3 and not stepped.diverged:
        stepped.step()
    for t in fast:
        assert t.theta.tobytes() == stepped.theta.tobytes()
        assert t.train_loss == stepped.train_loss and t.test_loss == stepped.test_loss
        assert (t.diverged_at, t.updates, t.pos) == (
            stepped.diverged_at, stepped.updates, stepped.pos)
    assert [t.path for t in fast] == ["python", "compiled"][: len(PATHS)]


@pytest.mark.parametrize("compiled", PATHS)
def test_undo_restores_a_deep_network(compiled: bool) -> None:
    arch = Architecture.of(2, (4, 3, 2), "tanh")
    t = trainers(arch, initial_params(arch, "xavier", 1), 1, lr=0.1)[int(compiled)]
    start = t.theta.copy()
    t.step()
    t.epochs(3, 0.0)
    assert t.epochs_done == 1 and not np.array_equal(t.theta, start)
    while t.undo():
        pass
    assert t.theta.tobytes() == start.tobytes() and t.epochs_done == 0 and t.updates == 0


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_fills_every_layer(preset: str) -> None:
    arch = Architecture.of(3, (4, 2, 5))
    theta = initial_params(arch, preset, 3)
    assert theta.shape == (arch.n_params,) and np.all(np.isfinite(theta))
    layers = arch.layer_params(theta)
    assert all(np.any(w != 0.0) for w, _ in layers)  # no layer left at zero
    if preset in ("xavier", "he"):
        assert all(np.all(b == 0.0) for _, b in layers)
        fan_in = 2  # layer 3 (4 -> 2 -> 5): its weights are drawn for a fan-in of 2
        bound = math.sqrt(6.0 / (fan_in + 5)) if preset == "xavier" else math.inf
        assert np.all(np.abs(layers[2][0]) <= bound)
    if preset == "notebook":
        assert [b.tolist() for _, b in layers] == [[0.1] * 4, [0.1] * 2, [0.1] * 5, [0.0]]


@pytest.mark.skipif(kernel.BUILT is None, reason=f"kernel {kernel.REASON}")
def test_the_kernel_takes_the_deeper_layers_and_refuses_bad_ones() -> None:
    k = kernel.BUILT
    assert k is not None
    arch = Architecture.of(2, (3, 2, 4), "sigmoid")
    rng = np.random.default_rng(0)
    theta, x, y = rng.normal(0, 1, arch.n_params), rng.random((6, 2)), rng.random(6)
    deeper = np.array(arch.deeper, dtype=np.int64)
    assert k.mean_loss(theta, x, y, 2, 3, 1, deeper) == arch.mean_loss(theta, x, y)
    for bad in (np.array([2], dtype=np.int64), np.array([2, 0], dtype=np.int64),
                np.zeros(9, dtype=np.int64)):
        with pytest.raises(ValueError):
            k.mean_loss(theta, x, y, 2, 3, 1, bad)


@pytest.mark.parametrize(("hidden", "activation", "batch"),
                         [((3, 2), "relu", 1), ((3, 2), "tanh", 4), ((2, 4, 3), "sigmoid", 1)])
def test_matches_mlpregressor_layer_by_layer(hidden: tuple[int, ...], activation: str,
                                             batch: int) -> None:
    cfg = ExperimentConfig(hidden=hidden, activation=activation, init="xavier", lr=0.05,
                           epochs=5, batch_size=batch)
    exp = Experiment.build(cfg)
    t = exp.trainer
    ref = train_sklearn(exp.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                        cfg.lr, cfg.epochs, batch_size=batch)
    exp.run()
    assert t.epochs_done == 5 and len(ref.train_loss) == 5
    assert np.max(np.abs(ref.theta - t.theta)) < 1e-9
    assert np.allclose(ref.train_loss, t.train_loss, rtol=0, atol=1e-9)
    assert np.max(np.abs(t.theta - t.theta0)) > 1e-2  # it really trained
