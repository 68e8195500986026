"""Property: whatever a valid file is mutated into, `check` ends in success or in clean
error messages (path:line:column: expected …) — never a traceback, never a crash."""

import os
import re

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import cli

from conftest import MINIMAL, write_project

TARGETS = ["rubrics/mini.yaml", "content/assessments/2026/shuozhou.yaml", "content/units.yaml",
           "content/assessments/2026/assessment.yaml", "content/site.yaml"]
FRAGMENTS = [":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object:os.system ", "!!binary ",
             "<<: *a", "\t", "%", "80%", "yes", "no", "on", "~", "null", "n/a", "'", '"', "#", "\n", "\n  ", "---\n",
             "1.1", "3.10", "1e999999", "99999999999999999999999999", "-5", "0.5", "\x00", "\x1b", "\ufeff", "é",
             "分", "result: ", "points: ", "rule: ", "{count: 3, of: 0}", "{missed: -1}", "../", "javascript:x",
             # control and invisible characters, raw and as YAML escapes; digits of other scripts; full width
             "\u202e", "\u200b", "\x85", "\x7f", "\u2066", '"\\u202e"', '"\\e"', '"\\0"', '"\\x85"', '"\\ud800"',
             "৪৫%", "٩٢", "९", "９２．５％", "１", "①", "Ⅳ", "ʵʩˮƽ"]

# whole values a person might type in place of the right one
VALUES = ["[a, b]", "{a: 1}", "yes", "rescaled", "10分", "About_Us", "2026-13-01", "-1", "1.555", "''", "~", "n/a",
          "{count: 6, of: 6}", "{missed: 2, extra: 1}", "{value: 1%, baseline: x}", "!!str 3", "&x [1]", "*x"]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(FRAGMENTS)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.text(max_size=6)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 12)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 200), st.just(None)),
    st.tuples(st.just("swap_lines"), st.integers(0, 200), st.integers(0, 200)),
    st.tuples(st.just("bytes"), st.integers(0, 10_000), st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("replace_value"), st.integers(0, 200), st.sampled_from(FRAGMENTS + VALUES)),
    st.tuples(st.just("encode"), st.sampled_from(["gbk", "gb18030", "big5", "utf-16", "utf-16-be", "utf-8-sig",
                                                  "latin-1"]), st.just(None)),
)

ERROR_LINE = re.compile(r"[^\s:][^:]*:\d+:\d+: expected ")


def mutate(data: bytes, steps) -> bytes:
    for kind, a, b in steps:
        if kind == "insert":
            text = b.encode("utf-8", "surrogatepass") if isinstance(b, str) else b
            at = a % (len(data) + 1)
            data = data[:at] + text + data[at:]
        elif kind == "bytes":
            at = a % (len(data) + 1)
            data = data[:at] + b + data[at:]
        elif kind == "encode":                  # saved again by WPS, Excel or Notepad
            data = data.decode("utf-8", "replace").encode(a, "replace")
        elif kind == "delete":
            at = a % (len(data) + 1)
            data = data[:at] + data[at + b:]
        else:
            lines = data.split(b"\n")
            i = a % len(lines)
            if kind == "replace_value":
                key, colon, _ = lines[i].partition(b": ")
                lines[i] = key + b": " + b.encode() if colon else lines[i]
            elif kind == "duplicate_line":
                lines.insert(i, lines[i])
            else:
                j = b % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
    return data


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS), steps=st.lists(mutation, min_size=1, max_size=4))
def test_check_never_crashes_on_mutated_files(tmp_path_factory, target, steps):
    import textwrap
    root = tmp_path_factory.mktemp("fuzz")
    original = textwrap.dedent(MINIMAL[target]).encode("utf-8")
    write_project(root, {target: mutate(original, steps)})
    result = CliRunner().invoke(cli, ["-C", str(root), "check"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        lines = [line for line in result.stderr.splitlines() if not line.startswith(("    ", "warning: "))]
        assert lines[-1].startswith("✗ ")
        for line in lines[:-1]:
            assert ERROR_LINE.match(line), line


LINKS = ["content/pages/x.md", "content/x.yaml", "content/assessments/2026/x.yaml", "rubrics/x.yaml",
         "content/evidence/x.pdf", "themes/t/static/x.css", "themes/t/templates/page.html",
         "themes/t/locale/zh-CN.yaml", "content/pages", "content/assessments/2027"]


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 300)) // 3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=st.lists(st.tuples(st.sampled_from(LINKS), st.sampled_from(["outside", "self", "missing", "folder",
                                                                          "inside", "parent"])), min_size=1, max_size=3))
def test_check_never_crashes_on_symbolic_links(tmp_path_factory, links):
    base = tmp_path_factory.mktemp("links")
    root = write_project(base / "project", {"content/site.yaml": "title: t\ntheme: t\n", "themes/t/static/a.css": "x"})
    (base / "secret.txt").write_text("secret")
    targets = {"outside": base / "secret.txt", "missing": base / "nope", "folder": base,
               "inside": root / "content/units.yaml", "parent": root / "content"}
    for name, kind in links:
        path = root / name
        try:
            if path.is_symlink() or path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(path if kind == "self" else targets[kind])
        except OSError:
            continue                 # an earlier link made this place unreachable
    result = CliRunner().invoke(cli, ["-C", str(root), "check"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    assert "secret" not in result.output.replace("secret.txt", "")
