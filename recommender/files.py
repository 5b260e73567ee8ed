"""Writing files so that readers never see half of one: temp file, fsync, rename."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from filelock import FileLock


def write_atomically(path: Path, text: str, mode: int = 0o644) -> None:
    """Write via a temp file in the same directory, fsync, then rename over `path`.

    Readers see the old file or the new one, never half of one, even across a power cut.
    """
    with atomic_writer(path, mode) as handle:
        handle.write(text)


@contextmanager
def atomic_writer(path: Path, mode: int = 0o644) -> Iterator[IO[str]]:
    """A text handle whose contents replace `path` only if the `with` block completes.

    For output too large to build in memory first; on any error the old file stays as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as temp:
            yield temp
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry itself is flushed.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class UnreadableFile(Exception):
    """A file `read_bounded` could not read within its limit; `problem` says why in words."""

    def __init__(
        self,
        path: Path,
        problem: str,
        *,
        missing: bool = False,
        folder: bool = False,
        too_large: bool = False,
    ) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
        self.missing = missing
        self.folder = folder
        self.too_large = too_large


def read_bounded(path: Path, limit: int, kind: str = "") -> bytes:
    """At most `limit` bytes of `path`, or `UnreadableFile`.

    One byte past the limit is read and no more, so even an endless file (a pipe, /dev/zero)
    stops. With `kind` ("CSV", "TOML"), a folder is refused as "expected a `kind` file".
    """
    path = Path(path)
    try:
        if kind and path.is_dir():
            raise UnreadableFile(path, f"is a folder, expected a {kind} file", folder=True)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise UnreadableFile(path, "file not found", missing=True) from None
    except OSError as error:
        raise UnreadableFile(path, f"cannot read ({error.strerror})") from None
    if len(data) > limit:
        raise UnreadableFile(path, f"larger than the {limit:,} bytes allowed", too_large=True)
    return data


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if missing) for the `with` block.

    For a read-modify-write of a small state file: two processes doing it at once take turns,
    so neither loses the other's change.
    """
    lock_path = Path(lock_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # filelock: an OS lock on POSIX and Windows alike, freed when the holder's process dies. A
    # waiter polls for it; every millisecond, because SQLite writers take turns through this lock
    # (the store's write turn) and should hand over about as soon as it is free.
    with FileLock(lock_path, poll_interval=0.001):
        yield


def version_token(data: bytes | str, length: int = 16) -> str:
    """A short name for some content: the first `length` hex digits of its sha256.

    The same content always gives the same token; 16 digits make a clash between two versions
    of a catalog vanishingly unlikely.
    """
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:length]
