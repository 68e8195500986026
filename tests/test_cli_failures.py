"""Every way a command can fail ends as a message — where, what, a hint — and exit code 1
or 2; never a Python traceback. Each case runs the real `scoresite` process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, write_project

SHEET = "content/assessments/2026/shuozhou.yaml"


def scoresite(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 60):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def project(tmp_path: Path, files: dict | None = None) -> Path:
    root = tmp_path / "project"
    if root.exists():
        shutil.rmtree(root)
    return write_project(root, files or {})


def _theme(files: dict) -> dict:
    return {"content/site.yaml": "title: 测试站点\ntheme: local\n", **files}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def _blank_workbook(path: Path) -> None:
    import openpyxl
    openpyxl.Workbook().save(path)


def _busy_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


# (name, files of the project or None for none at all, setup(root, tmp) → extra args, expected code, words)
CASES = [
    ("check outside a project", None, lambda root, tmp: ["-C", str(tmp / "empty"), "check"], 1,
     "content/site.yaml:1:1: expected the site settings file"),
    ("check a broken fixture", "broken", lambda root, tmp: ["check"], 1, "✗ 14 problems in 6 files"),
    ("check -C after the command", {}, lambda root, tmp: ["check", "-C", str(tmp / "empty")], 1,
     "expected the site settings file"),
    ("a template with a syntax error", _theme({"themes/local/templates/page.html": "{% if %}"}),
     lambda root, tmp: ["check"], 1, "themes/local/templates/page.html:1: Expected an expression"),
    ("a template that raises", _theme({"themes/local/templates/404.html": "{{ 1 // 0 }}"}),
     lambda root, tmp: ["check"], 1,
     "themes/local/templates/404.html:1: the template raised ZeroDivisionError: integer division or modulo by zero"),
    ("build with a template that raises", _theme({"themes/local/templates/404.html": "{{ 1 // 0 }}"}),
     lambda root, tmp: ["build"], 1, "themes/local/templates/404.html:1: the template raised ZeroDivisionError"),
    ("a template that is not UTF-8", _theme({"themes/local/templates/page.html": "标题".encode("gbk")}),
     lambda root, tmp: ["check"], 1, "themes/local/templates/page.html:1:1: expected UTF-8 text"),
    ("a locale file that is a list", _theme({"themes/local/locale/zh-CN.yaml": "- a\n"}),
     lambda root, tmp: ["check"], 1, "themes/local/locale/zh-CN.yaml:1:1: expected a mapping of interface strings"),
    ("a locale string with other placeholders", _theme({"themes/local/locale/zh-CN.yaml": "entities_count: '{m}个'\n"}),
     lambda root, tmp: ["check"], 1, "expected the placeholders {n} in 'entities_count', got {m}"),
    ("a locale key that does not exist", _theme({"themes/local/locale/zh-CN.yaml": "hom: 首页\n"}),
     lambda root, tmp: ["check"], 1, "got the unknown key 'hom'\n    hint: did you mean 'home'"),
    ("a locale file that is not UTF-8", _theme({"themes/local/locale/zh-CN.yaml": "home: 首页\n".encode("gbk")}),
     lambda root, tmp: ["check"], 1, "themes/local/locale/zh-CN.yaml:1:7: expected UTF-8 text"),
    ("an id too long for a file name", {"content/units.yaml": MINIMAL["content/units.yaml"].replace(
        "id: shuozhou", "id: " + "s" * 300), SHEET: "entity: shuozhou\nscores: {}\n"},
     lambda root, tmp: ["check"], 1, "expected an id of at most 64 characters, got 300"),
    ("a symlink loop in content/pages", {}, lambda root, tmp: (root / "content/pages").mkdir() or
     (root / "content/pages/loop.md").symlink_to("loop.md") or ["build"], 1,
     "content/pages/loop.md:1:1: expected a file, got a symbolic link that leads back to itself (a loop)"),
    ("build into content/", {}, lambda root, tmp: ["build", "--out", "content/assessments/newsite"], 1,
     "refusing to build into"),
    ("build into a file", {"notes.txt": "x"}, lambda root, tmp: ["build", "--out", "notes.txt"], 1,
     "is a file, not a folder"),
    ("build into a folder it did not make", {"other/keep.txt": "x"}, lambda root, tmp: ["build", "--out", "other"], 1,
     "refusing to replace"),
    ("SOURCE_DATE_EPOCH=abc", {}, lambda root, tmp: ["build", "--out", str(tmp / "o1")], 2,
     "expected SOURCE_DATE_EPOCH as a whole number of seconds, got 'abc'"),
    ("SOURCE_DATE_EPOCH huge", {}, lambda root, tmp: ["build", "--out", str(tmp / "o2")], 2,
     "expected SOURCE_DATE_EPOCH to be a date before the year 10000, got 999999999999"),
    ("export into a missing folder", {}, lambda root, tmp: ["export", "-o", str(tmp / "no/such/x.json")], 2,
     "the folder"),
    ("export an unknown assessment", {}, lambda root, tmp: ["export", "-a", "2027"], 2, "no assessment 2027"),
    ("export a draft without --drafts", {"content/assessments/2026/assessment.yaml":
                                         "title: t\nrubric: mini\nperiod: '2026'\nstatus: draft\n"},
     lambda root, tmp: ["export", "-a", "2026"], 2, "2026 is a draft: add --drafts"),
    ("verify a manifest that is []", {}, lambda root, tmp: (tmp / "m.json").write_text("[]") and
     ["verify", str(root), "--manifest", str(tmp / "m.json")], 2, "is not a scoresite manifest"),
    ("verify a manifest that is null", {}, lambda root, tmp: (tmp / "m.json").write_text("null") and
     ["verify", str(root), "--manifest", str(tmp / "m.json")], 2, "is not a scoresite manifest"),
    ("verify a manifest that is a folder", {}, lambda root, tmp: (tmp / "m").mkdir() or
     ["verify", str(root), "--manifest", str(tmp / "m")], 2, "it is a folder"),
    ("verify a folder that is no build", {}, lambda root, tmp: ["verify", str(root)], 2,
     "no manifest.json in"),
    ("diff outside git", {}, lambda root, tmp: ["diff"], 2, "cannot read revision 'HEAD'"),
    ("diff before the first commit", {}, lambda root, tmp: _git(root, "init", "-q") or ["diff"], 2,
     "cannot read revision 'HEAD'"),
    ("diff an unknown revision", {}, lambda root, tmp: _git(root, "init", "-q") or _git(root, "add", "-A") or
     _git(root, "commit", "-qm", "x") or ["diff", "nope"], 2, "no commit 'nope'"),
    ("export into the inputs", {}, lambda root, tmp: ["export", "-o", str(root / "content/units.yaml")], 2,
     "is inside content/, rubrics/ or themes/"),
    ("check a folder that does not exist", None, lambda root, tmp: ["-C", str(tmp / "nowhere"), "check"], 2,
     "no project folder"),
    ("verify a manifest nested without end", {}, lambda root, tmp: (tmp / "m.json").write_text("[" * 100000) and
     ["verify", str(root), "--manifest", str(tmp / "m.json")], 2, "is not a scoresite manifest: expected JSON text"),
    ("build with a base URL that is not one", {}, lambda root, tmp: ["build", "--out", str(tmp / "o3"),
                                                                     "--base-url", "https://x/\nDisallow: /"], 2,
     "--base-url: expected a base URL such as https://"),
    ("serve on an empty host", {}, lambda root, tmp: ["serve", "--host", ""], 2, "expected an address such as 127.0.0.1"),
    ("init over a project", {}, lambda root, tmp: ["init", str(root)], 2, "never overwrites a file"),
    ("init into a file", {"notes.txt": "x"}, lambda root, tmp: ["init", str(root / "notes.txt")], 2, "is a file"),
    ("new for an unknown assessment", {}, lambda root, tmp: ["new", "2027", "finance"], 2, "no assessment '2027'"),
    ("new for an unknown unit", {}, lambda root, tmp: ["new", "2026", "finanse"], 2, "did you mean 'finance'"),
    ("new over a score file", {}, lambda root, tmp: ["new", "2026", "shuozhou"], 2, "never overwrites a score file"),
    ("new in a broken project", {"content/site.yaml": "title: t\ntitel: x\n"},
     lambda root, tmp: ["new", "2026", "finance"], 1, "got the unknown key 'titel'"),
    ("schema of an unknown kind", {}, lambda root, tmp: ["schema", "score"], 2, "Invalid value for '{site|units"),
    ("import a rubric that is no table", {"t.txt": "x"}, lambda root, tmp: ["import", "rubric", str(root / "t.txt")],
     2, "expected a .csv, .xlsx, .docx file, got t.txt"),
    ("import a rubric with a bad cell", {"t.csv": "评估标准,分值\n甲,两分\n"},
     lambda root, tmp: ["import", "rubric", str(root / "t.csv"), "--id", "t"], 1,
     "t.csv:2:2: expected the indicator's points (分值) such as 2 or 0.5, got '两分'"),
    ("import a rubric without an id", {"附件.csv": "评估标准,分值\n甲,2\n"},
     lambda root, tmp: ["import", "rubric", str(root / "附件.csv")], 2, "give one with --id"),
    ("import a rubric over a file", {"t.csv": "评估标准,分值\n甲,2\n"},
     lambda root, tmp: ["import", "rubric", str(root / "t.csv"), "-o", str(root / "content/units.yaml")], 2,
     "exists already"),
    ("import a corrupt workbook as a rubric", {"t.xlsx": "not a zip"},
     lambda root, tmp: ["import", "rubric", str(root / "t.xlsx"), "--id", "t"], 1, "cannot be opened"),
    ("sheet without an output", {}, lambda root, tmp: ["sheet", "2026"], 2, "Missing option '--output'"),
    ("sheet into a .xls", {}, lambda root, tmp: ["sheet", "2026", "-o", str(tmp / "a.xls")], 2, "ending in .xlsx"),
    ("sheet for a group", {}, lambda root, tmp: ["sheet", "2026", "nobody", "-o", str(tmp / "a.xlsx")], 2,
     "expected an assessed unit, got 'nobody'"),
    ("sheet into content/", {}, lambda root, tmp: ["sheet", "2026", "-o", str(root / "content/a.xlsx")], 2,
     "inside content/, rubrics/ or themes/"),
    ("import scores from a csv", {"s.csv": "x"}, lambda root, tmp: ["import", "scores", str(root / "s.csv")], 2,
     "expected a .xlsx file"),
    ("import scores from a broken workbook", {"s.xlsx": "not a zip"},
     lambda root, tmp: ["import", "scores", str(root / "s.xlsx")], 1, "expected an .xlsx workbook, got a file that "
     "cannot be opened"),
    ("import scores without headers", {}, lambda root, tmp: _blank_workbook(tmp / "b.xlsx") or
     ["import", "scores", str(tmp / "b.xlsx")], 1, "expected a worksheet with a header row holding 指标编号 and 评分结果"),
    ("export a workbook to stdout", {}, lambda root, tmp: ["export", "--format", "xlsx"], 2,
     "a workbook is written to a file: add --output FILE.xlsx"),
    ("an unknown command", {}, lambda root, tmp: ["buidl"], 2, "No such command 'buidl'"),
    ("an unknown option", {}, lambda root, tmp: ["build", "--drafs"], 2, "No such option '--drafs'"),
]


@pytest.mark.parametrize("name, files, setup, code, words", CASES, ids=[case[0] for case in CASES])
def test_every_failure_is_a_message_never_a_traceback(tmp_path, name, files, setup, code, words):
    (tmp_path / "empty").mkdir()
    if files == "broken":
        root = tmp_path / "project"
        shutil.copytree(Path(__file__).parent / "fixtures/broken", root)
    else:
        root = project(tmp_path, files)
    args = setup(root, tmp_path)
    env = {"SOURCE_DATE_EPOCH": "abc"} if "=abc" in name else {"SOURCE_DATE_EPOCH": "999999999999"} \
        if "huge" in name else {}
    done = scoresite(*(args if args[0] in ("-C", "verify") else ["-C", str(root), *args]), env=env)
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    assert done.returncode == code, output
    assert words in output, output


def test_serve_on_a_port_in_use_says_so(tmp_path):
    root = project(tmp_path)
    with _busy_port() as busy:
        port = busy.getsockname()[1]
        done = scoresite("-C", str(root), "serve", "--port", str(port))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"✗ cannot serve on 127.0.0.1:{port}" in done.stderr


def test_the_pre_commit_diff_hook_never_blocks_a_first_commit(tmp_path):
    root = project(tmp_path)
    _git(root, "init", "-q")
    done = scoresite("-C", str(root), "diff", "--never-fail")
    assert done.returncode == 0 and "cannot read revision 'HEAD'" in done.stderr and "Traceback" not in done.stderr
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: scoresite diff --never-fail" in hooks


def test_export_writes_a_file_and_refuses_drafts_only_without_the_flag(tmp_path):
    root = project(tmp_path, {"content/assessments/2026/assessment.yaml":
                              "title: t\nrubric: mini\nperiod: '2026'\nstatus: draft\n"})
    out = tmp_path / "out.json"
    done = scoresite("-C", str(root), "export", "-a", "2026", "--drafts", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert [a["id"] for a in json.loads(out.read_text(encoding="utf-8"))["assessments"]] == ["2026"]


def test_a_bug_is_one_line_not_a_traceback(tmp_path):
    root = project(tmp_path)
    code = ("import generator.load.project as p, generator.cli as c\n"
            "def boom(*a, **k): raise RuntimeError('simulated')\n"
            "p.load_project = boom; c.load_project = boom\n"
            "c.main()\n")
    done = subprocess.run([sys.executable, "-c", code, "-C", str(root), "check"], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "✗ internal error: RuntimeError: simulated" in done.stderr


def test_git_file_names_in_other_encodings_and_odd_subjects_stop_nothing(tmp_path):
    root = project(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init\x01odd subject")
    gbk_name = os.path.join(os.fsencode(root / "content/evidence"), b"\xb1\xa8\xb8\xe6.docx")
    os.makedirs(os.path.dirname(gbk_name), exist_ok=True)
    with open(gbk_name, "wb") as file:
        file.write(b"PK\x03\x04")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "a GBK file name")
    os.unlink(gbk_name)
    done = scoresite("-C", str(root), "diff", "--never-fail")
    assert done.returncode == 0 and "Traceback" not in done.stderr and "internal error" not in done.stderr
    built = scoresite("-C", str(root), "build", "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr


def test_a_full_disk_is_a_message_not_a_bug(tmp_path):
    root = project(tmp_path)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "generator", "-C", str(root), "export"], stdout=full,
                              stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2 and "internal error" not in done.stderr and "No space left on device" in done.stderr


def test_verify_takes_the_project_folder_too(tmp_path):
    root = project(tmp_path)
    assert scoresite("-C", str(root), "build").returncode == 0
    assert scoresite("-C", str(root), "verify", "site").returncode == 0
    assert scoresite("verify", "site", "-C", str(root)).returncode == 0
