"""Reading and writing the CSV exchange files of SPEC section 5.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2.
Problems are collected (not raised one by one) so a refused import names every bad row at once.

Memory stays bounded whatever the file holds: only regular files up to `MAX_FILE_BYTES` are
read, a line at a time, and a line longer than `MAX_LINE_CHARS` is refused as soon as that many
characters have been read, never loaded whole (so a 600 MB line or /dev/zero costs nothing).
"""

from __future__ import annotations

import csv
import errno
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

from recommender import errors
from recommender.errors import InputError, RecommenderError
from recommender.feedback.records import FieldProblem
from recommender.files import atomic_writer

T = TypeVar("T")
# A refused import lists this many problems in full and counts the rest.
MAX_PROBLEMS_SHOWN = 10
# Far above any real row (answers are at most 64 KiB of JSON, ids 200 characters).
MAX_LINE_CHARS = 256 * 1024
# About 60 million events; a bigger export is split into several imports.
MAX_FILE_BYTES = 4 * 1024**3


class FeedbackImportError(InputError):
    """An import was refused; every problem names the file, row and column."""

    def __init__(self, problems: Sequence[str], total: int) -> None:
        self.problems = list(problems)
        self.total = total
        shown = "; ".join(self.problems)
        more = f" (and {total - len(self.problems)} more)" if total > len(self.problems) else ""
        plural = "s" if total != 1 else ""
        super().__init__(f"nothing imported, {total} problem{plural}: {shown}{more}")


class Problems(errors.Problems):
    """Problems found so far in one import, the first few kept in full."""

    def __init__(self) -> None:
        super().__init__(limit=MAX_PROBLEMS_SHOWN)

    def error(self) -> FeedbackImportError:
        """The error to raise for the problems recorded."""
        return FeedbackImportError(self.shown, self.total)


def refuse(message: str) -> FeedbackImportError:
    """A problem that stops the import at once: the rest of the file cannot be trusted."""
    return FeedbackImportError([message], 1)


@contextmanager
def _open_for_reading(path: Path) -> Iterator[IO[str]]:
    try:
        _check_is_small_regular_file(path)
        # utf-8-sig: spreadsheets often save a byte-order mark before the header.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield handle
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def _check_is_small_regular_file(path: Path) -> None:
    info = path.stat()  # FileNotFoundError is reported by the caller
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(info.st_mode):
        # A device such as /dev/zero, or a pipe, has no end to check a size against.
        raise refuse(f"{path}: not a regular file (a device, pipe or socket); give a CSV file")
    if info.st_size > MAX_FILE_BYTES:
        raise refuse(
            f"{path}: {info.st_size:,} bytes is more than the {MAX_FILE_BYTES:,} one import "
            "accepts; split it into several files"
        )


def _bounded_lines(handle: IO[str], path: Path) -> Iterator[str]:
    """The file's lines, refusing the first one longer than `MAX_LINE_CHARS` before it is
    read whole."""
    number = 0
    while line := handle.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise refuse(
                f"{path.name} line {number}: longer than {MAX_LINE_CHARS:,} characters "
                "(no row of feedback is that long)"
            )
        yield line


def read_rows(
    path: Path,
    columns: Sequence[str],
    parse: Callable[[dict[str, str]], T],
    problems: Problems,
    optional: Sequence[str] = (),
) -> Iterator[tuple[int, T]]:
    """Yield (row number, parsed row) for every good row; bad rows go to `problems`.

    `optional` columns may be left out of the file; `parse` then finds no such key."""
    with _open_for_reading(path) as handle:
        reader = csv.reader(_bounded_lines(handle, path))
        try:
            header = _check_header(path, next(reader, None), columns, optional)
            for number, values in enumerate(reader, start=2):
                if not values:
                    continue  # a blank line carries no row
                if len(values) != len(header):
                    problems.at(
                        path.name, number, "", f"{len(values)} values for {len(header)} columns"
                    )
                    continue
                try:
                    yield number, parse(dict(zip(header, values, strict=True)))
                except FieldProblem as problem:
                    problems.at(path.name, number, problem.column, problem.problem)
        except csv.Error as error:
            # Broken quoting or a runaway field: the rows after it cannot be trusted.
            problems.at(
                path.name, reader.line_num, "", f"not readable as CSV ({error})", unit="line"
            )


def _check_header(
    path: Path, header: list[str] | None, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[str]:
    if header is None:
        raise InputError(f"{path}: empty file, expected the header {','.join(columns)}")
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns and c not in optional]
    if missing or unknown or len(set(header)) != len(header):
        parts = [f"missing column '{c}'" for c in missing]
        parts += [f"unknown column '{c}'" for c in unknown]
        parts = parts or ["a column is repeated"]
        raise InputError(f"{path} row 1: {', '.join(parts)} (expected {','.join(columns)})")
    return header


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a CSV file whole or not at all (`files.atomic_writer`); return the row count."""
    count = 0
    try:
        with atomic_writer(path) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                count += 1
    except PermissionError:
        raise InputError(f"{path.parent}: no permission to write there") from None
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        raise RecommenderError(
            f"{path.parent}: the disk is full; files already there are unchanged"
        ) from None
    return count
