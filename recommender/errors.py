"""The package's error hierarchy, and the exit code each kind maps to on the command line."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import Any

# A bad value is quoted in its message only this far, so the message stays one readable line.
_SHOWN_LENGTH = 40


class ExitCode(IntEnum):
    """The command line's exit codes: 0 done, 1 an unexpected failure, 2 bad input or usage."""

    OK = 0
    FAILURE = 1
    BAD_INPUT = 2


class RecommenderError(Exception):
    """Base for every error the package raises on purpose."""

    exit_code = ExitCode.FAILURE


class InputError(RecommenderError):
    """Bad input or usage: the message names the field, row or file at fault."""

    exit_code = ExitCode.BAD_INPUT


class AnswersError(InputError):
    """A questionnaire answers object broke the schema of SPEC section 1."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"answers field '{field}': {problem}")


class CatalogError(InputError):
    """Products, weights or personas failed validation; every problem is listed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def place(file: str, row: int | None = None, column: str = "", *, unit: str = "row") -> str:
    """Where a problem is, as a person finds it: `products.csv row 3, column 'price'`.

    Rows are numbered as a spreadsheet shows them (the header is row 1); `unit="line"` names a
    physical line instead, for files read line by line.
    """
    where = file if row is None else f"{file} {unit} {row}"
    return f"{where}, column '{column}'" if column else where


class Problems:
    """Every problem found in one input, so one run names them all and the input is refused once.

    With a `limit`, only the first `limit` are kept in full and the rest are counted, so a file
    with a million bad rows cannot flood the screen. `raise_if_any` raises `error()`: by default
    a `CatalogError` (exit code 2) listing them; a subclass may raise its own kind.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.shown: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        """Record one problem (listed while under the cap, counted always)."""
        self.total += 1
        if self.limit is None or len(self.shown) < self.limit:
            self.shown.append(message)

    def at(
        self, file: str, row: int | None, column: str, message: str, *, unit: str = "row"
    ) -> None:
        """Add `message` for one place in `file` (see `place`)."""
        self.add(f"{place(file, row, column, unit=unit)}: {message}")

    def extend(self, messages: Iterable[str]) -> None:
        """Record each of `messages`."""
        for message in messages:
            self.add(message)

    def __bool__(self) -> bool:
        return self.total > 0

    def listed(self) -> list[str]:
        """The problems kept in full, then how many more there are."""
        more = self.total - len(self.shown)
        return [*self.shown, f"... and {more} more problems"] if more else list(self.shown)

    def error(self) -> InputError:
        """The error to raise for the problems recorded."""
        return CatalogError(self.listed())

    def raise_if_any(self) -> None:
        """Raise the error listing every problem recorded, if there is one."""
        if self.total:
            raise self.error()


class StoreError(RecommenderError):
    """The feedback store could not complete a read or write."""


class ModelError(RecommenderError):
    """A model file is missing, tampered with or was written by other library versions."""


def short_value(value: Any, *, text_as_is: bool = False) -> str:
    """`value` as Python writes it (or text as typed), cut to 40 characters for a message."""
    text = value if text_as_is and isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."
