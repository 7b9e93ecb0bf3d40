"""SGD training with records, undo snapshots, cancellation and divergence detection.

`step()` applies one update (one sample, or one mini-batch) and returns everything about it;
`epoch()` finishes the current epoch; `epochs()` finishes several in one call of about 50 ms
(the compiled kernel trains them without returning to Python); `run()` trains up to a number
of epochs, reporting each finished epoch. Epochs train on one of two paths (`path`): the
compiled kernel (`kernel`, `_kernel.c`) where it is built, else the generated straight-line
Python loop (`fastloop`). Both make exactly the same floating-point operations as `step()`,
for single samples and mini-batches, and compute the epoch losses in the same order. So
every path agrees bit for bit, divergence included: the same update diverges and the same
last finite parameters are kept. Momentum, Adam and L2 weight decay (optimizers.py) keep
state vectors, which undo restores; the kernel makes plain SGD of regression only, so
those and classification train on the Python path (`kernel_note` says why).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine import kernel
from nntui.engine.compiled import compiled_epochs
from nntui.engine.network import Architecture, Trace, mean_gradient
from nntui.engine.optimizers import OptimizerStep, Settings, apply
from nntui.engine.pypath import rest_of_epoch
from nntui.engine.undo import Snapshot, UndoStack

#: How long one call of `epochs()` trains: progress, pause and cancel wait about this long.
CHUNK_SECONDS = 0.05
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
    #: The optimizer's terms of this update (decay, velocity, m, v, m̂, v̂ per parameter).
    optimizer: OptimizerStep | None = None
    state_after: list[list[float]] = field(default_factory=list)


@dataclass
class Trainer:
    """Trains `arch` from `theta0` on scaled data with per-sample or mini-batch SGD.

    `compiled`: None trains with the compiled kernel where `kernel.AVAILABLE`; False always
    in Python; True with the kernel if it is built at all (tests compare both paths).
    """

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
    compiled: bool | None = None
    optimizer: Settings = Settings()
    theta: np.ndarray = field(init=False)
    train_loss: list[float] = field(init=False, default_factory=list)
    test_loss: list[float] = field(init=False, default_factory=list)
    lr_history: list[float] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.theta0 = np.array(self.theta0, dtype=float)
        self._rows = [(*map(float, x), float(y)) for x, y in zip(self.x_train, self.y_train)]
        if not self._rows:
            raise ValueError("a trainer needs at least one training row")
        self._x, self._y, self._xt, self._yt = (
            np.ascontiguousarray(a, dtype=np.float64)
            for a in (self.x_train, self.y_train, self.x_test, self.y_test))
        use = kernel.AVAILABLE if self.compiled is None else self.compiled
        self.kernel_note = "" if self.optimizer.plain and self.arch.task == "regress" else (
            "the compiled kernel makes plain SGD on regression only; "
            f"{self.arch.task} with {self.optimizer.describe()} trains in Python")
        self._kernel = kernel.BUILT if use and kernel.supports(
            self.arch.activation) and not self.kernel_note else None
        if self.compiled and self._kernel is None:
            raise RuntimeError(f"no compiled kernel for {self.arch}: "
                               f"{self.kernel_note or kernel.REASON}")
        self._act = kernel.ACTIVATION_CODES.get(self.arch.activation, -1)
        self._deeper = np.array(self.arch.deeper, dtype=np.int64)  # the kernel's layers 2..
        self._epoch_seconds = 0.0  # measured per epoch by the kernel: sizes the next call
        self._stacked: tuple[np.ndarray, np.ndarray] | None = None  # training + test rows
        self.reset()

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the exact initial parameters, epoch 0, an empty history."""
        self.theta = self.theta0.copy()
        self.epochs_done = 0
        self.pos = 0
        self.order: np.ndarray | None = None
        self.rng = np.random.default_rng([self.seed, 3])
        self._rng_state: Mapping[str, Any] | None = None  # cached while the rng is unused
        self.train_loss = []
        self.test_loss = []
        self.lr_history = []  # the learning rate in force at the end of each epoch
        self.diverged_at: int | None = None
        self.updates = 0
        # The optimizer's state vectors (velocity; m and v), replaced, never changed in place.
        self.opt_state: list[list[float]] = [[0.0] * self.arch.n_params
                                             for _ in self.optimizer.state_names]
        self._undo = UndoStack()
        self.initial_loss, self.initial_test_loss = self._losses(self.theta0)
        self.blow_up_limit = BLOW_UP_FACTOR * max(self.initial_loss, 1.0)

    @property
    def n_train(self) -> int:
        return len(self._rows)

    @property
    def path(self) -> str:
        """Which code trains the epochs: "compiled" (the kernel) or "python"."""
        return "python" if self._kernel is None else "compiled"

    @property
    def undo_dropped(self) -> int:
        """Undo steps dropped, oldest first, to keep snapshots within MAX_UNDO_BYTES."""
        return self._undo.dropped

    @property
    def undo_bytes(self) -> int:
        """The memory the undo snapshots hold (an estimate)."""
        return self._undo.nbytes

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
            self.order = self._draw() if self.shuffle else np.arange(n)
        return self.order

    def _draw(self) -> np.ndarray:
        self._rng_state = None
        return self.rng.permutation(self.n_train)

    def _rng_snapshot(self) -> Mapping[str, Any]:
        """The generator's state, one object shared by every snapshot until it moves."""
        if self._rng_state is None:
            self._rng_state = self.rng.bit_generator.state
        return self._rng_state

    def _set_rng(self, state: Mapping[str, Any]) -> None:
        self.rng.bit_generator.state = state
        self._rng_state = state

    def next_indices(self) -> list[int]:
        """The training rows the next update will use."""
        order = self.current_order()
        return [int(i) for i in order[self.pos : self.pos + self.batch_size]]

    # -- undo ----------------------------------------------------------------------------
    def _push(self) -> None:
        self._undo.push(Snapshot(
            self.theta.copy(), self.epochs_done, self.pos, self.order, self._rng_snapshot(),
            len(self.train_loss), self.diverged_at, self.updates, tuple(self.opt_state),
        ))

    def undo(self) -> bool:
        """Restore the state before the last step or epoch; False if none is left."""
        s = self._undo.pop()
        if s is None:
            return False
        self.theta = s.theta
        self.epochs_done, self.pos, self.order = s.epochs_done, s.pos, s.order
        self._set_rng(s.rng_state)
        del self.train_loss[s.n_history :]
        del self.test_loss[s.n_history :]
        del self.lr_history[s.n_history :]
        self.diverged_at, self.updates = s.diverged_at, s.updates
        self.opt_state = list(s.opt_state)
        return True

    def param_path(self) -> list[np.ndarray]:
        """The parameters before each step or epoch that can still be undone, then the
        current ones: the path training took (the landscape draws it; not to be modified)."""
        return [*self._undo.thetas(), self.theta]

    # -- training ------------------------------------------------------------------------
    def _losses(self, theta: np.ndarray) -> tuple[float, float | None]:
        """Train and test loss (None without test rows), in the kernel's summation order."""
        a, k = self.arch, self._kernel
        if k is None:  # one numpy pass over the training and test rows stacked
            if self._stacked is None:
                self._stacked = (np.concatenate([self._x, self._xt]),
                                 np.concatenate([self._y, self._yt]))
            return a.mean_losses(theta, *self._stacked, self.n_train)
        shape = (a.n_inputs, a.n_hidden, self._act, self._deeper)
        train = k.mean_loss(theta, self._x, self._y, *shape)
        if not len(self._yt):
            return train, None
        return train, k.mean_loss(theta, self._xt, self._yt, *shape)

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
        grads = mean_gradient(traces)  # one row's own gradient for batch size 1
        if self.optimizer.plain:
            with np.errstate(all="ignore"):
                after = (before - self.lr * np.array(grads)).tolist()
            step, state = None, list[list[float]]()
        else:
            after, state, step = apply(self.optimizer, self.lr, before.tolist(), grads,
                                       self.opt_state, self.arch.n_weights, self.updates + 1)
        return StepRecord(self.epochs_done + 1, pos // self.batch_size + 1, indices,
                          traces, grads, self.lr, before.tolist(), after, optimizer=step,
                          state_after=state)

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
        self.opt_state = record.state_after
        indices = record.indices
        self.updates += 1
        self.pos += len(indices)
        if self.pos >= self.n_train:
            record.finished_epoch = self._finish_epoch()
            record.diverged = self.diverged
        return record

    def epoch(self) -> EpochRecord | None:
        """Finish the current epoch (a whole one when at its start); None if it diverged."""
        if self.diverged:
            return None
        if self._kernel is not None:
            records = self._compiled_epochs(1, 0.0)
            return records[0] if records else None
        self._push()
        if not rest_of_epoch(self):
            return None
        return self._finish_epoch()

    def _compiled_epochs(self, count: int, seconds: float) -> list[EpochRecord]:
        test = len(self._yt) > 0
        return [EpochRecord(e, train, loss if test else None)
                for e, train, loss in compiled_epochs(self, count, seconds)]

    def epochs(self, count: int, seconds: float = CHUNK_SECONDS) -> list[EpochRecord]:
        """Finish up to `count` epochs, the first from the current position, in one call.

        Stops at the end of the first epoch that ends `seconds` or more after the start (0:
        after one epoch), or when the run diverges. Each epoch is one undo step, exactly as
        if `epoch()` had been called `count` times. Returns the finished epochs' records (a
        blow-up's included; none for an epoch that ended non-finite).
        """
        records: list[EpochRecord] = []
        start = time.perf_counter()
        while len(records) < count and not self.diverged:
            if self._kernel is not None:
                left = seconds - (time.perf_counter() - start)
                records += self._compiled_epochs(count - len(records), left)
            elif (record := self.epoch()) is not None:
                records.append(record)
            if time.perf_counter() - start >= seconds:
                break
        return records

    def run(
        self,
        until_epoch: int,
        on_epoch: Callable[[EpochRecord], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        seconds: float = CHUNK_SECONDS,
    ) -> str:
        """Train until `until_epoch` epochs are done, it diverges, or `cancelled()` is true.

        `cancelled` is asked before each call of `epochs(..., seconds)`; each epoch can be
        undone on its own. Returns "ok", "diverged" or "cancelled".
        """
        while self.epochs_done < until_epoch and not self.diverged:
            if cancelled is not None and cancelled():
                return "cancelled"
            for record in self.epochs(until_epoch - self.epochs_done, seconds):
                if on_epoch is not None:
                    on_epoch(record)
        return self.status
