"""A sweep started from the app: a thread worker that runs the lab's sweep on both cores.

Each finished run is handed to the session's RunHistory on the app's thread (it saves the
run at once and redraws the Runs tab); the app is told when the sweep is over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.worker import Worker, get_current_worker

if TYPE_CHECKING:
    from nntui.lab.config import ExperimentConfig
    from nntui.ui.app import NNApp


def start_sweep(app: NNApp, configs: list[ExperimentConfig]) -> Worker[None]:
    """Run `configs` in a thread worker (one sweep at a time); returns the worker."""
    return app.run_worker(lambda: _sweep(app, configs), thread=True, exclusive=True,
                          group="sweep", exit_on_error=False)


def _sweep(app: NNApp, configs: list[ExperimentConfig]) -> None:
    from nntui.lab.sweep import run_sweep, short_label, varying_keys

    worker = get_current_worker()
    history, keys = app.live.history, varying_keys(configs)
    ids: list[str] = []
    errors: list[str] = []

    def on_result(i: int, doc: dict[str, Any]) -> None:
        if "error" in doc:
            errors.append(doc["error"])
            return
        run = app.call_from_thread(history.record, doc, "sweep",
                                   short_label(doc["config"], keys))
        ids.append(run.id)
        app.call_from_thread(history.select, ids)

    try:
        run_sweep(configs, on_result, workers=2, cancelled=lambda: worker.is_cancelled)
    except Exception as exc:  # noqa: BLE001 - a failed sweep is reported, never a crash
        errors.append(f"the sweep stopped: {exc}")
    app.post_message(app.SweepDone(len(ids), errors))
