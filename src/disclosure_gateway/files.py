"""Writing the gateway's outputs: private and atomic.

Stores, responses, reports, exported checkpoints and keys hold personal or
secret data, so files are created 0600 and directories 0700 whatever the
process umask. Every output is written under a temporary name in its own
directory, flushed to disk and renamed into place (rename is atomic on POSIX):
a reader, or the next run after a crash, sees the old file or the new one, never
half of one. A directory of outputs is built beside its final name and renamed
whole, so a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from .errors import InputError

FILE_MODE = 0o600
DIR_MODE = 0o700
#: the mode bits a private file or directory must not have
_SHARED = stat.S_IRWXG | stat.S_IRWXO


def restrict(path: Path, mode: int) -> None:
    """Take group and other permissions off an existing file or directory we own.

    Files made before modes were enforced (or by a tool under a lax umask) are
    tightened in place; someone else's file is left alone (chmod would fail).
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_mode & _SHARED and st.st_uid == os.geteuid():
        os.chmod(path, mode)


def private_dir(path: Path, *, ours: bool = False) -> Path:
    """Create ``path`` and its missing parents 0700.

    An existing directory is restricted only when it is ``ours`` (a workspace's own
    subdirectory): a directory the user named, like the parent of ``--out``,
    is theirs to set.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        for p in reversed(missing):
            with suppress(FileExistsError):  # made meanwhile by another process
                p.mkdir(mode=DIR_MODE)
            restrict(p, DIR_MODE)
        if ours:
            restrict(path, DIR_MODE)
    except OSError as e:
        raise InputError(f"cannot create directory: {e.strerror}", where=str(path)) from e
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (the directory entry, not just the data)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path, *, text: bool = True, mode: int = FILE_MODE,
                newline: str | None = None) -> Iterator[IO[Any]]:
    """A file object writing to a temporary sibling of ``path``; renamed over ``path``
    when the block ends, removed if it raises."""
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", where=str(path)) from e
    tmp = Path(tmp_name)
    ours = True  # whether a failure is this function's (an OSError of the caller's stays theirs)
    try:
        os.fchmod(fd, mode)
        f: IO[Any] = (os.fdopen(fd, "w", encoding="utf-8", newline=newline) if text
                      else os.fdopen(fd, "wb"))
        with f:
            ours = False
            yield f
            ours = True
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(directory)
    except BaseException as e:
        with suppress(OSError):
            tmp.unlink()
        if ours and isinstance(e, OSError):
            raise InputError(f"cannot write: {e.strerror}", where=str(path)) from e
        raise


def atomic_write(path: Path, data: str | bytes, *, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``path`` atomically (temporary name, fsync, rename), private."""
    with atomic_file(path, text=isinstance(data, str), mode=mode) as f:
        f.write(data)
    return path


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Build a directory beside ``target``; it becomes ``target`` (0700) only if the
    block ends normally, and is removed otherwise.

    ``target`` must not exist, or be an empty directory (rename replaces it).
    """
    parent = private_dir(target.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as e:
        raise InputError(f"cannot create directory: {e.strerror}", where=str(target)) from e
    ours = False
    try:
        yield tmp
        ours = True
        os.rename(tmp, target)
        fsync_dir(parent)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if ours and isinstance(e, OSError):
            raise InputError(f"cannot create directory: {e.strerror}", where=str(target)) from e
        raise
