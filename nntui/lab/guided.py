"""The guided lab's state: which page the student is on, their answers, each page's runs.

The pages themselves are data (guided_pages.py). `GuidedLab` is saved as one small JSON
file beside the runs it names (`<results>/guided-lab.json`) after every change, with
storage.py's atomic write, so an answer typed before a dropped SSH connection is there
when the student logs in again. A damaged file is never a crash: it is set aside, the lab
starts afresh and a warning says so.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, from_mapping
from nntui.lab.guided_pages import PAGES, Page

if TYPE_CHECKING:
    from nntui.lab.experiment import Experiment

STATE_NAME = "guided-lab.json"
FORMAT = "nntui-guided-lab"
VERSION = 1
MAX_STATE_BYTES = 2**20  # answers and run ids: a few kilobytes
MAX_ANSWER = 2000  # characters of one answer (the field refuses more)
#: Below this R² the predictions explain almost none of the target's spread.
R2_NEAR_ZERO = 0.1


def state_path(directory: Path | None) -> Path | None:
    """Where the lab of a results directory is kept (None: in memory only, --no-save)."""
    return None if directory is None else Path(directory) / STATE_NAME


def page_config(page: Page, base: ExperimentConfig) -> ExperimentConfig:
    """The configuration of a page: its settings on top of the lab's base, validated by
    the option registry. A page that names no data source uses generated data."""
    values: dict[str, Any] = {"dataset": "generated", "csv": "", "features": "",
                              "target": "", **page.settings}
    return from_mapping(values, base, origin=f"guided lab page {page.id!r}")


def settings_text(page: Page) -> str:
    """The page's settings as the sidebar and TOML name them: `init large · lr 0.1`."""
    from nntui.lab.config import option_for

    parts = [(option_for(k), v) for k, v in page.settings.items()]
    return " · ".join(f"{o.name} {o.format(o.parse(v))}" for o, v in parts) or \
        "none: the defaults"


def command_line(cfg: ExperimentConfig) -> str:
    """The same experiment headless, exactly: `nntui run` with a flag for every option
    that differs from the defaults (the lab's base included), quoted for a shell."""
    import shlex

    from nntui.lab.config import OPTIONS

    default, parts = ExperimentConfig(), ["nntui run"]
    for opt in OPTIONS.values():
        value = getattr(cfg, opt.key)
        if value == getattr(default, opt.key):
            continue
        if opt.kind == "bool":
            parts.append(opt.flag if value else f"--no-{opt.flag[2:]}")
            continue
        text = opt.format(value)
        parts.append(f"{opt.flag}={shlex.quote(text)}" if text.startswith("-")
                     else f"{opt.flag} {shlex.quote(text)}")
    return " ".join(parts)


@dataclass(frozen=True)
class PageWords:
    """A page's texts filled for its effective configuration, and its command line."""

    text: str
    question: str
    look_at: str
    command: str


def page_words(page: Page, base: ExperimentConfig | None = None) -> PageWords:
    """What the page says on this base (`nntui lab --epochs 20`: 20 epochs); a base the
    page cannot be combined with falls back to the defaults (the run then says why)."""
    base = base or ExperimentConfig()
    try:
        cfg = page_config(page, base)
    except UserError:
        base = ExperimentConfig()
        cfg = page_config(page, base)
    values = text_values(cfg, base)
    return PageWords(page.text.format(**values), page.question.format(**values),
                     page.look_at.format(**values), command_line(cfg))


ACTIVATION_NAMES = {"relu": "ReLU"}


def text_values(cfg: ExperimentConfig, base: ExperimentConfig) -> dict[str, str]:
    """The numbers a page's text names: every option of the page's configuration
    (`{lr}`, `{epochs}`) and of the base (`{base_lr}`), and what follows from them."""
    from nntui.engine.naming import hidden_widths
    from nntui.lab.config import OPTIONS
    from nntui.lab.options import format_value

    values: dict[str, str] = {}
    for prefix, c in (("", cfg), ("base_", base)):
        values.update({prefix + o.key: o.format(getattr(c, o.key)) for o in OPTIONS.values()})
        rows = c.generated_rows
        test = int(round(c.test_size * rows))  # as experiment.split_indices
        (lo1, hi1), (_lo2, hi2) = c.n1_range, c.n2_range
        signal = max(lo1 ** 2, (hi1 - 1) ** 2) + hi2 - 1  # the largest n1² + n2
        values.update({
            prefix + "rows": str(rows) if c.dataset in ("generated", "blobs", "circle")
            else "all",
            prefix + "train_rows": str(rows - test), prefix + "test_rows": str(test),
            prefix + "updates": str(-(-(rows - test) // c.batch_size)),
            prefix + "noise_lo": format_value(c.noise_range[0]),
            prefix + "noise_hi": format_value(c.noise_range[1]),
            prefix + "signal_hi": str(signal),
            prefix + "target_hi": format_value(round(signal + c.noise_range[1])),
        })
    ranges = [("n1", cfg.n1_range), ("n2", cfg.n2_range)]
    values["inputs"] = (f"n1, n2 in [{cfg.n1_range[0]}, {cfg.n1_range[1]})"
                        if cfg.n1_range == cfg.n2_range else
                        ", ".join(f"{n} in [{lo}, {hi})" for n, (lo, hi) in ranges))
    values["net"] = "-".join(map(str, (2, *hidden_widths(cfg.hidden), 1)))
    values["base_net"] = "-".join(map(str, (2, *hidden_widths(base.hidden), 1)))
    values["activation_name"] = ACTIVATION_NAMES.get(cfg.activation, cfg.activation)
    values["init_text"] = ("fixed moderate weights" if cfg.init == "notebook"
                           else f"the {cfg.init} preset's weights")
    values["sgd"] = ("per-sample SGD" if cfg.batch_size == 1
                     else f"mini-batch SGD (batch {cfg.batch_size})")
    values["lr_ratio"] = f"{cfg.lr / base.lr:.3g}"
    values["base_lr_ratio"] = f"{base.lr / cfg.lr:.3g}"
    return values


def observations(exp: Experiment) -> list[str]:
    """What a finished run shows, in words: divergence, dead or half-idle hidden units,
    an R² near 0. Read from the trainer, worked.unit_activity and the run's metrics."""
    from nntui.lab.report import headline, metric_text
    from nntui.lab.worked import unit_activity

    t, act = exp.trainer, exp.arch.activation
    notes = []
    if t.diverged:
        notes.append(f"diverged in epoch {t.diverged_at}: {t.divergence_reason}")
    for unit in unit_activity(exp.arch, t.theta, t.x_train):
        if unit.dead(act):
            notes.append(f"{unit.name} is dead: 0 on every training row, so its input "
                         "weights get no gradient")
        elif act == "relu" and unit.zero_share > 0:
            notes.append(f"{unit.name} is 0 on {unit.zero_share:.0%} of the training rows")
    part = "test" if len(t.x_test) else "train"
    if exp.arch.task == "classify":  # R² is n/a: the headline is accuracy (report.py)
        metrics = exp.metrics(part)
        label, shown = headline("classify", metrics)
        loss = metric_text("log_loss", metrics["log_loss"])
        notes.append(f"{part} {label} {shown}, log-loss {loss}")
        return notes
    r2 = exp.metrics(part)["r2"]
    if r2 is not None:
        shown = f"{part} R² {metric_text('r2', r2)}"
        if r2 < 0:
            notes.append(f"{shown} is below 0: worse than always predicting the mean")
        elif r2 < R2_NEAR_ZERO:
            notes.append(f"{shown} is near 0: the predictions explain almost none of the "
                         "target's spread")
        else:
            notes.append(shown)
    return notes


@dataclass
class LabRun:
    """A run made from a page: its id in the run history and what it showed."""

    id: str
    notes: list[str] = field(default_factory=list)


@dataclass
class GuidedLab:
    """The student's progress through the pages; `save()` after every change."""

    path: Path | None = None
    index: int = 0  # the current page
    answers: dict[str, str] = field(default_factory=dict)  # page id -> answer as typed
    runs: dict[str, list[LabRun]] = field(default_factory=dict)  # page id -> its runs
    base: dict[str, Any] = field(default_factory=dict)  # the lab's base (options) last used
    warnings: list[str] = field(default_factory=list)  # a damaged file, a failed save

    @property
    def page(self) -> Page:
        return PAGES[self.index]

    def go(self, delta: int) -> bool:
        """Move by `delta` pages (kept within the lab); False if already at that end."""
        index = min(max(self.index + delta, 0), len(PAGES) - 1)
        moved, self.index = index != self.index, index
        return moved

    def answer(self, page_id: str, text: str) -> None:
        self.answers[page_id] = text[:MAX_ANSWER]

    def attach(self, page_id: str, run_id: str, notes: list[str]) -> None:
        self.runs.setdefault(page_id, []).append(LabRun(run_id, list(notes)))

    @property
    def has_content(self) -> bool:
        """Anything worth a report section: an answer or a run."""
        return any(a.strip() for a in self.answers.values()) or any(self.runs.values())

    def words(self, page: Page) -> PageWords:
        """The page's texts on the base last used (the report's questions say what the
        screen said); a base that no longer reads falls back to the defaults."""
        try:
            base = from_mapping(self.base, origin="guided lab base")
        except UserError:
            base = ExperimentConfig()
        return page_words(page, base)

    def previous_runs(self) -> list[tuple[Page, LabRun]]:
        """The newest run of each page before the current one, in page order."""
        return [(p, self.runs[p.id][-1]) for p in PAGES[:self.index] if self.runs.get(p.id)]

    # -- the file ----------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "version": VERSION, "page": self.page.id,
            "answers": self.answers, "base": self.base,
            "runs": {pid: [{"id": r.id, "notes": r.notes} for r in runs]
                     for pid, runs in self.runs.items()},
        }, indent=1, ensure_ascii=False)

    def save(self) -> bool:
        """Write the state atomically; on failure keep it in memory and add a warning
        (shown once by the screen). True if it is on disk (or nothing asked for that)."""
        from nntui.lab.storage import atomic_write, problem

        if self.path is None:
            return True
        try:
            atomic_write(str(self.path), self.to_json())
        except (OSError, ValueError) as exc:
            self.warnings.append(f"cannot save the guided lab to {self.path}: "
                                 f"{problem(exc)}; answers are kept in this session only")
            return False
        return True

    @classmethod
    def load(cls, path: Path | None, repair: bool = True) -> GuidedLab:
        """The saved lab, or a fresh one with a warning if the file is damaged; `repair`
        sets the damaged file aside (the app, which saves next), else it is left alone."""
        lab = cls(path)
        if path is None or not os.path.lexists(path):
            return lab
        try:
            lab._read(path)
        except UserError as exc:
            fresh = cls(path)
            what = set_aside(path) if repair else "it is left out"
            fresh.warnings.append(f"guided lab {path} {exc}; {what}")
            return fresh
        return lab

    def _read(self, path: Path) -> None:
        from nntui.lab.storage import UnreadableFile, read_regular

        try:
            data = json.loads(read_regular(str(path), MAX_STATE_BYTES).decode("utf-8"))
        except UnreadableFile as exc:
            raise UserError(f"cannot be used: {exc.problem}") from None
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise UserError("is damaged (not valid JSON, perhaps cut short)") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UserError("is not a guided lab file")
        answers, runs = data.get("answers", {}), data.get("runs", {})
        if not isinstance(answers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise UserError("is damaged (answers must be text)")
        if not isinstance(runs, dict) or not all(
                isinstance(v, list) and all(_is_run(r) for r in v) for v in runs.values()):
            raise UserError("is damaged (runs must be lists of run ids)")
        base = data.get("base", {})
        self.base = base if isinstance(base, dict) else {}
        ids = [p.id for p in PAGES]
        self.index = ids.index(data["page"]) if data.get("page") in ids else 0
        self.answers = {k: v[:MAX_ANSWER] for k, v in answers.items()}
        self.runs = {k: [LabRun(r["id"], list(r.get("notes", []))) for r in v]
                     for k, v in runs.items()}


def _is_run(entry: Any) -> bool:
    notes = entry.get("notes", []) if isinstance(entry, dict) else None
    return isinstance(entry, dict) and isinstance(entry.get("id"), str) and \
        isinstance(notes, list) and all(isinstance(n, str) for n in notes)


def set_aside(path: Path) -> str:
    """Rename a damaged state file so that nothing overwrites it; say what happened."""
    aside = path.with_name(path.name + ".damaged")
    try:
        os.replace(path, aside)
    except OSError:
        return "starting afresh (the file will be replaced at the next save)"
    return f"starting afresh; the old file is kept as {aside.name}"
