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
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "example") == ["site"]


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
