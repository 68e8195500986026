"""The score-file editor changes only what changed: a result, a note, a reason, a new entry."""

from __future__ import annotations

import textwrap

import pytest

from generator.data.score_files import EditError, ScoreFile
from generator.load.yamlio import load_text

from conftest import REPO


def edit(text: str, *changes, order=None) -> str:
    file = ScoreFile(textwrap.dedent(text), "x.yaml", order)
    for change in changes:
        change(file)
    load_text(file.text, "x.yaml")          # still YAML
    return file.text


BLOCK = """\
    # 示例数据
    entity: shuozhou
    scores:
      1.1.1:
        result: yes      # 复核
        evidence:
          - {title: 报告, url: "https://www.example.gov.cn/a.html"}
      1.2.1: {result: partial, note: 领导小组已成立。}
      2.3.2:
        result: 92.5%
        note: |
          第一行
          第二行
      3.5.1:
        result:
          value: 93%
          baseline: 90%
      # 4.1 的说明
      4.1:
      4.2: {result: }
    """


@pytest.mark.parametrize("key, text, line_before, line_after", [
    ("1.1.1", "no", "    result: yes      # 复核", "    result: no      # 复核"),
    ("1.2.1", "full", "  1.2.1: {result: partial, note: 领导小组已成立。}", "  1.2.1: {result: full, note: 领导小组已成立。}"),
    ("2.3.2", "95%", "    result: 92.5%", "    result: 95%"),
    ("4.1", "yes", "  4.1:", "  4.1: {result: yes}"),
    ("4.2", "yes", "  4.2: {result: }", "  4.2: {result: yes}"),
])
def test_one_result_changes_one_line(key, text, line_before, line_after):
    before = textwrap.dedent(BLOCK)
    after = edit(BLOCK, lambda f: f.set_field(key, "result", text))
    assert [l for l in before.split("\n") if l not in after.split("\n")] == [line_before]
    assert [l for l in after.split("\n") if l not in before.split("\n")] == [line_after]


def test_a_block_result_becomes_one_line():
    after = edit(BLOCK, lambda f: f.set_field("3.5.1", "result", "{value: 94%, baseline: 90%}"))
    assert "  3.5.1:\n    result: {value: 94%, baseline: 90%}\n  # 4.1 的说明\n" in after


def test_a_note_is_added_or_replaced_in_either_style():
    after = edit(BLOCK, lambda f: f.set_field("1.1.1", "note", "已核实"),
                 lambda f: f.set_field("1.2.1", "note", "已整改"),
                 lambda f: f.set_field("2.3.2", "note", "合并为一行"),
                 lambda f: f.set_field("4.2", "note", "待核"))
    assert "    evidence:\n      - {title: 报告, url: \"https://www.example.gov.cn/a.html\"}\n    note: 已核实\n" in after
    assert "  1.2.1: {result: partial, note: 已整改}" in after
    assert "    result: 92.5%\n    note: 合并为一行\n  3.5.1:" in after
    assert "  4.2: {result: , note: 待核}" in after


def test_a_new_entry_goes_after_the_one_before_it_in_the_rubric():
    order = ["1.1.1", "1.2.1", "2.1.1", "2.3.2", "3.5.1", "4.1", "4.2", "5.1"]
    after = edit(BLOCK, lambda f: f.set_field("2.1.1", "result", "yes"), lambda f: f.set_field("5.1", "result", "no"),
                 order=order)
    assert "  1.2.1: {result: partial, note: 领导小组已成立。}\n  2.1.1: {result: yes}\n  2.3.2:" in after
    assert after.endswith("  4.2: {result: }\n  5.1: {result: no}\n")


def test_removing_a_reason():
    after = edit("entity: x\nscores:\n  1.1: {result: n/a, reason: 不涉及}\n  1.2:\n    result: n/a\n    reason: 无\n",
                 lambda f: f.set_field("1.1", "result", "yes"), lambda f: f.remove_field("1.1", "reason"),
                 lambda f: f.set_field("1.2", "result", "no"), lambda f: f.remove_field("1.2", "reason"))
    assert after == "entity: x\nscores:\n  1.1: {result: yes}\n  1.2:\n    result: no\n"


@pytest.mark.parametrize("start", ["entity: x\nscores: {}\n", "entity: x\nscores:\n", "entity: x\n"])
def test_an_empty_file_gets_its_first_entry(start):
    after = edit(start, lambda f: f.set_field("1.1", "result", "yes"))
    assert after.rstrip("\n").endswith("scores:\n  1.1: {result: yes}")


def test_setting_every_result_of_the_repository_to_itself_changes_nothing():
    for path in sorted((REPO / "content/assessments").glob("*/*.yaml")):
        if path.name == "assessment.yaml":
            continue
        text = path.read_text(encoding="utf-8")
        file = ScoreFile(text, path.name)
        for key, entry in file.scores.items():
            mark = entry.key_mark("result")
            line = file.lines[mark.line - 1]
            if not line[mark.column - 1:].startswith("result:") or line.rstrip().endswith("result:"):
                continue            # a block value below the key: rewritten as one line, tested above
            from generator.data.score_files import _after_colon, _value_end
            start = _after_colon(line, mark.column - 1)
            begin = start + len(line[start:]) - len(line[start:].lstrip())
            written = line[begin:_value_end(line, begin, entry.mark.line == file.scores.key_mark(key).line)]
            file.set_field(key, "result", written)
        assert file.text == text, path


def test_a_value_running_over_lines_is_refused():
    with pytest.raises(EditError):
        edit("scores:\n  1.1: {result: {count: 1,\n    of: 2}}\n", lambda f: f.set_field("1.1", "result", "yes"))


def test_a_note_with_line_breaks_is_a_literal_block_in_block_style():
    after = edit(BLOCK, lambda f: f.set_text("2.3.2", "note", "第一行\n- 第二行"),
                 lambda f: f.set_text("1.2.1", "note", "两行\n文字"), lambda f: f.set_text("1.1.1", "note", "a: b"))
    assert "    result: 92.5%\n    note: |\n      第一行\n      - 第二行\n  3.5.1:" in after
    assert '  1.2.1: {result: partial, note: "两行\\n文字"}' in after
    assert '    note: "a: b"' in after
    value, _ = load_text(after, "x")
    assert value["scores"]["2.3.2"]["note"] == "第一行\n- 第二行\n"
