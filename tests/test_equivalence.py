"""Every way to train agrees bit for bit: repeated `step()`, `epoch()` and `epochs()` on the
Python path (the generated fast loop), and the same on the compiled kernel.

Not only on healthy runs: on runs that diverge too. Every path must stop at the same update
of the same epoch and keep the same last finite parameters, with the same epoch losses, so
a student who steps through a blow-up sees exactly what the headless run reported, and a
run's numbers do not depend on whether the kernel was built.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from nntui.engine import kernel
from nntui.engine.naming import ACTIVATIONS
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer


def state(t: Trainer) -> dict[str, object]:
    """Everything training can change, with floats as raw bytes (signed zeros count)."""
    return {
        "theta": t.theta.tobytes(),
        "epochs_done": t.epochs_done,
        "pos": t.pos,
        "updates": t.updates,
        "diverged_at": t.diverged_at,
        "train_loss": np.array(t.train_loss, dtype=float).tobytes(),
        "test_loss": np.array(t.test_loss, dtype=float).tobytes(),
        "lr_history": t.lr_history,
        "order": None if t.order is None else t.order.tolist(),
        "rng": t.rng.bit_generator.state,  # the next epoch's shuffle
    }


#: The compiled path too, where it is built (tests/test_kernel.py fails if it is not).
PATHS = [False, True] if kernel.BUILT is not None else [False]


def by_epochs(t: Trainer, epochs: int) -> Trainer:
    """`run()`: `epochs()` calls, several epochs per call on the compiled path."""
    t.run(epochs)
    return t


def one_epoch_at_a_time(t: Trainer, epochs: int) -> Trainer:
    while t.epochs_done < epochs and not t.diverged:
        t.epoch()
    return t


def by_steps(t: Trainer, epochs: int, limit: int | None = None) -> Trainer:
    """Step until `epochs` epochs are done, the run diverges, or `limit` steps were taken."""
    steps = 0
    while t.epochs_done < epochs and not t.diverged and (limit is None or steps < limit):
        t.step()
        steps += 1
    return t


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 8),
    k=st.integers(1, 8),
    act=st.sampled_from(ACTIVATIONS),
    batch_size=st.sampled_from([1, 2, 1, 3, 1, 4, 50]),  # 50: one batch larger than the data
    rows=st.integers(3, 12),
    n_test=st.integers(0, 3),
    lr=st.floats(-4.0, 1.0).map(lambda e: 10.0**e),  # 1e-4 .. 10: many runs diverge
    weight_scale=st.sampled_from([0.1, 1.0, 3.0, 30.0, 1e3]),
    out_scale=st.sampled_from([0.1, 1.0, 30.0, 1e306]),  # 1e306: dL/dh overflows at once
    dead=st.sampled_from([0.0, 0.5, 1.0]),  # share of hidden units made dead
    zeros=st.booleans(),
    shuffle=st.booleans(),
    epochs=st.integers(1, 4),
    first_steps=st.integers(0, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_epoch_and_steps_agree_bit_for_bit(
    n: int, k: int, act: str, batch_size: int, rows: int, n_test: int, lr: float,
    weight_scale: float, out_scale: float, dead: float, zeros: bool, shuffle: bool,
    epochs: int, first_steps: int, seed: int,
) -> None:
    arch = Architecture(n, k, act)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (rows + n_test, n))
    y = rng.uniform(-1.0, 1.0, rows + n_test) * rng.choice([1.0, 1e3])
    theta0 = rng.normal(0.0, weight_scale, arch.n_params)
    theta0[arch.output_weight(0) : arch.output_weight(k - 1) + 1] *= out_scale / weight_scale
    hidden_bias = theta0[arch.hidden_bias(0) : arch.hidden_bias(k - 1) + 1]
    hidden_bias[rng.random(k) < dead] = -1e6  # z < 0 on every row: a dead ReLU unit
    if zeros:  # exact zeros of both signs
        theta0[rng.random(arch.n_params) < 0.2] = 0.0
        theta0[rng.random(arch.n_params) < 0.2] = -0.0

    def trainer(compiled: bool = False) -> Trainer:
        return Trainer(arch, theta0, x[:rows], y[:rows], x[rows:], y[rows:], lr=lr,
                       batch_size=batch_size, shuffle=shuffle, seed=seed % 1000,
                       compiled=compiled)

    slow = by_steps(trainer(), epochs)
    for compiled in PATHS:
        fast = by_epochs(trainer(compiled), epochs)
        assert state(fast) == state(slow), f"compiled={compiled}"
        assert fast.status == slow.status and fast.divergence_reason == slow.divergence_reason
        assert state(one_epoch_at_a_time(trainer(compiled), epochs)) == state(slow)
        assert state(by_steps(trainer(compiled), epochs)) == state(slow)
        # A few steps first: epoch() then finishes a partial epoch.
        mixed = by_epochs(by_steps(trainer(compiled), epochs, limit=first_steps), epochs)
        assert state(mixed) == state(slow), f"compiled={compiled}"
    event(f"batch {'1' if batch_size == 1 else '>1'}: {fast.status}"
          + (f" ({'non-finite' if fast.diverged_at > fast.epochs_done else 'blow-up'})"
             if fast.diverged_at is not None else ""))


def dead_relu_trainer(compiled: bool = False) -> Trainer:
    """Every ReLU gate closed, huge output weights, lr = 10: dL/dh overflows to inf.

    x >= 0 and negative input weights and biases keep z < 0, so h = 0 and y_hat = b3. With
    y = 0, b3 <- b3 - 10 * 2 * b3 = -19 * b3 grows until it overflows around update 240,
    while dL/dh = 2 * b3 * w5 is already infinite from the first update (w5 = 1e308). The
    step path used to compute dL/dz = inf * 0 = NaN and stop at update 1; the fast loop
    skipped closed units and went on to update ~240.
    """
    arch = Architecture(2, 2, "relu")
    theta0 = np.array([-1.0, -2.0, -0.5, -1.5, 1e308, -1e308, -0.25, -0.75, 1.0])
    x = np.random.default_rng(0).uniform(0.0, 1.0, (300, 2))
    y = np.zeros(300)
    return Trainer(arch, theta0, x, y, x[:0], y[:0], lr=10.0, compiled=compiled)


@pytest.mark.parametrize("compiled", PATHS)
def test_all_gates_closed_and_infinite_gradient_diverge_at_the_same_update(
        compiled: bool) -> None:
    fast = by_epochs(dead_relu_trainer(compiled), 3)
    slow = by_steps(dead_relu_trainer(), 3)
    assert state(fast) == state(slow)
    assert fast.diverged_at == 1 and fast.epochs_done == 0
    assert 200 < fast.updates < 300 and fast.pos == fast.updates
    assert np.all(np.isfinite(fast.theta))
    # The weights of the closed units never moved: their gradient is exactly 0 ...
    assert fast.theta[[0, 1, 2, 3, 4, 5, 6, 7]].tobytes() == fast.theta0[:8].tobytes()
    # ... although dL/dh is infinite at the update that diverges.
    row = fast.current_order()[fast.pos]
    t = fast.arch.trace(fast.theta, list(fast.x_train[row]), float(fast.y_train[row]))
    assert all(z < 0.0 for z in t.z) and all(abs(g) == np.inf for g in t.dl_dh)
    assert t.dl_dz == [0.0, 0.0] and t.grads[:4] == [0.0] * 4
