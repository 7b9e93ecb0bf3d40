"""The run lifecycle: the app's current experiment, how settings land, and every run's end.

Kept free of textual so that the rules are plain methods with plain tests:

- one state (`RunState`) and one completion rule (`complete`);
- every change to the trainer happens under `lock`, so a training thread and the UI
  thread never touch it at once; a learning-rate change made while training is applied
  between two epochs, so each recorded epoch names the rate it was trained with;
- a run is recorded once (finished, diverged, or left unfinished), and runs are numbered
  here; a new run starts from the exact initial weights;
- looking at a sample (`preview`) never changes what training does next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from nntui.engine.naming import RANDOM_PRESETS
from nntui.engine.trainer import CHUNK_SECONDS, StepRecord, Trainer
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, validate
from nntui.lab.data import Table
from nntui.lab.experiment import Experiment, load_table
from nntui.lab.history import RunHistory
from nntui.lab.options import DATA, LIVE, MODEL
from nntui.lab.runs import StoredRun


class RunState(Enum):
    """Where the current run is."""

    READY = "ready"  # at its initial weights
    RUNNING = "running"  # a training thread is working on it
    PAUSED = "paused"  # trained part of the way
    FINISHED = "finished"  # reached its last epoch
    DIVERGED = "diverged"  # stopped by divergence; the last finite weights are kept


@dataclass
class Change:
    """A validated change: the new config, what it invalidates and what the user is told."""

    config: ExperimentConfig
    kind: str  # "none", LIVE, MODEL or DATA
    key: str
    note: str = ""  # e.g. overrides dropped because parameter names changed


class Session:
    """The app's current experiment and its run, rebuilt as settings change."""

    def __init__(self, cfg: ExperimentConfig, table: Table | None = None,
                 history: RunHistory | None = None) -> None:
        validate(cfg)
        self.config = cfg
        self.experiment = Experiment.build(cfg, table)
        self.history = history if history is not None else RunHistory(None)
        self.lock = threading.Lock()
        self.generation = 0  # bumped on every rebuild, to ignore stale worker reports
        self.run_number = 1  # bumped whenever training starts again from the initial weights
        self.running = False  # a training thread owns the run (set by its controller)
        self._pending_lr: float | None = None
        self._recorded: tuple[int, int, int, int | None] | None = None

    # -- what is there ------------------------------------------------------------------------
    @property
    def table(self) -> Table:
        return self.experiment.dataset.table

    @property
    def trainer(self) -> Trainer:
        return self.experiment.trainer

    @property
    def lr(self) -> float:
        """The learning rate in force for the next update (a pending change included)."""
        return self._pending_lr if self._pending_lr is not None else self.trainer.lr

    @property
    def complete(self) -> bool:
        """The one completion rule: the run diverged or reached its last epoch."""
        t = self.trainer
        return t.diverged or t.epochs_done >= self.config.epochs

    @property
    def state(self) -> RunState:
        t = self.trainer
        if t.diverged:
            return RunState.DIVERGED
        if self.complete:
            return RunState.FINISHED
        if self.running:
            return RunState.RUNNING
        return RunState.READY if t.updates == 0 else RunState.PAUSED

    # -- training (every call holds the lock) ---------------------------------------------------
    def _apply_pending_lr(self) -> None:
        """Called with the lock held, between two updates."""
        if self._pending_lr is not None:
            self.trainer.lr = self._pending_lr
            self._pending_lr = None

    def step(self) -> StepRecord | None:
        """One update (None once diverged); records the run if it is now complete."""
        with self.lock:
            self._apply_pending_lr()
            record = self.trainer.step()
        self.record_if_complete()
        return record

    def epoch(self) -> bool:
        """Finish the current epoch; False if there was nothing to do."""
        with self.lock:
            self._apply_pending_lr()
            if self.complete:
                return False
            self.trainer.epoch()
        self.record_if_complete()
        return True

    def undo(self) -> bool:
        with self.lock:
            return self.trainer.undo()

    def train(self, cancelled: Callable[[], bool],
              progress: Callable[[], None] | None = None,
              seconds: float = CHUNK_SECONDS) -> str:
        """Train to the last epoch in chunks (the body of the app's training thread).

        Each chunk is as many whole epochs as fit in about `seconds` (0: one epoch), under
        the lock, so a pause or a key waits at most one chunk, and the number of epochs is
        read afresh each time (it may change while training); a learning-rate change lands
        between two chunks. Returns "ok", "diverged" or "paused". It does not record the
        run: the caller does that on its own thread (`record_if_complete`), where the
        history's views live.
        """
        t = self.trainer
        status = "ok"
        while not self.complete:
            with self.lock:
                if cancelled():
                    status = "paused"
                    break
                self._apply_pending_lr()
                t.epochs(self.config.epochs - t.epochs_done, seconds)
            if progress is not None:
                progress()
        if t.diverged:
            status = "diverged"
        return status

    def start(self) -> str:
        """Before training: a complete run is recorded and a new one starts. Returns a note."""
        if not self.complete:
            return ""
        self.new_run()
        return "New run from the initial weights."

    def new_run(self) -> None:
        """Record the current run (as stopped if unfinished), then back to the initial weights."""
        self.record(stopped=not self.complete)
        with self.lock:
            self._apply_pending_lr()
            self.trainer.reset()
        self.run_number += 1

    def preview(self, index: int | None = None) -> StepRecord:
        """The next update, or the update a step on training row `index` would make.

        Read-only: the trainer's position, parameters and generator are untouched.
        """
        with self.lock:
            return self.trainer.peek(index)

    # -- run history -----------------------------------------------------------------------
    def record_if_complete(self) -> StoredRun | None:
        return self.record() if self.complete else None

    def record(self, stopped: bool = False) -> StoredRun | None:
        """Record the run once per state; status "stopped" if `stopped` (left unfinished).

        A run that has not trained one whole epoch (no loss curve yet, e.g. a quit at
        epoch 0 after a few single steps) is not recorded: there is nothing to compare.
        """
        t = self.trainer
        state = (self.generation, self.run_number, t.updates, t.diverged_at)
        if t.updates == 0 or (t.epochs_done == 0 and not t.diverged) \
                or state == self._recorded:
            return None
        self._recorded = state
        label = f"stopped at epoch {t.epochs_done}" if stopped else ""
        with self.lock:
            doc = self.experiment.document(stopped=stopped)
        return self.history.record(doc, "app", label)

    # -- settings --------------------------------------------------------------------------
    def set_lr(self, lr: float) -> Change:
        """A new learning rate: checked like a typed value, applied between two updates."""
        return self.propose("lr", repr(lr))

    def propose(self, key: str, text: str) -> Change:
        """Parse and validate one field's text; raises UserError with a message to show."""
        if key.startswith("param:"):
            name = key.split(":", 1)[1]
            value = OPTIONS["set"].parse(f"{name}={text}")[name]
            return Change(replace(self.config, set={**self.config.set, name: value}),
                          MODEL, key)
        opt = OPTIONS[key]
        changes: dict[str, Any] = {key: opt.parse(text)}
        if key == "dataset" and changes[key] != self.config.dataset:
            changes.update(features=None, target=None)  # each source has its own columns
        if key == "csv" and changes[key]:
            changes.update(dataset="csv", features=None, target=None)
        cfg = replace(self.config, **changes)
        validate(cfg)
        if cfg == self.config:
            return Change(cfg, "none", key)
        note = ""
        two_inputs = ("generated", "blobs", "circle")  # always n1, n2: the same names
        same_inputs = key == "dataset" and {self.config.dataset, cfg.dataset} <= set(two_inputs)
        if opt.renames_params and cfg.set and not same_inputs:
            # w5 would name a different weight (or none) once the inputs or units change.
            note = f"parameter overrides {', '.join(cfg.set)} cleared: the names changed"
            cfg = replace(cfg, set={})
        return Change(cfg, opt.invalidates, key, note)

    def load(self, cfg: ExperimentConfig) -> Table:
        """Load the table a data change needs (slow for CSV/diabetes: call off the UI)."""
        return load_table(cfg)

    def apply(self, change: Change, table: Table | None = None) -> None:
        """Adopt a change: live keys update the run in place, others start a new run."""
        if change.kind == "none":
            return
        if change.kind == LIVE:
            # The run's document reports the settings in force now; history.lr has each
            # epoch's rate. A running thread picks the new rate up between two epochs.
            self._pending_lr = change.config.lr
            self.config = self.experiment.config = change.config
            if not self.running:
                with self.lock:
                    self._apply_pending_lr()
                self.record_if_complete()
            return
        if change.kind == DATA and table is None:
            table = self.load(change.config)
        new = Experiment.build(change.config, table if change.kind == DATA else self.table)
        self.record(stopped=not self.complete)
        with self.lock:
            self.config, self.experiment = change.config, new
            self._pending_lr = None
        self.generation += 1
        self.run_number += 1

    def redraw_weights(self) -> Change:
        """A new draw of a random preset (next init seed); fixed presets cannot re-draw."""
        cfg = self.config
        if cfg.init not in RANDOM_PRESETS:
            raise UserError(f"init preset {cfg.init!r} is fixed; choose normal, uniform, "
                            "xavier or he to draw random weights")
        return Change(replace(cfg, init_seed=cfg.effective_init_seed + 1, set={}), MODEL,
                      "init_seed")

    def regenerate(self) -> Change:
        """New data (generated) or a new split (tables): the next seed."""
        return Change(replace(self.config, seed=self.config.seed + 1), DATA, "seed")
