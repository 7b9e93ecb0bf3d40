"""The run lifecycle (lab/session.py) on its own: no Textual, no timing."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from nntui.engine.trainer import Trainer
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.history import RunHistory
from nntui.lab.runs import RunStore
from nntui.lab.session import RunState, Session


def session(tmp_path: Path | None = None, **cfg: object) -> Session:
    store = RunStore(tmp_path) if tmp_path is not None else None
    return Session(ExperimentConfig(**cfg), history=RunHistory(store))  # type: ignore[arg-type]


def fresh_trainer(s: Session) -> Trainer:
    t = s.trainer
    return Trainer(t.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                   lr=s.config.lr, batch_size=t.batch_size, shuffle=t.shuffle, seed=t.seed)


def test_looking_at_a_sample_never_changes_what_training_does_next() -> None:
    s = session()
    t = s.trainer
    before = t.next_indices()
    look = s.preview(70)
    assert look.indices == [70] and t.next_indices() == before == [0]
    assert look.params_before == t.theta.tolist()
    # the next epoch trains every row, in order, exactly as a fresh trainer does
    s.epoch()
    reference = fresh_trainer(s)
    reference.epoch()
    assert t.updates == t.n_train == reference.updates
    assert t.theta.tobytes() == reference.theta.tobytes()


def test_preview_of_the_next_sample_is_the_step_that_is_then_applied() -> None:
    s = session()
    s.step()
    look = s.preview()
    applied = s.step()
    assert applied is not None
    assert applied.indices == look.indices and applied.params_after == look.params_after


def test_a_learning_rate_change_during_an_epoch_applies_between_epochs() -> None:
    """The rate changes while the training thread is inside epoch 2 (of 4)."""
    s = session(epochs=4)
    t = s.trainer
    inside, release = threading.Event(), threading.Event()
    real_epochs = t.epochs
    calls = 0

    def epochs(count: int, seconds: float) -> list:  # noqa: ANN202 - held open in epoch 2
        nonlocal calls
        calls += 1
        if calls == 2:
            inside.set()
            release.wait()
        return real_epochs(count, seconds)

    t.epochs = epochs  # type: ignore[method-assign]
    s.running = True
    worker = threading.Thread(target=s.train, args=(lambda: False, None, 0.0))
    worker.start()
    inside.wait()
    s.apply(s.set_lr(0.05))  # from "the UI thread", mid-epoch
    assert s.lr == 0.05 and t.lr == 0.005  # pending: epoch 2 keeps its rate
    release.set()
    worker.join()
    s.running = False
    assert t.lr_history == [0.005, 0.005, 0.05, 0.05]
    # every recorded rate is the one that trained its epoch: a replay gives the same bits
    replay = fresh_trainer(s)
    for lr in t.lr_history:
        replay.lr = lr
        replay.epoch()
    assert replay.theta.tobytes() == t.theta.tobytes()
    assert replay.train_loss == t.train_loss


def test_learning_rate_out_of_range_is_refused_and_kept() -> None:
    s = session()
    with pytest.raises(UserError, match="--lr"):
        s.set_lr(float("inf"))
    with pytest.raises(UserError, match="--lr must be above 0"):
        s.set_lr(0.0)
    assert s.lr == 0.005


@pytest.mark.parametrize(("start", "key", "text"), [
    ({"dataset": "diabetes", "set": {"w5": 0.9}}, "features", "bmi,bp,s5"),
    ({"dataset": "diabetes", "set": {"w5": 0.9}}, "dataset", "generated"),
    ({"set": {"w5": 0.9}}, "dataset", "diabetes"),
    ({"set": {"w5": 0.9}}, "hidden", "3"),
])
def test_a_change_that_renames_parameters_drops_the_overrides(start: dict, key: str,
                                                               text: str) -> None:
    s = session(**start)
    change = s.propose(key, text)
    assert change.config.set == {} and "w5" in change.note
    s.apply(change)
    assert s.config.set == {}


def test_a_change_that_keeps_the_names_keeps_the_overrides() -> None:
    s = session(set={"w5": 0.9})
    for key, text in [("lr", "0.01"), ("seed", "3"), ("init", "large"), ("rows", "50"),
                      ("dataset", "blobs")]:  # generated, blobs and circle: n1 and n2
        change = s.propose(key, text)
        assert change.config.set == {"w5": 0.9} and not change.note, key


def test_states_and_the_one_completion_rule(tmp_path: Path) -> None:
    s = session(tmp_path, epochs=2)
    assert s.state is RunState.READY and not s.complete
    s.step()
    assert s.state is RunState.PAUSED
    s.epoch()
    s.epoch()
    assert s.complete and s.state is RunState.FINISHED
    assert not s.epoch()  # nothing to do once complete
    s.running = True
    assert s.state is RunState.FINISHED  # complete beats running
    s.running = False


def test_each_run_is_recorded_once_and_numbered(tmp_path: Path) -> None:
    s = session(tmp_path, epochs=2)
    assert s.record() is None  # an untouched run is not a run
    s.epoch()
    s.epoch()  # complete: recorded as it finishes
    assert len(s.history.runs) == 1 and s.history.runs[0].label == ""
    assert s.record() is None and s.record(stopped=True) is None
    assert s.start() == "New run from the initial weights." and s.run_number == 2
    assert s.trainer.updates == 0 and len(s.history.runs) == 1
    s.epoch()
    s.new_run()  # reset with one epoch done: a stopped run
    assert [r.label for r in s.history.runs] == ["", "stopped at epoch 1"]
    assert len(list(tmp_path.glob("run-*.json"))) == 2 and s.run_number == 3


def test_a_diverged_run_is_complete_and_recorded(tmp_path: Path) -> None:
    s = session(tmp_path, lr=1.0, n1_range=(0, 20), n2_range=(0, 50), noise_range=(0, 10))
    status = s.train(lambda: False)
    assert status == "diverged" and s.state is RunState.DIVERGED and s.complete
    assert s.record_if_complete() is not None
    assert s.history.runs[-1].doc["status"] == "diverged"
    assert np.all(np.isfinite(s.trainer.theta))


def test_a_data_change_records_the_unfinished_run_and_starts_a_new_one(tmp_path: Path) -> None:
    s = session(tmp_path)
    s.epoch()
    s.apply(s.propose("n1_range", "0,20"))
    assert [r.label for r in s.history.runs] == ["stopped at epoch 1"]
    assert s.trainer.updates == 0 and s.generation == 1 and s.state is RunState.READY


def test_a_failed_save_keeps_the_run_and_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    s = session(blocker, epochs=1)
    s.epoch()
    assert len(s.history.runs) == 1
    [warning] = s.history.take_warnings()
    assert "kept in this session only" in warning
