"""The forward and backward pass and the activation specifications.

Finite differences, a hand-worked sample, naming, stable derivatives, unknown names.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.engine import naming
from nntui.engine.activations import ACTIVATIONS, Activation, activation, chain
from nntui.engine.fastloop import compile_epoch
from nntui.engine.network import Architecture, activate, derivative, mean_gradient
from nntui.errors import UserError


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
    traces = [arch.trace(theta, list(r), float(v)) for r, v in zip(x, y)]
    mean = np.mean([t.grads for t in traces], axis=0)
    assert np.allclose(mean_gradient(traces), mean, rtol=1e-12, atol=1e-14)
    # Summed in row order, then divided: a single row's gradient comes back unchanged.
    by_hand = [sum(g, start=-0.0) / m for g in zip(*[t.grads for t in traces])]
    assert mean_gradient(traces) == by_hand
    assert mean_gradient(traces[:1]) == traces[0].grads


@settings(max_examples=30, deadline=None, derandomize=True)
@given(n=st.integers(1, 4), k=st.integers(1, 4), act=st.sampled_from(ACTIVATIONS),
       seed=st.integers(0, 2**31), rows=st.integers(1, 9), scale=st.sampled_from([1.0, 40.0]))
def test_forward_and_mean_loss_follow_the_trace_bit_for_bit(
    n: int, k: int, act: str, seed: int, rows: int, scale: float
) -> None:
    """The vectorised pass makes the trace's operations (no BLAS): the same bits per row,
    and the mean loss sums the rows in order (the compiled kernel's order)."""
    arch = Architecture(n, k, act)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, scale, arch.n_params)
    x, y = rng.uniform(-1, 1, (rows, n)), rng.uniform(-1, 1, rows)
    traces = [arch.trace(theta, list(r), float(v)) for r, v in zip(x, y)]
    z, h, y_hat = arch.forward(theta, x)
    assert z.tolist() == [t.z for t in traces] and h.tolist() == [t.h for t in traces]
    assert y_hat.tolist() == [t.y_hat for t in traces]
    total = traces[0].loss
    for t in traces[1:]:
        total += t.loss
    assert arch.mean_loss(theta, x, y) == total / rows


# -- the activation specifications ------------------------------------------------------
def test_activation_names_come_from_the_specifications() -> None:
    assert ACTIVATIONS == ("relu", "sigmoid", "tanh", "linear")
    assert naming.ACTIVATIONS is ACTIVATIONS
    assert [activation(a).name for a in ACTIVATIONS] == list(ACTIVATIONS)
    assert [activation(a).sklearn_name for a in ACTIVATIONS] == [
        "relu", "logistic", "tanh", "identity"]


def test_unknown_activation_is_a_user_error_everywhere() -> None:
    with pytest.raises(UserError, match="relu, sigmoid, tanh, linear"):
        activation("swish")
    with pytest.raises(UserError, match="swish"):
        Architecture(2, 2, "swish")
    with pytest.raises(UserError):
        activate("Relu", 1.0)  # names are exact: no silent fallback to linear
    with pytest.raises(UserError):
        derivative("", 1.0)
    # Even an Architecture whose name was changed behind the constructor's back.
    arch = Architecture(2, 2)
    object.__setattr__(arch, "activation", "swish")
    theta = np.zeros(arch.n_params)
    with pytest.raises(UserError):
        arch.trace(theta, [0.0, 0.0], 0.0)
    with pytest.raises(UserError):
        arch.predict(theta, np.zeros((1, 2)))
    with pytest.raises(UserError):
        compile_epoch(arch)


def exact_sigmoid_prime(z: int) -> float:
    getcontext().prec = 50
    e = (-Decimal(abs(z))).exp()
    return float(e / (1 + e) ** 2)


def test_sigmoid_derivative_is_exact_under_saturation() -> None:
    g = activation("sigmoid").derivative
    assert math.isclose(g(30.0), 9.357622968839299e-14, rel_tol=1e-12)
    assert g(-30.0) == g(30.0)
    for z in (20, 37, 100, 700):
        assert math.isclose(g(float(z)), exact_sigmoid_prime(z), rel_tol=1e-14)
    # h(1 - h) would give 0 here: h rounds to 1.
    assert g(40.0) > 0.0 and activation("sigmoid").value(40.0) == 1.0
    for far in (800.0, -800.0, math.inf, -math.inf):
        assert g(far) == 0.0  # underflows to 0, never NaN


def test_tanh_derivative_is_exact_under_saturation() -> None:
    g = activation("tanh").derivative
    assert math.isclose(g(25.0), 4.0 * math.exp(-50.0), rel_tol=1e-12)  # 1 - h^2 gives 0
    assert g(-25.0) == g(25.0) and g(0.0) == 1.0
    for z in (400.0, -400.0, math.inf, -math.inf):
        assert g(z) == 0.0


@settings(max_examples=200, deadline=None)
@given(act=st.sampled_from(ACTIVATIONS), z=st.floats(-15.0, 15.0))
def test_derivative_matches_finite_differences(act: str, z: float) -> None:
    spec = activation(act)
    if act == "relu" and abs(z) < 1e-3:
        return  # the kink
    eps = 1e-6
    numeric = (spec.value(z + eps) - spec.value(z - eps)) / (2 * eps)
    assert math.isclose(spec.derivative(z), numeric, rel_tol=1e-6, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(act=st.sampled_from(ACTIVATIONS), z=st.floats(-40.0, 40.0))
def test_derivative_agrees_with_the_h_formula_where_that_is_accurate(act: str,
                                                                     z: float) -> None:
    spec, h = activation(act), activation(act).value(z)
    from_h = {"relu": 1.0 if z > 0 else 0.0, "sigmoid": h * (1 - h), "tanh": 1 - h * h,
              "linear": 1.0}[act]
    assert math.isclose(spec.derivative(z), from_h, rel_tol=1e-9, abs_tol=1e-15)


SPECIAL = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 3.0, -3.0, 30.0, -30.0, 800.0, -800.0,
           1e308, -1e308, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_array_functions_match_the_scalar_ones(act: str) -> None:
    spec = activation(act)
    z = np.array(SPECIAL + list(np.linspace(-20, 20, 81)))
    with np.errstate(all="raise"):
        values, slopes = spec.array_value(z), spec.array_derivative(z)
    # Bit for bit: the array forms call the C library's exp and tanh, as the scalar ones.
    assert [bits(v) for v in values] == [bits(spec.value(float(v))) for v in z]
    assert [bits(v) for v in slopes] == [bits(spec.derivative(float(v))) for v in z]


def bits(v: float) -> bytes:
    """The exact value, signed zeros included; every NaN alike.

    Which NaN x86 returns from two NaN operands depends on the operand order CPython's C
    code happens to use (it differs between the generic and the specialised float ops), so
    a NaN's sign is not reproducible. A NaN never reaches the parameters: it is divergence.
    """
    return b"nan" if math.isnan(v) else struct.pack("<d", v)


def template_function(spec: Activation) -> object:
    """The spec's fast-loop lines as a function (z, dlh) -> (h, dz)."""
    lines = [line.format(z="z", h="h", gp="gp", e="e") for line in spec.code]
    lines.append(spec.chain_code.format(dz="dz", dlh="dlh", z="z", gp="gp"))
    source = "def f(z, dlh):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh}
    exec(source + "    return h, dz\n", namespace)  # noqa: S102
    return namespace["f"]


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_code_templates_perform_the_scalar_operations_bit_for_bit(act: str) -> None:
    """The fast loop's lines give exactly h = g(z) and dz = chain(dlh, g'(z))."""
    spec = activation(act)
    f = template_function(spec)
    for z in SPECIAL:
        for dlh in (1.5, -0.25, 0.0, -0.0, 1e308, math.inf, -math.inf, math.nan):
            h, dz = f(z, dlh)  # type: ignore[operator]
            assert bits(h) == bits(spec.value(z))
            assert bits(dz) == bits(chain(dlh, spec.derivative(z)))


def test_closed_gate_passes_zero_even_when_dl_dh_is_infinite() -> None:
    arch = Architecture(1, 1, "relu")
    t = arch.trace([-1.0, 1e308, 0.0, 1.0], [1.0], 0.0)  # z = -1, dL/dh = 2 * 1e308 = inf
    assert t.dl_dh == [math.inf] and t.dh_dz == [0.0]
    assert t.dl_dz == [0.0] and t.grads[0] == 0.0 and t.grads[2] == 0.0
