"""The versioned run document: what Experiment.document() writes validates, damage does not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.rundoc import SCHEMA, RunFileError, validate_document

SOURCE = "run-test.json"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    exp = Experiment.build(ExperimentConfig(epochs=3))
    exp.run()
    return exp.document()


def test_document_validates_and_keeps_every_key(doc: dict[str, Any]) -> None:
    assert doc["schema"] == SCHEMA == 3
    checked = validate_document(doc, SOURCE)
    assert checked == doc and list(checked)[0] == "schema"
    assert len(checked["history"]["train_loss"]) == len(checked["history"]["lr"]) == 3
    json.dumps(checked, allow_nan=False)  # strict JSON


def test_diverged_csv_run_with_overrides_validates(insurance_csv: Path) -> None:
    cfg = ExperimentConfig(dataset="csv", csv=str(insurance_csv), features=["age", "smoker"],
                           target="charges", set={"w1": 0.5}, lr=1.0, epochs=50,
                           shuffle=True)
    exp = Experiment.build(cfg)
    exp.run()
    doc = exp.document()
    assert doc["status"] == "diverged" and doc["diverged_at_epoch"] is not None
    assert validate_document(doc, SOURCE) == doc


def test_a_file_without_schema_reads_as_schema_1(doc: dict[str, Any]) -> None:
    old = {k: v for k, v in doc.items() if k != "schema"}
    checked = validate_document(old, SOURCE)
    assert checked["schema"] == 1 and checked == {**doc, "schema": 1}


def test_run_entry_is_required_for_a_stored_run(doc: dict[str, Any]) -> None:
    with pytest.raises(RunFileError, match="missing key run"):
        validate_document(doc, SOURCE, stored=True)
    older = {**doc, "run": {"id": "x", "finished_at": "2026-01-01T00:00:00"}}
    assert validate_document(older, SOURCE, stored=True)["run"] == {
        "id": "x", "finished_at": "2026-01-01T00:00:00", "origin": "", "label": ""}


def edit(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], Any]:
    """A changed copy of the document (`change` edits it in place)."""

    def apply(doc: dict[str, Any]) -> Any:
        data = copy.deepcopy(doc)
        change(data)
        return data

    return apply


def whole(value: Any) -> Callable[[dict[str, Any]], Any]:
    """Some other JSON value instead of the document."""
    return lambda doc: value


DAMAGE = {
    "a JSON list": (whole([{"nntui": "0.1.0"}]), "not an nntui run file (the JSON is a list"),
    "a number": (whole(3), "not an nntui run file (the JSON is a number"),
    "foreign JSON": (whole({"name": "x", "history": []}), "not an nntui run file"),
    "missing key": (edit(lambda d: d.pop("metrics")), "missing key metrics"),
    "missing nested key": (edit(lambda d: d["history"].pop("test_loss")),
                           "missing key history.test_loss"),
    "missing metric": (edit(lambda d: d["metrics"]["test"].pop("r2")),
                       "missing key metrics.test.r2"),
    "losses not numbers": (edit(lambda d: d["history"].__setitem__("train_loss", ["1"])),
                           "history.train_loss is not a list of numbers"),
    "losses not a list": (edit(lambda d: d["history"].__setitem__("train_loss", 0.5)),
                          "history.train_loss is not a list of numbers (it is a number)"),
    "null loss": (edit(lambda d: d["history"]["lr"].append(None)),
                  "history.lr is not a list of numbers"),
    "bool as number": (edit(lambda d: d.__setitem__("epochs_run", True)),
                       "epochs_run is not a whole number"),
    "negative count": (edit(lambda d: d["data"].__setitem__("n_test", -1)),
                       "data.n_test is not a whole number of 0 or more"),
    "features not strings": (edit(lambda d: d["data"].__setitem__("features", [1, 2])),
                             "data.features is not a list of strings"),
    "param a string": (edit(lambda d: d["params"].__setitem__("w1", "0.5")),
                       "params.w1 is not a number or null"),
    "history an object list": (edit(lambda d: d.__setitem__("history", [])),
                               "history is not an object"),
    "unknown status": (edit(lambda d: d.__setitem__("status", "done")),
                       "status is not one of ok, diverged, stopped"),
    "version a number": (edit(lambda d: d.__setitem__("nntui", 1)),
                         "nntui is not a string"),
    "schema too new": (edit(lambda d: d.__setitem__("schema", 7)),
                       "schema 7 is newer than this nntui understands"),
    "schema not a number": (edit(lambda d: d.__setitem__("schema", "1")),
                            "schema is not a positive whole number"),
    "schema zero": (edit(lambda d: d.__setitem__("schema", 0)),
                    "schema is not a positive whole number"),
    "NaN loss": (edit(lambda d: d["history"]["train_loss"].__setitem__(1, float("nan"))),
                 "history.train_loss[1] is not a finite number (nan)"),
    "infinite metric": (edit(lambda d: d["metrics"]["train"].__setitem__("mae", 1e999)),
                        "metrics.train.mae is not a finite number (inf)"),
    "infinite config value": (edit(lambda d: d["config"].__setitem__("lr", 1e999)),
                              "config.lr is not a finite number"),
    "config unknown key": (edit(lambda d: d["config"].__setitem__("colour", "red")),
                           "config: unknown key 'colour'"),
    "config invalid value": (edit(lambda d: d["config"].__setitem__("lr", -1)),
                             "config: --lr must be above 0"),
    "run entry id": (edit(lambda d: d.__setitem__("run", {"id": 5, "finished_at": ""})),
                     "run.id is not a string"),
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_every_kind_of_damage_is_named(doc: dict[str, Any], kind: str) -> None:
    change, message = DAMAGE[kind]
    with pytest.raises(RunFileError) as info:
        validate_document(change(doc), SOURCE)
    assert info.value.source == SOURCE and message in info.value.problem
    assert str(info.value) == f"{SOURCE}: {info.value.problem}"
    assert isinstance(info.value, UserError)  # the command line prints it, no traceback


def test_extra_keys_are_kept(doc: dict[str, Any]) -> None:
    newer = {**doc, "notes": {"by": "a later nntui"}}
    assert dict(validate_document(newer, SOURCE)) == newer


def test_schema_2_says_what_each_number_means(doc: dict[str, Any]) -> None:
    assert doc["metric_units"] == {"mse": "scaled", "mae": "original", "rmse": "original",
                                   "r2": "unitless", "mape": "fraction"}
    assert doc["divergence_reason"] is None and doc["training"]["path"] in ("compiled",
                                                                             "python")
    assert set(doc["metric_notes"]) == {"train", "test"}
    broken = {k: v for k, v in doc.items() if k != "metric_units"}
    with pytest.raises(RunFileError, match="missing key metric_units"):
        validate_document(broken, SOURCE)
    older = {k: v for k, v in broken.items() if k not in (
        "divergence_reason", "metric_notes", "training")}
    assert validate_document({**older, "schema": 1}, SOURCE)["schema"] == 1


def test_a_diverged_run_says_why(tmp_path: Any) -> None:
    exp = Experiment.build(ExperimentConfig(lr=1.0, n1_range=(0, 20), n2_range=(0, 50),
                                            noise_range=(0.0, 10.0)))
    exp.run()
    reason = exp.document()["divergence_reason"]
    assert reason and ("infinite or NaN" in reason or "above 1000 x" in reason)
