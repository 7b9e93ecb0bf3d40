"""The forward and backward pass: finite differences, a hand-worked sample, naming."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.engine.naming import ACTIVATIONS
from nntui.engine.network import Architecture


def test_names_follow_the_notebook_for_2_2_1() -> None:
    arch = Architecture(2, 2)
    assert arch.names == ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]
    assert [arch.input_weight(0, 0), arch.input_weight(0, 1)] == [0, 1]  # w1, w2 -> unit 1
    assert [arch.input_weight(1, 0), arch.input_weight(1, 1)] == [2, 3]  # w3, w4 -> unit 2
    assert [arch.output_weight(0), arch.output_weight(1)] == [4, 5]  # w5, w6
    assert [arch.hidden_bias(0), arch.hidden_bias(1), arch.output_bias] == [6, 7, 8]


def test_general_naming_3_inputs_4_hidden() -> None:
    arch = Architecture(3, 4)
    names = arch.names
    assert len(names) == 3 * 4 + 4 + 5
    assert names[arch.input_weight(1, 2)] == "w6"  # unit 2 has w4..w6
    assert names[arch.output_weight(0)] == "w13" and names[arch.output_bias] == "b5"


def test_hand_worked_sample() -> None:
    """x = (1, 0.5), y = 0.8 with the notebook preset, all arithmetic written out."""
    arch = Architecture(2, 2, "relu")
    theta = [0.5, -0.3, 0.2, 0.4, 0.6, -0.1, 0.1, 0.1, 0.0]
    t = arch.trace(theta, [1.0, 0.5], 0.8)
    assert math.isclose(t.z[0], 0.5 * 1 + (-0.3) * 0.5 + 0.1)  # 0.45
    assert math.isclose(t.z[1], 0.2 * 1 + 0.4 * 0.5 + 0.1)  # 0.5
    assert t.h == t.z  # both gates open
    assert math.isclose(t.y_hat, 0.6 * 0.45 + (-0.1) * 0.5 + 0.0)  # 0.22
    assert math.isclose(t.loss, (0.22 - 0.8) ** 2)  # 0.3364
    assert math.isclose(t.dl_dyhat, -1.16)
    assert np.allclose(t.dl_dh, [-1.16 * 0.6, -1.16 * -0.1])  # -0.696, 0.116
    expected = [-0.696, -0.348, 0.116, 0.058, -1.16 * 0.45, -1.16 * 0.5, -0.696, 0.116, -1.16]
    assert np.allclose(t.grads, expected, rtol=0, atol=1e-15)


def test_closed_relu_gate_has_zero_gradient() -> None:
    arch = Architecture(2, 2, "relu")
    theta = [0.5, -0.3, 0.2, 0.4, 0.6, -0.1, 0.1, 0.1, 0.0]
    t = arch.trace(theta, [0.0, 1.0], 0.3)  # z1 = -0.3 + 0.1 = -0.2
    assert t.z[0] < 0 and t.h[0] == 0.0 and t.dh_dz[0] == 0.0
    assert t.grads[0] == t.grads[1] == t.grads[6] == 0.0


def test_relu_derivative_at_zero_is_zero() -> None:
    arch = Architecture(1, 1, "relu")
    t = arch.trace([1.0, 1.0, -1.0, 0.0], [1.0], 2.0)  # z = 1 - 1 = 0 exactly
    assert t.z == [0.0] and t.dh_dz == [0.0] and t.grads[0] == 0.0


def test_predict_matches_trace() -> None:
    arch = Architecture(3, 4, "tanh")
    rng = np.random.default_rng(1)
    theta = rng.normal(size=arch.n_params)
    x = rng.random((5, 3))
    pred = arch.predict(theta, x)
    for row, p in zip(x, pred):
        assert math.isclose(arch.trace(theta, list(row), 0.0).y_hat, p, rel_tol=1e-12)


def test_sigmoid_does_not_overflow() -> None:
    arch = Architecture(1, 1, "sigmoid")
    t = arch.trace([1000.0, 1.0, 0.0, 0.0], [-1.0], 0.0)
    assert t.h == [0.0] and math.isfinite(t.loss)
    assert np.all(np.isfinite(arch.predict(np.array([1e4, 1.0, 0.0, 0.0]), np.array([[-1.0]]))))


floats = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 4),
    k=st.integers(1, 4),
    act=st.sampled_from(ACTIVATIONS),
    seed=st.integers(0, 2**31),
)
def test_gradients_match_central_differences(n: int, k: int, act: str, seed: int) -> None:
    arch = Architecture(n, k, act)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, arch.n_params)
    x = list(rng.uniform(-1, 1, n))
    y = float(rng.uniform(-1, 1))
    t = arch.trace(theta, x, y)
    if act == "relu" and min(abs(z) for z in t.z) < 1e-3:
        return  # too close to a kink for a finite difference to be meaningful
    numeric = arch.numeric_gradient(theta, x, y)  # eps 1e-5: rounding and truncation balance
    for analytic, num in zip(t.grads, numeric):
        scale = max(abs(analytic), abs(num), 1e-3)
        assert abs(analytic - num) / scale < 1e-6


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), k=st.integers(1, 3), act=st.sampled_from(ACTIVATIONS),
       seed=st.integers(0, 2**31), m=st.integers(1, 6))
def test_batch_gradient_is_mean_of_sample_gradients(n: int, k: int, act: str, seed: int,
                                                    m: int) -> None:
    arch = Architecture(n, k, act)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, arch.n_params)
    x, y = rng.uniform(-1, 1, (m, n)), rng.uniform(-1, 1, m)
    mean = np.mean([arch.trace(theta, list(r), float(v)).grads for r, v in zip(x, y)], axis=0)
    assert np.allclose(arch.batch_gradient(theta, x, y), mean, rtol=1e-12, atol=1e-14)
