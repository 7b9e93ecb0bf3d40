"""Same initial weights, same data: nntui and scikit-learn's MLPRegressor agree to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.framework import train_sklearn


@pytest.mark.parametrize(
    ("dataset", "activation", "hidden", "init", "batch"),
    [
        ("generated", "relu", 2, "notebook", 1),
        ("generated", "tanh", 3, "normal", 1),
        ("generated", "sigmoid", 2, "xavier", 1),
        ("diabetes", "relu", 2, "notebook", 1),
        ("diabetes", "linear", 4, "he", 1),
        ("diabetes", "relu", 3, "uniform", 16),
    ],
)
def test_matches_mlpregressor(dataset: str, activation: str, hidden: int, init: str,
                              batch: int) -> None:
    cfg = ExperimentConfig(dataset=dataset, activation=activation, hidden=hidden, init=init,
                           lr=0.01, epochs=5, batch_size=batch, sigma=0.5)
    exp = Experiment.build(cfg)
    t = exp.trainer
    ref = train_sklearn(exp.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                        cfg.lr, cfg.epochs, batch_size=batch)
    exp.run()
    assert t.epochs_done == 5 and len(ref.train_loss) == 5
    assert np.max(np.abs(ref.theta - t.theta)) < 1e-9
    assert np.allclose(ref.train_loss, t.train_loss, rtol=0, atol=1e-9)
    assert np.allclose(ref.test_loss, t.test_loss, rtol=0, atol=1e-9)
    assert np.max(np.abs(t.theta - t.theta0)) > 1e-4  # it really trained
