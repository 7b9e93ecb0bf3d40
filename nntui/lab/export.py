"""Exports of one run or a comparison: CSV loss histories, JSON, a Markdown lab report,
and the plain-text loss plot they share with `nntui sweep --plot`.

Every export reads the typed run document (`rundoc.RunDocument`), the same for the command
line (`nntui export`) and the app's Runs tab, so their files cannot differ.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nntui.lab.report import metric_labels, metric_text, num
from nntui.lab.rundoc import RunDocument

if TYPE_CHECKING:
    from nntui.lab.guided import GuidedLab
    from nntui.lab.runs import StoredRun

LOSSES: tuple[Literal["train_loss"], Literal["test_loss"]] = ("train_loss", "test_loss")
PARTS: tuple[Literal["train"], Literal["test"]] = ("train", "test")

MARKERS = ("*", "+", "o", "x", "#", "@", "%", "&", "=", "$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def ascii_plot(series: dict[str, list[float]], width: int = 76, height: int = 20,
               log: bool | None = None, title: str = "loss (MSE, scaled) per epoch") -> str:
    """Overlaid curves in plain characters, one marker per series (no colour needed).

    `log=None` picks a log scale when the values span more than three decades.
    """
    import plotext as plt

    if log is None:
        values = [v for vs in series.values() for v in vs if v is not None and v > 0]
        log = bool(values) and max(values) / min(values) > 1e3
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    plt.title(title + (" (log scale)" if log else ""))
    plt.xlabel("epoch")
    drawn = 0
    for i, (label, values) in enumerate(series.items()):
        points = [(e + 1, v) for e, v in enumerate(values) if v is not None and
                  (v > 0 or not log)]
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points],
                     marker=MARKERS[i % len(MARKERS)], label=label)
            drawn += 1
    if not drawn:
        return "(no epochs to plot)"
    if log:
        plt.yscale("log")
    return ANSI.sub("", plt.build())


def run_label(run: RunDocument, keys: list[str] | None = None) -> str:
    """A short name for a run: its varying settings, else its id."""
    from nntui.lab.sweep import short_label

    if keys:
        return short_label(run["config"], keys)
    return run["run"]["id"] if "run" in run else "run"


def export_text(runs: list[StoredRun], fmt: str, guided: GuidedLab | None = None,
                known: Sequence[StoredRun] = ()) -> str:
    """Stored runs as "csv" (loss histories), "json" (documents) or "md" (a report).

    With `guided` (a lab with answers or runs), the Markdown report ends with its
    "Guided lab" section; `known` are the runs its pages may name.
    """
    from nntui.lab.config import from_mapping
    from nntui.lab.sweep import varying_keys

    docs = [r.document for r in runs]
    keys = varying_keys([from_mapping(r.config, origin="run") for r in runs]) \
        if len(runs) > 1 else []
    labels = [run_label(d, keys) for d in docs]
    if fmt == "csv":
        return histories_csv(docs, labels)
    if fmt == "json":
        return runs_json(docs)
    report = markdown_report(docs, labels)
    if guided is not None and guided.has_content:
        report += "\n" + "\n".join(guided_section(guided, known or runs)).rstrip() + "\n"
    return report


def guided_report(lab: GuidedLab, known: Sequence[StoredRun]) -> str:
    """The lab report of a guided lab: its pages' runs (in page order) compared as
    `nntui export` compares them, then the "Guided lab" section."""
    from nntui.lab.guided_pages import PAGES

    by_id = {r.id: r for r in known}
    runs = [by_id[e.id] for p in PAGES for e in lab.runs.get(p.id, []) if e.id in by_id]
    if runs:
        return export_text(runs, "md", lab, known)
    return "\n".join(["# nntui report", "", *guided_section(lab, known)]).rstrip() + "\n"


def export_runs(runs: list[StoredRun], directory: Path) -> list[Path]:
    """Write the runs as a Markdown report, CSV loss histories and JSON (atomically).

    The app's export: the same text as `nntui export --format md|csv|json`.
    """
    from nntui.lab.storage import atomic_write

    stem = directory / f"runs-{runs[0].id}" if len(runs) == 1 else \
        directory / f"compare-{runs[0].id}-{len(runs)}"
    paths = []
    for ext in ("md", "csv", "json"):
        path = stem.with_suffix(f".{ext}")
        atomic_write(str(path), export_text(runs, ext))
        paths.append(path)
    return paths


def histories_csv(runs: Sequence[RunDocument], labels: list[str]) -> str:
    """One row per epoch; a train and a test column per run (empty after a run ends)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["epoch", *[f"{lab} {part}" for lab in labels
                                for part in ("train_loss", "test_loss")]])
    longest = max((len(r["history"]["train_loss"]) for r in runs), default=0)
    for e in range(longest):
        row: list[Any] = [e + 1]
        for r in runs:
            for part in LOSSES:
                values = r["history"][part]
                row.append(repr(values[e]) if e < len(values) else "")
        writer.writerow(row)
    return out.getvalue()


def runs_json(runs: Sequence[RunDocument]) -> str:
    """{"runs": [...]}: each the whole run file (document and `run` entry)."""
    return json.dumps({"runs": runs}, indent=2, allow_nan=False)


def markdown_report(runs: Sequence[RunDocument], labels: list[str]) -> str:
    """Settings, status, metrics, weights and an ASCII loss plot, ready for a lab report."""
    lines = ["# nntui report", ""]
    lines += ["## Settings", "", "| setting | " + " | ".join(labels) + " |",
              "|---|" + "---|" * len(runs)]
    keys = sorted({k for r in runs for k in r["config"]})
    for key in keys:
        cells = [_cell(r["config"].get(key)) for r in runs]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += ["", "## Results", "", "| | " + " | ".join(labels) + " |",
              "|---|" + "---|" * len(runs)]
    lines.append("| status | " + " | ".join(
        r["status"] + (f" (epoch {r['diverged_at_epoch']})" if r.get("diverged_at_epoch")
                       else "") for r in runs) + " |")
    lines.append("| epochs | " + " | ".join(str(r["epochs_run"]) for r in runs) + " |")
    scales = {r["config"].get("scale", "minmax") for r in runs}
    labels_of = metric_labels(scales.pop() if len(scales) == 1 else "mixed")
    for part in PARTS:
        for key, label in labels_of.items():
            lines.append(f"| {part} {label} | " + " | ".join(
                metric_text(key, r["metrics"][part][key]) for r in runs) + " |")
    if any(r.get("task") == "classify" for r in runs):
        lines += class_rows(runs)
    lines += ["", "## Weights and biases (initial → final)", "",
              "| parameter | " + " | ".join(labels) + " |", "|---|" + "---|" * len(runs)]
    names: list[str] = []
    for r in runs:
        names += [n for n in r["params"] if n not in names]
    for name in names:
        cells = [f"{num(r['initial_params'][name])} → {num(r['params'][name])}"
                 if name in r["params"] else "" for r in runs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    series = {}
    for lab, r in zip(labels, runs):
        series[f"{lab} train"] = r["history"]["train_loss"]
    lines += ["", "## Loss curves", "", "```", ascii_plot(series), "```", ""]
    return "\n".join(lines)


def class_rows(runs: Sequence[RunDocument]) -> list[str]:
    """Accuracy, log-loss and the confusion counts of classification runs (schema 3)."""
    lines = []
    for part in PARTS:
        for key, label in (("accuracy", "accuracy"), ("log_loss", "log-loss")):
            lines.append(f"| {part} {label} | " + " | ".join(
                metric_text(key, r["metrics"][part].get(key)) for r in runs) + " |")
        cells = [metric_text("confusion", r["metrics"][part].get("confusion"))
                 for r in runs]
        lines.append(f"| {part} confusion (tn/fp/fn/tp) | " + " | ".join(cells) + " |")
    return lines


def guided_section(lab: GuidedLab, runs: Sequence[StoredRun]) -> list[str]:
    """The guided lab in the report: each page's question, the student's answer as
    typed, and the runs made from that page (id, status and key metrics, what they
    showed). Pages with neither an answer nor a run are left out."""
    from nntui.lab.guided_pages import PAGES

    by_id = {r.id: r for r in runs}
    lines = ["## Guided lab", ""]
    for n, page in enumerate(PAGES, start=1):
        answer, page_runs = lab.answers.get(page.id, "").strip(), lab.runs.get(page.id, [])
        if not answer and not page_runs:
            continue
        lines += [f"### {n}. {page.title}", "", f"**Question:** {lab.words(page).question}", "",
                  *(f"> {line}" for line in (answer or "(no answer)").splitlines()), ""]
        if not page_runs:
            continue
        lines += ["| run | status | epochs | train MSE | test MSE | test R² | test MAPE |",
                  "|---|---|---|---|---|---|---|"]
        notes = []
        for entry in page_runs:
            run = by_id.get(entry.id)
            if run is None:
                lines.append(f"| {entry.id} | not found among the saved runs | | | | | |")
                continue
            d = run.doc
            train, test = d["history"]["train_loss"], d["history"]["test_loss"]
            lines.append(f"| {run.id} | {d['status']} | {d['epochs_run']} | "
                         f"{num(train[-1] if train else None)} | "
                         f"{num(test[-1] if test else None)} | "
                         f"{metric_text('r2', d['metrics']['test']['r2'])} | "
                         f"{metric_text('mape', d['metrics']['test']['mape'])} |")
            notes += [f"- {entry.id}: {note}" for note in entry.notes]
        lines += ["", *notes, *([""] if notes else [])]
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)
