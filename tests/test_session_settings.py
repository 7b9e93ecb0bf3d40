"""What the app's fields and keys ask of the Session, checked on the Session itself.

The app only shows what these calls answer (an error under the field, a toast); the rules
live in the lab, so they are tested here without Textual. tests/test_session.py has the
run lifecycle; this file has the values typed into the settings and the data keys.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.history import RunHistory
from nntui.lab.session import Session


def session(**cfg: object) -> Session:
    return Session(ExperimentConfig(**cfg), history=RunHistory(None))  # type: ignore[arg-type]


@pytest.mark.parametrize(("key", "text", "message"), [
    ("lr", "abc", "--lr: 'abc' is not a number"),
    ("lr", "0", "--lr must be above 0"),
    ("epochs", "-3", "--epochs must be between 1 and"),
    ("test_size", "1.5", r"--test-size must be in \[0, 1\)"),
    ("n1_range", "5,1", "LO must be below HI"),
    ("param:w1", "x", "--set w1: 'x' is not a number"),
    ("hidden", "two", "--hidden: 'two' is not a whole number"),
    ("dataset", "csv", "--dataset csv needs --csv PATH"),
])
def test_a_bad_value_is_refused_with_its_message_and_the_run_is_kept(
        key: str, text: str, message: str) -> None:
    s = session()
    s.epoch()
    s.epoch()
    config, theta = s.config, s.trainer.theta.copy()
    with pytest.raises(UserError, match=message):
        s.propose(key, text)
    assert s.config == config and s.trainer.epochs_done == 2
    assert s.trainer.theta.tobytes() == theta.tobytes()


def test_a_good_learning_rate_applies_without_a_reset() -> None:
    s = session()
    s.epoch()
    s.epoch()
    s.apply(s.propose("lr", "0.01"))
    assert s.trainer.lr == 0.01 and s.trainer.epochs_done == 2 and s.generation == 0


def test_csv_problems_show_when_the_data_is_loaded(tmp_path: Path,
                                                   insurance_csv: Path) -> None:
    """A path or a column is only known to be wrong once the file is read (in the app,
    by a worker thread): the change is proposed, and loading it fails with the reason."""
    s = session()
    missing = s.propose("csv", str(tmp_path / "missing.csv"))
    assert missing.config.dataset == "csv"
    with pytest.raises(UserError, match="CSV file not found"):
        s.load(missing.config)
    assert s.config.dataset == "generated"

    change = s.propose("csv", str(insurance_csv))
    s.apply(change, s.load(change.config))
    assert s.config.dataset == "csv" and len(s.table) == 11 and s.table.target == "charges"
    with pytest.raises(UserError, match="--dataset csv needs --csv PATH"):
        s.propose("csv", "")  # the path cannot be emptied while csv is the source
    nope = s.propose("features", "age,nope")
    with pytest.raises(UserError, match="unknown column 'nope'"):
        s.load(nope.config)
    assert s.config.csv == str(insurance_csv) and len(s.table) == 11
    features = s.propose("features", "age,bmi")
    s.apply(features, s.load(features.config))
    assert s.table.features == ["age", "bmi"] and s.trainer.arch.n_params == 9


def test_new_weights_only_for_random_presets() -> None:
    fixed = session()
    with pytest.raises(UserError, match="init preset 'notebook' is fixed"):
        fixed.redraw_weights()

    s = session(init="normal", set={"w1": 0.25})
    first = s.trainer.theta0.copy()
    change = s.redraw_weights()
    assert change.config.init_seed == s.config.effective_init_seed + 1
    assert change.config.set == {}  # a new draw replaces the typed weights too
    s.apply(change)
    assert not np.array_equal(s.trainer.theta0, first)
    again = session(init="normal", init_seed=change.config.init_seed)
    assert again.trainer.theta0.tobytes() == s.trainer.theta0.tobytes()  # a seeded draw


def test_new_data_is_the_next_seed_and_starts_a_new_run() -> None:
    s = session()
    s.epoch()
    x_before = s.table.x.copy()
    s.apply(s.regenerate())
    assert s.config.seed == ExperimentConfig().seed + 1 and s.trainer.epochs_done == 0
    assert not np.array_equal(s.table.x, x_before)


def test_more_hidden_units_bring_more_parameters_with_their_preset_values() -> None:
    s = session()
    s.apply(s.propose("hidden", "3"))
    arch = s.trainer.arch
    assert arch.n_params == 13 and arch.names[8] == "w9" and arch.names[-1] == "b4"
    s.apply(s.propose("param:w2", "-0.75"))
    assert s.trainer.theta0[1] == -0.75 and s.config.set == {"w2": -0.75}


def test_training_to_the_end_equals_a_headless_run() -> None:
    """What the app's worker runs (Session.train) is the CLI's run, bit for bit."""
    s = session()
    assert s.train(lambda: False) == "ok"
    headless = Experiment.build(ExperimentConfig())
    headless.run()
    assert s.trainer.theta.tobytes() == headless.trainer.theta.tobytes()
    assert s.trainer.train_loss == headless.trainer.train_loss


def test_training_stops_between_epochs_when_cancelled() -> None:
    s = session(epochs=50)
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3  # three one-epoch chunks, then the pause key

    assert s.train(cancelled, None, 0.0) == "paused"
    assert s.trainer.epochs_done == 3 and s.trainer.pos == 0 and not s.complete
