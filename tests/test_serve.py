"""The preview: incremental rebuilds (in process), and the real `scoresite serve` on a free
port — an edit shows within seconds, a bad edit shows an error page and the server lives
on, the repair brings the page back. Every wait is bounded; every server is stopped."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.site.build import BuildOptions
from generator.site.preview import Incremental
from generator.errors import ProjectError


SHEET = "content/assessments/2026-departments/finance.yaml"
SCORECARD = "assessments/2026-departments/finance/index.html"


def _edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def _total(html: str) -> str:
    return re.search(r'<span class="big">([\d.]+)</span> / ', html).group(1)


# --- incremental passes, in process ------------------------------------------------

@pytest.fixture
def incremental(example_copy, tmp_path):
    builder = Incremental(example_copy, BuildOptions(tmp_path / "preview"))
    builder.changes()
    builder.rebuild(None)
    return builder


def test_an_edited_score_rerenders_its_pages_not_the_site(incremental):
    _edit(incremental.root, SHEET, "{result: 85.5%}", "{result: 78%}")    # 满意度 20 → 18
    report = incremental.rebuild(incremental.changes())
    rendered = set(report.rendered)
    assert {SCORECARD, "assessments/2026-departments/index.html", "index.html",
            "rubrics/shuozhou-department/5.1/index.html", "units/finance/index.html"} <= rendered
    assert "rubrics/shuozhou-department/4.1/index.html" not in rendered         # shows nothing that changed
    assert not any(url.startswith("assessments/2026-city/") for url in rendered)
    assert len(rendered) < 20                                                    # of 131 pages
    assert _total((incremental.options.out / SCORECARD).read_text(encoding="utf-8")) == "89.63"


def test_a_moved_rank_rerenders_the_scorecards_whose_rank_moved(incremental):
    _edit(incremental.root, SHEET, "{result: 85.5%}", "{result: 50%}")     # 91.63 → 71.63: rank 2 → 5
    rendered = set(incremental.rebuild(incremental.changes()).rendered)
    moved = {"finance", "education", "fgw", "aic"}                               # ranks 2, 3, 3, 5 → 5, 2, 2, 4
    assert {f"assessments/2026-departments/{e}/index.html" for e in moved} <= rendered
    assert "assessments/2026-departments/hrss/index.html" not in rendered       # still first


def test_a_broken_tie_rerenders_the_entity_that_keeps_its_rank(incremental):
    # education and fgw share 3rd place; education drops to 4th, fgw stays 3rd but no longer 并列
    _edit(incremental.root, "content/assessments/2026-departments/education.yaml",
          "4.2: {result: {missed: 1}}", "4.2: {result: {missed: 2}}")
    rendered = set(incremental.rebuild(incremental.changes()).rendered)
    fgw = "assessments/2026-departments/fgw/index.html"
    assert fgw in rendered
    html = (incremental.options.out / fgw).read_text(encoding="utf-8")
    assert "第3名（共7个）" in html and "并列" not in html


def test_a_failed_pass_keeps_its_changes_for_the_next(incremental):
    root = incremental.root
    _edit(root, SHEET, "{result: 85.5%}", "{result: 78%}")                       # good edit to A …
    _edit(root, "content/assessments/2026-departments/hrss.yaml", "{result: 92%}", "{result: 92}")   # … bad B
    with pytest.raises(ProjectError):
        incremental.rebuild(incremental.changes())
    assert _total((incremental.options.out / SCORECARD).read_text(encoding="utf-8")) == "91.63"   # last good
    _edit(root, "content/assessments/2026-departments/hrss.yaml", "{result: 92}", "{result: 92%}")
    incremental.rebuild(incremental.changes())
    assert _total((incremental.options.out / SCORECARD).read_text(encoding="utf-8")) == "89.63"


def test_a_theme_change_rerenders_everything(incremental):
    theme = incremental.root / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "page.html").write_text("{% extends 'default:page.html' %}", encoding="utf-8")
    report = incremental.rebuild(incremental.changes())
    assert len(report.rendered) == len(incremental.pages)


def test_a_removed_score_file_removes_its_pages(incremental):
    (incremental.root / SHEET).unlink()
    report = incremental.rebuild(incremental.changes())
    assert SCORECARD in report.removed
    assert not (incremental.options.out / SCORECARD).exists()


# --- the real server -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`scoresite serve` in a subprocess, with its output collected."""

    def __init__(self, root: Path, *args: str):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "-C", str(root), "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.wait_for(lambda: self.get("")[0] == 200, "the server to start", timeout=30)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")
        except OSError:
            return 0, ""

    def wait_for(self, condition, what: str, timeout: float = 10) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process.poll() is None, "the server stopped:\n" + "\n".join(self.lines)
            if condition():
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; server said:\n" + "\n".join(self.lines[-20:]))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(example_copy):
    running = Server(example_copy)
    yield running
    running.stop()


def test_serve_shows_an_edit_then_a_clean_error_then_the_repair(server, example_copy):
    status, html = server.get(SCORECARD)
    assert status == 200 and _total(html) == "91.63"
    assert "livereload.js" in html
    assert not (example_copy / "site").exists()                  # never builds into the project's site/

    _edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
    seconds = server.wait_for(lambda: _total(server.get(SCORECARD)[1]) == "89.63", "the new total")
    assert seconds < 5

    _edit(example_copy, SHEET, "{result: 78%}", "{result: 78}")
    server.wait_for(lambda: server.get(SCORECARD)[0] == 500, "the error page")
    status, page = server.get(SCORECARD)
    assert f"{SHEET}:17:17: expected a percentage such as 92.5%, got the plain number 78" in page
    assert "did you mean 78%?" in page
    assert server.get("index.html")[0] == 500                    # every page says so
    assert any("✗ " + SHEET + ":17:17" in line for line in server.lines)   # and the terminal

    _edit(example_copy, SHEET, "{result: 78}", "{result: 78%}")
    server.wait_for(lambda: server.get(SCORECARD)[0] == 200, "the repaired page")
    assert _total(server.get(SCORECARD)[1]) == "89.63"


def test_a_burst_of_saves_is_one_rebuild(server, example_copy):
    before = sum("rebuilt" in line for line in server.lines)
    sheet = example_copy / SHEET
    original = sheet.read_text(encoding="utf-8")
    for value in ("80%", "81%", "82%", "83%", "84%"):             # five saves within a few ms
        sheet.write_text(original.replace("{result: 85.5%}", f"{{result: {value}}}"), encoding="utf-8")
        time.sleep(0.002)
    server.wait_for(lambda: sum("rebuilt" in line for line in server.lines) > before, "a rebuild")
    time.sleep(1.0)
    assert sum("rebuilt" in line for line in server.lines) == before + 1


def test_serve_binds_to_loopback_unless_told_otherwise(example_copy):
    quiet = Server(example_copy)
    try:
        assert not any("warning" in line for line in quiet.lines)
        with pytest.raises(OSError):                             # not reachable on another address
            address = socket.gethostbyname(socket.gethostname())
            if address.startswith("127."):
                raise OSError("no other address on this machine")
            socket.create_connection((address, quiet.port), timeout=1).close()
    finally:
        quiet.stop()
    shared = Server(example_copy, "--host", "0.0.0.0")
    try:
        assert any(line.startswith("warning: serving on 0.0.0.0") for line in shared.lines)
    finally:
        shared.stop()


def test_the_browser_reloads_itself_after_a_save(server, example_copy, context_factory):
    page = context_factory().new_page()
    page.goto(server.base + SCORECARD)
    page.wait_for_function("() => window.LiveReload !== undefined", timeout=10_000)   # connected
    assert page.inner_text(".big") == "91.63"
    _edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
    page.wait_for_function("() => document.querySelector('.big') && document.querySelector('.big').textContent === '89.63'",
                           timeout=10_000)                      # no reload by the test: livereload did it
    _edit(example_copy, SHEET, "{result: 78%}", "{result: 78}")
    page.wait_for_selector("text=expected a percentage such as 92.5%", timeout=10_000)
    _edit(example_copy, SHEET, "{result: 78}", "{result: 78%}")
    page.wait_for_selector(".big", timeout=10_000)
    assert page.inner_text(".big") == "89.63"


# --- a preview pass must leave exactly what a fresh build would ------------------------

ASSESSMENTS = "content/assessments"


def _write_later(path: Path, text: str) -> None:
    """Write, and move the modification time on, so that even a same-size edit is seen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    stamp = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(stamp, stamp))


def _sub(root: Path, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text, (path, old)
    _write_later(root / path, text.replace(old, new, 1))


def _copy_assessment(root: Path) -> None:
    shutil.copytree(root / ASSESSMENTS / "2026-city", root / ASSESSMENTS / "2027-city")
    _sub(root, f"{ASSESSMENTS}/2027-city/assessment.yaml", 'period: "2026"', 'period: "2027"')


EDITS = {
    "a score that moves ranks": lambda r: _sub(r, SHEET, "85.5%", "20%"),
    "a page title (the navigation)": lambda r: _sub(r, "content/pages/about.md", "title: 关于本站", "title: 关于我们"),
    "a new page": lambda r: _write_later(r / "content/pages/help.md", "---\ntitle: 帮助\n---\n\n正文\n"),
    "a removed page": lambda r: (r / "content/pages/about.md").unlink(),
    "an assessment title": lambda r: _sub(r, f"{ASSESSMENTS}/2026-departments/assessment.yaml",
                                          "2026年度朔州市创建国家级创业型城市部门工作考核", "部门考核（更名）"),
    "a draft published": lambda r: _sub(r, f"{ASSESSMENTS}/2026-city-recheck/assessment.yaml",
                                        "status: draft", "status: published"),
    "a published assessment made draft": lambda r: _sub(r, f"{ASSESSMENTS}/2025-city/assessment.yaml",
                                                        "status: published", "status: draft"),
    "an assessment removed": lambda r: shutil.rmtree(r / ASSESSMENTS / "2026-counties"),
    "an assessment added": _copy_assessment,
    "a score file removed": lambda r: (r / SHEET).unlink(),
    "a unit renamed": lambda r: _sub(r, "content/units.yaml", "name: 朔州市财政局", "name: 朔州市财政局（新）"),
    "a grade boundary": lambda r: _sub(r, "rubrics/entrepreneurial-city.yaml", "{min: 90, label: 优秀}",
                                       "{min: 80, label: 优秀}"),
    "a rubric title": lambda r: _sub(r, "rubrics/shuozhou-department.yaml",
                                     "title: 朔州市创建国家级创业型城市部门工作考核评分标准", "title: 部门考核评分标准"),
    "an earlier period": lambda r: _sub(r, f"{ASSESSMENTS}/2025-city/assessment.yaml", 'period: "2025"', 'period: "2024"'),
    "evidence added, then used (two saves)": [
        lambda r: _write_later(r / "content/evidence/2026-city/new.pdf", "%PDF-1.4 x"),
        lambda r: _sub(r, f"{ASSESSMENTS}/2026-city/shuozhou.yaml", "file: 2026-city/loan-report.pdf}",
                       "file: 2026-city/new.pdf}")],
    "evidence no longer used": lambda r: _sub(r, f"{ASSESSMENTS}/2026-city/shuozhou.yaml",
                                              "      - {title: 经办银行小额担保贷款业务报表（2026年1—9月）, file: 2026-city/loan-report.pdf}\n", ""),
}


def _site_files(folder: Path) -> dict[str, bytes]:
    skip = {"manifest.json", "SHA256SUMS", ".scoresite"}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name not in skip}


@pytest.mark.parametrize("edit", EDITS)
def test_a_preview_pass_equals_a_fresh_build(example_copy, tmp_path, edit):
    from generator.site.build import build
    builder = Incremental(example_copy, BuildOptions(tmp_path / "preview", base_url="https://example.gov.cn/k/"))
    builder.changes()
    builder.rebuild(None)
    steps = EDITS[edit] if isinstance(EDITS[edit], list) else [EDITS[edit]]
    for step in steps:                               # each save is followed by a pass
        step(example_copy)
        builder.rebuild(builder.changes())
    build(example_copy, BuildOptions(tmp_path / "fresh", base_url="https://example.gov.cn/k/"))
    preview, fresh = _site_files(tmp_path / "preview"), _site_files(tmp_path / "fresh")
    assert sorted(set(preview) ^ set(fresh)) == []
    assert [name for name in fresh if preview[name] != fresh[name]] == []


@pytest.mark.parametrize("edit", EDITS)
def test_deferred_passes_that_overlap_end_equal_to_a_fresh_build(example_copy, tmp_path, edit):
    """The server's passes: the open page first, the rest left for later — and the next save may
    come before the rest is done. Whatever was left is found stale again, never lost."""
    from generator.site.build import build
    builder = Incremental(example_copy, BuildOptions(tmp_path / "preview", base_url="https://example.gov.cn/k/"))
    builder.changes()
    builder.rebuild(None)
    steps = EDITS[edit] if isinstance(EDITS[edit], list) else [EDITS[edit]]
    for step in steps:
        step(example_copy)
        report = builder.rebuild(builder.changes(), defer=True, first=[SCORECARD])
        assert set(report.rendered) <= {SCORECARD}
        builder.finish(budget=0)                     # one page or file at most, then the next save
    builder.finish()
    build(example_copy, BuildOptions(tmp_path / "fresh", base_url="https://example.gov.cn/k/"))
    preview, fresh = _site_files(tmp_path / "preview"), _site_files(tmp_path / "fresh")
    assert sorted(set(preview) ^ set(fresh)) == []
    assert [name for name in fresh if preview[name] != fresh[name]] == []


def test_a_page_left_for_later_is_rendered_when_it_is_asked_for(example_copy, tmp_path):
    from generator.site import serve as serve_module

    preview = serve_module.Preview(example_copy, drafts=False, log=lambda message: None)
    try:
        total = _total((preview.out / SCORECARD).read_text(encoding="utf-8"))
        _edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")           # 满意度 20 → 18
        assert preview.rebuild(preview.builder.changes(), defer=True)
        ranking = "assessments/2026-departments/index.html"
        assert ranking in preview.builder.later and SCORECARD in preview.builder.later   # nothing open yet
        before = (preview.out / ranking).read_bytes()
        body = b"".join(preview.app({"PATH_INFO": "/" + ranking, "HTTP_HOST": "127.0.0.1:8000"},
                                    lambda status, headers: None))
        assert body != before and body == (preview.out / ranking).read_bytes()
        assert ranking not in preview.builder.later and SCORECARD in preview.builder.later
        assert list(preview.open) == [ranking]
        _edit(example_copy, SHEET, "{result: 78%}", "{result: 70%}")
        report = preview.builder.rebuild(preview.builder.changes(), defer=True, first=list(preview.open))
        assert report.rendered == [ranking]                                      # the open page first
        assert preview.finish() is True and not preview.builder.later
        assert _total((preview.out / SCORECARD).read_text(encoding="utf-8")) != total
    finally:
        preview.close()


def test_data_downloads_wait_until_saving_pauses_and_are_made_when_asked_for(example_copy, tmp_path):
    """The longest steps of a pass, the data downloads, are left until no save has come for a
    while (serve's QUIET_SECONDS); a request for one before then makes it at once."""
    from generator.site import serve as serve_module, urls

    preview = serve_module.Preview(example_copy, drafts=False, log=lambda message: None)
    try:
        data = urls.data("2026-departments", "json")
        before = (preview.out / data).read_bytes()
        _edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
        assert preview.rebuild(preview.builder.changes(), defer=True)
        assert preview.finish(files=False) is False
        assert not preview.builder.later and data in preview.builder.later_files
        assert (preview.out / data).read_bytes() == before                   # not made yet
        body = b"".join(preview.app({"PATH_INFO": "/" + data, "HTTP_HOST": "127.0.0.1:8000"},
                                    lambda status, headers: None))
        assert body != before and body == (preview.out / data).read_bytes() and "78% < 80%".encode() in body
        assert data not in preview.builder.later_files
        assert preview.finish() is True
    finally:
        preview.close()


def test_the_preview_serves_nothing_outside_its_folder(server):
    import http.client
    for path in ("//etc/passwd", "/%2Fetc/passwd", "/../../../etc/passwd", "/assets/../../../../etc/passwd",
                 "/" + "a" * 5000):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert response.status in (400, 404), path
        assert b"root:" not in body
        connection.close()
    assert server.get("index.html")[0] == 200                     # and the server lives on


# --- safety (issue: nothing silent, nothing leaks) -------------------------------------

def _request(server, path: str, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", "/" + path, headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_loopback_preview_refuses_requests_for_another_host(server):
    assert _request(server, SCORECARD, f"127.0.0.1:{server.port}") == 200
    assert _request(server, SCORECARD, f"localhost:{server.port}") == 200
    assert _request(server, SCORECARD, f"attacker.example:{server.port}") == 421   # DNS rebinding
    assert _request(server, SCORECARD, "attacker.example") == 421


def _temporary_sites(pid: int) -> set[Path]:
    """The temporary sites of the preview running as process `pid` (other previews may run meanwhile)."""
    return set(Path(tempfile.gettempdir()).glob(f"scoresite-serve-{pid}-*"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_preview_removes_its_temporary_site(example_copy, signum):
    running = Server(example_copy)
    mine = _temporary_sites(running.process.pid)
    assert len(mine) == 1
    running.process.send_signal(signum)
    running.process.wait(timeout=10)
    assert not any(path.exists() for path in mine)
    assert "Traceback" not in "\n".join(running.lines)


def test_a_preview_killed_outright_is_cleaned_up_by_the_next(example_copy):
    running = Server(example_copy)
    [mine] = _temporary_sites(running.process.pid)
    running.process.kill()
    running.process.wait()
    assert mine.exists()
    again = Server(example_copy)
    try:
        assert not mine.exists()
    finally:
        again.stop()


def test_an_unexpected_error_in_a_pass_shows_the_error_page_not_stale_pages(example_copy, tmp_path, monkeypatch):
    from generator.site import serve as serve_module

    preview = serve_module.Preview(example_copy, drafts=False, log=lambda message: None)
    try:
        monkeypatch.setattr(preview.builder, "rebuild", lambda changed, defer=False, first=(): (_ for _ in ()).throw(RuntimeError("boom")))
        assert preview.rebuild({SHEET}) is False
        responses = []
        body = b"".join(preview.app({"PATH_INFO": "/" + SCORECARD, "HTTP_HOST": "127.0.0.1:8000"},
                                    lambda status, headers: responses.append(status)))
        assert responses == ["500 Build Failed"]
        assert "the preview could not rebuild: RuntimeError: boom" in body.decode("utf-8")
    finally:
        preview.close()


def _raw_request(server, method: str, path: str, host: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, "/" + path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["livereload.js", "forcereload", SCORECARD])
def test_every_handler_refuses_a_foreign_host(server, path):
    assert _raw_request(server, "GET", path, f"evil.example:{server.port}")[0] == 421
    assert _raw_request(server, "GET", path, f"127.0.0.1.:{server.port}")[0] == 421     # a trailing dot is another name


def test_head_and_other_methods_get_an_answer_not_a_traceback(server):
    status, body = _raw_request(server, "HEAD", SCORECARD, f"127.0.0.1:{server.port}")
    assert status == 200 and body == b""
    assert _raw_request(server, "POST", SCORECARD, f"127.0.0.1:{server.port}")[0] == 405
    time.sleep(0.3)
    assert not any("Traceback" in line for line in server.lines), server.lines


def test_downloads_are_not_served_stale_while_the_project_is_broken(server, example_copy):
    sheet = example_copy / SHEET
    good = sheet.read_text(encoding="utf-8")
    sheet.write_text(good.replace("result: 85.5%", "result: 85.5"), encoding="utf-8")
    server.wait_for(lambda: server.get("data/2026-departments.json")[0] == 500, "the error page for a download")
    assert server.get("assets/style.css")[0] == 200                # the error page's own stylesheet still loads
    sheet.write_text(good, encoding="utf-8")
    server.wait_for(lambda: server.get("data/2026-departments.json")[0] == 200, "the download back")
