"""The inspector's finite-difference check off the event loop: the same numbers as before,
computed a layer at a time in a worker, shown when ready, never for another step."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nntui.ui.screens.inspector as inspector
from app_helpers import drain, hit, make_app, plain, running, wait_until
from nntui.engine.naming import ACTIVATIONS
from nntui.engine.network import Architecture
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.worked import (
    FD_STEP,
    WorkedStep,
    check_chunks,
    check_key,
    fmt,
    numeric_partials,
    worked_step,
)
from nntui.ui.screens.inspector import InspectorScreen
from nntui.ui.widgets.layer_pages import LayerPage
from nntui.ui.widgets.worked_view import CHECKING, WorkedView

WIDTHS = st.sampled_from([2, 3, (3, 2), (2, 3, 2), (4, 4, 4, 4)])


def bits(values: list[float]) -> list[int]:
    return np.array(values, dtype=float).view(np.uint64).tolist()


def central_differences(arch: Architecture, theta: list[float], x: list[float],
                        y: float) -> list[float]:
    """The finite differences as the engine computed them before: two full traces."""
    out = []
    for k in range(len(theta)):
        up, down = list(theta), list(theta)
        up[k] += FD_STEP
        down[k] -= FD_STEP
        out.append((arch.trace(up, x, y).loss - arch.trace(down, x, y).loss) / (2 * FD_STEP))
    return out


# -- the lab: the same numbers, bit for bit, whichever way they are computed -------------------
@settings(max_examples=40, deadline=None)
@given(widths=WIDTHS, act=st.sampled_from(ACTIVATIONS),
       task=st.sampled_from(["regress", "classify"]), seed=st.integers(0, 2**31),
       first=st.integers(0, 4))
def test_layer_chunks_give_the_two_trace_differences_bit_for_bit(
        widths: int | tuple[int, ...], act: str, task: str, seed: int, first: int) -> None:
    arch = Architecture.of(3, widths, act, task)
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, arch.n_params).tolist()
    x, y = rng.uniform(-1, 1, 3).tolist(), float(rng.integers(0, 2))
    assert arch.sample_loss(theta, x, y) == arch.trace(theta, x, y).loss
    before = central_differences(arch, theta, x, y)
    assert bits(arch.numeric_gradient(theta, x, y, FD_STEP)) == bits(before)
    chunks = check_chunks(arch, first)
    assert sorted(k for _, chunk in chunks for k in chunk) == list(range(arch.n_params))
    assert chunks[0][0] == first % (arch.depth + 1)


def step(hidden: int | tuple[int, ...], **cfg: object) -> WorkedStep:
    exp = Experiment.build(ExperimentConfig(hidden=hidden, **cfg))  # type: ignore[arg-type]
    return worked_step(exp, exp.trainer.peek(3))


@pytest.mark.parametrize(("hidden", "cfg"), [
    (2, {}), ((3, 2), {"activation": "tanh"}),
    ((4, 4, 4), {"task": "classify", "dataset": "blobs"}), ((16, 16, 16, 16), {})])
def test_worked_step_checks_in_pieces_as_it_did_at_once(hidden: int | tuple[int, ...],
                                                         cfg: dict[str, object]) -> None:
    ws = step(hidden, **cfg)
    arch, t = ws.exp.arch, ws.trace
    before = central_differences(arch, ws.record.params_before, t.x, t.y)
    assert bits([ws.numeric[k] for k in range(arch.n_params)]) == bits(before)
    bare = worked_step(ws.exp, ws.record, numeric=False)
    assert bare.numeric == {} and check_key(bare) == check_key(ws)
    pieces: dict[int, float] = {}
    for _, chunk in check_chunks(arch, 1):
        found = numeric_partials(bare, chunk)
        assert found is not None and set(found) == set(chunk)
        pieces.update(found)
    assert bits([pieces[k] for k in range(arch.n_params)]) == bits(before)
    calls = iter([False, False, True])
    assert numeric_partials(bare, range(arch.n_params), lambda: next(calls)) is None


# -- the app: shown at once, checked when ready, never a stale check -------------------------
class CheckGate:
    """Holds the inspector's check worker until the test lets the step with a given key
    through; a held check ignores its cancellation (the worst case: a result that comes
    after the user has moved on), so the screen's own key test is what drops it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cond = threading.Condition()
        self.allowed: set[Hashable] = set()
        self.finished: list[Hashable] = []
        self.workers: dict[Hashable, object] = {}
        self.open = False
        real = inspector.numeric_partials

        def gated(ws: WorkedStep, indices: list[int], cancelled: object = None) -> object:
            if threading.current_thread() is threading.main_thread():
                raise AssertionError("the finite differences were computed on the event loop")
            key = check_key(ws)
            with self.cond:
                self.workers[key] = inspector.get_current_worker()
                while key not in self.allowed and not self.open:
                    self.cond.wait()
            found = real(ws, indices)
            with self.cond:
                self.finished.append(key)
            return found

        monkeypatch.setattr(inspector, "numeric_partials", gated)
        monkeypatch.setattr(InspectorScreen, "INLINE_CHECK", 0)  # every network in the worker

    def allow(self, key: Hashable) -> None:
        with self.cond:
            self.allowed.add(key)
            self.cond.notify_all()

    async def __aenter__(self) -> CheckGate:
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Let every held check through, so the app can shut down even after a failure."""
        with self.cond:
            self.allowed.update(self.workers)
            self.open = True
            self.cond.notify_all()


def shown_step(app) -> WorkedStep:  # noqa: ANN001
    assert app.screen.shown is not None
    return app.screen.shown[0]


async def test_the_step_shows_at_once_and_its_check_when_ready(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gate = CheckGate(monkeypatch)
    app = make_app()
    async with running(app, (120, 60)) as pilot, gate:
        await hit(pilot, "i")
        ws = shown_step(app)
        text = plain(app.screen.query_one(WorkedView))
        assert ws.numeric == {} and text.count(CHECKING) == len(ws.names)
        for k, name in enumerate(ws.names):  # the chain rule's numbers are there already
            assert f"dL/d{name}" in text and fmt(ws.trace.grads[k]) in text
        key = check_key(ws)
        await wait_until(pilot, lambda: key in gate.workers, "the worker reached the gate")
        gate.allow(key)
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: CHECKING not in plain(app.screen.query_one(WorkedView)))
        text = plain(app.screen.query_one(WorkedView))
        expected = worked_step(app.session.experiment, app.session.preview())
        assert shown_step(app).numeric == expected.numeric
        for k in range(len(ws.names)):
            assert fmt(expected.numeric[k]) in text
            assert expected.check(k).status in ("agree", "flat", "kink")


async def test_a_check_for_another_step_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = CheckGate(monkeypatch)
    app = make_app(hidden=(3, 2))
    async with running(app, (80, 40)) as pilot, gate:
        await hit(pilot, "i")
        first = check_key(shown_step(app))
        await wait_until(pilot, lambda: first in gate.workers, "the first check started")
        await hit(pilot, "n")  # keys work while the first step is being checked
        second_ws = shown_step(app)
        second = check_key(second_ws)
        assert second != first and second_ws.index == 1
        assert gate.workers[first].is_cancelled  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: second in gate.workers, "the second check started")
        gate.allow(first)  # the first step's worker finishes after the user moved on
        await wait_until(pilot, lambda: gate.finished.count(first) >= 1)
        await drain(pilot)
        pages = [plain(page) for page in app.screen.query(LayerPage)]
        assert shown_step(app).numeric == {} and all(CHECKING in page for page in pages)
        stale = worked_step(app.session.experiment, app.session.preview(0))
        app.screen.post_message(InspectorScreen.Checked(first, 0, stale.numeric))
        await drain(pilot)  # a result posted for the first step: dropped
        assert shown_step(app).numeric == {} and app.screen.checked == {}
        gate.allow(second)
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: len(shown_step(app).numeric) == len(second_ws.names))
        expected = worked_step(app.session.experiment, app.session.preview(1))
        assert shown_step(app).numeric == expected.numeric != stale.numeric
        page = plain(app.screen.query_one("LayerPage.-current", LayerPage))
        assert CHECKING not in page
        for g in expected.numeric.values():
            assert f"numeric {fmt(g)}" in "".join(plain(p) for p in app.screen.query(LayerPage))


async def test_escape_and_steps_while_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = CheckGate(monkeypatch)
    app = make_app(hidden=(3, 2))
    async with running(app, (80, 40)) as pilot, gate:
        t = app.session.trainer
        await hit(pilot, "i")
        held = check_key(shown_step(app))
        await wait_until(pilot, lambda: held in gate.workers, "the check started")
        await hit(pilot, "s")  # apply while the check is held: the step moves on at once
        assert t.updates == 1 and check_key(shown_step(app)) != held
        moved = check_key(shown_step(app))
        await wait_until(pilot, lambda: moved in gate.workers, "the next check started")
        await hit(pilot, "escape")
        assert not isinstance(app.screen, InspectorScreen)
        for key in (held, moved):
            assert gate.workers[key].is_cancelled  # type: ignore[attr-defined]
            gate.allow(key)
        await app.workers.wait_for_complete()
        await drain(pilot)
        assert not isinstance(app.screen, InspectorScreen)


async def test_a_large_network_is_checked_by_the_worker_without_help() -> None:
    app = make_app(hidden=(8, 8))  # 105 parameters: above INLINE_CHECK
    assert app.session.experiment.arch.n_params > InspectorScreen.INLINE_CHECK
    async with running(app, (80, 40)) as pilot:
        await hit(pilot, "i")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: len(shown_step(app).numeric) == 105)
        expected = worked_step(app.session.experiment, app.session.preview())
        assert shown_step(app).numeric == expected.numeric
        assert not any(CHECKING in plain(p) for p in app.screen.query(LayerPage))
