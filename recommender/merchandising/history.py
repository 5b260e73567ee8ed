"""The catalog's saved versions and their audit log, and the journal that makes a save one unit.

    <catalog>/.history/versions/000007/   weights.toml, products.csv (and sizes.csv) of a version
    <catalog>/.history/audit.jsonl        one line a save or rollback: who, when, note, diff
    <catalog>/.history/pending.json       present only while a save is going live
    <catalog>/.history/.lock              serialises saves and recovery

A save (`commit`) runs in this order, each step durable before the next:

    1. the new version's files into versions/N        (a crash here leaves a stray folder)
    2. pending.json naming N                          (from here on the save is finished on restart)
    3. the audit line for N                           (the version is now recorded)
    4. the live weights.toml, sizes.csv, products.csv (the version goes live)
    5. pending.json removed                           (done)

`recover` runs on the next start: with pending.json and a recorded N it finishes the save (the
live files become version N); with pending.json and no complete line for N nothing live was
touched yet, so it drops the torn line and the stray folder. Either way the live files match a
recorded version. A line torn by a crash or a full disk is cut off before the next append, so it
can never swallow the line after it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from recommender.catalog.products import PRODUCTS_FILE
from recommender.catalog.weights import WEIGHTS_FILE
from recommender.faults import checkpoint
from recommender.files import locked as lock_file
from recommender.files import write_atomically

HISTORY_DIR = ".history"
VERSIONS_DIR = "versions"
AUDIT_FILE = "audit.jsonl"
PENDING_FILE = "pending.json"
LOCK_FILE = ".lock"
# Optional (SPEC section 8): versioned with the pair, so a feed import rolls back as one unit.
# Absent from a version folder means the version had no sizes file.
SIZES_FILE = "sizes.csv"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: a saved version, who saved it, when, why and the diff."""

    version: int
    at: str
    who: str
    action: str  # "baseline", "save", "rollback" or "import" (a product feed)
    note: str
    diff: str
    restored_from: int | None = None


def history(directory: Path) -> tuple[AuditEntry, ...]:
    """Every recorded version, oldest first (empty before the first save)."""
    path = Path(directory) / HISTORY_DIR / AUDIT_FILE
    if not path.is_file():
        return ()
    entries = []
    with path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            if not line.endswith("\n"):
                break  # a torn last line: its save never became official
            try:
                entries.append(AuditEntry(**json.loads(line)))
            except (ValueError, TypeError):
                continue  # a damaged line; the versions around it still stand
    return tuple(entries)


def version_dir(directory: Path, version: int) -> Path:
    """The folder that holds saved version `version`."""
    return Path(directory) / HISTORY_DIR / VERSIONS_DIR / f"{version:06d}"


def next_version(directory: Path, entries: tuple[AuditEntry, ...]) -> int:
    """The number the next saved version gets."""
    folder = Path(directory) / HISTORY_DIR / VERSIONS_DIR
    on_disk = [int(p.name) for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
    return max([0, *on_disk, *(e.version for e in entries)]) + 1


def write_pair(folder: Path, weights_text: str, products_text: str, sizes_text: str = "") -> None:
    """Write a version's files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if weights_text:
        write_atomically(folder / WEIGHTS_FILE, weights_text)
    if sizes_text:
        write_atomically(folder / SIZES_FILE, sizes_text)
    write_atomically(folder / PRODUCTS_FILE, products_text)


def commit(
    directory: Path,
    entry: AuditEntry,
    weights_text: str,
    products_text: str,
    previous: tuple,
    sizes_text: str = "",
) -> None:
    """Record `entry` with its files, then make them live; call with `locked` held.

    `previous` is the live (weights, products, sizes) text before the save. A failure part-way (a full
    disk) undoes what was done and re-raises; if even the undo fails, `recover` finishes the
    save on the next start.
    """
    directory = Path(directory)
    audit = directory / HISTORY_DIR / AUDIT_FILE
    write_pair(version_dir(directory, entry.version), weights_text, products_text, sizes_text)
    checkpoint("weights.after_snapshot")
    write_atomically(_pending(directory), json.dumps({"version": entry.version}))
    checkpoint("weights.after_journal")
    audit_size = _cut_torn_tail(audit)
    try:
        _append_line(audit, json.dumps(asdict(entry)))
        checkpoint("weights.after_history")
        _make_live(
            directory, weights_text, products_text, sizes_text, between="weights.between_files"
        )
        checkpoint("weights.after_live")
    except OSError:
        _undo(directory, entry.version, audit, audit_size, previous)
        raise
    _pending(directory).unlink()
    checkpoint("weights.done")


def recover(directory: Path) -> int | None:
    """Finish or undo a save a crash interrupted; return the version now live, or None.

    Cheap when there is nothing to do (one stat), so every reader can call it on start. Raises
    OSError when the disk still refuses (full, read-only); the journal then stays for next time.
    """
    directory = Path(directory)
    if not _pending(directory).exists():
        return None
    with locked(directory):
        return recover_locked(directory)


def recover_locked(directory: Path) -> int | None:
    """Finish or undo a save a crash interrupted (call under the lock); the version it left live."""
    pending = _pending(directory)
    if not pending.exists():
        return None  # another process finished it while this one waited for the lock
    try:
        version = int(json.loads(pending.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        version = None  # written atomically, so unreadable means hand-made; nothing to finish
    audit = directory / HISTORY_DIR / AUDIT_FILE
    _cut_torn_tail(audit)
    recorded = version is not None and version in {e.version for e in history(directory)}
    folder = version_dir(directory, version) if version is not None else None
    if recorded and folder is not None and (folder / PRODUCTS_FILE).is_file():
        weights = folder / WEIGHTS_FILE
        weights_text = weights.read_text(encoding="utf-8") if weights.is_file() else ""
        sizes = folder / SIZES_FILE
        sizes_text = sizes.read_text(encoding="utf-8") if sizes.is_file() else ""
        products_text = (folder / PRODUCTS_FILE).read_text(encoding="utf-8")
        _make_live(directory, weights_text, products_text, sizes_text)
    elif folder is not None:
        shutil.rmtree(folder, ignore_errors=True)  # never recorded, never live
        version = None
    pending.unlink(missing_ok=True)
    return version


def _make_live(
    directory: Path, weights_text: str, products_text: str, sizes_text: str = "", between: str = ""
) -> None:
    weights, products = directory / WEIGHTS_FILE, directory / PRODUCTS_FILE
    for path, text in ((weights, weights_text), (directory / SIZES_FILE, sizes_text)):
        if text and _text(path) != text:
            write_atomically(path, text)
        elif not text and path.is_file():
            path.unlink()
    if between:
        checkpoint(between)
    if _text(products) != products_text:
        write_atomically(products, products_text)


def _undo(directory: Path, version: int, audit: Path, audit_size: int, previous: tuple) -> None:
    try:
        _make_live(directory, *previous)
        if audit.exists():
            with audit.open("r+b") as log:
                log.truncate(audit_size)
                os.fsync(log.fileno())
        shutil.rmtree(version_dir(directory, version), ignore_errors=True)
        _pending(directory).unlink(missing_ok=True)
    except OSError:
        pass  # pending.json stays: the next start finishes the save from the recorded version


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line + "\n").encode("utf-8")
    with path.open("ab") as log:
        checkpoint("weights.audit_append")
        log.write(data)
        log.flush()
        os.fsync(log.fileno())


def _cut_torn_tail(path: Path) -> int:
    """Drop a last line that has no newline (a torn append); return the file's size after."""
    if not path.is_file():
        return 0
    with path.open("r+b") as log:
        size = log.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        log.seek(size - 1)
        if log.read(1) == b"\n":
            return size
        keep = _last_newline_end(log, size)
        log.truncate(keep)
        os.fsync(log.fileno())
        return keep


def _last_newline_end(log, size: int) -> int:
    # Read backwards in blocks so a long audit log is never loaded whole.
    block = 64 * 1024
    end = size
    while end > 0:
        start = max(0, end - block)
        log.seek(start)
        at = log.read(end - start).rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def _pending(directory: Path) -> Path:
    return Path(directory) / HISTORY_DIR / PENDING_FILE


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the catalog's save lock for the `with` block."""
    with lock_file(Path(directory) / HISTORY_DIR / LOCK_FILE):
        yield
