"""The compiled path of `Trainer.epochs`: several epochs in one call of the kernel.

The kernel (`_kernel.c`) trains until it has finished the epochs asked for, the time is up
(checked after each epoch) or the run diverges, with the GIL released, so the app's UI
thread runs meanwhile. It writes each finished epoch's losses and parameters; from those
this module makes the trainer's state exactly what that many `epoch()` calls on the Python
path would leave: history, position, row order, generator state, and one undo snapshot
per epoch. With shuffling, the epochs' row orders are drawn here first, from the trainer's
own generator, and the generator is wound back to the draws actually used.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from nntui.engine import kernel
from nntui.engine.undo import Snapshot

if TYPE_CHECKING:
    from collections.abc import Mapping

    from nntui.engine.trainer import Trainer

#: At most this many parameters are written per call (the parameters after each epoch).
CHUNK_VALUES = 2**20


def chunk_size(t: Trainer, count: int, seconds: float) -> int:
    """How many epochs to prepare for one call: about `seconds` of them, at least one."""
    if seconds <= 0.0 or count <= 1:
        return 1
    per_epoch = t._epoch_seconds or (t.n_train + len(t._yt)) * (10 + 5 * t.arch.n_params) * 1e-9
    fit = int(seconds / per_epoch) + 1
    return max(1, min(count, fit, CHUNK_VALUES // max(t.arch.n_params, t.n_train)))


def compiled_epochs(t: Trainer, count: int, seconds: float) -> list[tuple[int, float, float]]:
    """Train up to `count` epochs in one kernel call; (epoch, train, test) of each finished."""
    assert t._kernel is not None
    n, n_params, cap = t.n_train, t.arch.n_params, chunk_size(t, count, seconds)
    pos0, order0 = t.pos, t.order
    states: list[Mapping[str, Any]] = [t._rng_snapshot()]  # at the start of each epoch
    orders: list[np.ndarray] = []
    if t.shuffle:
        orders.append(t.current_order())
        for _ in range(1, cap):
            states.append(t._rng_snapshot())
            orders.append(t._draw())
        states.append(t._rng_snapshot())
    perms = np.array(orders, dtype=np.int64)
    thetas, train, test = np.empty((cap, n_params)), np.empty(cap), np.empty(cap)
    work = t.theta.copy()
    started = time.perf_counter()
    done, updates, end_pos, status = t._kernel.train(
        work, t._x, t._y, t._xt, t._yt, perms, pos0, cap, t.batch_size, t.arch.n_inputs,
        t.arch.n_hidden, t._act, t.lr, t.blow_up_limit, max(seconds, 0.0), thetas, train, test,
        t._deeper)
    t._epoch_seconds = (time.perf_counter() - started) / max(done, 1)

    stopped = status in (kernel.NONFINITE_PARAM, kernel.NONFINITE_LOSS)
    records = []
    updates0, rows = t.updates, n - pos0
    for e in range(done + stopped):  # an epoch that diverged can be undone too
        theta = t.theta.copy() if e == 0 else thetas[e - 1].copy()
        t._undo.push(Snapshot(
            theta, t.epochs_done, pos0 if e == 0 else 0, order0 if e == 0 else None,
            states[e] if t.shuffle else states[0], len(t.train_loss), None, t.updates))
        if e < done:
            t.updates += -(-rows // t.batch_size)
            rows = n
            t.epochs_done += 1
            t.train_loss.append(float(train[e]))
            t.lr_history.append(t.lr)
            if len(t._yt):
                t.test_loss.append(float(test[e]))
            records.append((t.epochs_done, float(train[e]), float(test[e])))
    t.theta = work
    t.updates = updates0 + updates
    if stopped:
        t.pos, t.diverged_at = end_pos, t.epochs_done + 1
        t.order = orders[done] if t.shuffle else t.current_order()
        if t.shuffle and done + 1 < cap:
            t._set_rng(states[done + 1])
    else:
        t.pos, t.order = 0, None
        if t.shuffle and done < cap:
            t._set_rng(states[done])
        if status == kernel.BLOW_UP:
            t.diverged_at = t.epochs_done
    return records
