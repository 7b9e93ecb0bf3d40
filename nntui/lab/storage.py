"""Atomic file writes: a reader (or a dropped SSH session) never sees half a file.

`atomic_write` replaces a file (configs, exports); `create_exclusive` makes a new one and
never overwrites, so that processes saving runs at the same moment cannot lose each other's.
"""

from __future__ import annotations

import errno
import os
import tempfile

#: errno values of a filesystem without hard links (FAT, some network mounts).
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS,
                           errno.EMLINK})


def atomic_write(path: str, text: str, tmp_dir: str | None = None) -> None:
    """Write `text` to `path` via a temporary file, fsync, then rename over `path`.

    `tmp_dir` (same filesystem) keeps unfinished files out of the target directory, so a
    process killed mid-write leaves nothing half-written where results are read.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = _write_temp(tmp_dir or directory, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    finally:
        _remove_if_empty(tmp_dir, directory)
    _fsync_dir(directory)


def create_exclusive(path: str, text: str, tmp_dir: str | None = None) -> None:
    """Create `path` holding `text`, atomically; FileExistsError if the name is taken.

    The text is written and fsynced under a temporary name, then hard-linked to `path`:
    the link appears whole and fails if `path` exists, so two writers can never replace
    each other's file. Without hard links the name is reserved with O_EXCL first (a reader
    may then briefly see an empty file, never a partial one).
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = _write_temp(tmp_dir or directory, text)
    try:
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


def _write_temp(tmp_dir: str, text: str) -> str:
    """A new, fsynced temporary file in `tmp_dir` holding `text`; its path."""
    for attempt in range(100):
        os.makedirs(tmp_dir, exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=tmp_dir)
            break
        except FileNotFoundError:  # another writer removed the empty tmp_dir just now
            if attempt == 99:
                raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


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
