"""JSON Schemas for every file kind, shipped with the package (generator/schemas/*.json), so an
editor validates and completes a file as it is typed: `scoresite init` and `scoresite new` write a
`# yaml-language-server: $schema=…` line pointing at the project's copy in schemas/.

The schemas describe the shape (keys, kinds of values) and reject unknown keys; what needs the
whole project — sums, unit names, whether a result fits its rule — stays with `scoresite check`.
Editors read YAML 1.2 (`yes` is text, `2` a number, `1.1` a key), as `as_json` does."""

from __future__ import annotations

import re
from importlib import resources

from ..load.yamlio import Map, Scalar, Seq

KINDS = ("site", "units", "rubric", "assessment", "scores")


def schema_text(kind: str) -> str:
    """The JSON Schema of one file kind, as shipped."""
    return resources.files("generator").joinpath("schemas", f"{kind}.json").read_text(encoding="utf-8")


_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def as_json(value):
    """A loaded file as an editor's YAML 1.2 (core schema) reading gives it to a JSON Schema."""
    if isinstance(value, Map):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, (Seq, list)):
        return [as_json(item) for item in value]
    if isinstance(value, Scalar) and not value.quoted:
        text = str(value)
        if value.is_null:
            return None
        if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
            return text.lower() == "true"
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
    return None if value is None else str(value)
