"""Headless commands for saved runs: `nntui runs` lists (or deletes) them, `nntui export`
writes them.

A damaged or foreign file among the runs never stops either command: it is skipped and
named on stderr (`nntui: warning: skipped <path>: <reason>`), and the others are used.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from nntui.cli.parser import one_line, printable
from nntui.errors import UserError
from nntui.lab.report import headline
from nntui.lab.runs import RunStore

if TYPE_CHECKING:
    from nntui.lab.guided import GuidedLab
    from nntui.lab.runs import StoredRun


def warn_skipped(store: RunStore) -> None:
    """Name every file the last load skipped, and why."""
    for warning in store.warnings:
        print(f"nntui: warning: {one_line(warning)}", file=sys.stderr)


def cmd_runs(ns: argparse.Namespace) -> int:
    """List the stored runs, oldest first; or `rm` / `prune` them."""
    from nntui.lab.runs import config_changes

    store = RunStore(getattr(ns, "results", None))
    action = getattr(ns, "action", None)
    if action is not None:
        return delete_runs(store, ns)
    runs = store.load()
    warn_skipped(store)
    if not runs:
        print(f"no runs in {store.directory}")
        return 0
    previous = None
    for r in runs:
        label, shown = headline(r.doc.get("task", "regress"), r.doc["metrics"]["test"])
        print(one_line(f"{r.id}  {r.origin:<5} {r.doc['status']:<8} {r.doc['epochs_run']:>6} "
                       f"ep  test {label} {shown:>9}  "
                       f"{r.label or config_changes(previous, r.config)}"))
        previous = r.config
    print(f"\n{len(runs)} run(s) in {store.directory}")
    return 0


def delete_runs(store: RunStore, ns: argparse.Namespace) -> int:
    """`nntui runs rm ID...` and `nntui runs prune --keep N [--dry-run]`.

    Every run to delete is found first (an unknown or ambiguous id: exit 2, nothing
    deleted); only run files nntui can read as its own are ever deleted.
    """
    from nntui.lab.config import parse_int

    try:
        if ns.action == "rm":
            doomed = store.find(ns.ids)
        else:
            doomed = store.prunable(parse_int("--keep", ns.keep))
    finally:  # a skipped (damaged, foreign) file is named, and left alone
        warn_skipped(store)
    if ns.action == "prune" and ns.dry_run:
        for run in doomed:
            print(one_line(f"would delete {run.id}  {run.path}"))
        print(f"{len(doomed)} run(s) would be deleted from {store.directory}")
        return 0
    deleted = store.delete(doomed)
    for run in deleted:
        print(one_line(f"deleted {run.id}  {run.path}"))
    left = len(store.load())
    print(one_line(f"{len(deleted)} run(s) deleted; {left} left in {store.directory}"))
    return 0


def guided_lab(store: RunStore) -> tuple[GuidedLab, list[StoredRun]]:
    """The guided lab kept beside these runs (for the report's section) and every run its
    pages may name; a damaged lab file is a warning, never an error."""
    from nntui.lab.guided import GuidedLab, state_path

    lab = GuidedLab.load(state_path(store.directory), repair=False)
    for warning in lab.warnings:
        print(f"nntui: warning: {one_line(warning)}", file=sys.stderr)
    return lab, store.load() if lab.has_content else []


def cmd_export(ns: argparse.Namespace) -> int:
    """Write runs as CSV loss histories, JSON or a Markdown report."""
    from nntui.lab.export import export_text
    from nntui.lab.storage import problem, write_output

    store = RunStore(getattr(ns, "results", None))
    try:
        runs = store.find(ns.ids or ["last"])
    finally:  # also when no run matches: a skipped file may be the reason
        warn_skipped(store)
    text = export_text(runs, ns.format, *guided_lab(store) if ns.format == "md" else ())
    if ns.output and ns.output != "-":
        try:
            write_output(ns.output, text)
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot write {ns.output}: {problem(exc)}") from None
        print(one_line(f"wrote {ns.output}"))
    else:  # no -o, or -o -: standard output
        text = printable(text) if ns.format != "json" else text  # JSON escapes its own
        print(text, end="" if text.endswith("\n") else "\n")
    return 0
