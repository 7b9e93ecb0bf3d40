"""Undo snapshots, bounded by the memory they hold rather than by their count.

A snapshot holds the parameters (8 bytes each: ~100 bytes for 2-2-1, ~34 KB for 64 inputs
x 64 hidden units), the epoch's row order when shuffling (shared by the steps of one epoch)
and the random generator's state (shared while the generator is unused). Past
`MAX_UNDO_BYTES` in total the oldest snapshots are dropped and `dropped` counts them, so
the UI can say that the oldest undo steps are gone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_UNDO_BYTES = 256 * 2**20
#: What a snapshot costs besides its arrays' data: the object, an array header, ints.
SNAPSHOT_OVERHEAD = 350
#: A PCG64 state dictionary (measured with tracemalloc).
RNG_STATE_BYTES = 530


@dataclass(slots=True)
class Snapshot:
    """Everything `Trainer.undo` restores."""

    theta: np.ndarray
    epochs_done: int
    pos: int
    order: np.ndarray | None
    rng_state: Mapping[str, Any]
    n_history: int
    diverged_at: int | None
    updates: int
    opt_state: tuple[list[float], ...] = ()  # the optimizer's state vectors (shared lists)
    nbytes: int = 0


class UndoStack:
    """Last in, first out; the oldest snapshots go once the total passes the budget."""

    def __init__(self, budget: int = MAX_UNDO_BYTES) -> None:
        self.budget = budget
        self.nbytes = 0  # the estimated memory the snapshots hold
        self.dropped = 0  # snapshots dropped (oldest first) to stay within the budget
        self._items: deque[Snapshot] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def push(self, snap: Snapshot) -> None:
        """Keep `snap`; an order or generator state shared with the previous one counts once."""
        last = self._items[-1] if self._items else None
        size = SNAPSHOT_OVERHEAD + snap.theta.nbytes
        size += sum(8 * len(vec) + 56 for vec in snap.opt_state)  # lists of floats (shared)
        if snap.order is not None and (last is None or snap.order is not last.order):
            size += snap.order.nbytes
        if last is None or snap.rng_state is not last.rng_state:
            size += RNG_STATE_BYTES
        snap.nbytes = size
        self._items.append(snap)
        self.nbytes += size
        while self.nbytes > self.budget and len(self._items) > 1:
            self.nbytes -= self._items.popleft().nbytes
            self.dropped += 1

    def thetas(self) -> list[np.ndarray]:
        """The parameters each snapshot restores, oldest first (read-only views)."""
        return [s.theta for s in self._items]

    def pop(self) -> Snapshot | None:
        """The newest snapshot, removed; None when there is none."""
        if not self._items:
            return None
        snap = self._items.pop()
        self.nbytes -= snap.nbytes
        return snap
