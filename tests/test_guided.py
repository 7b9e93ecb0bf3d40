"""The guided lab's core: pages valid by the registry, the state file (round trip, damage,
failed saves), what a run shows, and the report's "Guided lab" section."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from nntui.cli.commands import config_from_args
from nntui.cli.parser import build_parser
from nntui.lab.config import ExperimentConfig, option_for
from nntui.lab.experiment import Experiment
from nntui.lab.export import export_text, guided_report
from nntui.lab.guided import (
    MAX_ANSWER,
    STATE_NAME,
    GuidedLab,
    observations,
    page_config,
    page_words,
    state_path,
)
from nntui.lab.guided_pages import PAGES
from nntui.lab.report import metric_text
from nntui.lab.runs import RunStore, StoredRun
from nntui.lab.worked import unit_activity

Cli = Callable[..., tuple[int, str, str]]


def clock() -> datetime:
    return datetime(2026, 11, 29, 9, 0, 0)


def test_every_page_is_valid_by_the_registry_and_distinct() -> None:
    """Each page's settings are known options whose values parse; on the default base
    each page (but the first) makes an experiment of its own."""
    assert len({p.id for p in PAGES}) == len(PAGES)
    configs = []
    for page in PAGES:
        for key, value in page.settings.items():
            option_for(key).parse(value)  # a typo or a bad value raises here
        cfg = page_config(page, ExperimentConfig())
        assert cfg.dataset == page.settings.get("dataset", "generated"), page.id
        assert page.question.strip() and page.look_at.strip() and page.text.strip()
        configs.append(cfg)
    assert configs[0] == ExperimentConfig()
    assert len({repr(c) for c in configs}) == len(configs)


#: A base far from the defaults: `nntui lab` with these options.
ODD_BASE = ExperimentConfig(epochs=20, lr=0.01, seed=4, shuffle=True, test_size=0.25,
                            batch_size=2, hidden=3, noise_range=(-1.0, 1.0),
                            set={"w1": -0.25}, init_seed=7)


@pytest.mark.parametrize("base", [ExperimentConfig(), ODD_BASE], ids=["default", "odd"])
@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_the_shown_command_line_makes_the_pages_experiment(page, base) -> None:  # noqa: ANN001
    """What the page shows is what `nntui run` would do: the base's options included
    (`nntui lab --epochs 20` shows --epochs 20), quoted for a shell."""
    command = page_words(page, base).command
    ns = build_parser().parse_args(shlex.split(command)[2:])
    assert config_from_args(ns) == page_config(page, base)


def test_page_texts_say_the_bases_numbers() -> None:
    """`nntui lab --epochs 20`: page 1 says 20 epochs, Q8 asks about 20 epochs; rates,
    row counts and the train/test split follow the page's effective configuration."""
    base = ExperimentConfig(epochs=20, lr=0.01, test_size=0.5, batch_size=4)
    words = {p.id: page_words(p, base) for p in PAGES}
    assert "learning rate 0.01, 20 epochs of mini-batch SGD (batch 4)" in \
        words["baseline"].text
    assert "300" not in words["baseline"].text
    assert words["lr-tiny"].question == "Why has the loss barely moved after 20 epochs?"
    assert "from 0.01 to 5e-05 (200 times smaller)" in words["lr-tiny"].text
    assert "to 0.1 (10 times the base's 0.01)" in words["lr-large"].text
    assert "30 generated rows instead of 100 (15 for training, 15 for testing)" in \
        words["rows-30"].text
    assert "15 test rows" in words["rows-30"].question
    assert "learning rate 0.01, 200 epochs" in words["real-data"].text  # the page's own
    assert "20 epochs" not in words["framework"].text and "50 epochs" in words["framework"].text
    for w in words.values():
        assert "{" not in w.text + w.question + w.look_at  # every placeholder filled
    default = page_words(PAGES[0])
    assert "learning rate 0.005, 300 epochs of per-sample SGD" in default.text
    assert default.command == "nntui run"


def test_the_report_asks_the_question_the_screen_asked(tmp_path: Path) -> None:
    """The lab keeps its base: the report's Q8 says 20 epochs, also after a reload."""
    lab = GuidedLab.load(state_path(tmp_path))
    lab.base = ExperimentConfig(epochs=20).to_dict()
    lab.answer("lr-tiny", "too small")
    assert lab.save()
    again = GuidedLab.load(state_path(tmp_path))
    report = guided_report(again, [])
    assert "**Question:** Why has the loss barely moved after 20 epochs?" in report


def test_a_page_applies_on_the_base_and_names_its_data() -> None:
    """The base (nntui lab's options) holds where a page is silent; a page without a data
    source uses generated data even on a CSV base."""
    base = ExperimentConfig(epochs=7, seed=3, dataset="csv", csv="x.csv", features=["a"])
    cfg = page_config(next(p for p in PAGES if p.id == "init-large"), base)
    assert (cfg.epochs, cfg.seed, cfg.init, cfg.dataset, cfg.csv, cfg.features) == (
        7, 3, "large", "generated", None, None)
    real = page_config(next(p for p in PAGES if p.id == "real-data"), base)
    assert (real.dataset, real.features, real.epochs) == ("diabetes", ["bmi", "bp"], 200)


def test_state_round_trips(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    assert path == tmp_path / STATE_NAME
    lab = GuidedLab.load(path)
    assert (lab.index, lab.answers, lab.runs, lab.warnings) == (0, {}, {}, [])
    assert lab.go(1) and lab.go(1) and lab.index == 2
    assert lab.go(-5) and lab.index == 0 and not lab.go(-1)
    lab.go(2)
    lab.answer("baseline", "Die Kurve fällt — weil ×2 | `md`")
    lab.answer("wide-ranges", "x" * (MAX_ANSWER + 50))
    lab.attach("baseline", "20261129-090000-001", ["h1 is dead", "test R² 0.1"])
    lab.attach("baseline", "20261129-090000-002", [])
    assert lab.save()
    again = GuidedLab.load(path)
    assert again.index == 2 and again.page.id == PAGES[2].id
    assert again.answers == lab.answers and len(again.answers["wide-ranges"]) == MAX_ANSWER
    assert again.runs == lab.runs and again.warnings == []
    assert [p.name for p in tmp_path.iterdir()] == [STATE_NAME]  # no temporary left
    assert again.go(100) and again.page is PAGES[-1] and not again.go(1)


@pytest.mark.parametrize(("content", "reason"), [
    ('{"format": "nntui-guided-lab", "page": "baseline", "answ', "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    ("[1, 2]", "not a guided lab file"),
    ('{"format": "nntui-guided-lab", "answers": {"baseline": 3}}', "answers must be text"),
    ('{"format": "nntui-guided-lab", "runs": {"baseline": [{"notes": []}]}}',
     "runs must be lists of run ids"),
    ("[" * 100_000, "not valid JSON"),
], ids=["cut-short", "not-utf8", "a-list", "answer-not-text", "run-without-id", "deep"])
def test_a_damaged_state_file_is_a_warning_and_kept_aside(tmp_path: Path, content: str | bytes,
                                                         reason: str) -> None:
    path = tmp_path / STATE_NAME
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = path.read_bytes()
    kept = GuidedLab.load(path, repair=False)  # nntui export: the file is left alone
    assert kept.answers == {} and len(kept.warnings) == 1 and reason in kept.warnings[0]
    assert "left out" in kept.warnings[0] and path.read_bytes() == before
    lab = GuidedLab.load(path)  # the app: set aside, so the next save cannot destroy it
    assert (lab.index, lab.answers, lab.runs) == (0, {}, {})
    assert reason in lab.warnings[0] and f"{STATE_NAME}.damaged" in lab.warnings[0]
    assert not path.exists() and (tmp_path / f"{STATE_NAME}.damaged").read_bytes() == before
    lab.answer("baseline", "new")
    assert lab.save() and GuidedLab.load(path).answers == {"baseline": "new"}


def test_an_unknown_page_and_a_directory_in_place_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / STATE_NAME
    path.write_text(json.dumps({"format": "nntui-guided-lab", "page": "gone",
                                "answers": {"gone": "kept"}}))
    lab = GuidedLab.load(path)
    assert lab.index == 0 and lab.answers == {"gone": "kept"} and lab.warnings == []
    path.unlink()
    path.mkdir()
    lab = GuidedLab.load(path, repair=False)
    assert "cannot be used" in lab.warnings[0]


def test_a_failed_save_keeps_the_answers_and_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    lab = GuidedLab.load(blocker / STATE_NAME)  # its folder is a file: nothing can go there
    lab.answer("baseline", "typed")
    assert not lab.save()
    assert lab.answers == {"baseline": "typed"}
    assert "cannot save the guided lab" in lab.warnings[0] and "this session only" in \
        lab.warnings[0]
    memory = GuidedLab.load(None)  # --no-save: in memory, nothing to write
    memory.answer("baseline", "x")
    assert memory.save() and memory.warnings == []


def page_run(page_id: str, epochs: int = 300) -> Experiment:
    page = next(p for p in PAGES if p.id == page_id)
    exp = Experiment.build(page_config(page, ExperimentConfig(epochs=epochs)))
    exp.run()
    return exp


def test_observations_name_divergence_dead_units_and_r2_as_the_lab_sees_them() -> None:
    for page_id in ("lr-diverge", "init-large", "more-noise", "baseline"):
        exp = page_run(page_id)
        notes = observations(exp)
        t = exp.trainer
        assert any(n.startswith("diverged in epoch") for n in notes) == t.diverged
        for unit in unit_activity(exp.arch, t.theta, t.x_train):
            dead = any(n.startswith(f"h{unit.unit} is dead") for n in notes)
            assert dead == unit.dead("relu"), (page_id, unit)
        r2 = exp.metrics("test")["r2"]
        assert r2 is not None and any(metric_text("r2", r2) in n for n in notes)
        assert any("near 0" in n for n in notes) == (0 <= r2 < 0.1)
        assert any("below 0" in n for n in notes) == (r2 < 0)
    # The pages teach what these runs show: a divergence, a dead unit, an R² near 0.
    assert page_run("lr-diverge").trainer.diverged
    assert any("h1 is dead" in n for n in observations(page_run("init-large")))
    assert any("near 0" in n for n in observations(page_run("more-noise")))


def saved_runs(tmp_path: Path) -> tuple[RunStore, list[StoredRun]]:
    store = RunStore(tmp_path, clock=clock)
    runs = []
    for page_id in ("baseline", "lr-diverge"):
        exp = page_run(page_id, epochs=20)
        runs.append(store.save(exp.document(), "app"))
    return store, runs


def test_the_report_section_has_questions_answers_and_runs(tmp_path: Path) -> None:
    store, (base, diverged) = saved_runs(tmp_path)
    lab = GuidedLab(state_path(tmp_path))
    assert not lab.has_content and "Guided lab" not in export_text([base], "md", lab)
    lab.answer("baseline", "It fits the curvature of n1².\nSecond line.")
    lab.attach("baseline", base.id, ["test R² 0.9"])
    lab.attach("lr-diverge", diverged.id, ["diverged in epoch 4: too big"])
    lab.attach("lr-diverge", "20200101-000000-001", [])
    lab.answer("init-ones", "   ")  # blank: as no answer
    text = export_text([base], "md", lab, [base, diverged])
    section = text[text.index("## Guided lab"):]
    assert text.index("## Loss curves") < text.index("## Guided lab")
    baseline_part = section[:section.index("### 10.")]
    assert "### 1. The notebook's network" in baseline_part
    assert f"**Question:** {PAGES[0].question}" in baseline_part
    assert "> It fits the curvature of n1².\n> Second line." in baseline_part
    d = base.doc
    row = (f"| {base.id} | ok | 20 | {d['history']['train_loss'][-1]:.6g} | "
           f"{d['history']['test_loss'][-1]:.6g} | "
           f"{metric_text('r2', d['metrics']['test']['r2'])} | "
           f"{metric_text('mape', d['metrics']['test']['mape'])} |")
    assert row in baseline_part and f"- {base.id}: test R² 0.9" in baseline_part
    diverge_part = section[section.index("### 10."):]
    assert "### 10. Learning rate 1: divergence" in diverge_part
    assert "> (no answer)" in diverge_part
    assert f"| {diverged.id} | diverged |" in diverge_part
    assert "| 20200101-000000-001 | not found among the saved runs |" in diverge_part
    assert f"- {diverged.id}: diverged in epoch 4: too big" in diverge_part
    assert "All weights 1" not in section and "### 2." not in section
    assert "Guided lab" not in export_text([base], "csv", lab, [base])
    report = guided_report(lab, [base, diverged])  # the screen's x: every page's run
    assert report.count("## Guided lab") == 1 and report.index("## Settings") < \
        report.index("## Guided lab")
    only_answers = GuidedLab(None, answers={"baseline": "only words"})
    assert guided_report(only_answers, []).startswith("# nntui report\n\n## Guided lab")


def test_nntui_export_md_carries_the_lab_kept_beside_the_runs(cli: Cli,
                                                             tmp_path: Path) -> None:
    store, (base, diverged) = saved_runs(tmp_path)
    lab = GuidedLab(state_path(tmp_path))
    lab.answer("lr-diverge", "Each step overshoots the minimum.")
    lab.attach("lr-diverge", diverged.id, [])
    assert lab.save()
    code, out, err = cli("export", base.id, "--format", "md", "--results", str(tmp_path))
    assert code == 0 and err == ""
    assert "## Guided lab" in out and "> Each step overshoots the minimum." in out
    assert f"| {diverged.id} | diverged |" in out  # a page's run beyond those exported
    code, out, _ = cli("export", base.id, "--format", "csv", "--results", str(tmp_path))
    assert code == 0 and "overshoots" not in out
    (tmp_path / STATE_NAME).write_text("{ damaged")
    code, out, err = cli("export", "--format", "md", "--results", str(tmp_path))
    assert code == 0 and "## Guided lab" not in out and "# nntui report" in out
    assert err.startswith("nntui: warning: guided lab ") and "left out" in err
    assert (tmp_path / STATE_NAME).read_text() == "{ damaged"


def test_nntui_lab_refuses_what_the_app_refuses(cli: Cli) -> None:
    code, out, err = cli("lab")  # pytest's stdin is not a terminal
    assert (code, out) == (2, "") and err == (
        "nntui: error: the app needs a terminal; use nntui run ... for headless output\n")
    code, _, err = cli("lab", "--lr", "0")
    assert code == 2 and err.startswith("nntui: error: --lr must be above 0")
