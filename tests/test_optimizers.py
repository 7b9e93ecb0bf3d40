"""Classification and the optimizers in the engine: gradients, paths, undo, the kernel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntui.engine import kernel
from nntui.engine.losses import loss
from nntui.engine.network import Architecture
from nntui.engine.optimizers import OPTIMIZERS, Settings
from nntui.engine.trainer import Trainer

widths = st.lists(st.integers(1, 8), min_size=1, max_size=4).map(tuple)
activations = st.sampled_from(["relu", "sigmoid", "tanh", "linear"])
tasks = st.sampled_from(["regress", "classify"])
optimizers = st.sampled_from(OPTIMIZERS)


def reference_first_step(opt: Settings, lr: float, theta: np.ndarray, grad: np.ndarray,
                         n_weights: int) -> np.ndarray:
    """The first update written independently (textbook formulas, numpy), from a gradient."""
    g = grad.copy()
    g[:n_weights] += opt.l2 * theta[:n_weights]
    if opt.name == "sgd":
        return theta - lr * g
    if opt.name == "momentum":
        return theta + (-lr * g)  # v0 = 0: v1 = -lr g
    m, v = (1 - opt.beta1) * g, (1 - opt.beta2) * g * g
    m_hat, v_hat = m / (1 - opt.beta1), v / (1 - opt.beta2)
    return theta - lr * m_hat / (np.sqrt(v_hat) + opt.eps)


@settings(max_examples=40)
@given(widths, activations, tasks, optimizers, st.sampled_from([0.0, 0.05]),
       st.integers(0, 2**32 - 1))
def test_first_step_matches_finite_differences(hidden: tuple[int, ...], act: str, task: str,
                                               name: str, l2: float, seed: int) -> None:
    """The chain rule's gradient agrees with central differences of L (cross-entropy from
    z too) and the optimizer's first update is the textbook one applied to it."""
    rng = np.random.default_rng(seed)
    n_inputs = int(rng.integers(1, 4))
    arch = Architecture.of(n_inputs, hidden, act, task)
    theta = rng.normal(0.0, 0.7, arch.n_params)
    x = rng.uniform(-1, 1, (1, n_inputs))
    y = np.array([float(rng.integers(0, 2)) if task == "classify" else rng.uniform(-1, 1)])
    t = arch.trace(theta, list(x[0]), float(y[0]))
    if act == "relu":
        assume(min(abs(z) for z in t.z) > 1e-3)
    numeric = np.array(arch.numeric_gradient(theta, list(x[0]), float(y[0])))
    for k, (a, n) in enumerate(zip(t.grads, numeric)):
        assert math.isclose(a, n, rel_tol=1e-5, abs_tol=1e-8), (arch.names[k], a, n)
    opt = Settings(name, l2=l2, eps=1e-3)  # a large ε: m̂/√v̂ is then smooth in g
    trainer = Trainer(arch, theta, x, y, x[:0], y[:0], lr=0.1, optimizer=opt, compiled=False)
    record = trainer.step()
    assert record is not None
    expected = reference_first_step(opt, 0.1, theta, numeric, arch.n_weights)
    np.testing.assert_allclose(record.params_after, expected, rtol=1e-5, atol=1e-7)


def test_cross_entropy_is_stable_and_its_delta_is_y_hat_minus_y() -> None:
    spec = loss("classify")
    for z in (-800.0, -40.0, -1.0, 0.0, 2.5, 40.0, 800.0):
        for y in (0.0, 1.0):
            y_hat = spec.output(z)
            value = spec.value(z, y)
            assert math.isfinite(value) and value >= 0.0
            assert spec.delta(y_hat, y) == y_hat - y
            if abs(z) < 30:  # where the naive form still has its digits
                naive = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
                assert math.isclose(value, naive, rel_tol=1e-12)
    assert spec.value(800.0, 0.0) == 800.0  # log(1 - σ(800)) would be log(0)
    assert spec.value(-800.0, 1.0) == 800.0


def test_the_output_delta_is_the_chain_of_its_two_factors() -> None:
    """dL/dy_hat * dy_hat/dz = (y_hat - y)/(y_hat(1 - y_hat)) * y_hat(1 - y_hat) = y_hat - y."""
    arch = Architecture.of(2, 2, "tanh", "classify")
    theta = np.linspace(-0.5, 0.6, arch.n_params)
    for y in (0.0, 1.0):
        t = arch.trace(theta, [0.3, -0.7], y)
        dl_dyhat = (t.y_hat - y) / (t.y_hat * (1 - t.y_hat))
        assert math.isclose(dl_dyhat * t.y_hat * (1 - t.y_hat), t.dl_dyhat, rel_tol=1e-12)
        assert t.y_hat == loss("classify").output(t.z_out)


def _data(task: str, rows: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (rows, 2))
    y = (x[:, 0] > x[:, 1]).astype(float) if task == "classify" else x[:, 0] ** 2 + x[:, 1]
    return x, y


@pytest.mark.parametrize("task", ["regress", "classify"])
@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("l2", [0.0, 0.01])
@pytest.mark.parametrize(("batch", "hidden"), [(1, 2), (3, (3, 2))])
def test_step_and_fast_paths_agree_bit_for_bit(task: str, name: str, l2: float,
                                               batch: int, hidden: int | tuple[int, ...]
                                               ) -> None:
    x, y = _data(task)
    arch = Architecture.of(2, hidden, "sigmoid", task)
    theta = np.random.default_rng(1).normal(0, 1, arch.n_params)
    opt = Settings(name, l2=l2)
    fast = Trainer(arch, theta, x, y, x[:4], y[:4], lr=0.05, batch_size=batch, optimizer=opt,
                   shuffle=True, seed=3)
    slow = Trainer(arch, theta, x, y, x[:4], y[:4], lr=0.05, batch_size=batch, optimizer=opt,
                   shuffle=True, seed=3)
    slow.step()  # start mid-epoch: the fast path finishes the epoch from there
    fast.step()
    for _ in range(3):
        fast.epoch()
        while (record := slow.step()) is not None and record.finished_epoch is None:
            pass
    assert fast.theta.tobytes() == slow.theta.tobytes()
    assert fast.train_loss == slow.train_loss and fast.test_loss == slow.test_loss
    assert [list(v) for v in fast.opt_state] == [list(v) for v in slow.opt_state]
    assert fast.updates == slow.updates


def test_plain_sgd_on_regression_still_trains_on_the_kernel() -> None:
    x, y = _data("regress")
    arch = Architecture.of(2, 2)
    plain = Trainer(arch, np.full(arch.n_params, 0.3), x, y, x[:0], y[:0])
    assert plain.kernel_note == "" and plain.path == kernel.PATH
    for task, opt in (("classify", Settings()), ("regress", Settings("adam")),
                      ("regress", Settings(l2=0.1))):
        a = Architecture.of(2, 2, "relu", task)
        t = Trainer(a, np.full(a.n_params, 0.3), x, y, x[:0], y[:0], optimizer=opt)
        assert t.path == "python" and "plain SGD on regression only" in t.kernel_note
        if kernel.BUILT is not None:
            with pytest.raises(RuntimeError, match="plain SGD"):
                Trainer(a, np.full(a.n_params, 0.3), x, y, x[:0], y[:0], optimizer=opt,
                        compiled=True)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_undo_restores_the_optimizer_state_bit_for_bit(name: str) -> None:
    x, y = _data("classify")
    arch = Architecture.of(2, (2, 2), "tanh", "classify")
    t = Trainer(arch, np.linspace(-1, 1, arch.n_params), x, y, x[:0], y[:0], lr=0.1,
                optimizer=Settings(name, l2=0.01))
    t.step()
    t.step()
    saved = (t.theta.tobytes(), [list(v) for v in t.opt_state], t.updates)
    next_step = t.peek()
    t.step()
    t.epoch()
    assert [list(v) for v in t.opt_state] != saved[1]
    assert t.undo() and t.undo()
    assert (t.theta.tobytes(), [list(v) for v in t.opt_state], t.updates) == saved
    again = t.step()
    assert again is not None and again.params_after == next_step.params_after
    assert again.state_after == next_step.state_after


def test_the_step_record_keeps_every_term_of_the_update() -> None:
    x, y = _data("regress")
    arch = Architecture.of(2, 2, "linear")
    theta = np.linspace(-0.4, 0.5, arch.n_params)
    opt = Settings("adam", l2=0.1)
    t = Trainer(arch, theta, x, y, x[:0], y[:0], lr=0.01, optimizer=opt)
    first = t.step()
    second = t.step()
    assert first is not None and second is not None
    step = second.optimizer
    assert step is not None and step.t == 2
    assert step.c1 == 1 - 0.9**2 and step.c2 == 1 - 0.999**2
    for k, term in enumerate(step.terms):
        weight = k < arch.n_weights
        assert term.decay == (0.1 * second.params_before[k] if weight else 0.0)
        assert term.total == (second.grads[k] + term.decay if weight else second.grads[k])
        assert term.state_before == tuple(v[k] for v in first.state_after)
        m, v = term.state_after
        assert term.m_hat == m / step.c1 and term.v_hat == v / step.c2
        assert term.after == second.params_after[k]
