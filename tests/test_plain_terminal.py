"""Any terminal: no terminal at all, monochrome (NO_COLOR), plain (ASCII only), and
readable tick labels on the loss curve (issue 13, items 3 and 4)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from terminal import Terminal
from textual.app import App
from textual_plotext.plot import Plot

from app_helpers import make_app, running, settle
from nntui.ui.ascii import AsciiFilter, ascii_char, plain_terminal, set_ascii_drawing, to_ascii
from nntui.ui.screenshots import press, scene_app
from nntui.ui.widgets.loss_plot import draw, legend, series_keys, tick_label, y_ticks

NO_TERMINAL = ("nntui: error: the app needs a terminal; use nntui run ... for headless "
               "output\n")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# -- 3. no terminal -----------------------------------------------------------------------------
def no_terminal(stdin: object, stdout: object, env: dict[str, str]) -> tuple[int, str, str]:
    """`nntui` with the given streams; prints whether textual was imported after it."""
    code = ("import sys\nfrom nntui.cli import main\ntry:\n    main([])\n"
            "except SystemExit as e:\n    sys.stderr.write(f'exit {e.code}\\n')\n"
            "sys.stderr.write(f\"textual {'textual' in sys.modules}\\n\")\n")
    done = subprocess.run([sys.executable, "-c", code], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60,
                          env={**os.environ, **env})
    return done.returncode, done.stdout or "", done.stderr


@pytest.mark.parametrize("which", ["stdin", "stdout", "both", "dumb"])
def test_without_a_terminal_the_app_refuses_in_one_line_before_loading_textual(
        which: str) -> None:
    """Not a terminal on either side (`nntui < file`, `nntui > file`, `ssh host nntui`),
    or TERM=dumb: one line, status 2, no escape codes, and textual never imported (so
    it answers at once instead of drawing into the void)."""
    main, child = pty.openpty()
    try:
        stdin = child if which in ("stdout", "dumb") else subprocess.DEVNULL
        stdout = child if which in ("stdin", "dumb") else subprocess.PIPE
        env = {"TERM": "dumb" if which == "dumb" else "xterm-256color"}
        code, out, err = no_terminal(stdin, stdout, env)
    finally:
        os.close(child)
        os.close(main)
    assert code == 0 and out == ""
    assert err == NO_TERMINAL + "exit 2\ntextual False\n"
    assert "\x1b" not in out + err


def test_plain_terminals_are_recognised() -> None:
    assert plain_terminal({"TERM": "linux"}) and plain_terminal({"TERM": "vt100"})
    assert not plain_terminal({"TERM": "xterm-256color"}) and not plain_terminal({})


def test_ascii_is_an_app_option_only(cli) -> None:  # noqa: ANN001
    code, _, err = cli("run", "--ascii", "--no-save")
    assert code == 2 and "unrecognized arguments: --ascii" in err


# -- 4. tick labels -----------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "step", "label"), [
    (1638.7191, 500, "1.6e3"),
    (1638.7191, 1, "1639"),
    (2000, 1000, "2000"),
    (100, 100, "100"),
    (12345, 1000, "1.2e4"),
    (1e6, 1e6, "1e6"),
    (0.02, 0.01, "0.02"),
    (0.30000000000000004, 0.1, "0.3"),
    (0.0005, 0.0005, "5e-4"),
    (1e-5, 1e-5, "1e-5"),
    (0.315, 0.005, "0.315"),
    (1.0, 0.2, "1.0"),
    (-0.2, 0.1, "-0.2"),
    (0.0, 0.1, "0"),
])
def test_tick_labels_are_short_and_exact_enough(value: float, step: float,
                                                label: str) -> None:
    assert tick_label(value, step) == label


@pytest.mark.parametrize(("low", "high", "log"), [
    (0.0045, 0.06, False), (0.0045, 0.06, True), (1.9, 1638.7191, False),
    (1.9, 1638.7191, True), (3e-5, 2e4, True), (0.31, 0.33, False), (0.0, 1.0, False),
    (123.456, 123.4567, False),
])
def test_y_ticks_are_round_values_inside_the_range(low: float, high: float,
                                                   log: bool) -> None:
    ticks, labels = y_ticks(low, high, log, count=5)
    assert 1 <= len(ticks) <= 6 and len(set(labels)) == len(labels)
    assert all(low - 1e-12 <= t <= high + 1e-12 for t in ticks)
    assert all(len(label) <= 7 for label in labels), labels
    assert all(abs(float(label) - t) <= 1e-9 * max(1, abs(t)) or len(ticks) == 1
               for t, label in zip(ticks, labels))


def test_log_ticks_are_powers_of_ten_over_decades() -> None:
    assert y_ticks(1.9, 1638.7191, True) == ([10.0, 100.0, 1000.0], ["10", "100", "1000"])
    assert y_ticks(0.0045, 0.06, True)[1] == ["0.005", "0.01", "0.02", "0.05"]


# -- 4. markers -------------------------------------------------------------------------------
def plotted(series: dict[str, list[float]], ascii_only: bool = False,
            log: bool = False) -> list[str]:
    """The lines of a plot built without colour (plotext's colourless theme)."""
    plt = Plot()
    plt.plotsize(60, 20)
    plt.theme("clear")
    draw(plt, series, log_scale=log, ascii_only=ascii_only, width=60, height=20)
    return ANSI.sub("", plt.build()).splitlines()


def curve_chars(lines: list[str]) -> set[str]:
    """The characters inside the frame, legend lines left out (the curve's marks)."""
    frame = "|" if lines[0].lstrip().startswith("+") else "│"
    inside = [line.split(frame)[1] for line in lines[1:-3]
              if frame in line and not re.search(r"train|test", line)]
    return {c for line in inside for c in line} - {" "}


LOSS = [0.5 * 0.9 ** i for i in range(30)]
TEST = [1.5 * v for v in LOSS]


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
def test_train_and_test_differ_by_marker_without_colour(ascii_only: bool, log: bool) -> None:
    """Drawn alone, each curve's marks share no character with the other's; drawn
    together, the legend shows each label with its own marker."""
    train = curve_chars(plotted({"train": LOSS, "test": []}, ascii_only, log))
    test = curve_chars(plotted({"train": [], "test": TEST}, ascii_only, log))
    assert train and test and not train & test, (train, test)
    keys = legend(series_keys({"train": LOSS, "test": TEST}, ascii_only), 60).plain
    train_mark = re.search(r"(\S+) train", keys)
    test_mark = re.search(r"(\S+) test", keys)
    assert train_mark and test_mark and not set(train_mark[1]) & set(test_mark[1])
    if ascii_only:  # the legend shows the very characters the curves are drawn with
        assert set(train_mark[1]) == train and set(test_mark[1]) == test


def test_every_run_of_the_overlay_has_its_own_marker() -> None:
    runs = {f"#{n}": [v * (1 + n / 3) for v in LOSS] for n in range(1, 6)}
    marks = re.findall(r"(\S+) #\d", legend(series_keys(runs, False), 200).plain)
    assert len(marks) == 5 and len(set(marks)) == 5
    assert len({colour for _, _, colour in series_keys(runs, False)}) == 5


def test_the_legend_is_below_the_plot_not_over_the_first_points() -> None:
    """Issue 12 trial C2: plotext's legend, top left, hid a diverged run's first epochs.
    The plot has no legend of its own; the first (highest) point is drawn there."""
    diverged = [1e3 * 0.5 ** i for i in range(30)]
    lines = plotted({"train": diverged, "test": [2 * v for v in diverged]}, True)
    assert not any("train" in line or "test" in line for line in lines)
    top = re.split(r"[│┤]", lines[1])[1]  # the first row inside the frame
    assert top[:2].strip(), top  # a mark in the top-left corner
    keys = legend(series_keys({"train": [1.0], "test": [1.0], "#3": [1.0]}, True), 12)
    assert keys.plain.splitlines() == ["** train", "oo test", "++ #3"]  # wrapped


# -- 4. ASCII drawing ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["╭──┤ R² ├──╮", "lr ×÷10 ×÷2", "▶ ▼ ● · … — →",
                                  "⢕⢕ ▞▞ ▏▕▔▁█", "名前 café ½σ", "e\u0301"])
def test_ascii_mapping_keeps_every_cell(text: str) -> None:
    mapped = to_ascii(text)
    assert mapped.isascii() and cell_len(mapped) == cell_len(text)


def test_ascii_mapping_keeps_meaning_where_it_can() -> None:
    assert to_ascii("┌─┐│└┘├┤┬┴┼") == "+-+|+++++++"
    assert to_ascii("lr ×÷10") == "lr x/10" and to_ascii("R²") == "R2"
    assert [ascii_char(c) for c in "▶◀▲▼→"] == [">", "<", "^", "v", ">"]
    assert to_ascii("café") == "cafe" and to_ascii("名") == "??"


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as text (the compositor's lines, filters applied)."""
    console = Console(record=True, width=app.size.width, file=open(os.devnull, "w"),  # noqa: SIM115
                      color_system=None)
    console.print(app.screen._compositor.render_update(full=True))  # noqa: SLF001
    return console.export_text()


async def test_ascii_mode_draws_every_screen_with_ascii_only() -> None:
    app = make_app(epochs=30)
    app = type(app)(app.session, ascii_only=True)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        pictures = {"loss": screen_text(app)}
        for key, name in (("2", "results"), ("4", "runs"), ("enter", "overlay")):
            await pilot.press(key)
            await settle(pilot)
            pictures[name] = screen_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        pictures["help"] = screen_text(app)
        svg = app.export_screenshot()
    assert "train" in pictures["loss"] and "* train" in pictures["loss"]
    for name, text in pictures.items():
        assert text.isascii(), (name, sorted({c for c in text if not c.isascii()}))
    body = re.sub(r"<style.*?</style>|<defs>.*?</defs>", "", svg, flags=re.S)
    texts = re.findall(r">([^<]*)</text>", body)
    assert texts and all(t.isascii() for t in texts)


async def test_ascii_drawing_can_be_switched_off_again() -> None:
    app = make_app(epochs=5)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        assert not screen_text(app).isascii()
        set_ascii_drawing(app, True)
        await settle(pilot)
        assert screen_text(app).isascii() and app.has_class("-ascii")
        set_ascii_drawing(app, False)
        await settle(pilot)
        assert not screen_text(app).isascii()
        assert [f for f in app.get_line_filters() if isinstance(f, AsciiFilter)] == []


async def test_no_color_keeps_train_and_test_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(epochs=30)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
    assert app.no_color
    assert "▞▞ train" in text and "⢕⢕ test" in text


# -- 4. ASCII drawing in a real terminal ---------------------------------------------------------
@pytest.mark.parametrize(("term", "args"), [("linux", []), ("xterm-256color", ["--ascii"])],
                         ids=["TERM=linux", "--ascii"])
def test_a_plain_terminal_gets_ascii_only(tmp_path: Path, term: str,
                                          args: list[str]) -> None:
    """The real app in a pseudo-terminal: on the Linux console (or with --ascii) every
    character it writes, from the first frame to the last, is ASCII."""
    env = {"TERM": term, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    screen = Terminal("import sys; from nntui.cli import entry; entry(sys.argv[1:])",
                      [*args, "--epochs", "20", "--no-save"], env, tmp_path)
    try:
        screen.wait_for(r"ready\s+ep 0/20")
        screen.press("f")
        screen.wait_for(r"finished\s+ep 20/20")
        screen.press("q")
        assert screen.finish() == 0
    finally:
        screen.close()
    assert "* train" in screen.text and "o test" in screen.text
    assert screen.text.isascii(), sorted({c for c in screen.text if not c.isascii()})


# -- pictures: ASCII drawing at 80x24 and 160x48 ------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_ascii_snapshot(snap_compare, size: tuple[int, int]) -> None:  # noqa: ANN001
    app = scene_app("finished-80x24")
    ascii_app = type(app)(app.session, store=app.store, ascii_only=True)
    assert snap_compare(ascii_app, terminal_size=size, run_before=press("f"))
