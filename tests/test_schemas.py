"""The shipped JSON Schemas accept every example of FORMAT.md and every file of the repository's
content, and reject the broken fixture's files and unknown keys."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from generator.data.schemas import KINDS, as_json, schema_text
from generator.load.yamlio import load_file, load_text

from conftest import FIXTURES, REPO

CONTRACT = REPO.parent / "shared" / "FORMAT.md"


def validator(kind: str):
    schema = json.loads(schema_text(kind))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def messages(errors) -> list[str]:
    """Every message, those of the alternatives inside anyOf/oneOf too."""
    found = []
    for error in errors:
        found.append(error.message)
        found += messages(error.context or ())
    return found


def kind_of(path: str) -> str:
    if path.endswith("site.yaml"):
        return "site"
    if path.endswith("units.yaml"):
        return "units"
    if path.startswith("rubrics/"):
        return "rubric"
    return "assessment" if path.endswith("assessment.yaml") else "scores"


def repository_files():
    for folder in ("content", "rubrics"):
        for path in sorted((REPO / folder).rglob("*.yaml")):
            yield path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", list(repository_files()))
def test_every_file_of_the_repository_is_valid(path):
    value, _ = load_file(REPO / path, path)
    errors = [e.message for e in validator(kind_of(path)).iter_errors(as_json(value))]
    assert not errors, errors


def _format_blocks():
    text = CONTRACT.read_text(encoding="utf-8")
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        yield block


def _classify(block: str):
    """(schema kind, the part of the schema that describes this example)."""
    if block.startswith("- id:"):
        return "units", None
    if "\nsections:" in block:
        return "rubric", None
    if block.startswith("title:") and "rubric:" in block:
        return "assessment", None
    if block.startswith("entity:"):
        return "scores", None
    if block.startswith("rule:"):
        return "rubric", "#/$defs/rule"
    if block.startswith("adjustments:"):
        return "rubric", "#/properties/adjustments"
    raise AssertionError(block[:40])


@pytest.mark.skipif(not CONTRACT.exists(), reason="FORMAT.md is not beside this checkout")
def test_every_example_of_the_contract_is_valid():
    blocks = list(_format_blocks())
    assert len(blocks) >= 6
    for block in blocks:
        kind, part = _classify(block)
        value, _ = load_text(block, "FORMAT.md")
        data = as_json(value)
        schema = json.loads(schema_text(kind))
        if part:
            data = data[part.rsplit("/", 1)[1] if part.endswith("adjustments") else "rule"]
            schema = {"$ref": part, "$defs": schema["$defs"], "properties": schema["properties"]}
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
        assert not errors, (block[:60], errors)


@pytest.mark.parametrize("name", ["units.yaml", "rubric.yaml", "assessment.yaml", "shuozhou.yaml"])
def test_the_format_example_fixtures_are_valid(name):
    kinds = {"units.yaml": "units", "rubric.yaml": "rubric", "assessment.yaml": "assessment", "shuozhou.yaml": "scores"}
    value, _ = load_file(FIXTURES / "format-examples" / name, name)
    assert not list(validator(kinds[name]).iter_errors(as_json(value)))


@pytest.mark.parametrize("path, words", [
    ("content/site.yaml", "'zh' is not one of"),
    ("content/units.yaml", "'City' is not one of"),
    ("content/assessments/2026-city/assessment.yaml", "'publish' is not one of"),
    ("content/assessments/2026-city/shuozhou.yaml", "does not match '^(https?://|mailto:)'"),
    ("rubrics/city.yaml", "is not valid under any of the given schemas"),
])
def test_the_broken_fixture_is_rejected(path, words):
    value, _ = load_file(FIXTURES / "broken" / path, path)
    errors = messages(validator(kind_of(path)).iter_errors(as_json(value)))
    assert any(words in error for error in errors), errors


@pytest.mark.parametrize("kind, text, unknown", [
    ("site", "title: t\ntitel: x\n", "titel"),
    ("units", "- {id: a, name: 甲, shrot: 甲}\n", "shrot"),
    ("assessment", "title: t\nrubric: r\nperiod: '1'\nstatus: draft\nstatsu: x\n", "statsu"),
    ("scores", "entity: a\nscores:\n  1.1: {result: yes, note: x, evidance: []}\n", "evidance"),
    ("rubric", "id: r\ntitle: t\npoints: 1\nsections:\n  - {id: '1', title: s, indicators: [{id: '1', text: t, "
               "points: 1, rule: check, unit: [a]}]}\n", "unit"),
])
def test_unknown_keys_are_rejected(kind, text, unknown):
    value, _ = load_text(text, "x.yaml")
    errors = messages(validator(kind).iter_errors(as_json(value)))
    assert any(f"'{unknown}' was unexpected" in error or unknown in error for error in errors), errors


def test_a_blank_result_and_a_blank_entry_are_valid():
    value, _ = load_text("entity: a\nassessed_on:\nscores:\n  1.1:\n  1.2:\n    result:\n", "x.yaml")
    assert not list(validator("scores").iter_errors(as_json(value)))


def test_every_kind_is_shipped():
    assert {kind: bool(json.loads(schema_text(kind))["properties" if kind != "units" else "items"]) for kind in KINDS}
