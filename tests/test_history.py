"""Scores kept in git: diff between revisions, revision history on the pages, provenance,
reproducible builds and the integrity manifest — on throwaway repositories made here, with
fixed authors and dates, a renamed score file and a rubric change."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.site.build import BuildOptions, build
from generator.cli import cli

from conftest import REPO

DEPTS = "content/assessments/2026-departments"


def git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


def commit(repo: Path, message: str, author: str, date: str) -> str:
    stamp = f"{date}T10:00:00+08:00"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, env={
        "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "kaohe@example.gov.cn", "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "kaohe@example.gov.cn", "GIT_COMMITTER_DATE": stamp})
    return git(repo, "rev-parse", "HEAD").strip()


def replace(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict:
    """Five commits: the example; a changed score; a renamed unit and score file; a rubric
    change; a draft's own edit. Then an uncommitted edit in the working tree."""
    root = tmp_path_factory.mktemp("scores") / "repo"
    root.mkdir()
    for part in ("content", "rubrics"):
        shutil.copytree(REPO / part, root / part)
    git(root, "init", "-q", "-b", "main")
    shas = {"initial": commit(root, "导入2026年度考核数据", "张三", "2026-11-01")}

    replace(root, f"{DEPTS}/finance.yaml", "{result: 85.5%}", "{result: 78%}")
    shas["score"] = commit(root, "市财政局满意度按复核结果更正", "李四", "2026-11-05")

    # 工商局 → 市场监督管理局: the unit and its score file are renamed
    replace(root, "content/units.yaml", "- id: aic\n  name: 朔州市工商行政管理局\n  short: 市工商局",
            "- id: amr\n  name: 朔州市市场监督管理局\n  short: 市工商局")
    git(root, "mv", f"{DEPTS}/aic.yaml", f"{DEPTS}/amr.yaml")
    replace(root, f"{DEPTS}/amr.yaml", "entity: aic", "entity: amr")
    shas["rename"] = commit(root, "工商局更名为市场监督管理局", "王五", "2026-11-08")

    # the rubric: 4.2 worth 3 instead of 4, and a new 1-point indicator 4.4
    replace(root, "rubrics/shuozhou-department.yaml", "        text: 按时参加会议\n        points: 4",
            "        text: 按时参加会议\n        points: 3")
    replace(root, "rubrics/shuozhou-department.yaml", "  - id: \"5\"\n    title: 社会评价",
            "  - id: \"5\"\n    title: 社会评价")
    rubric = root / "rubrics/shuozhou-department.yaml"
    text = rubric.read_text(encoding="utf-8")
    anchor = "              points: 0.5\n"
    text = text.replace(anchor, anchor + "      - id: \"4\"\n        text: 按时报送年度总结\n        points: 1\n"
                                         "        method: 按时报送得分，否则不得分\n        rule: check\n", 1)
    rubric.write_text(text, encoding="utf-8")
    shas["rubric"] = commit(root, "部门考核标准：会议分值调整，新增年度总结", "张三", "2026-11-12")

    replace(root, "content/assessments/2026-city-recheck/shuozhou.yaml", "assessors: [省考核组, 市复核组]",
            "assessors: [省考核组, 市复核组, 专家组]")
    shas["draft"] = commit(root, "草稿：复核组内部意见，勿公开", "赵六", "2026-11-15")

    replace(root, f"{DEPTS}/hrss.yaml", "{result: 92%}", "{result: 95%}")   # not committed
    return {"root": root, **shas}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- diff ------------------------------------------------------------------------------

def test_diff_head_against_the_working_tree(repo):
    result = run("-C", str(repo["root"]), "diff")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith(f"results: HEAD ({repo['draft'][:7]}) → the working tree\n")
    assert "朔州市人力资源和社会保障局 (hrss)  total 100 → 100  rank 1 → 1" in out   # 101 before the rubric change
    assert "    5.1  对各部门进行现场抽样测评  20 → 20  result 92% → 95%" in out
    assert "finance" not in out and "2026-city" not in out       # nothing for what did not change


def test_diff_between_two_revisions_lists_exactly_what_changed(repo):
    result = run("-C", str(repo["root"]), "diff", repo["initial"], repo["score"])
    assert result.output == (
        f"results: {repo['initial']} ({repo['initial'][:7]}) → {repo['score']} ({repo['score'][:7]})\n\n"
        "2026-departments  2026年度朔州市创建国家级创业型城市部门工作考核\n"
        "  朔州市财政局 (finance)  total 91.63 → 89.63 (−2)  rank 2 → 2\n"
        "    5.1  对各部门进行现场抽样测评  20 → 18  result 85.5% → 78%\n")


def test_diff_shows_a_renamed_entity_and_a_rubric_change(repo):
    renamed = run("-C", str(repo["root"]), "diff", repo["score"], repo["rename"]).output
    assert "  - 朔州市工商行政管理局 (aic)  total 74.17 → —  rank 5 → —" in renamed
    assert "  + 朔州市市场监督管理局 (amr)  total — → 74.17  rank — → 5" in renamed
    data = json.loads(run("-C", str(repo["root"]), "diff", repo["rename"], repo["rubric"], "--format", "json").output)
    [depts] = data["assessments"]
    assert depts["indicators_added"] == [{"key": "4.4", "text": "按时报送年度总结"}]
    # 市科技局 missed 5 meetings: 0 points of 4 before, 0 of 3 after — nothing moved, so not listed
    assert "science" not in {e["entity"] for e in depts["entities"]}
    fgw = next(e for e in depts["entities"] if e["entity"] == "fgw")
    assert fgw["indicators"] == [{"key": "4.2", "text": "按时参加会议", "points": {"old": 3, "new": 2},
                                  "result": {"old": "{missed: 1}", "new": "{missed: 1}"},
                                  "override": {"old": None, "new": None}}]
    assert fgw["total"] == {"old": 83.22, "new": 82.22}
    assert data["from"] == {"revision": repo["rename"], "commit": repo["rename"]}


def test_diff_exit_code_is_like_gits(repo):
    root = str(repo["root"])
    assert run("-C", root, "diff", repo["initial"], repo["score"], "--exit-code").exit_code == 1
    same = run("-C", root, "diff", repo["score"], repo["score"], "--exit-code")
    assert same.exit_code == 0 and same.output.startswith("no changes in the results")
    bad = run("-C", root, "diff", "no-such-revision")
    assert bad.exit_code == 2 and "no commit 'no-such-revision'" in bad.stderr


def test_diff_reads_revisions_without_touching_the_working_tree(repo):
    before = git(repo["root"], "status", "--porcelain")
    run("-C", str(repo["root"]), "diff", repo["initial"], repo["rubric"])
    assert git(repo["root"], "status", "--porcelain") == before


# --- history on the site -----------------------------------------------------------------

@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "site"
    build(repo["root"], BuildOptions(out))
    return out


def test_scorecard_shows_its_revisions_newest_first(site, repo):
    html = (site / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
    history = html[html.index('id="revisions-heading"'):]
    assert history.index("市财政局满意度按复核结果更正") < history.index("导入2026年度考核数据")
    assert re.search(r">2026-11-05</time></td><td[^>]*>李四</td>", history)
    assert '<span class="key">5.1</span> 20 → 18 <span class="muted">（85.5% → 78%）</span>' in history
    assert "新建评分文件（10项评分，总分91.63）" in history
    assert "本评分文件有尚未提交到 git 的修改" not in history


def test_renamed_score_file_keeps_its_history(site, repo):
    history = (site / "assessments/2026-departments/amr/index.html").read_text(encoding="utf-8")
    assert "文件由 content/assessments/2026-departments/aic.yaml 改名而来" in history
    assert "导入2026年度考核数据" in history


def test_uncommitted_changes_are_flagged(site):
    html = (site / "assessments/2026-departments/hrss/index.html").read_text(encoding="utf-8")
    assert "本评分文件有尚未提交到 git 的修改" in html
    assert "含未提交的修改" in html


def test_changes_page_lists_published_revisions_newest_first(site):
    html = (site / "changes/index.html").read_text(encoding="utf-8")
    order = [html.index(message) for message in ("工商局更名为市场监督管理局", "市财政局满意度按复核结果更正",
                                                 "导入2026年度考核数据")]
    assert order == sorted(order)


def test_drafts_history_never_leaks_into_a_public_build(site, repo, tmp_path):
    for page in site.rglob("*.html"):
        assert "勿公开" not in page.read_text(encoding="utf-8"), page
    drafts = tmp_path / "drafts"
    build(repo["root"], BuildOptions(drafts, drafts=True))
    assert "草稿：复核组内部意见，勿公开" in (drafts / "assessments/2026-city-recheck/shuozhou/index.html").read_text(
        encoding="utf-8")


def test_every_page_names_the_source_commit_and_rubric_versions(site, repo):
    sha, date = repo["draft"][:7], "2026-11-15"
    for page in site.rglob("*.html"):
        assert f"数据版本 {sha}（{date}）" in page.read_text(encoding="utf-8"), page
    method = (site / "rubrics/shuozhou-department/index.html").read_text(encoding="utf-8")
    assert f"版本 {repo['rubric'][:7]}，2026-11-12" in method
    city = (site / "rubrics/entrepreneurial-city/index.html").read_text(encoding="utf-8")
    assert f"版本 {repo['initial'][:7]}，2026-11-01" in city


# --- reproducible and verifiable --------------------------------------------------------

def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_one_commit_are_byte_identical(repo, tmp_path):
    clean = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo["root"]), str(clean))
    build(clean, BuildOptions(tmp_path / "one"))
    for path in clean.rglob("*.yaml"):                  # new modification times, same content
        os.utime(path, (1_900_000_000, 1_900_000_000))
    build(clean, BuildOptions(tmp_path / "two"))
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    manifest = json.loads((tmp_path / "one/manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_commit"] == repo["draft"] and manifest["uncommitted_changes"] is False


def test_dates_come_from_git_or_source_date_epoch(repo, tmp_path, monkeypatch):
    # the 2026-departments notice runs 2026-11-20 … 27: the last commit (11-15) predates it
    build(repo["root"], BuildOptions(tmp_path / "git"))
    assert "公示中" not in (tmp_path / "git/index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")         # 2026-11-21
    build(repo["root"], BuildOptions(tmp_path / "epoch"))
    assert "公示中" in (tmp_path / "epoch/index.html").read_text(encoding="utf-8")


def test_verify_names_tampered_missing_and_added_files(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    ok = run("verify", str(copy))
    assert ok.exit_code == 0 and ok.output.startswith("✓ all ")
    (copy / "assessments/2026-departments/finance/index.html").write_text("89.63 → 99.63", encoding="utf-8")
    (copy / "data/2026-departments.csv").unlink()
    (copy / "assessments/2026-departments/extra.html").write_text("<p>?</p>", encoding="utf-8")
    result = run("verify", str(copy))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == ["missing: data/2026-departments.csv",
                                              "added: assessments/2026-departments/extra.html",
                                              "altered: assessments/2026-departments/finance/index.html"]
    assert "✗ 3 files differ from the manifest" in result.stderr


def test_verify_against_a_manifest_obtained_separately(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    trusted = tmp_path / "trusted.json"
    shutil.copy(site / "manifest.json", trusted)
    (copy / "index.html").write_text("forged", encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["index.html"] = hashlib.sha256(b"forged").hexdigest()     # the forger updates it too
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    sums = (copy / "SHA256SUMS").read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / "SHA256SUMS").write_text("".join(manifest["files"]["index.html"] + "  index.html\n"
                                             if line.endswith("  index.html\n") else line for line in sums))
    assert run("verify", str(copy)).exit_code == 0
    caught = run("verify", str(copy), "--manifest", str(trusted))
    assert caught.exit_code == 1
    assert caught.stderr.splitlines()[:3] == ["altered: SHA256SUMS (it does not list what manifest.json lists)",
                                              "altered: index.html",
                                              "altered: manifest.json (it differs from the trusted manifest)"]
    assert caught.stderr.splitlines()[3].startswith("✗ 3 files differ from the manifest")


def test_verify_catches_an_altered_sha256sums_alone(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    with open(copy / "SHA256SUMS", "a", encoding="utf-8") as sums:
        sums.write("0" * 64 + "  extra.html\n")
    result = run("verify", str(copy))
    assert result.exit_code == 1
    assert "altered: SHA256SUMS (it does not list what manifest.json lists)" in result.stderr


def test_a_copy_without_hidden_files_verifies(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".*"))
    assert not (copy / ".scoresite").exists()
    assert run("verify", str(copy)).exit_code == 0
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=copy).returncode == 0


@pytest.mark.parametrize("manifest, message", [
    ("[]", "is not a scoresite manifest: expected an object"),
    ("null", "is not a scoresite manifest: expected an object"),
    ('{"files": {"index.html": "abc"}}', "is not a scoresite manifest: expected an object"),
    ("\udcff", "is not a scoresite manifest: expected JSON text"),
    (None, "is not a scoresite manifest: it is a folder"),
])
def test_verify_refuses_what_is_not_a_manifest(site, tmp_path, manifest, message):
    source = tmp_path / "manifest.json"
    if manifest is None:
        source.mkdir()
    else:
        source.write_bytes(manifest.encode("utf-8", "surrogateescape"))
    result = run("verify", str(site), "--manifest", str(source))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_sha256sums_checks_without_scoresite(site):
    done = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=site, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_outside_git_everything_builds_and_says_there_is_no_history(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    html = (out / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
    assert "本站不是从 git 仓库构建的，没有修订记录。" in html
    assert "数据版本：未知（不在 git 仓库中）" in html
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["source_commit"] is None
    diff = run("-C", str(example_copy), "diff")
    assert diff.exit_code == 2 and "cannot read revision 'HEAD'" in diff.stderr


# --- found in review ----------------------------------------------------------------------

def test_history_when_the_project_is_a_folder_inside_the_repository(tmp_path):
    outer = tmp_path / "outer"
    project = outer / "kaohe"
    for part in ("content", "rubrics"):
        shutil.copytree(REPO / part, project / part)
    git(outer, "init", "-q", "-b", "main")
    commit(outer, "初始", "张三", "2026-11-01")
    replace(project, f"{DEPTS}/finance.yaml", "{result: 85.5%}", "{result: 78%}")
    commit(outer, "更正", "李四", "2026-11-02")
    replace(project, f"{DEPTS}/hrss.yaml", "{result: 92%}", "{result: 95%}")
    build(project, BuildOptions(tmp_path / "site"))
    finance = (tmp_path / "site/assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
    assert "更正" in finance and '<span class="key">5.1</span> 20 → 18' in finance
    hrss = (tmp_path / "site/assessments/2026-departments/hrss/index.html").read_text(encoding="utf-8")
    assert "本评分文件有尚未提交到 git 的修改" in hrss


def test_a_revision_skips_dot_files_as_the_working_tree_does(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo["root"]), str(clone))
    template = clone / "content/assessments/.template/assessment.yaml"
    template.parent.mkdir()
    template.write_text("title: 模板\n", encoding="utf-8")
    commit(clone, "加入模板", "张三", "2026-11-20")
    assert run("-C", str(clone), "check").exit_code == 0
    assert run("-C", str(clone), "diff", "HEAD~1", "HEAD", "--exit-code").exit_code == 0


def test_verify_reports_symbolic_links(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.html").write_text("<p>not published</p>", encoding="utf-8")
    (copy / "linked").symlink_to(outside, target_is_directory=True)
    result = run("verify", str(copy))
    assert result.exit_code == 1 and "added: linked (a symbolic link)" in result.stderr


def test_a_shallow_clone_builds_with_a_warning(repo, tmp_path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", repo["root"].as_uri(), str(shallow))
    result = run("-C", str(shallow), "build")
    assert result.exit_code == 0
    assert "warning: this is a shallow git clone" in result.stderr


def test_a_preview_in_git_equals_a_fresh_build(tmp_path):
    from generator.site.preview import Incremental
    root = tmp_path / "repo"
    for part in ("content", "rubrics"):
        shutil.copytree(REPO / part, root / part)
    git(root, "init", "-q", "-b", "main")
    commit(root, "初始", "张三", "2026-11-21")
    preview = Incremental(root, BuildOptions(tmp_path / "preview"))
    preview.changes()
    preview.rebuild(None)
    replace(root, f"{DEPTS}/finance.yaml", "{result: 85.5%}", "{result: 78%}")   # uncommitted: flags appear
    preview.rebuild(preview.changes())
    build(root, BuildOptions(tmp_path / "fresh"))
    skip = {"manifest.json", "SHA256SUMS", ".scoresite"}
    for page in (tmp_path / "fresh").rglob("*"):
        if page.is_file() and page.name not in skip:
            assert (tmp_path / "preview" / page.relative_to(tmp_path / "fresh")).read_bytes() == page.read_bytes(), page
