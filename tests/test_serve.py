"""`nntui serve` end to end (issue 13, item 8): a real server on a free port of
127.0.0.1, its page and assets, a websocket session that shows the app and takes keys,
and (when Chromium is installed: `make browser`) a headless browser's screenshot.

Every wait is for something to happen (a line, a frame, a file); the deadline is only a
guard against a hang, never a synchronisation.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HANG_GUARD = 60.0
#: `make browser` keeps the screenshot for the README (NNTUI_SCREENSHOTS=screenshots);
#: an ordinary test run leaves the work tree alone.
SCREENSHOTS = os.environ.get("NNTUI_SCREENSHOTS")
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)"
                     r"|[()][0-9A-Za-z]|[=>78])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A running `nntui serve` and where its sessions save their runs."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str, data: Path) -> None:
        self.proc, self.url, self.data = proc, url, data

    @property
    def sessions(self) -> list[Path]:
        root = self.data / "nntui" / "sessions"
        return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nntui", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
        env={**os.environ, "XDG_DATA_HOME": str(data)}, start_new_session=True)
    assert proc.stdout is not None
    line, deadline = b"", time.monotonic() + HANG_GUARD
    while b"\n" not in line:  # the server's one line says it is listening
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        chunk = os.read(proc.stdout.fileno(), 4096) if ready else b""
        assert chunk, f"nntui serve did not start: {line!r}"
        line += chunk
    url = f"http://127.0.0.1:{port}/"
    assert url.encode() in line and b"sessions" in line
    try:
        yield Served(proc, url, data)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=HANG_GUARD)


def test_the_page_and_its_assets_come_from_this_machine(served: Served) -> None:
    with urllib.request.urlopen(served.url, timeout=HANG_GUARD) as page:
        assert page.status == 200
        html = page.read().decode()
    links = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', html)
    assets = [a or b for a, b in links]
    assert assets and "googleapis" not in html
    assert all(a.startswith(served.url) for a in assets), assets
    assert any(a.endswith(".ttf") for a in assets)  # the font, served locally
    for asset in assets:
        with urllib.request.urlopen(asset, timeout=HANG_GUARD) as response:
            assert response.status == 200 and response.read()
    assert 'data-session-websocket-url="ws://127.0.0.1:' in html


async def session_screen(served: Served, keys: list[tuple[str, str | None]]) -> list[str]:
    """Open a session; after each (key, text to wait for) return what the screen showed;
    None waits for the app to end the session."""
    import aiohttp

    url = served.url.replace("http", "ws") + "ws?width=80&height=24"
    shown: list[str] = []
    async with aiohttp.ClientSession() as client, client.ws_connect(url) as ws:
        raw = ""
        for key, wanted in keys:
            if key:
                await ws.send_str(json.dumps(["stdin", key]))
            if wanted is None:  # the app leaves: the server closes the websocket
                message = await asyncio.wait_for(ws.receive(), HANG_GUARD)
                while message.type == aiohttp.WSMsgType.BINARY:
                    message = await asyncio.wait_for(ws.receive(), HANG_GUARD)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                return shown
            while wanted not in ESCAPES.sub("", raw):
                message = await asyncio.wait_for(ws.receive(), HANG_GUARD)
                assert message.type == aiohttp.WSMsgType.BINARY, message
                raw += message.data.decode("utf-8", "replace")
            shown.append(ESCAPES.sub("", raw))
            raw = ""
    return shown


def test_a_websocket_session_shows_the_app_and_takes_keys(served: Served) -> None:
    """Frames of the real app arrive; `f` trains to the end, `q` quits, and the run is
    saved in this session's own folder."""
    shown = asyncio.run(session_screen(served, [("", "Run/pause"), ("f", "finished"),
                                                ("q", None)]))
    assert "Loss" in shown[0] and "train" in shown[1]
    runs = [p for s in served.sessions for p in s.glob("run-*.json")]
    assert len(served.sessions) == 1 and len(runs) == 1
    asyncio.run(session_screen(served, [("", "Run/pause"), ("f", "finished"), ("q", None)]))
    assert [len(list(s.glob("run-*.json"))) for s in served.sessions] == [1, 1]  # apart


def test_serve_refuses_a_bad_port(cli) -> None:  # noqa: ANN001
    code, _, err = cli("serve", "--port", "70000")
    assert code == 2 and err == "nntui: error: --port must be between 1 and 65535, got 70000\n"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: Injected before the page loads: keeps the text of every frame the page receives, and
#: gives a promise that resolves once some text has been seen (the wait is the page's).
WATCH = """
window.__screen = "";
const Plain = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Plain(...args);
  ws.addEventListener("message", (e) => {
    if (e.data instanceof ArrayBuffer) window.__screen += new TextDecoder().decode(e.data);
  });
  return ws;
};
window.WebSocket.prototype = Plain.prototype;
window.__seen = (text) => new Promise((done) => {
  const check = () => (text === "-closed" ? document.body.classList.contains("-closed")
                       : window.__screen.replace(/\\x1b\\[[0-9;?<>=]*[ -\\/]*[@-~]/g, "")
                           .includes(text)) ? done(true)
                                                         : requestAnimationFrame(check);
  check();
});
"""


class Browser:
    """Headless Chromium driven over its DevTools protocol (a websocket)."""

    def __init__(self, ws: object) -> None:
        self.ws, self.n = ws, 0

    async def call(self, method: str, **params: object) -> dict:
        self.n += 1
        await self.ws.send_json({"id": self.n, "method": method, "params": params})  # type: ignore[attr-defined]
        while True:
            reply = await asyncio.wait_for(self.ws.receive_json(), HANG_GUARD)  # type: ignore[attr-defined]
            if reply.get("id") == self.n:
                assert "error" not in reply, reply
                return reply.get("result", {})

    async def seen(self, text: str) -> None:
        await self.call("Runtime.evaluate", expression=f"window.__seen({text!r})",
                        awaitPromise=True)

    async def key(self, char: str) -> None:
        """Type `char` into the page's terminal (xterm.js reads its hidden textarea)."""
        await self.call("Runtime.evaluate", expression="document.querySelector("
                        "'.xterm-helper-textarea').focus()")
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key=char, text=char,
                            code=f"Key{char.upper()}")


async def browse(served: Served, profile: Path) -> bytes:
    """Load the page, wait for the app, press f (train to the end), take a screenshot,
    press q; returns the PNG."""
    import base64

    import aiohttp

    assert CHROMIUM is not None
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
        f"--user-data-dir={profile}", "--window-size=1000,640", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stderr is not None
        line = b""
        while b"DevTools listening on " not in line:
            line = await asyncio.wait_for(proc.stderr.readline(), HANG_GUARD)
            assert line, "chromium did not start"
        port = re.search(rb"ws://[^:]+:(\d+)/", line)[1].decode()  # type: ignore[index]
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in await response.json() if t["type"] == "page"]
            async with client.ws_connect(pages[0]["webSocketDebuggerUrl"],
                                         max_msg_size=0) as ws:
                browser = Browser(ws)
                await browser.call("Page.enable")
                await browser.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
                await browser.call("Page.navigate", url=served.url)
                await browser.seen("Run/pause")
                await browser.key("f")
                await browser.seen("finished")
                await browser.call("Runtime.evaluate", awaitPromise=True, expression=(
                    "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"))
                shot = await browser.call("Page.captureScreenshot", format="png")
                await browser.key("q")
                await browser.seen("-closed")
    finally:
        proc.kill()
        await proc.wait()
    return base64.b64decode(shot["data"])


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: `make browser` installs "
                    "Debian's chromium (the websocket round trip is tested without it)")
def test_a_headless_browser_shows_the_app_and_takes_keys(served: Served,
                                                         tmp_path: Path) -> None:
    """Chromium loads the page; the app appears; `f` typed in the page trains to the
    end, `q` ends the session, whose run is then in its folder; the screenshot goes to
    screenshots/serve.png under `make browser`."""
    png = asyncio.run(browse(served, tmp_path / "profile"))
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    runs = [p for s in served.sessions for p in s.glob("run-*.json")]
    assert len(served.sessions) == 1 and len(runs) == 1
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(exist_ok=True)
    (folder / "serve.png").write_bytes(png)


def test_a_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "nntui", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=HANG_GUARD,
                              cwd=tmp_path, env={**os.environ,
                                                 "XDG_DATA_HOME": str(tmp_path / "data")})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"nntui: error: cannot listen on 127.0.0.1:{port}: ")
    assert done.stderr.count("\n") == 1
