"""The Python path of `Trainer.epoch`: the rest of an epoch in the generated fast loop.

`fastloop` makes the same floating-point operations as `Trainer.step()`, so this path and
the step path (and the compiled kernel, for plain SGD) agree bit for bit. Functions of the
trainer, as compiled.py's: the trainer's state is theirs to move.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from nntui.engine.fastloop import (
    compile_batch_epoch,
    compile_epoch,
    compile_optimizer_epoch,
    hyper,
)

if TYPE_CHECKING:
    from nntui.engine.trainer import Trainer


def rest_of_epoch(self: Trainer) -> bool:
    """Apply every remaining update of the current epoch in Python; False if one diverged.

    Unchecked first (a non-finite parameter stays non-finite, so one check at the end
    finds it), then, only after a divergence, again from the start, checked per update.
    """
    rest = self.current_order()[self.pos :]
    rows = self._rows if self.pos == 0 and not self.shuffle else [
        self._rows[i] for i in rest]
    start, lr, size = self.theta.tolist(), self.lr, self.batch_size
    if not self.optimizer.plain:
        return _optimizer_epoch(self, start, rows)
    if size == 1:
        params, done, _ = compile_epoch(self.arch)(start, rows, lr)
        if not all(map(math.isfinite, params)):
            params, done, _ = compile_epoch(self.arch, checked=True)(start, rows, lr)
            return _stopped(self, params, done, done)
    else:
        params, done, _ = compile_batch_epoch(self.arch)(start, rows, lr, size)
        if not all(map(math.isfinite, params)):
            params, done, _ = compile_batch_epoch(self.arch, True)(start, rows, lr, size)
            return _stopped(self, params, done, done * size)
    self.theta = np.array(params)
    self.updates += done
    self.pos = self.n_train
    return True


def _optimizer_epoch(self: Trainer, start: list[float], rows: list[tuple[float, ...]]) -> bool:
    """`rest_of_epoch` with an optimizer's state (or L2): the generated loop of
    `fastloop.compile_optimizer_epoch`, unchecked first, then checked after a divergence."""
    s, size, n = self.optimizer, self.batch_size, self.arch.n_params
    args = (rows, self.lr, size, hyper(s), self.updates)
    params, flat, done, _ = compile_optimizer_epoch(self.arch, s)(
        start, self.opt_state, *args)
    if not all(map(math.isfinite, params)):
        params, flat, done, _ = compile_optimizer_epoch(self.arch, s, True)(
            start, self.opt_state, *args)
        self.opt_state = [flat[i * n : (i + 1) * n] for i in range(len(self.opt_state))]
        return _stopped(self, params, done, done * size)
    self.opt_state = [flat[i * n : (i + 1) * n] for i in range(len(self.opt_state))]
    self.theta = np.array(params)
    self.updates += done
    self.pos = self.n_train
    return True


def _stopped(self: Trainer, params: list[float], updates: int, rows: int) -> bool:
    """The update after `updates` updates (`rows` rows) would make a parameter non-finite."""
    self.theta = np.array(params)
    self.updates += updates
    self.pos += rows
    self.diverged_at = self.epochs_done + 1
    return False
