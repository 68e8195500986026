"""Editing a score file's `scores:` line by line, so that every import is a diff a person can
review: only the values that changed are rewritten, and comments, notes, evidence, overrides and
the layout of everything else stay exactly as they were.

PyYAML cannot write comments back, so this edits the text. The loader (load/yamlio.py) gives each
key's line and column; from there a value's extent is found the way YAML defines it: a value on
the key's line ends at the end of its scalar or brackets (at `,` `}` inside a flow mapping), a
value on the lines below is every line indented deeper than its key. Entries are written as the
repository's files write them: `1.2: {result: 92.5%}`, or block style under the key.

The caller reads the edited text back through the loader before anything is written."""

from __future__ import annotations

import re

from ..errors import Invalid
from ..load.yamlio import Map, Scalar, load_text
from .yamltext import key as yaml_key, scalar


class EditError(Exception):
    """The file is laid out in a way this editor does not rewrite safely (say where; edit by hand)."""


class ScoreFile:
    """One score file's text, edited entry by entry."""

    def __init__(self, text: str, shown: str, order: list[str] | None = None):
        self.lines = text.split("\n")
        self.shown = shown
        self.order = order or []           # the rubric's keys: a new entry goes after the one before it
        self._parse()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def _parse(self) -> None:
        self.lines = "\n".join(self.lines).split("\n")      # a value written over several lines
        try:
            value, _ = load_text(self.text, self.shown)
        except Invalid as error:
            raise EditError(f"{self.shown} does not read as YAML: {error.message}") from None
        if not isinstance(value, Map):
            raise EditError(f"{self.shown} is not a score file (a mapping with scores:)")
        self.top = value
        scores = value.get("scores")
        self.scores = scores if isinstance(scores, Map) else None

    # --- reading ----------------------------------------------------------------------------

    def entry(self, key: str):
        """The loaded entry for `key` (None when the key is absent; a null Scalar when blank)."""
        return self.scores.get(key) if self.scores is not None else None

    def has(self, key: str) -> bool:
        return self.scores is not None and key in self.scores

    # --- editing ----------------------------------------------------------------------------

    def set_field(self, key: str, name: str, text: str) -> None:
        """Set `name` (result, note, reason) of the entry `key` to the YAML value text `text`,
        adding the entry or the field where missing. `text` is already YAML (a scalar or {…})."""
        if not self.has(key):
            self._add_entry(key, {name: text})
        else:
            entry = self.entry(key)
            if isinstance(entry, Scalar) and entry.is_null:
                self._fill_blank_entry(key, {name: text})
            elif not isinstance(entry, Map):
                raise EditError(f"{self.shown}: the entry {key} is not a mapping; edit it by hand")
            elif name in entry:
                mark = entry.key_mark(name)
                self._replace_value(mark.line - 1, mark.column - 1, text, in_flow=self._is_flow(entry, key))
            else:
                self._add_field(key, entry, name, text)
        self._parse()

    def set_text(self, key: str, name: str, text: str) -> None:
        """Set a text field (note, reason): plain or quoted on one line, or in a block-style entry a
        literal block (|) when the text has line breaks, as a person would write a Markdown note."""
        entry = self.entry(key)
        block = isinstance(entry, Map) and not self._is_flow(entry, key)
        if "\n" in text and block:
            indent = " " * (min(m.column for m in entry.key_marks.values()) + 1)
            value = "|\n" + "\n".join((indent + line) if line.strip() else "" for line in text.split("\n"))
        else:
            value = scalar(text, flow=not block)
        self.set_field(key, name, value)

    def remove_field(self, key: str, name: str) -> None:
        entry = self.entry(key)
        if not isinstance(entry, Map) or name not in entry:
            return
        mark = entry.key_mark(name)
        row, column = mark.line - 1, mark.column - 1
        if self._is_flow(entry, key):
            line = self.lines[row]
            end = _value_end(line, _after_colon(line, column), in_flow=True)
            start = line.rfind(",", 0, column)
            if start < 0:           # the first key: take the comma after it instead
                start, end = column, end + (len(line[end:]) - len(line[end:].lstrip(" ,")))
            self.lines[row] = line[:start] + line[end:]
        else:
            last = self._block_end(row, column)
            del self.lines[row:last + 1]
        self._parse()

    # --- the pieces -------------------------------------------------------------------------

    def _is_flow(self, entry: Map, key: str) -> bool:
        return entry.mark.line == self.scores.key_mark(key).line

    def _replace_value(self, row: int, column: int, text: str, in_flow: bool) -> None:
        """Replace the value of the key at (row, column) with `text` (one line of YAML)."""
        line = self.lines[row]
        start = _after_colon(line, column)
        rest = line[start:]
        if not in_flow and (not rest.strip() or rest.lstrip().startswith("#")):
            last = self._block_end(row, column)             # a block value below the key, or none
            comment = rest.strip()
            self.lines[row] = (line[:start].rstrip() + " " + text + (f"  {comment}" if comment else "")).rstrip()
            del self.lines[row + 1:last + 1]
            return
        if rest.lstrip().startswith(("|", ">")):
            last = self._block_end(row, column)
            self.lines[row] = line[:start].rstrip() + " " + text
            del self.lines[row + 1:last + 1]
            return
        begin = start + (len(rest) - len(rest.lstrip(" ")))
        end = _value_end(line, begin, in_flow)
        if end is None:
            raise EditError(f"{self.shown}:{row + 1}: a value continued on the next line; edit it by hand")
        if begin == end:          # blank: {result: } or result:  # comment
            self.lines[row] = line[:start].rstrip() + " " + text + ("" if line[end:].startswith((",", "}")) or
                                                                   not line[end:] else " ") + line[end:].lstrip(" ")
        else:
            self.lines[row] = line[:begin] + text + line[end:]
        if not text:
            self.lines[row] = self.lines[row].rstrip()

    def _block_end(self, row: int, column: int) -> int:
        """The last line of a key's value: the lines below indented deeper than the key (blank
        lines inside count; trailing blank and comment lines belong to what follows)."""
        last = row
        for index in range(row + 1, len(self.lines)):
            line = self.lines[index]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent <= column:
                break
            last = index
        return last

    def _entry_end(self, key: str) -> int:
        mark = self.scores.key_mark(key)
        return self._block_end(mark.line - 1, mark.column - 1)

    def _fill_blank_entry(self, key: str, fields: dict) -> None:
        mark = self.scores.key_mark(key)
        self._replace_value(mark.line - 1, mark.column - 1, _flow(fields), in_flow=False)

    def _add_field(self, key: str, entry: Map, name: str, text: str) -> None:
        if self._is_flow(entry, key):
            row = entry.mark.line - 1
            line = self.lines[row]
            end = _value_end(line, entry.mark.column - 1, in_flow=False)
            if end is None:
                raise EditError(f"{self.shown}:{row + 1}: the entry {key} continues on the next line; edit it by hand")
            close = line.rfind("}", 0, end)
            before = line[:close].rstrip()
            before += " " if before.endswith(":") else ""
            self.lines[row] = before + ("" if before.endswith("{") else ", ") + f"{name}: {text}" + line[close:]
            return
        first = min(entry.key_marks.values(), key=lambda m: m.line)
        indent = " " * (first.column - 1)
        self.lines.insert(self._entry_end(key) + 1, f"{indent}{name}: {text}")

    def _add_entry(self, key: str, fields: dict) -> None:
        """A new entry, after the entry that precedes it in the rubric's order (or at the end)."""
        if not self.scores:
            self._add_scores_block()
        keys = list(self.scores)
        indent = " " * ((self.scores.key_mark(keys[0]).column - 1) if keys else 2)
        line = f"{indent}{yaml_key(key)}: {_flow(fields)}"
        after = self._place_for(key)
        if after is None:
            at = self.top.key_mark("scores").line        # right below `scores:`
        else:
            at = self._entry_end(after) + 1
        self.lines.insert(at, line)

    def _place_for(self, key: str) -> str | None:
        present = list(self.scores)
        if not present:
            return None
        if key in self.order:
            before = [k for k in self.order[:self.order.index(key)] if k in present]
            if before:
                return before[-1]
            if any(k in present for k in self.order):
                return None
        return present[-1]

    def _add_scores_block(self) -> None:
        if "scores" in self.top:                           # scores: {} or scores: (nothing)
            row = self.top.key_mark("scores").line - 1
            self.lines[row] = re.sub(r"^(\s*scores\s*:)\s*(\{\s*\})?", r"\1", self.lines[row])
        else:
            while self.lines and not self.lines[-1].strip():
                self.lines.pop()
            self.lines += ["scores:", ""]
        self._parse()
        if self.scores is None:
            self.scores = Map()
            self.scores._at = self.top.key_mark("scores")


def _flow(fields: dict) -> str:
    return "{" + ", ".join(f"{name}: {text}" for name, text in fields.items()) + "}"


def _after_colon(line: str, column: int) -> int:
    """The index just after the ':' that ends the key starting at `column`."""
    index = column
    if index < len(line) and line[index] in "'\"":
        quote = line[index]
        index += 1
        while index < len(line) and not (line[index] == quote and (quote == "'" or line[index - 1] != "\\")):
            index += 1
        index += 1
    colon = line.find(":", index)
    if colon < 0:
        raise EditError(f"cannot find the ':' after the key at column {column + 1} of {line!r}")
    return colon + 1


def _value_end(line: str, begin: int, in_flow: bool) -> int | None:
    """Where the value starting at `begin` ends on this line; None when it runs on below."""
    if begin >= len(line):
        return begin
    first = line[begin]
    if first in "{[":
        depth, index, quote = 0, begin, ""
        while index < len(line):
            char = line[index]
            if quote:
                if char == quote and (quote == "'" or line[index - 1] != "\\"):
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return None
    if first in "'\"":
        index = begin + 1
        while index < len(line):
            if line[index] == first:
                if first == "'" and line[index + 1:index + 2] == "'":
                    index += 2
                    continue
                if first == '"' and line[index - 1] == "\\":
                    index += 1
                    continue
                return index + 1
            index += 1
        return None
    index = begin
    while index < len(line):
        char = line[index]
        if char == "#" and line[index - 1] in " \t":
            break
        if in_flow and char in ",}]":
            break
        index += 1
    return begin + len(line[begin:index].rstrip())


def note_text(note: str, in_flow: bool) -> str:
    """A note as a YAML value on one line: plain when safe, else double-quoted (line breaks as \\n)."""
    return scalar(note, flow=in_flow)
