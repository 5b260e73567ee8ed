"""The package's error hierarchy, and the exit code each kind maps to on the command line."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

# A bad value is quoted in its message only this far, so the message stays one readable line.
_SHOWN_LENGTH = 40


class ExitCode(IntEnum):
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


class StoreError(RecommenderError):
    """The feedback store could not complete a read or write."""


class ModelError(RecommenderError):
    """A model file is missing, tampered with or was written by other library versions."""


def short_value(value: Any, *, text_as_is: bool = False) -> str:
    """`value` as Python writes it (or text as typed), cut to 40 characters for a message."""
    text = value if text_as_is and isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."
