"""The writer: what a killed build leaves behind is cleaned up or put back by the next one,
and nothing it did not make is ever touched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.site.build import BuildOptions, build
from generator.site.writer import MARKER, STAGING, WriteError, exchange, recover_leftovers

DEAD = 2 ** 22 + 12345          # above the kernel's default pid_max: no such process


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_next_build_removes_what_a_killed_build_left(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    for kind, marker in (("building", STAGING), ("old", MARKER)):
        left = tmp_path / f".site.{kind}-{DEAD}"
        (left / "assets").mkdir(parents=True)
        (left / marker).write_text("x")
    build(example_copy, BuildOptions(out))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "example") == [".site.spare", "site"]


def test_a_swap_cut_between_its_renames_gets_the_previous_site_back(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    before = _tree(out)
    out.rename(tmp_path / f".site.old-{DEAD}")                       # killed after the first rename
    (tmp_path / f".site.building-{DEAD}").mkdir()                    # the new build, never swapped in
    (tmp_path / f".site.building-{DEAD}" / MARKER).write_text("x")
    recover_leftovers(out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "example") == ["site"]


def test_leftovers_of_a_running_build_or_of_someone_else_are_never_touched(tmp_path):
    out = tmp_path / "site"
    running = tmp_path / f".site.building-{os.getppid()}"
    (running / "x").mkdir(parents=True)
    (running / STAGING).write_text("x")
    foreign = tmp_path / f".site.old-{DEAD}"
    (foreign / "mine.txt").parent.mkdir(parents=True)
    (foreign / "mine.txt").write_text("not scoresite's")
    recover_leftovers(out)
    assert running.is_dir() and (foreign / "mine.txt").is_file() and not out.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_swap_is_one_atomic_exchange_on_linux(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(); b.mkdir()
    (a / "which").write_text("a"); (b / "which").write_text("b")
    assert exchange(a, b)
    assert (a / "which").read_text() == "b" and (b / "which").read_text() == "a"


@pytest.mark.parametrize("out", ["content/assessments/newsite", "content", "rubrics/site", "themes/x/site"])
def test_an_output_folder_inside_the_inputs_is_refused(example_copy, out):
    with pytest.raises(WriteError, match="refusing to build into .*: it is inside"):
        build(example_copy, BuildOptions(example_copy / out))
    assert not (example_copy / out / "index.html").exists()


def test_an_output_folder_around_the_project_is_refused(example_copy):
    with pytest.raises(WriteError):
        build(example_copy, BuildOptions(example_copy.parent))


def test_a_killed_build_process_leaves_nothing_the_next_build_keeps(example_copy, tmp_path):
    out = tmp_path / "site"
    code = ("import os, signal, sys\n"
            "from generator.site import writer\n"
            "commit = writer.Writer.commit\n"
            "def killed(self, provenance=None):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "writer.Writer.commit = killed\n"
            "from generator.cli import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code, "-C", str(example_copy), "build", "--out", str(out)],
                          capture_output=True)
    assert done.returncode == -9
    assert any(p.name.startswith(".site.building-") for p in tmp_path.iterdir())
    build(example_copy, BuildOptions(out))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "example") == ["site"]


# --- the spare: the replaced site, which the next build is written into --------------------------

def _edit(root, old, new):
    path = root / "content/assessments/2026-departments/finance.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_each_build_into_the_spare_equals_a_cold_build_and_never_touches_the_live_site(example_copy, tmp_path):
    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    build(example_copy, BuildOptions(out))
    unchanged = "rubrics/index.html"
    first_inode = (out / unchanged).stat().st_ino
    for n, (old, new) in enumerate([("{result: 85.5%}", "{result: 78%}"), ("{result: 78%}", "{result: 70%}"),
                                    ("{result: 70%}", "{result: 85.5%}")]):
        _edit(example_copy, old, new)
        live = _tree(out)
        build(example_copy, BuildOptions(out))
        assert {k: v for k, v in _tree(spare).items() if k != ".gitignore"} == live   # not one byte changed
        build(example_copy, BuildOptions(tmp_path / f"cold-{n}", cache=False))
        assert _tree(out) == _tree(tmp_path / f"cold-{n}")
    assert (out / unchanged).stat().st_ino == first_inode  # kept, never written again
    assert (spare / ".gitignore").read_text() == "*\n" and not (out / ".gitignore").exists()


def test_nothing_put_into_the_spare_reaches_the_site(example_copy, tmp_path):
    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    build(example_copy, BuildOptions(out))
    build(example_copy, BuildOptions(out))
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    page = spare / "rubrics/index.html"
    page.unlink()
    page.write_text("tampered")                                       # a different file at a kept page's path
    (spare / "units/index.html").unlink()
    (spare / "units/index.html").symlink_to(secret)                   # a link out at a page's path
    (spare / "extra.html").write_text("not built")                    # a file no build wrote
    (spare / "assessments/2026-city").rename(spare / "moved")         # a folder gone …
    (spare / "assessments/2026-city").symlink_to(tmp_path, target_is_directory=True)   # … and a link instead
    os.link(secret, spare / "assets/linked.txt")                      # a hard link to a file outside
    build(example_copy, BuildOptions(out))
    build(example_copy, BuildOptions(tmp_path / "cold", cache=False))
    assert _tree(out) == _tree(tmp_path / "cold")
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert secret.read_text() == "not for the site" and sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.spare", "cold", "example", "secret.txt", "site"]


def test_a_spare_that_is_a_link_or_not_scoresites_is_never_written_into(example_copy, tmp_path):
    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "assets").mkdir(parents=True)
    (elsewhere / MARKER).write_text("x")
    (elsewhere / "keep.txt").write_text("mine")
    spare.symlink_to(elsewhere, target_is_directory=True)
    build(example_copy, BuildOptions(out))
    build(example_copy, BuildOptions(out))
    assert (elsewhere / "keep.txt").read_text() == "mine" and sorted(p.name for p in elsewhere.iterdir()) == [
        MARKER, "assets", "keep.txt"]
    assert spare.is_symlink()                        # not scoresite's: left as it was
    build(example_copy, BuildOptions(tmp_path / "cold", cache=False))
    assert _tree(out) == _tree(tmp_path / "cold")


def test_nothing_at_the_spares_own_names_is_written_through(example_copy, tmp_path, monkeypatch):
    """Links and hard links where the writer puts its own marker files, a folder where a page
    goes, a file where a folder goes: the site is still exactly a cold build, nothing outside
    is touched."""
    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    build(example_copy, BuildOptions(out))
    build(example_copy, BuildOptions(out))
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (spare / STAGING).symlink_to(victim)
    os.link(victim, spare / "linked-marker")
    (spare / MARKER).unlink()
    os.link(victim, spare / MARKER)
    (spare / "changes/index.html").unlink()
    (spare / "changes/index.html").mkdir()
    (spare / "changes/index.html/junk").write_text("x")
    for unit in ("units/fgw", "units/science"):
        for inner in sorted((spare / unit).rglob("*"), reverse=True):
            inner.unlink() if inner.is_file() else inner.rmdir()
        (spare / unit).rmdir()
        (spare / unit).write_text("a file where a folder goes")
    (example_copy / ".scoresite-cache/site-v1.pickle").unlink()         # every page rendered again,
    monkeypatch.setattr("generator.site.render.PARALLEL_FROM", 1)       # by worker processes
    build(example_copy, BuildOptions(out, workers=2))
    build(example_copy, BuildOptions(tmp_path / "cold", cache=False))
    assert _tree(out) == _tree(tmp_path / "cold")
    assert victim.read_text() == "mine"
