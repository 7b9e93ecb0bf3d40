"""Configuration: TOML round trip, parsing shared by CLI/TOML/app, unknown keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, from_mapping, load_toml, parse_value, save_toml


def test_round_trip(tmp_path: Path) -> None:
    cfg = ExperimentConfig(dataset="diabetes", features=["bmi", "s5"], rows=100, lr=0.01,
                           n1_range=(0, 20), noise_range=(0.5, 3.0), shuffle=True,
                           set={"w1": 0.5}, init="normal", sigma=0.3, init_seed=9)
    path = tmp_path / "c.toml"
    save_toml(cfg, str(path))
    assert load_toml(str(path)) == cfg
    assert "test-size = 0.2" in path.read_text()


def test_underscore_keys_are_accepted() -> None:
    assert from_mapping({"test_size": 0.3}).test_size == 0.3


def test_csv_implies_csv_dataset() -> None:
    assert from_mapping({"csv": "x.csv"}).dataset == "csv"


@pytest.mark.parametrize(("key", "text", "value"), [
    ("lr", " 0.5 ", 0.5), ("epochs", "10", 10), ("n1_range", "0,20", (0, 20)),
    ("noise_range", [0, 2], (0.0, 2.0)), ("features", "a, b", ["a", "b"]),
    ("set", "w1=1,b2=-2.5", {"w1": 1.0, "b2": -2.5}), ("shuffle", "yes", True),
    ("activation", "TANH", "tanh"), ("epochs", 3.0, 3),
])
def test_parse_value(key: str, text: object, value: object) -> None:
    assert parse_value(key, text) == value


@pytest.mark.parametrize(("key", "text"), [
    ("lr", "fast"), ("epochs", "1e9x"), ("epochs", True), ("n1_range", "1"),
    ("features", "a,,b"), ("shuffle", "maybe"), ("scale", "log"),
])
def test_parse_value_rejects(key: str, text: object) -> None:
    with pytest.raises(UserError):
        parse_value(key, text)


def test_toml_is_never_executed(tmp_path: Path) -> None:
    path = tmp_path / "evil.toml"
    path.write_text('csv = "__import__(\'os\').system(\'touch pwned\')"\n')
    cfg = load_toml(str(path))
    assert Path(cfg.csv).name.startswith("__import__") and not (tmp_path / "pwned").exists()
