"""SGD training with records, undo snapshots, cancellation and divergence detection.

`step()` applies one update (one sample, or one mini-batch) and returns everything about it;
`epoch()` finishes the current epoch; `run()` trains up to a number of epochs, reporting each
finished epoch. Batch size 1 uses the generated straight-line loop (`fastloop`), which makes
exactly the same floating-point operations as `step()`; larger batches use
`Architecture.batch_gradient` in both. So `epoch()` and repeated `step()` agree bit for bit,
divergence included: the same update diverges and the same last finite parameters are kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine.fastloop import compile_epoch
from nntui.engine.network import Architecture, Trace

MAX_SNAPSHOTS = 100_000
#: A finite training loss this many times the initial one (or 1, if larger) also counts as
#: divergence: ReLU units die at lr = 1 and the loss then stays huge but finite.
BLOW_UP_FACTOR = 1e3


@dataclass
class EpochRecord:
    """Losses after an epoch's last update (epoch is 1-based)."""

    epoch: int
    train_loss: float
    test_loss: float | None


@dataclass
class StepRecord:
    """One parameter update and every number behind it."""

    epoch: int  # 1-based epoch the update belongs to
    update: int  # 1-based update number within that epoch
    indices: list[int]  # training rows used, in order
    traces: list[Trace]  # forward/backward pass of each of those rows at params_before
    grads: list[float]  # the gradient applied (mean over the batch)
    lr: float
    params_before: list[float]
    params_after: list[float]
    finished_epoch: EpochRecord | None = None
    diverged: bool = False


@dataclass
class _Snapshot:
    theta: np.ndarray
    epochs_done: int
    pos: int
    order: np.ndarray | None
    rng_state: Mapping[str, Any]
    n_history: int
    diverged_at: int | None
    updates: int


@dataclass
class Trainer:
    """Trains `arch` from `theta0` on scaled data with per-sample or mini-batch SGD."""

    arch: Architecture
    theta0: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    lr: float = 0.005
    batch_size: int = 1
    shuffle: bool = False
    seed: int = 0
    theta: np.ndarray = field(init=False)
    train_loss: list[float] = field(init=False, default_factory=list)
    test_loss: list[float] = field(init=False, default_factory=list)
    lr_history: list[float] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.theta0 = np.array(self.theta0, dtype=float)
        self._rows = [(*map(float, x), float(y)) for x, y in zip(self.x_train, self.y_train)]
        self.reset()

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the exact initial parameters, epoch 0, an empty history."""
        self.theta = self.theta0.copy()
        self.epochs_done = 0
        self.pos = 0
        self.order: np.ndarray | None = None
        self.rng = np.random.default_rng([self.seed, 3])
        self.train_loss = []
        self.test_loss = []
        self.lr_history = []  # the learning rate in force at the end of each epoch
        self.diverged_at: int | None = None
        self.updates = 0
        self._snapshots: list[_Snapshot] = []
        self.initial_loss, self.initial_test_loss = self._losses(self.theta0)
        self.blow_up_limit = BLOW_UP_FACTOR * max(self.initial_loss, 1.0)

    @property
    def n_train(self) -> int:
        return len(self._rows)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def divergence_reason(self) -> str:
        """Why the run stopped as diverged ('' when it has not)."""
        if self.diverged_at is None:
            return ""
        if self.diverged_at > self.epochs_done:
            return "a loss or weight became infinite or NaN"
        return f"the training loss rose above {BLOW_UP_FACTOR:g} x max(initial loss, 1)"

    @property
    def status(self) -> str:
        return "diverged" if self.diverged else "ok"

    @property
    def params(self) -> dict[str, float]:
        return dict(zip(self.arch.names, map(float, self.theta)))

    @property
    def initial_params(self) -> dict[str, float]:
        return dict(zip(self.arch.names, map(float, self.theta0)))

    def current_order(self) -> np.ndarray:
        """The row order of the current epoch (drawn on first use when shuffling)."""
        if self.order is None:
            n = self.n_train
            self.order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        return self.order

    def next_indices(self) -> list[int]:
        """The training rows the next update will use."""
        order = self.current_order()
        return [int(i) for i in order[self.pos : self.pos + self.batch_size]]

    # -- undo ----------------------------------------------------------------------------
    def _push(self) -> None:
        self._snapshots.append(_Snapshot(
            self.theta.copy(), self.epochs_done, self.pos, self.order,
            self.rng.bit_generator.state, len(self.train_loss), self.diverged_at, self.updates,
        ))
        if len(self._snapshots) > MAX_SNAPSHOTS:
            del self._snapshots[0]

    def undo(self) -> bool:
        """Restore the state before the last step, epoch or run; False if none is left."""
        if not self._snapshots:
            return False
        s = self._snapshots.pop()
        self.theta = s.theta
        self.epochs_done, self.pos, self.order = s.epochs_done, s.pos, s.order
        self.rng.bit_generator.state = s.rng_state
        del self.train_loss[s.n_history :]
        del self.test_loss[s.n_history :]
        del self.lr_history[s.n_history :]
        self.diverged_at, self.updates = s.diverged_at, s.updates
        return True

    # -- training ------------------------------------------------------------------------
    def _losses(self, theta: np.ndarray) -> tuple[float, float | None]:
        train = float(np.mean(self.arch.losses(theta, self.x_train, self.y_train)))
        test = None
        if len(self.y_test):
            test = float(np.mean(self.arch.losses(theta, self.x_test, self.y_test)))
        return train, test

    def _finish_epoch(self) -> EpochRecord | None:
        """Record the epoch's losses and check for divergence.

        A non-finite loss is not recorded (the epoch does not count); a finite loss above
        the blow-up limit is recorded, so the curve shows the blow-up, and stops the run.
        """
        train, test = self._losses(self.theta)
        if not math.isfinite(train) or (test is not None and not math.isfinite(test)):
            self.diverged_at = self.epochs_done + 1
            return None
        self.epochs_done += 1
        self.train_loss.append(train)
        self.lr_history.append(self.lr)
        if test is not None:
            self.test_loss.append(test)
        self.pos = 0
        self.order = None
        if train > self.blow_up_limit:
            self.diverged_at = self.epochs_done
        return EpochRecord(self.epochs_done, train, test)

    def _position(self, index: int) -> int:
        """Where training row `index` stands in the current epoch's order."""
        if not 0 <= index < self.n_train:
            raise IndexError(f"sample {index} is not a training row (0..{self.n_train - 1})")
        return int(np.flatnonzero(self.current_order() == index)[0])

    def seek(self, index: int) -> None:
        """Make training row `index` the next sample of the current epoch (batch size 1).

        The inspector uses this to choose a sample; the epoch then continues from there.
        """
        self.pos = self._position(index)

    def peek(self, index: int | None = None) -> StepRecord:
        """The next update, worked out in full but not applied.

        With `index`, the update a step would make if training row `index` were next (what
        `seek(index)` then `peek()` shows), without moving the position: looking at a
        sample never changes what training does next.
        """
        pos = self.pos if index is None else self._position(index)
        if pos >= self.n_train:  # only after a non-finite epoch loss: show the epoch's start
            pos = 0
        indices = [int(i) for i in self.current_order()[pos : pos + self.batch_size]]
        before = self.theta.copy()
        traces = [self.arch.trace(before, list(self._rows[i][:-1]), self._rows[i][-1])
                  for i in indices]
        if self.batch_size == 1:
            grads = np.array(traces[0].grads)
        else:  # also for a last, shorter batch of one row: the same sums as `epoch()`
            grads = self.arch.batch_gradient(before, self.x_train[indices],
                                             self.y_train[indices])
        with np.errstate(all="ignore"):
            after = before - self.lr * grads
        return StepRecord(self.epochs_done + 1, pos // self.batch_size + 1, indices,
                          traces, grads.tolist(), self.lr, before.tolist(), after.tolist())

    def step(self) -> StepRecord | None:
        """Apply the update `peek()` shows; None once the run has diverged (undo first)."""
        if self.diverged:
            return None
        record = self.peek()
        self._push()
        after = np.array(record.params_after)
        if not np.all(np.isfinite(after)):
            self.diverged_at = self.epochs_done + 1
            record.diverged = True
            return record
        self.theta = after
        indices = record.indices
        self.updates += 1
        self.pos += len(indices)
        if self.pos >= self.n_train:
            record.finished_epoch = self._finish_epoch()
            record.diverged = self.diverged
        return record

    def _rest_of_epoch(self) -> bool:
        """Apply every remaining update of the current epoch; False if one diverged."""
        order = self.current_order()
        rest = order[self.pos :]
        if self.batch_size == 1:
            rows = self._rows if self.pos == 0 and not self.shuffle else [
                self._rows[i] for i in rest]
            start = self.theta.tolist()
            params, done, _ = compile_epoch(self.arch)(start, rows, self.lr)
            if not all(map(math.isfinite, params)):
                params, done, _ = compile_epoch(self.arch, checked=True)(start, rows, self.lr)
                self.theta = np.array(params)
                self.updates += done
                self.pos += done
                self.diverged_at = self.epochs_done + 1
                return False
            self.theta = np.array(params)
            self.updates += done
        else:
            theta = self.theta
            for lo in range(0, len(rest), self.batch_size):
                idx = rest[lo : lo + self.batch_size]
                with np.errstate(all="ignore"):
                    new = theta - self.lr * self.arch.batch_gradient(
                        theta, self.x_train[idx], self.y_train[idx])
                if not np.all(np.isfinite(new)):
                    self.theta = theta
                    self.pos += lo
                    self.diverged_at = self.epochs_done + 1
                    return False
                theta = new
                self.updates += 1
            self.theta = theta
        self.pos = self.n_train
        return True

    def epoch(self) -> EpochRecord | None:
        """Finish the current epoch (a whole one when at its start); None if it diverged."""
        if self.diverged:
            return None
        self._push()
        if not self._rest_of_epoch():
            return None
        return self._finish_epoch()

    def run(
        self,
        until_epoch: int,
        on_epoch: Callable[[EpochRecord], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> str:
        """Train until `until_epoch` epochs are done, it diverges, or `cancelled()` is true.

        Each epoch can be undone on its own. Returns "ok", "diverged" or "cancelled".
        """
        while self.epochs_done < until_epoch and not self.diverged:
            if cancelled is not None and cancelled():
                return "cancelled"
            record = self.epoch()
            if record is not None and on_epoch is not None:
                on_epoch(record)
        return self.status
