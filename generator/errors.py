"""Errors for people: every problem names file:line:column, what was expected,
what arrived, and a hint. Problems are collected across the whole project and
reported together; the build aborts once, at the end of loading."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, NamedTuple


class Mark(NamedTuple):
    """A position in a source file; line and column count from 1."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file; with line 0, `path` names the place itself (a worksheet's
    cell `财政局!D12`, a table's `附件2.docx 表1 第3行第4列`)."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class ProjectError(Exception):
    """The project has problems; `errors` lists every one of them (and `warnings` what
    would not stop a build but deserves a look)."""

    def __init__(self, errors: Iterable[SourceError], warnings: Iterable[SourceError] = ()):
        self.errors = sorted(set(errors), key=_error_order)
        self.warnings = sorted(set(warnings), key=_error_order)
        super().__init__("\n".join(map(str, self.errors)))


def _error_order(error: SourceError):
    return (error.path, error.line, error.column, error.message)


class SettingError(Exception):
    """A setting from the command line or the environment cannot be used (exit 2)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n    hint: {self.hint}" if self.hint else self.message


class Invalid(Exception):
    """A value does not fit what was expected; raised by parsers, caught by Problems."""

    def __init__(self, message: str, hint: str = "", mark: Mark | None = None, warning: bool = False):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mark = mark
        self.warning = warning      # worth saying, but it does not stop a build


class Problems:
    """Collects every error across the project, then aborts once."""

    def __init__(self) -> None:
        self.errors: list[SourceError] = []
        self.warnings: list[SourceError] = []

    def add(self, mark: Mark, message: str, hint: str = "") -> None:
        self.errors.append(SourceError(mark.path, mark.line, mark.column, message, hint))

    def warn(self, mark: Mark, message: str, hint: str = "") -> None:
        self.warnings.append(SourceError(mark.path, mark.line, mark.column, message, hint))

    def add_invalid(self, mark: Mark, error: Invalid) -> None:
        where = error.mark or mark
        (self.warn if error.warning else self.add)(where, error.message, error.hint)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ProjectError(self.errors, self.warnings)


def suggest(word: str, choices: Iterable[str], label: str = "", limit: int = 3) -> str:
    """A hint naming the closest choices to `word`, or listing a few when none is close."""
    choices = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, choices, n=limit, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if not choices:
        return ""
    shown = ", ".join(choices[:8]) + (", …" if len(choices) > 8 else "")
    return f"known {label}: {shown}" if label else f"expected one of: {shown}"

