"""Run nntui in a real pseudo-terminal (80x24), as a student's SSH session does.

For what only a real process shows: how it ends on a hang-up or a crash, its exit status
and what it prints after leaving the screen. Each wait is for output to appear or for the
process to end; the deadline is only a guard against a hang, never a synchronisation.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

HANG_GUARD = 60.0  # seconds: far more than any step takes, even on a loaded machine
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: colours, cursor, modes
                     rb"|\][^\x07\x1b]*(\x07|\x1b\\)"  # OSC: title, clipboard
                     rb"|[()][0-9A-Za-z]|[=>78])")


class Terminal:
    """A process on the slave side of a pty; the test holds the master side."""

    def __init__(self, code: str, args: Sequence[str], env: dict[str, str],
                 cwd: Path) -> None:
        """Run `code` (Python; it calls nntui's CLI with `args` as `sys.argv[1:]`)."""
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdin=slave, stdout=slave, stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
                 **env}, cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = b""

    @property
    def text(self) -> str:
        """Everything shown so far, escape sequences removed."""
        return ESCAPES.sub(b"", self.raw).decode("utf-8", "replace")

    @property
    def after_screen(self) -> str:
        """What was printed once the app had left its screen (the alternate screen)."""
        rest = self.raw.rsplit(b"\x1b[?1049l", 1)[-1] if b"\x1b[?1049l" in self.raw else b""
        return ESCAPES.sub(b"", rest).decode("utf-8", "replace").replace("\a", "")

    def _read(self, deadline: float) -> bool:
        """Read what is there (waiting until `deadline`); False at the end of output."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the process has gone and closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def wait_for(self, pattern: str) -> re.Match[str]:
        """Read the screen until `pattern` (a regex) appears in it."""
        deadline = time.monotonic() + HANG_GUARD
        while True:
            found = re.search(pattern, self.text)
            if found:
                return found
            if time.monotonic() > deadline or not self._read(deadline):
                raise AssertionError(f"{pattern!r} never appeared; screen:\n{self.text[-2000:]}")

    def stall(self) -> None:
        """The connection stalls: nothing is read any more, until the app is stuck writing
        to the terminal (one of its threads waits in write(2), the pty being full). Where
        /proc does not show system calls, the stall is skipped."""
        try:
            with open("/proc/thread-self/syscall") as own:  # this very read is read(2)...
                write = int(own.read().split()[0]) + 1  # ...and write(2) follows it on Linux
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + HANG_GUARD
        while time.monotonic() < deadline:
            for path in glob.glob(f"/proc/{self.proc.pid}/task/*/syscall"):
                try:
                    with open(path) as task:
                        if int(task.read().split()[0]) == write:
                            return
                except PermissionError:
                    return
                except (OSError, ValueError, IndexError):  # the thread ended, or running
                    continue
            time.sleep(0.01)  # a poll for a state, bounded by the deadline
        raise AssertionError("the app never blocked writing to a full terminal")

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self) -> int:
        """Read until the process ends (its last words included); its exit status."""
        deadline = time.monotonic() + HANG_GUARD
        while self._read(deadline) and time.monotonic() < deadline:
            pass
        return self.wait(deadline)

    def hang_up(self) -> int:
        """The terminal goes away (the SSH connection drops): the master side closes and
        the process gets SIGHUP. Returns its exit status."""
        os.close(self.master)
        self.master = -1
        self.proc.send_signal(signal.SIGHUP)
        return self.wait(time.monotonic() + HANG_GUARD)

    def wait(self, deadline: float) -> int:
        try:
            return self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("nntui did not exit: it hangs") from None

    def close(self) -> None:
        """Never leave a process behind, whatever the test found."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
