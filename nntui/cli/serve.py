"""`nntui serve`: the app in a web browser, for students without SSH or a terminal.

textual-serve runs one `nntui` process per browser session, behind a small web server
(aiohttp) that relays its screen and keys over a websocket. Here:

- Each session gets its own results folder, `sessions/<time>-<random>` under the user's
  data directory (or `--results`), made by the session's own process (`session_main`),
  so two students on one server never see or overwrite each other's runs.
- The server listens on 127.0.0.1 unless `--host` says otherwise: a lab machine does not
  offer the app to its whole network by accident.
- The page needs nothing from outside the machine: textual-serve's page links a Google
  font, which is replaced by the same font shipped in its static folder (and the
  terminal's own fallbacks), so it works offline and leaks no request.
- The page's links use the address the browser asked for, so `--host 0.0.0.0` works
  from another machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path
from typing import Any

from nntui.errors import UserError

#: The link textual-serve's page has to the outside (Google Fonts' Roboto Mono).
REMOTE_FONT = r'<link[^>]*href="https?://[^"]*"[^>]*/?>'
#: The same font from the server's static folder.
LOCAL_FONT = """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf");
      }
    </style>"""


def serve_arguments(serve: argparse.ArgumentParser) -> None:
    """`nntui serve`'s own options (registered in cli/subcommands.py)."""
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; "
                       "0.0.0.0 offers it to the network)")
    serve.add_argument("--port", default="8000", metavar="N", help="port (default 8000)")
    serve.add_argument("--results", metavar="DIR", default=None,
                       help="where the session folders go (default: the user's data "
                       "directory, e.g. ~/.local/share/nntui/sessions)")


def sessions_dir(results: str | None) -> Path:
    from platformdirs import user_data_path

    return Path(results) if results else user_data_path("nntui", appauthor=False) / "sessions"


def session_command(root: Path) -> str:
    """The shell command textual-serve runs for each session."""
    import shlex
    import subprocess

    args = [sys.executable, "-m", "nntui.cli.serve", str(root)]
    return subprocess.list2cmdline(args) if os.name == "nt" else shlex.join(args)


def page_templates(into: Path) -> Path:
    """textual-serve's page template with its remote font replaced by the local copy."""
    import textual_serve

    page = Path(textual_serve.__file__).with_name("templates") / "app_index.html"
    html = re.sub(REMOTE_FONT, LOCAL_FONT, page.read_text(encoding="utf-8"), count=1,
                  flags=re.S)
    (into / "app_index.html").write_text(html, encoding="utf-8")
    return into


def port_number(text: str) -> int:
    from nntui.lab.config import parse_int

    port = parse_int("--port", text)
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, got {port}")
    return port


def cmd_serve(ns: argparse.Namespace) -> int:
    """Serve until Ctrl-C; a port in use or a missing textual-serve is one error line."""
    import asyncio
    import signal
    import tempfile

    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("nntui serve needs textual-serve: pip install textual-serve") from None
    port = port_number(ns.port)
    root = sessions_dir(ns.results)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot use {root} for the sessions' results: {exc.strerror}") from None
    os.environ["TERM"] = "xterm-256color"  # the browser's terminal draws every character

    def listening(*_: object) -> None:  # aiohttp calls it once the port is bound
        print(f"nntui serve: open http://{ns.host}:{port}/ in a browser; each session "
              f"saves its runs under {root}; ctrl+c stops", flush=True)

    class LocalServer(Server):
        async def on_startup(self, app: Any) -> None:
            """No banner before the port is bound (it may be taken): see `serve`."""

        def serve(self, debug: bool = False) -> None:
            """Server.serve, announcing the address once it is really listening."""
            from aiohttp import web

            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):  # Windows
                    loop.add_signal_handler(sig, self.request_exit)
            web.run_app(self._make_app(), host=self.host, port=self.port,
                        handle_signals=False, loop=loop, print=listening)

        async def handle_index(self, request: Any) -> Any:
            self.public_url = f"{request.scheme}://{request.host}"  # as the browser asked
            return await super().handle_index(request)

    with tempfile.TemporaryDirectory(prefix="nntui-serve-") as pages:
        server = LocalServer(session_command(root), host=ns.host, port=port, title="nntui",
                             templates_path=page_templates(Path(pages)))
        try:
            server.serve()
        except OSError as exc:
            raise UserError(f"cannot listen on {ns.host}:{port}: "
                            f"{exc.strerror or exc}") from None
    return 0


def session_main(root: str) -> None:
    """One browser session: the app, with runs saved in a new folder of its own."""
    import tempfile
    import time

    from nntui.cli import entry

    Path(root).mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=root)
    os.environ["XDG_CONFIG_HOME"] = folder  # one student's theme is not the next one's
    try:
        entry(["--results", folder])
    finally:
        for empty in (Path(folder) / "nntui", Path(folder)):
            with contextlib.suppress(OSError):  # a session that saved nothing leaves nothing
                empty.rmdir()


if __name__ == "__main__":
    session_main(sys.argv[1])
