"""Files in and out: atomic writes that respect what the target is, and bounded reads.

`atomic_write` replaces a regular file (configs, exports) so that a reader (or a dropped
SSH session) never sees half of it; `create_exclusive` makes a new file and never
overwrites, so that processes saving runs at the same moment cannot lose each other's.
Only regular files are replaced: a symlink is followed and its target written, a device or
a FIFO (`-o /dev/stdout`, `--save-config /dev/null`) is written directly, never turned into
a regular file; `write_output` also reads `-` as standard output. A replaced file keeps its
mode; a new one gets the umask's. Ending signals wait until a write is complete.
`read_limited` and `read_regular` never read more than a
limit, so a stream, `/dev/zero` or a huge file cannot exhaust memory.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: errno values of a filesystem without hard links (FAT, some network mounts).
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS,
                           errno.EMLINK})
CHUNK = 1 << 16
#: The names of temporary files (in the target folder or a `tmp_dir`).
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"
#: Signals that end nntui (Ctrl-C, a dropped SSH session, kill): held while a file is written.
ENDING = ("SIGINT", "SIGHUP", "SIGTERM")
#: Names that stand for an open file or a device (/dev/stdout, /proc/self/fd/1): a rename
#: there would replace what they point to.
DIRECT = ("/dev/", "/proc/")


@contextmanager
def signals_held(signals: frozenset[int] | None = None) -> Iterator[None]:
    """Hold `signals` (by default the ENDING ones) in this thread for the duration; they
    arrive when it ends.

    A Ctrl-C or a hang-up then comes after a file is complete and its temporary gone,
    never in between; a process spawned meanwhile starts with them held too.
    """
    import signal  # here, as tempfile: only a write needs it, not the app's first paint

    if signals is None:
        signals = frozenset(getattr(signal, name) for name in ENDING if hasattr(signal, name))
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class UnreadableFile(Exception):
    """A file that is refused before (or while) reading it; `problem` says why."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def problem(exc: OSError | ValueError) -> str:
    """What went wrong with a file, for a message (ValueError: a NUL in the name)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def write_output(path: str, text: str) -> None:
    """Write a user-named output: `-` is standard output, anything else `atomic_write`.

    The folder must exist: a mistyped `-o /nonexistent/dir/r.md` is an error (see
    `missing_folder`), never a surprise folder. Only nntui's own folders (the results
    directory, its exports) are created by `atomic_write`.
    """
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write(path, text, make_folder=False)


def missing_folder(path: str) -> FileNotFoundError:
    """The error of an output whose folder does not exist; its message names the folder
    (`problem()` gives: the folder /nonexistent/dir does not exist)."""
    folder = os.path.dirname(path.rstrip(os.sep) or path) or os.curdir
    return FileNotFoundError(errno.ENOENT, f"the folder {folder} does not exist", path)


def atomic_write(path: str, text: str, tmp_dir: str | None = None,
                 make_folder: bool = True) -> None:
    """Write `text` to `path` via a temporary file, fsync, then rename over `path`.

    Symlinks are resolved first (the link stays, its target gets the text); a device or a
    FIFO is written directly (a rename would replace it). An existing file's mode is kept.
    `tmp_dir` (same filesystem) keeps unfinished files out of the target directory, so a
    process killed mid-write leaves nothing half-written where results are read.
    `make_folder`: create a missing folder (nntui's own), else FileNotFoundError.
    """
    try:
        st = os.stat(path)  # follows links, /dev/stdout -> /proc/self/fd/1 -> pipe included
    except FileNotFoundError:
        mode = None
    else:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(st.st_mode) or path.startswith(DIRECT):
            _write_directly(path, text, st)
            return
        mode = stat.S_IMODE(st.st_mode)
    given, path = path, os.path.realpath(path)  # a link's target is replaced, the link stays
    directory = os.path.dirname(path)
    if make_folder:
        os.makedirs(directory, exist_ok=True)
    elif not os.path.exists(directory):  # a file there: the OS says 'Not a directory'
        raise missing_folder(given)
    with signals_held():
        try:  # the temporary folder goes too when the temporary cannot be written
            tmp = _write_temp(tmp_dir or directory, text)
            try:
                if mode is not None:
                    os.chmod(tmp, mode)
                os.replace(tmp, path)
            except BaseException:
                _unlink(tmp)
                raise
        finally:
            _remove_if_empty(tmp_dir, directory)
    _fsync_dir(directory)


def _write_directly(path: str, text: str, st: os.stat_result) -> None:
    """A device, a FIFO or a /dev/stdout-like name: written in place, never renamed over.

    If it is this process's own stdout or stderr (`--save-config /dev/stdout > out.txt`),
    the text goes through that stream, in order with what is printed there.
    """
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        try:
            same = os.path.samestat(os.fstat(fd), st)
        except OSError:
            continue
        if same:
            stream.write(text)
            stream.flush()
            return
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def create_exclusive(path: str, text: str, tmp_dir: str | None = None) -> None:
    """Create `path` holding `text`, atomically; FileExistsError if the name is taken.

    The text is written and fsynced under a temporary name, then hard-linked to `path`:
    the link appears whole and fails if `path` exists, so two writers can never replace
    each other's file. Without hard links the name is reserved with O_EXCL first (a reader
    may then briefly see an empty file, never a partial one).
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with signals_held():
        try:  # the temporary folder goes too when the temporary cannot be written
            tmp = _write_temp(tmp_dir or directory, text)
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError as exc:
                if exc.errno not in NO_HARD_LINKS:
                    raise
                _reserve_and_replace(tmp, path)
            finally:
                _unlink(tmp)
        finally:
            _remove_if_empty(tmp_dir, directory)
    _fsync_dir(directory)


def _reserve_and_replace(tmp: str, path: str) -> None:
    """Claim `path` with O_EXCL (FileExistsError if taken), then move `tmp` onto it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(path)
        raise


def new_file_mode() -> int:
    """The mode `open()` would give a new file: 0o666 less the umask."""
    umask = None
    try:  # Linux shows the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    if umask is None:
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def _write_temp(tmp_dir: str, text: str) -> str:
    """A new, fsynced temporary file in `tmp_dir` holding `text`; its path.

    mkstemp makes it private (0600); it gets the mode of a new file before it is renamed.
    """
    import tempfile  # here: only a write needs it (~3 ms; not the app's first paint)

    for attempt in range(100):
        os.makedirs(tmp_dir, exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=tmp_dir)
            break
        except FileNotFoundError:  # another writer removed the empty tmp_dir just now
            if attempt == 99:
                raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), new_file_mode())
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; UnreadableFile otherwise.

    Opened without blocking, so a FIFO is refused at once instead of waiting for a writer;
    a device (`/dev/zero`) or a directory is refused before anything is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot read it: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFile(f"cannot read it: {os.strerror(errno.EISDIR)}")
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"not a regular file (it is {file_kind(mode)})")
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def read_limited(path: str, limit: int) -> tuple[bytes, bool]:
    """All bytes of a file or a stream (FIFO, `/dev/stdin`, `<(...)`), read once.

    Returns (data, regular). UnreadableFile past `limit` bytes: `yes 1,2 |` or `/dev/zero`
    stops there instead of filling memory. OSError if it cannot be opened or read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        return _read_fd(fd, limit), stat.S_ISREG(mode)
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    """Read to the end, refusing more than `limit` bytes (the size of a file can lie)."""
    if stat.S_ISREG(os.fstat(fd).st_mode) and os.fstat(fd).st_size > limit:
        raise UnreadableFile(f"larger than {size_text(limit)}")
    parts: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = os.read(fd, CHUNK)
        except OSError as exc:
            raise UnreadableFile(f"cannot read it: {exc.strerror or exc}") from None
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise UnreadableFile(f"larger than {size_text(limit)}")
        parts.append(chunk)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def size_text(size: int) -> str:
    """A byte count as MB for messages (limits are whole megabytes)."""
    return f"{size / 2**20:g} MB"


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_if_empty(tmp_dir: str | None, directory: str) -> None:
    """Leave no empty temporary directory behind (one still in use is not empty)."""
    if tmp_dir and os.path.abspath(tmp_dir) != directory:
        try:
            os.rmdir(tmp_dir)
        except OSError:
            pass


def remove_stale_temps(tmp_dir: str, older_than: float) -> None:
    """Delete the temporaries a killed writer left in `tmp_dir` (SIGKILL cannot be held),
    then the folder if it is empty. Only our own names older than `older_than` seconds
    go: a live write takes milliseconds, so another process's temporary is never touched.
    """
    try:
        names = os.listdir(tmp_dir)
    except OSError:
        return
    now = time.time()
    for name in names:
        if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
            path = os.path.join(tmp_dir, name)
            try:
                if now - os.lstat(path).st_mtime > older_than:
                    os.unlink(path)
            except OSError:
                pass
    try:
        os.rmdir(tmp_dir)
    except OSError:
        pass


def _fsync_dir(directory: str) -> None:
    """Make a rename or link itself durable (not possible on every platform)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
