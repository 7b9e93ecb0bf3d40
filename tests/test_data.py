"""Data sources, CSV rules, splitting and scaling (docs/design.md §2-3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.engine.scaling import Scaler
from nntui.errors import UserError
from nntui.lab import data
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Dataset, load_table, split_indices


def test_generator_follows_the_notebook_formula() -> None:
    t = data.generated(500, (0, 20), (0, 50), (0.0, 10.0), seed=3)
    n1, n2 = t.x[:, 0], t.x[:, 1]
    noise = t.y - n1**2 - n2
    assert len(t) == 500 and t.features == ["n1", "n2"] and t.target == "n3"
    assert np.all(n1 == np.floor(n1)) and n1.min() >= 0 and n1.max() <= 19
    assert n2.min() >= 0 and n2.max() <= 49 and len(set(n2)) > 30
    assert noise.min() >= 0 and noise.max() < 10 and noise.std() > 2
    again = data.generated(500, (0, 20), (0, 50), (0.0, 10.0), seed=3)
    assert np.array_equal(t.y, again.y)
    assert not np.array_equal(t.y, data.generated(500, (0, 20), (0, 50), (0.0, 10.0), 4).y)


def test_diabetes_defaults_and_rows() -> None:
    t = load_table(ExperimentConfig(dataset="diabetes"))
    assert t.features == ["bmi", "bp"] and t.target == "progression" and len(t) == 442
    assert t.x[0].tolist() == [32.1, 101.0] and t.y[0] == 151.0  # original units
    assert len(load_table(ExperimentConfig(dataset="diabetes", rows=30))) == 30


def test_csv_categoricals_missing_rows_and_first_n(insurance_csv: Path) -> None:
    cfg = ExperimentConfig(dataset="csv", csv=str(insurance_csv),
                           features=["age", "sex", "bmi", "region"], target="charges")
    t = load_table(cfg)
    assert t.features == ["age", "sex", "bmi", "region=northeast", "region=northwest",
                          "region=southeast", "region=southwest"]
    assert t.dropped_rows == 1 and len(t) == 11  # row 7 has no bmi
    assert t.x[0].tolist() == [19, 0, 27.9, 0, 0, 0, 1]  # female -> 0 (alphabetical)
    assert t.x[1].tolist() == [18, 1, 33.77, 0, 0, 1, 0]
    assert np.all(t.x[:, 3:].sum(axis=1) == 1)
    first = load_table(cfg.replace(rows=3))
    assert first.y.tolist() == [16884.92, 1725.55, 4449.46]


def test_csv_defaults_target_last_column(insurance_csv: Path) -> None:
    t = load_table(ExperimentConfig(dataset="csv", csv=str(insurance_csv)))
    assert t.target == "charges" and "smoker" in t.features and "age" in t.features


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("a,b\n1,x\n2,y\n", {"target": "b"}, "is text"),
        ("a,b\n1,2\n", {"features": ["zz"], "target": "b"}, "unknown column 'zz'"),
        ("a,b\n,1\n,2\n", {"target": "b"}, "no usable rows"),
        ("", {}, "is empty"),
        ("a,b\n", {}, "no data rows"),
        ("only\n1\n", {}, "at least two"),
        ("a,b\n1,inf\n2,3\n", {"target": "b"}, "infinite values"),
        ("a,b\n" + "".join(f"id{i},{i}\n" for i in range(30)), {"target": "b"},
         "30 different text values"),
    ],
)
def test_csv_errors(tmp_path: Path, content: str, kwargs: dict, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_table(ExperimentConfig(dataset="csv", csv=str(path), **kwargs))


def test_binary_and_missing_and_directory(tmp_path: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x89PNG\x00\x01\x02")
    for path, message in [(binary, "binary"), (tmp_path / "none.csv", "not found"),
                          (tmp_path, "directory")]:
        with pytest.raises(UserError, match=message):
            data.read_csv(str(path))


def test_split_is_seeded_ordered_and_disjoint() -> None:
    train, test = split_indices(100, 0.2, seed=1)
    assert len(test) == 20 and len(train) == 80
    assert sorted(set(train) | set(test)) == list(range(100))
    assert list(train) == sorted(train)
    assert np.array_equal(test, split_indices(100, 0.2, seed=1)[1])
    assert not np.array_equal(test, split_indices(100, 0.2, seed=2)[1])
    assert len(split_indices(10, 0.0, 0)[1]) == 0


def test_minmax_fitted_on_training_rows_only() -> None:
    table = data.generated(50, (0, 10), (0, 10), (0.0, 1.0), 0)
    ds = Dataset.build(table, ExperimentConfig(test_size=0.3))
    x_tr, y_tr = ds.part("train")
    assert x_tr.min(axis=0).tolist() == [0, 0] and x_tr.max(axis=0).tolist() == [1, 1]
    assert y_tr.min() == 0 and y_tr.max() == 1
    raw = table.x[ds.train_idx]
    assert np.allclose(ds.x_scaler.inverse(x_tr), raw)


def test_scalers() -> None:
    v = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    mm = Scaler.fit("minmax", v)
    assert mm.transform(v).tolist() == [[0, 0], [0.5, 0], [1, 0]]  # constant column -> 0
    st = Scaler.fit("standard", v)
    assert np.allclose(st.transform(v)[:, 0], (v[:, 0] - 3) / np.std(v[:, 0]))
    assert np.all(st.transform(v)[:, 1] == 0)
    assert np.allclose(st.inverse(st.transform(v)), v)
    assert np.array_equal(Scaler.fit("none", v).transform(v), v)


def test_metrics_match_sklearn() -> None:
    from sklearn import metrics as skm

    from nntui.engine.metrics import regression_metrics

    rng = np.random.default_rng(0)
    y, p = rng.random(30) + 0.5, rng.random(30) + 0.5
    m = regression_metrics(y, p, y * 10, p * 10)
    assert np.isclose(m["mse"], skm.mean_squared_error(y, p))
    assert np.isclose(m["mae"], skm.mean_absolute_error(y * 10, p * 10))
    assert np.isclose(m["rmse"], np.sqrt(skm.mean_squared_error(y * 10, p * 10)))
    assert np.isclose(m["r2"], skm.r2_score(y * 10, p * 10))
    assert np.isclose(m["mape"], skm.mean_absolute_percentage_error(y * 10, p * 10))
    assert regression_metrics(y[:0], p[:0], y[:0], p[:0])["r2"] is None


def test_a_csv_path_may_start_with_a_tilde(insurance_csv: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed in the app's sidebar, no shell expands `~`: the reader does."""
    monkeypatch.setenv("HOME", str(insurance_csv.parent))
    table = load_table(ExperimentConfig(dataset="csv", csv=f"~/{insurance_csv.name}"))
    assert len(table) == 11
