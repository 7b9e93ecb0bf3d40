"""The trainer: hand-worked steps, fast loop = step path, undo, divergence, batches.

tests/test_equivalence.py checks `epoch()` = repeated `step()` over many random cases.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from nntui.engine import kernel
from nntui.engine.network import Architecture
from nntui.engine.trainer import BLOW_UP_FACTOR, Trainer

NOTEBOOK = [0.5, -0.3, 0.2, 0.4, 0.6, -0.1, 0.1, 0.1, 0.0]
PATHS = [False, True] if kernel.BUILT is not None else [False]


def two_row_trainer(lr: float = 0.1) -> Trainer:
    x = np.array([[1.0, 0.5], [0.0, 1.0]])
    y = np.array([0.8, 0.3])
    return Trainer(Architecture(2, 2), np.array(NOTEBOOK), x, y, x[:0], y[:0], lr=lr)


def test_one_step_by_hand() -> None:
    """Sample 0: x = (1, 0.5), y = 0.8; gradients from test_network's worked example."""
    t = two_row_trainer()
    rec = t.step()
    assert rec is not None and rec.indices == [0] and rec.epoch == 1 and rec.update == 1
    # p - 0.1 * dL/dp for dL/dp = (-0.696, -0.348, 0.116, 0.058, -0.522, -0.58, -0.696,
    # 0.116, -1.16)
    expected = [0.5696, -0.2652, 0.1884, 0.3942, 0.6522, -0.042, 0.1696, 0.0884, 0.116]
    assert np.allclose(t.theta, expected, rtol=0, atol=1e-15)
    assert rec.params_before == NOTEBOOK and rec.params_after == t.theta.tolist()
    assert t.epochs_done == 0 and t.pos == 1


def test_one_epoch_by_hand() -> None:
    """Sample 1: x = (0, 1), y = 0.3 at the parameters after step 1; unit 1's gate closes."""
    t = two_row_trainer()
    t.step()
    rec = t.step()
    assert rec is not None and rec.finished_epoch is not None
    tr = rec.traces[0]
    # z1 = 0.5696*0 + (-0.2652)*1 + 0.1696 = -0.0956 (closed); z2 = 0.3942 + 0.0884 = 0.4826
    assert math.isclose(tr.z[0], -0.0956, abs_tol=1e-15) and tr.h[0] == 0.0
    assert math.isclose(tr.z[1], 0.4826, abs_tol=1e-15)
    y_hat = -0.042 * 0.4826 + 0.116  # 0.0957308
    assert math.isclose(tr.y_hat, y_hat, abs_tol=1e-15)
    d = 2 * (y_hat - 0.3)  # -0.4085384
    dz2 = d * -0.042  # 0.0171586128
    expected = [0.5696, -0.2652, 0.1884, 0.3942 - 0.1 * dz2, 0.6522, -0.042 - 0.1 * d * 0.4826,
                0.1696, 0.0884 - 0.1 * dz2, 0.116 - 0.1 * d]
    assert np.allclose(t.theta, expected, rtol=0, atol=1e-15)
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = expected

    def y_of(x1: float, x2: float) -> float:
        return (w5 * max(w1 * x1 + w2 * x2 + b1, 0.0) + w6 * max(w3 * x1 + w4 * x2 + b2, 0.0)
                + b3)

    loss = ((y_of(1.0, 0.5) - 0.8) ** 2 + (y_of(0.0, 1.0) - 0.3) ** 2) / 2
    assert t.epochs_done == 1 and math.isclose(t.train_loss[0], loss, rel_tol=1e-13)
    assert rec.finished_epoch.train_loss == t.train_loss[0]


def random_trainer(act: str = "relu", n: int = 3, k: int = 4, rows: int = 50,
                   **kw: Any) -> Trainer:
    arch = Architecture(n, k, act)
    rng = np.random.default_rng(7)
    x, y = rng.random((rows, n)), rng.random(rows)
    theta = rng.normal(0, 0.5, arch.n_params)
    return Trainer(arch, theta, x[:40], y[:40], x[40:], y[40:], **kw)


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_epoch_equals_steps_bit_for_bit(act: str, shuffle: bool) -> None:
    a = random_trainer(act, lr=0.05, shuffle=shuffle, seed=3)
    b = random_trainer(act, lr=0.05, shuffle=shuffle, seed=3)
    a.run(3)
    for _ in range(3 * b.n_train):
        b.step()
    assert a.theta.tobytes() == b.theta.tobytes()
    assert a.train_loss == b.train_loss and a.test_loss == b.test_loss


def test_epoch_finishes_a_partial_epoch() -> None:
    a, b = random_trainer(lr=0.05), random_trainer(lr=0.05)
    for _ in range(7):
        a.step()
    a.epoch()
    b.epoch()
    assert a.epochs_done == b.epochs_done == 1 and np.array_equal(a.theta, b.theta)


def test_shuffle_is_seeded_and_changes_order() -> None:
    a = random_trainer(shuffle=True, seed=1)
    b = random_trainer(shuffle=True, seed=1)
    c = random_trainer(shuffle=True, seed=2)
    orders = [t.current_order().tolist() for t in (a, b, c)]
    assert orders[0] == orders[1] != orders[2]
    assert sorted(orders[0]) == list(range(40)) and orders[0] != list(range(40))
    a.run(2)
    b.run(2)
    assert np.array_equal(a.theta, b.theta)


def test_undo_restores_every_state_bit_for_bit() -> None:
    t = random_trainer(lr=0.05, shuffle=True, seed=5)
    states = []
    actions = ["step", "step", "epoch", "step", "run", "step", "epoch", "step"]
    for action in actions:
        states.append((t.theta.tobytes(), t.epochs_done, t.pos, list(t.train_loss)))
        if action == "step":
            t.step()
        elif action == "epoch":
            t.epoch()
        else:
            t.run(t.epochs_done + 1)
    # run() of one epoch pushes one snapshot, so the stack mirrors the actions
    while states:
        assert t.undo()
        assert (t.theta.tobytes(), t.epochs_done, t.pos, t.train_loss) == states.pop()
    assert not t.undo()
    assert t.theta.tobytes() == t.theta0.tobytes()


def test_undo_then_redo_replays_the_same_shuffle() -> None:
    t = random_trainer(lr=0.05, shuffle=True, seed=9)
    t.epoch()
    first = t.theta.copy()
    t.undo()
    t.epoch()
    assert np.array_equal(t.theta, first)


def test_reset_returns_to_initial_parameters() -> None:
    t = random_trainer(lr=0.05)
    t.run(2)
    t.reset()
    assert np.array_equal(t.theta, t.theta0) and t.train_loss == [] and t.epochs_done == 0


def test_lr_change_applies_to_next_step() -> None:
    t = two_row_trainer(lr=0.1)
    t.step()
    t.lr = 0.2
    rec = t.step()
    assert rec is not None and rec.lr == 0.2
    assert np.allclose(rec.params_after, np.array(rec.params_before) - 0.2 * np.array(rec.grads))
    t.lr = 0.05
    t.epoch()
    assert t.lr_history == [0.2, 0.05]  # the rate in force at the end of each epoch
    t.undo()
    assert t.lr_history == [0.2]


@pytest.mark.parametrize("compiled", PATHS)
def test_cancellation_stops_between_epochs(compiled: bool) -> None:
    """With seconds=0 each call trains one epoch, so cancelling is exact."""
    t = random_trainer(lr=0.01, compiled=compiled)
    seen: list[int] = []
    status = t.run(100, on_epoch=lambda r: seen.append(r.epoch),
                   cancelled=lambda: len(seen) >= 3, seconds=0.0)
    assert status == "cancelled" and t.epochs_done == 3 and seen == [1, 2, 3]


@pytest.mark.parametrize("compiled", PATHS)
def test_cancellation_is_asked_between_chunks(compiled: bool) -> None:
    t = random_trainer(lr=0.01, compiled=compiled)
    seen: list[int] = []
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(t.epochs_done)
        return len(asked) > 1

    status = t.run(10**6, on_epoch=lambda r: seen.append(r.epoch), cancelled=cancelled)
    assert status == "cancelled" and 1 <= t.epochs_done < 10**6
    assert seen == list(range(1, t.epochs_done + 1)) and asked == [0, t.epochs_done]


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_epochs_in_one_call_are_undone_one_by_one(compiled: bool, shuffle: bool) -> None:
    """epochs(n) leaves what n calls of epoch() leave, undo steps included."""
    a = random_trainer(lr=0.05, shuffle=shuffle, seed=4, batch_size=3, compiled=compiled)
    b = random_trainer(lr=0.05, shuffle=shuffle, seed=4, batch_size=3, compiled=compiled)
    for t in (a, b):
        t.step()  # the first epoch starts part-way through
    records = a.epochs(5, seconds=60.0)
    for _ in range(5):
        b.epoch()
    assert [r.epoch for r in records] == [1, 2, 3, 4, 5]
    assert [r.train_loss for r in records] == a.train_loss == b.train_loss
    assert a.test_loss == b.test_loss and a.updates == b.updates
    while True:
        assert (a.theta.tobytes(), a.epochs_done, a.pos, a.train_loss, a.updates) == (
            b.theta.tobytes(), b.epochs_done, b.pos, b.train_loss, b.updates)
        assert a.current_order().tolist() == b.current_order().tolist()
        assert a.next_indices() == b.next_indices()
        if not a.undo():
            break
        assert b.undo()
    assert not b.undo() and a.theta.tobytes() == a.theta0.tobytes()


@pytest.mark.parametrize("compiled", PATHS)
def test_epochs_stop_at_the_count_or_after_the_time(compiled: bool) -> None:
    t = random_trainer(lr=0.01, compiled=compiled)
    assert len(t.epochs(7, seconds=60.0)) == 7 and t.epochs_done == 7
    assert len(t.epochs(7, seconds=0.0)) == 1 and t.epochs_done == 8
    assert t.epochs(0) == []


def test_path_names_the_code_that_trains() -> None:
    assert random_trainer(compiled=False).path == "python"
    if kernel.BUILT is not None:
        assert random_trainer(compiled=True).path == "compiled"
    assert random_trainer().path == kernel.PATH


def test_asking_for_a_missing_kernel_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "BUILT", None)
    with pytest.raises(RuntimeError, match="no compiled kernel"):
        random_trainer(compiled=True)
    assert random_trainer(compiled=None).path == "python"


@pytest.mark.parametrize("compiled", PATHS)
def test_undo_memory_is_bounded_and_the_oldest_steps_go(compiled: bool) -> None:
    t = random_trainer(lr=0.01, compiled=compiled)
    t._undo.budget = 20_000  # about 40 snapshots of this 3-4-1 network
    for _ in range(30):
        t.step()
    t.run(20)
    assert t.undo_dropped > 0 and t.undo_bytes <= 20_000
    kept = 0
    while t.undo():
        kept += 1
    # Back as far as undo goes: the dropped (oldest) steps cannot be undone any more.
    assert kept + t.undo_dropped == 30 + 20 and t.pos == t.updates == t.undo_dropped
    t.reset()
    assert t.undo_dropped == 0 and t.undo_bytes == 0


def test_minibatch_uses_mean_gradient_and_full_batch() -> None:
    t = random_trainer(lr=0.1, batch_size=8)
    rec = t.step()
    assert rec is not None and rec.indices == list(range(8)) and len(rec.traces) == 8
    mean = np.mean([tr.grads for tr in rec.traces], axis=0)
    assert np.allclose(rec.grads, mean, rtol=1e-12)
    full = random_trainer(lr=0.1, batch_size=1000)
    full.epoch()
    assert full.updates == 1 and full.epochs_done == 1


def test_minibatch_epoch_equals_minibatch_steps() -> None:
    a, b = random_trainer(lr=0.1, batch_size=6), random_trainer(lr=0.1, batch_size=6)
    a.run(2)
    while b.epochs_done < 2:
        b.step()
    assert a.theta.tobytes() == b.theta.tobytes() and a.updates == b.updates == 14


def test_last_one_row_minibatch_is_the_same_update_in_step_and_epoch() -> None:
    """40 rows in batches of 3: the 14th batch has one row, the same update in both."""
    a, b = random_trainer(lr=0.1, batch_size=3), random_trainer(lr=0.1, batch_size=3)
    a.epoch()
    records = [b.step() for _ in range(14)]
    last = records[-1]
    assert last is not None and last.indices == [39] and last.finished_epoch is not None
    assert a.theta.tobytes() == b.theta.tobytes() and a.updates == b.updates == 14
    assert a.train_loss == b.train_loss


def test_nonfinite_divergence_keeps_last_finite_parameters() -> None:
    arch = Architecture(2, 2, "linear")
    x = np.array([[1e150, 1e150]] * 5)
    y = np.zeros(5)
    theta0 = np.ones(arch.n_params)
    t = Trainer(arch, theta0, x, y, x[:0], y[:0], lr=1.0)
    with np.errstate(all="raise"):  # no numpy warning or error may escape
        assert t.run(10) == "diverged"
    assert t.diverged_at == 1 and t.epochs_done == 0 and t.train_loss == []
    assert np.all(np.isfinite(t.theta))
    assert "infinite" in t.divergence_reason
    assert t.step() is None and t.epoch() is None  # a diverged run stays stopped
    assert t.undo() and not t.diverged  # ... until undone


def test_blow_up_counts_as_divergence() -> None:
    t = random_trainer("relu", lr=50.0)
    t.run(50)
    assert t.diverged and np.all(np.isfinite(t.theta))
    if t.train_loss and t.diverged_at == t.epochs_done:
        assert t.train_loss[-1] > BLOW_UP_FACTOR * max(t.initial_loss, 1.0)


def test_step_divergence_is_reported_and_not_applied() -> None:
    arch = Architecture(1, 1, "linear")
    x, y = np.array([[1e200]]), np.array([0.0])
    t = Trainer(arch, np.ones(4), x, y, x[:0], y[:0], lr=1.0)
    rec = t.step()
    assert rec is not None and rec.diverged and not all(map(math.isfinite, rec.params_after))
    assert np.array_equal(t.theta, np.ones(4))
