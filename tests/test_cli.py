"""The command line: exit codes, messages, and output files."""

import json
import subprocess
import sys

from click.testing import CliRunner

from generator.cli import cli

from conftest import FIXTURES, REPO


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_check_passes_on_the_repository_content():
    result = run("-C", str(REPO), "check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("✓ 4 rubrics (85 indicators), 6 assessments, 22 score files")


def test_check_reports_every_problem_and_exits_1():
    result = run("-C", str(FIXTURES / "broken"), "check")
    expected = (FIXTURES / "broken" / "expected-errors.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert result.stderr == expected + "✗ 14 problems in 6 files\n"


def test_check_outside_a_project_says_where_to_run(tmp_path):
    result = run("-C", str(tmp_path), "check")
    assert result.exit_code == 1
    assert "content/site.yaml:1:1: expected the site settings file content/site.yaml, got no such file" in result.stderr


def test_export_json_leaves_out_drafts_unless_asked():
    published = json.loads(run("-C", str(REPO), "export").stdout)
    everything = json.loads(run("-C", str(REPO), "export", "--drafts").stdout)
    assert "2026-city-recheck" not in {a["id"] for a in published["assessments"]}
    assert "2026-city-recheck" in {a["id"] for a in everything["assessments"]}


def test_export_csv_starts_with_a_byte_order_mark(tmp_path):
    out = tmp_path / "scores.csv"
    assert run("-C", str(REPO), "export", "--format", "csv", "-a", "2026-city", "-o", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data.startswith("\ufeff考核编号,考核名称,考核期,单位编号".encode())     # the site's language (zh-CN)
    assert data.count(b"\r\n") == 1 + 58


def test_unknown_assessment_is_a_usage_error():
    result = run("-C", str(REPO), "export", "-a", "2027-city")
    assert result.exit_code == 2 and "no assessment 2027-city" in result.output


def test_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "generator", "-C", str(REPO), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
