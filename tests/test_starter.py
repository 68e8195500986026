"""`scoresite init`, `new` and `schema` on fresh temporary folders, through the real command."""

from __future__ import annotations

import json

from generator.data.starter import score_file_text
from generator.load.yamlio import load_file
from generator.pipeline import load_project

from test_cli_failures import project, scoresite


def test_init_then_check_then_build(tmp_path):
    root = tmp_path / "mine"
    done = scoresite("init", str(root))
    assert done.returncode == 0, done.stderr
    assert scoresite("check", cwd=root).returncode == 0
    built = scoresite("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert (root / "site/index.html").is_file() and "示例数据" in (root / "site/index.html").read_text(encoding="utf-8")
    assert "site/" in (root / ".gitignore").read_text() and ".scoresite-cache/" in (root / ".gitignore").read_text()
    site = (root / "content/site.yaml").read_text(encoding="utf-8")
    assert site.startswith("# yaml-language-server: $schema=../schemas/site.json\n") and "sample_data: true" in site
    for kind in ("site", "units", "rubric", "assessment", "scores"):
        assert json.loads((root / f"schemas/{kind}.json").read_text(encoding="utf-8"))["$schema"]
    assert (root / "content/pages/about.md").is_file()


def test_init_never_overwrites(tmp_path):
    root = tmp_path / "mine"
    (root / "content").mkdir(parents=True)
    (root / "content/site.yaml").write_text("title: 我的\n", encoding="utf-8")
    done = scoresite("init", str(root))
    assert done.returncode == 2 and "content/site.yaml" in done.stderr and "nothing was written" in done.stderr
    assert (root / "content/site.yaml").read_text(encoding="utf-8") == "title: 我的\n"
    assert not (root / "rubrics").exists()


def test_new_writes_every_key_with_what_its_rule_expects(tmp_path):
    root = project(tmp_path)
    done = scoresite("-C", str(root), "new", "2026", "finance")
    assert done.returncode == 0, done.stderr
    text = (root / "content/assessments/2026/finance.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/scores.json\n")
    assert "  # 1.2 贷款比例（5分）\n  # 达到80%得1分，超过95%得5分；未达最低档不得分。 结果填写百分比，如 92.5%" in text
    assert "  1.2:\n    result:\n" in text and "结果填写 yes 或 no" in text
    assert "结果填写 full（符合）、partial（部分符合）、none（不符合）" in text
    loaded = load_project(root)
    [finance] = [r for r in loaded.results["2026"] if r.entity == "finance"]
    assert {s.status for s in finance.scores.values()} == {"not_assessed"} and not loaded.warnings
    assert (root / "schemas/scores.json").is_file()
    again = scoresite("-C", str(root), "new", "2026", "finance")
    assert again.returncode == 2 and "never overwrites" in again.stderr


def test_a_new_file_for_every_kind_of_rule_loads(example_copy):
    """Blank files over the example's own: every rule kind's comment, and every result blank."""
    project = load_project(example_copy)
    written = {}
    for assessment in project.assessments.values():
        rubric = project.rubric_of(assessment)
        unit = project.units[next(iter(assessment.sheets))]
        path = example_copy / "content/assessments" / assessment.id / f"{unit.id}.yaml"
        path.write_text(score_file_text(assessment, rubric, unit), encoding="utf-8")
        value, _ = load_file(path, "x")
        assert list(value["scores"]) == list(rubric.indicators)
        written[assessment.id] = unit.id
    loaded = load_project(example_copy)
    for assessment_id, entity in written.items():
        [result] = [r for r in loaded.results[assessment_id] if r.entity == entity]
        assert {s.status for s in result.scores.values()} == {"not_assessed"}


def test_schema_prints_each_kind():
    for kind in ("site", "units", "rubric", "assessment", "scores"):
        done = scoresite("schema", kind)
        assert done.returncode == 0 and json.loads(done.stdout)["type"]
    assert scoresite("schema", "score").returncode == 2
