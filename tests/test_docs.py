"""The docs are part of the feature: every key, rule kind and command is in the README."""

import re

import click
import pytest

from generator.load import project, rubrics, sheets
from generator.cli import cli
from generator.model import UNIT_KINDS
from generator.rules import KINDS as RULE_KINDS, across, deduct, measured, simple

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")

FIELD_TABLES = {
    "site": project.SITE_FIELDS, "unit": project.UNIT_FIELDS, "assessment": project.ASSESSMENT_FIELDS,
    "notice": project.NOTICE_FIELDS, "page": project.PAGE_FIELDS, "rubric": rubrics.RUBRIC_FIELDS,
    "section": rubrics.SECTION_FIELDS, "indicator": rubrics.INDICATOR_FIELDS, "grade": rubrics.GRADE_FIELDS,
    "veto": rubrics.VETO_FIELDS, "adjustments": rubrics.ADJUSTMENTS_FIELDS, "adjustment": rubrics.ADJUSTMENT_FIELDS,
    "level": simple.LEVEL_FIELDS, "ballot": simple.BALLOT_FIELDS, "deduct": deduct.DEDUCT_FIELDS,
    "bonus": deduct.BONUS_FIELDS, "deduct item": deduct.ITEM_FIELDS, "linear": measured.LINEAR_FIELDS,
    "anchor": measured.ANCHOR_FIELDS, "ranked": across.RANKED_FIELDS,
    "score file": sheets.SHEET_FIELDS, "entry": sheets.ENTRY_FIELDS,
    "evidence": sheets.EVIDENCE_FIELDS, "override": sheets.OVERRIDE_FIELDS,
}


@pytest.mark.parametrize("table", FIELD_TABLES)
def test_every_key_is_documented(table):
    missing = [key for key in FIELD_TABLES[table] if not re.search(rf"\b{key}\b", README)]
    assert not missing, f"{table} keys missing from README.md: {missing}"


@pytest.mark.parametrize("kind", RULE_KINDS)
def test_every_rule_kind_is_in_the_rule_table(kind):
    assert re.search(rf"^\| {kind}\b", README, re.M)


def test_every_unit_kind_is_documented():
    assert all(kind in README for kind in UNIT_KINDS)


def _commands(group: click.Group):
    for name, command in group.commands.items():
        yield name, command


@pytest.mark.parametrize("name, command", list(_commands(cli)))
def test_every_command_and_option_is_documented(name, command):
    assert f"scoresite {name}" in README
    for param in command.params:
        for option in param.opts:
            if option.startswith("--"):
                assert option in README, f"{name} {option}"
