"""The only YAML reader.

Files are read as libyaml's parser events (safe: nothing is ever constructed from a
tag) straight into plain Map / Seq / Scalar values that remember where they came
from. Every scalar stays text exactly as written — `1.1` is "1.1", `yes` is
"yes" — and the schema that reads it decides what it means. Duplicate keys,
tags, merge keys and alias bombs are errors with a position.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import Invalid, Mark
from .characters import FORBIDDEN, decode, mojibake, refuse_forbidden

try:  # libyaml's parser is several times faster; the pure one is a fallback
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_NESTING = 100          # deeper flow nesting crashes libyaml (seen at 50,000)
MAX_INDENT = 400          # spaces; block nesting that deep is no hand-written data file
MAX_ALIAS_NODES = 10_000   # nodes reached again through aliases ("billion laughs")

_STD = "tag:yaml.org,2002:"
_NULLS = {"", "~", "null", "Null", "NULL"}


class Scalar(str):
    """A scalar's text as written, with its position and whether it was quoted. The position
    is kept as libyaml gave it and turned into a Mark only when a message needs one."""

    quoted: bool

    def __new__(cls, text: str, at, shown: str = "", quoted: bool = False):
        self = super().__new__(cls, text)
        self._at = at                 # a Mark, or libyaml's mark (line and column from 0)
        self._shown = shown
        self.quoted = quoted
        return self

    @property
    def mark(self) -> Mark:
        return _mark(self._at, self._shown)

    def __reduce__(self):          # kept in a cache: the position as a plain Mark
        return Scalar, (str(self), self.mark, "", self.quoted)

    @property
    def is_null(self) -> bool:
        return not self.quoted and str(self) in _NULLS


def _mark(at, shown: str) -> Mark:
    return at if isinstance(at, Mark) else Mark(shown, at.line + 1, at.column + 1)


class Map(dict):
    """A mapping with text keys; `key_mark(key)` gives each key's position."""

    _at = None
    _shown = ""
    _keys: dict = {}          # key → the key as read (with its position); each read mapping has its own

    @property
    def mark(self) -> Mark:
        return _mark(self._at, self._shown)

    @property
    def key_marks(self) -> dict:
        return {key: key.mark for key in self._keys}

    def key_mark(self, key: str) -> Mark:
        found = self._keys.get(key)
        return found.mark if found is not None else self.mark

    def value_mark(self, key: str) -> Mark:
        return mark_of(self.get(key), self.key_mark(key))

    def __reduce__(self):
        return _rebuild_map, (dict(self), self.mark, dict(self._keys))


class Seq(list):
    """A sequence with its position."""

    _at = None
    _shown = ""

    @property
    def mark(self) -> Mark:
        return _mark(self._at, self._shown)

    def __reduce__(self):
        return _rebuild_seq, (list(self), self.mark)


def _rebuild_map(items: dict, mark: Mark, keys: dict) -> Map:
    result = Map(items)
    result._at, result._keys = mark, keys
    return result


def _rebuild_seq(items: list, mark: Mark) -> Seq:
    result = Seq(items)
    result._at = mark
    return result


def mark_of(value, default: Mark) -> Mark:
    """The position a loaded value came from, or `default` for plain Python values."""
    return getattr(value, "mark", default)


def describe(value) -> str:
    """How an arrived value is named in a message: short, quoted, never huge."""
    if value is None or (isinstance(value, Scalar) and value.is_null):
        return "nothing"
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, (Seq, list)):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "…")


def read_text(path: Path, shown: str) -> str:
    """A file's text as UTF-8 (a leading byte-order mark is allowed)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Invalid(f"cannot read the file: {error.strerror}", mark=Mark(shown)) from None
    return decode(data, shown)


def load_file(path: Path, shown: str):
    """Read one YAML file: (values, problems that did not stop the reading), or raise Invalid."""
    return load_text(read_text(path, shown), shown)


def load_bytes(data: bytes, shown: str):
    """Parse a YAML file's bytes: (values, problems that did not stop the reading), or raise Invalid.
    A file that may be GBK read as UTF-8 adds a warning to the problems."""
    text = decode(data, shown)
    value, problems = load_text(text, shown)
    suspicious = mojibake(text, data, shown)
    return value, problems + ([suspicious] if suspicious else [])


def load_text(text: str, shown: str):
    """Parse YAML text into Map/Seq/Scalar values.

    Returns (values, problems): a key written twice is a problem, but the rest of the
    file is still read so that every other problem in it is reported too. A file that
    cannot be read at all (syntax, tags, aliases) raises Invalid.
    """
    _check_nesting(text, shown)
    reader = _EventReader(text, shown)
    try:
        return reader.document(), reader.problems
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, shown) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise Invalid(f"expected printable text, got the control character {error.character!r}",
                      "the file contains characters a text editor does not show; is it really a text file?",
                      Mark(shown, line, column)) from None
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise Invalid(f"expected valid YAML, got: {first}", mark=Mark(shown)) from None
    except RecursionError:
        raise Invalid("expected a data file, got values nested too deeply", "the file is not a scoresite data file",
                      Mark(shown)) from None
    finally:
        reader.close()


def _check_nesting(text: str, shown: str) -> None:
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if indent > MAX_INDENT:
        raise Invalid(f"expected at most {MAX_INDENT} spaces of indentation, got {indent}",
                      "the file is not a scoresite data file", Mark(shown))
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise Invalid(f"expected at most {MAX_NESTING} nested brackets, got {deepest}",
                      "the file is not a scoresite data file", Mark(shown))


def _syntax_error(error: yaml.MarkedYAMLError, text: str, shown: str) -> Invalid:
    mark = error.problem_mark or error.context_mark
    where = Mark(shown, mark.line + 1, mark.column + 1) if mark else Mark(shown)
    problem = (error.problem or "invalid YAML").strip()
    context = f" ({error.context.strip()})" if error.context else ""
    line = text.splitlines()[where.line - 1] if mark and where.line <= len(text.splitlines()) else ""
    hint = _syntax_hint(problem, line)
    return Invalid(f"expected valid YAML, got a syntax error: {problem}{context}", hint, where)


def _syntax_hint(problem: str, line: str) -> str:
    if "\t" in line or "tab" in problem:
        return "indent with spaces, not tabs"
    if "another document" in problem:
        return "a file holds one document: remove the '---' line"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, or the indentation is off"
    if "could not find expected ':'" in problem or "block end" in problem:
        return "check the indentation of this line against the lines above it"
    if "special characters" in problem:
        return "the file contains control characters; is it really a text file?"
    return "check the quoting and indentation around this position"


_BUILDING = object()       # an anchor whose value is still being read: an alias to it refers to itself


class _EventReader:
    """Builds Map/Seq/Scalar straight from the parser's events (no node tree in between),
    rejecting what a data file must not hold: explicit tags (even !!str), merge keys,
    aliases that refer to themselves or expand without limit, and keys written twice."""

    def __init__(self, text: str, shown: str):
        self.parser = _Loader(text)
        self.shown = shown
        self.anchors: dict[str, tuple] = {}        # anchor → (value, how many values it holds)
        self.repeated = 0
        self.problems: list[Invalid] = []

    def close(self) -> None:
        self.parser.dispose()

    def mark(self, event) -> Mark:
        return Mark(self.shown, event.start_mark.line + 1, event.start_mark.column + 1)

    def document(self):
        self.parser.get_event()                                     # stream start
        if self.parser.check_event(yaml.StreamEndEvent):
            return None
        self.parser.get_event()                                     # document start
        value, _ = self.value()
        self.parser.get_event()                                     # document end
        if not self.parser.check_event(yaml.StreamEndEvent):
            event = self.parser.get_event()
            raise Invalid("expected one document, got another after it",
                          "a file holds one document: remove the '---' line", self.mark(event))
        return value

    def value(self) -> tuple:
        """(the next value, how many values it holds)."""
        event = self.parser.get_event()
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        if event.tag is not None:            # any tag written out, even !!str or !
            raise self.tag_error(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (_BUILDING, 0)
        if isinstance(event, yaml.ScalarEvent):
            found = self.scalar(event), 1
        elif isinstance(event, yaml.SequenceStartEvent):
            found = self.sequence(event)
        else:
            found = self.mapping(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = found
        return found

    def alias(self, event) -> tuple:
        value, size = self.anchors.get(event.anchor, (None, 0))
        if value is _BUILDING:
            raise Invalid("expected data, got an alias that refers to itself",
                          "remove the recursive &anchor / *alias", self.mark(event))
        if value is None:
            raise Invalid(f"expected an alias to an anchor above it, got *{event.anchor}",
                          f"write &{event.anchor} before using *{event.anchor}", self.mark(event))
        self.repeated += size
        if self.repeated > MAX_ALIAS_NODES:
            raise Invalid("expected a data file, got aliases that expand without limit",
                          "remove the *aliases or write the values out", self.mark(event))
        return value, size

    def scalar(self, event) -> Scalar:
        value = event.value
        if FORBIDDEN.search(value):
            try:
                refuse_forbidden(value, self.mark(event))
            except Invalid as error:          # reported; the rest of the file is still read
                self.problems.append(error)
        return Scalar(value, event.start_mark, self.shown, quoted=event.style in ("'", '"'))

    def sequence(self, start) -> tuple:
        seq = Seq()
        seq._at, seq._shown = start.start_mark, self.shown
        size = 1
        while not self.parser.check_event(yaml.SequenceEndEvent):
            item, count = self.value()
            seq.append(item)
            size += count
        self.parser.get_event()
        return seq, size

    def mapping(self, start) -> tuple:
        result = Map()
        result._at, result._shown = start.start_mark, self.shown
        result._keys = {}
        size = 1
        while not self.parser.check_event(yaml.MappingEndEvent):
            key_event = self.parser.peek_event()
            key = self.key(key_event)
            value, count = self.value()
            size += count + 1
            if key in result:
                first = result._keys[key].mark
                self.problems.append(Invalid(
                    f"expected each key once, got {key!r} a second time (first at line {first.line})",
                    "merge the two entries into one; YAML would silently keep only the last", key.mark))
                continue
            result._keys[key] = key
            result[key] = value
        self.parser.get_event()
        return result, size

    def key(self, event) -> Scalar:
        if not isinstance(event, yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent):
                raise Invalid("expected a plain key, got an alias used as a key", "write the key out", self.mark(event))
            raise Invalid("expected a plain key, got a list or mapping used as a key",
                          "keys are text such as 1.2.1 or result", self.mark(event))
        if event.value == "<<" and not event.style and event.tag is None:     # libyaml says '' for plain
            raise Invalid("expected a key, got a merge key '<<'",
                          "write the keys out; merge keys are not supported", self.mark(event))
        key, _ = self.value()
        return key

    def tag_error(self, event) -> Invalid:
        tag = (event.tag or "!").replace(_STD, "!!")
        return Invalid(f"expected plain data, got the YAML tag {tag}",
                       "remove the tag; scoresite data files use no tags", self.mark(event))
