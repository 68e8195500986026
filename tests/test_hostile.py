"""Hostile and careless input, class by class: nothing silent, nothing outside the project
read or published, no text that looks right but is not, names that travel.

Each case is a small fixture project with the exact message a person gets."""

from __future__ import annotations

import os
import textwrap

import pytest

from generator.pipeline import load_project
from generator.site.build import BuildOptions, build

from conftest import errors_of

SHEET = "content/assessments/2026/shuozhou.yaml"
PAGE = "content/pages/about.md"


def sheet(*entries: str) -> str:
    return "entity: shuozhou\nscores:\n" + "".join(f"  {entry}\n" for entry in entries)


# --- 1. a published score can be silently wrong --------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({SHEET: sheet("1.1: {result: no, override: {points: 2, reason: ''}}")},
     f"{SHEET}:3:51: expected text, got an empty text\n    hint: write the text, or leave the key out"),
    ({SHEET: sheet("1.1: {result: no, override: {points: 2, reason: '   '}}")},
     f"{SHEET}:3:51: expected text, got nothing but spaces\n    hint: write the text, or leave the key out"),
    ({SHEET: sheet("1.1: {result: n/a, reason: \"\"}")},
     f"{SHEET}:3:30: expected text, got an empty text"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: ' ', url: 'https://example.gov.cn/a'}]}")},
     f"{SHEET}:3:41: expected text, got nothing but spaces"),
    ({PAGE: "---\ntitle: '  '\n---\n正文\n"}, f"{PAGE}:2:8: expected text, got nothing but spaces"),
    ({"content/site.yaml": "title: ''\n"}, "content/site.yaml:1:8: expected text, got an empty text"),
    ({"rubrics/mini.yaml": textwrap.dedent("""\
        id: mini
        title: 小型评分标准
        points: 2
        sections:
          - id: "1"
            title: 第一部分
            indicators:
              - id: "1"
                text: 是否成立
                points: 2
                rule:
                  levels:
                    - {key: full, points: 2, label: " "}
                    - {key: none, points: 0, label: 不符合}
        """), SHEET: sheet("1.1: {result: full}")},
     "rubrics/mini.yaml:13:45: expected text, got nothing but spaces"),
])
def test_text_that_must_say_something_refuses_blank(project_dir, files, expected):
    assert any(error.startswith(expected) for error in errors_of(project_dir(files))), errors_of(project_dir(files))


def test_a_blank_override_reason_never_publishes_the_computed_points(project_dir, tmp_path):
    root = project_dir({SHEET: sheet("1.1: {result: no, override: {points: 2, reason: ''}}")})
    with pytest.raises(Exception) as failed:
        build(root, BuildOptions(tmp_path / "out"))
    assert "expected text" in str(failed.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, expected", [
    ("content/pages/notes.txt", "content/pages/notes.txt:1:1: expected a Markdown page (.md) directly in "
                                "content/pages/, got notes.txt\n    hint: keep other files outside"),
    ("content/pages/about.markdown", "content/pages/about.markdown:1:1: expected a Markdown page (.md) directly in "
                                     "content/pages/, got about.markdown\n    hint: rename it to about.md"),
    ("content/pages/old/about.md", "content/pages/old/about.md:1:1: expected a Markdown page (.md) directly in "
                                   "content/pages/, got about.md in a folder below it"),
    ("content/assessments/2026/shuozhou.YAML", "expected score files (.yaml) directly in the assessment's folder, "
                                               "got shuozhou.YAML\n    hint: rename it to shuozhou.yaml"),
    ("content/assessments/2026/scores.xlsx", "expected score files (.yaml) directly in the assessment's folder, "
                                             "got scores.xlsx"),
    ("content/assessments/notes.yaml", "expected a folder for each assessment in content/assessments/, got the "
                                       "file notes.yaml"),
    ("content/unit.yaml", "content/unit.yaml:1:1: expected only site.yaml, units.yaml and folders in content/, "
                          "got unit.yaml\n    hint: did you mean 'units.yaml'"),
    ("content/page/about.md", "content/page:1:1: expected only the folders assessments, pages, evidence in content/, "
                              "got page/\n    hint: did you mean 'pages'?"),
    ("rubrics/mini.json", "rubrics/mini.json:1:1: expected a rubric (.yaml) directly in rubrics/, got mini.json"),
])
def test_no_file_is_skipped_without_a_word(project_dir, name, expected):
    errors = errors_of(project_dir({name: "---\ntitle: x\n---\n"}))
    assert any(error.startswith(expected) or expected in error for error in errors), errors


def test_editor_and_system_leftovers_are_ignored(project_dir):
    assert errors_of(project_dir({"content/pages/.about.md.swp": "x", "content/pages/about.md~": "x",
                                  "content/assessments/2026/~$scores.xlsx": "x", "rubrics/Thumbs.db": "x",
                                  "content/.DS_Store": "x"})) == []


# --- 2. nothing from outside the project ----------------------------------------------

@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text("root:x:0:0:secret\n")
    return path


@pytest.mark.parametrize("link", ["themes/local/static/leak.txt", "content/pages/leak.md",
                                  "themes/local/templates/page.html", "themes/local/locale/zh-CN.yaml",
                                  "content/evidence/leak.pdf", "rubrics/leak.yaml"])
def test_a_link_out_of_the_project_is_refused_and_never_published(project_dir, secret, tmp_path, link):
    root = project_dir({"content/site.yaml": "title: 测试站点\ntheme: local\n", "themes/local/static/ok.css": "x"})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(secret)
    errors = errors_of(root)
    assert f"{link}:1:1: expected a file inside the project, got a symbolic link to {secret}\n" \
           "    hint: nothing outside content/, rubrics/ and themes/ is read or published: copy the file into the " \
           "project" in errors
    with pytest.raises(Exception):
        build(root, BuildOptions(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("make, expected", [
    (lambda root: (root / PAGE).symlink_to(root / PAGE), "a symbolic link that leads back to itself (a loop)"),
    (lambda root: (root / "content/pages/a.md").symlink_to("b.md") or (root / "content/pages/b.md").symlink_to("a.md"),
     "a symbolic link that leads back to itself (a loop)"),
    (lambda root: (root / "content/pages/gone.md").symlink_to("nowhere.md"), "a symbolic link to a file that does not exist"),
    (lambda root: (root / "content/pages/loop").symlink_to(root / "content/pages"), "a symbolic link to a folder"),
    (lambda root: (root / "content/evidence").symlink_to(root / "rubrics"), "a symbolic link to a folder"),
])
def test_symbolic_link_loops_and_folders_are_clear_errors(project_dir, make, expected):
    root = project_dir({PAGE: "---\ntitle: 关于\n---\n正文\n"})
    (root / "content/evidence").parent.mkdir(exist_ok=True)
    if (root / PAGE).exists() and "leads back" in expected and "a.md" not in str(make.__code__.co_consts):
        (root / PAGE).unlink()
    make(root)
    errors = errors_of(root)
    assert any(expected in error for error in errors), errors


def test_a_link_inside_the_input_folders_is_read(project_dir):
    root = project_dir({"content/pages/shared.md": "---\ntitle: 共享\nslug: shared\n---\n正文\n"})
    (root / "content/pages/about.md").symlink_to(root / "content/pages/shared.md")
    errors = errors_of(root)
    assert any("expected a page slug of its own, got 'shared'" in error for error in errors), errors


def test_a_top_level_input_folder_that_is_a_link_is_refused(project_dir, tmp_path):
    root = project_dir()
    elsewhere = tmp_path / "rubrics-elsewhere"
    (root / "rubrics").rename(elsewhere)
    (root / "rubrics").symlink_to(elsewhere)
    assert any(error.startswith("rubrics:1:1: expected the folder rubrics/, got a symbolic link")
               for error in errors_of(root))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_a_clear_error(project_dir):
    root = project_dir()
    (root / SHEET).chmod(0)
    try:
        assert any(f"{SHEET}:1:1: expected a readable file" in error for error in errors_of(root))
    finally:
        (root / SHEET).chmod(0o644)


# --- 3. evidence that could run script on the portal's origin -------------------------

@pytest.mark.parametrize("name, body, expected", [
    ("report.html", b"<script>alert(1)</script>", "expected evidence of a published type (PDF, OFD, images, office "
                                                  "documents, text, CSV, archives), got .html\n    hint: web pages, "
                                                  "SVG and scripts would run as pages of the portal"),
    ("chart.svg", b"<svg onload='alert(1)'/>", "got .svg"),
    ("page.xhtml", b"<html/>", "got .xhtml"),
    ("notes", b"text", "got no extension"),
    ("report.pdf", b"<html><script>alert(1)</script></html>", "expected a PDF document (report.pdf), got a file "
                                                               "that starts like a web page"),
    ("photo.jpg", b"GIF89a", "expected a JPEG image (photo.jpg), got a file that starts otherwise"),
])
def test_evidence_that_could_script_the_site_is_refused_at_its_line(project_dir, tmp_path, name, body, expected):
    root = project_dir({SHEET: sheet(f"1.1: {{result: yes, evidence: [{{title: 材料, file: '{name}'}}]}}"),
                        f"content/evidence/{name}": body})
    errors = errors_of(root)
    assert any(error.startswith(f"{SHEET}:3:51: expected ") and expected in error for error in errors), errors


@pytest.mark.parametrize("name, body", [
    ("report.pdf", b"%PDF-1.7\n"), ("scan.png", b"\x89PNG\r\n\x1a\n...."), ("table.xlsx", b"PK\x03\x04...."),
    ("notice.doc", b"{\\rtf1 ..."), ("list.csv", "单位,得分\n".encode()), ("all.zip", b"PK\x05\x06" + bytes(18)),
    ("doc.ofd", b"PK\x03\x04"), ("old.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
])
def test_documents_images_text_and_archives_are_published(project_dir, tmp_path, name, body):
    root = project_dir({SHEET: sheet(f"1.1: {{result: yes, evidence: [{{title: 材料, file: '{name}'}}]}}"),
                        f"content/evidence/{name}": body})
    build(root, BuildOptions(tmp_path / "out"))
    assert (tmp_path / "out/evidence" / name).read_bytes() == body


# --- 6. text that looks right but is not -----------------------------------------------

@pytest.mark.parametrize("result, expected", [
    ("৪৫%", "expected digits 0–9, got '৪৫%', written with Bengali digits\n    hint: it would read 45%; write it "
            "with the digits 0–9"),
    ("٩٢%", "written with Arabic-Indic digits\n    hint: it would read 92%"),
    ("９２.５", "expected a percentage such as 92.5%, got the plain number 92.5\n    hint: did you mean 92.5%?"),
])
def test_digits_of_other_scripts_are_refused(project_dir, result, expected):
    errors = errors_of(project_dir({SHEET: sheet(f"1.2: {{result: '{result}'}}")}))
    assert any(expected in error for error in errors), errors


def test_full_width_digits_and_percent_are_read_as_ascii_and_shown_normalised(project_dir, tmp_path):
    root = project_dir({SHEET: sheet("1.1: {result: yes}", "1.2: {result: ９６．５％}", "1.3: {result: full}")})
    [result] = load_project(root).results["2026"]
    assert result.scores["1.2"].points == 5
    assert result.scores["1.2"].explanation == "96.5% > 95% → 5/5"


@pytest.mark.parametrize("files, expected", [
    ({"content/site.yaml": 'title: "测试\\u202E站点"\n'},
     "content/site.yaml:1:8: expected printable text, got the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) "
     "at character 3 of this value"),
    ({"content/site.yaml": 'title: "测试\\e[31m"\n'}, "got the invisible character U+001B"),
    ({"content/site.yaml": 'title: "a\\0b"\n'}, "got the invisible character U+0000"),
    ({"content/site.yaml": 'title: "a\\ab"\n'}, "got the invisible character U+0007"),
    ({"content/site.yaml": "title: 测试\u200b站点\n"}, "got the invisible character U+200B (ZERO WIDTH SPACE)"),
    ({"content/site.yaml": 'title: t\n"k\\u2066": v\n'}, "content/site.yaml:2:1: expected printable text, got the "
                                                          "invisible character U+2066"),
    ({PAGE: "---\ntitle: 关于\n---\n第一行\n第二行\u202e反\n"},
     f"{PAGE}:5:4: expected printable text, got the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ({SHEET: sheet('1.1: {result: yes, note: "ok\\x85"}')}, "got the invisible character U+0085"),
])
def test_control_characters_are_refused_where_they_are(project_dir, files, expected):
    errors = errors_of(project_dir(files))
    assert any(expected in error for error in errors), errors


# --- 7. Chinese encodings as staff really save files ------------------------------------

def test_a_gbk_file_is_named_as_gbk_with_its_line_in_characters(project_dir):
    body = "entity: shuozhou\nscores:\n  1.1: {result: yes, note: 领导小组已成立}\n".encode("gbk")
    errors = errors_of(project_dir({SHEET: body}))
    assert errors == [f"{SHEET}:3:28: expected UTF-8 text, got text that looks like GBK (GB18030): line 3 reads "
                      "'1.1: {result: yes, note: 领导小组已成立}' in GBK (GB18030)\n"
                      "    hint: this file was saved in GBK (GB18030); save it as UTF-8: in WPS or Notepad 另存为 → "
                      "编码 UTF-8; in Excel 另存为 → CSV UTF-8"]


def test_columns_count_characters_not_bytes(project_dir):
    body = "entity: shuozhou\nscores:\n  1.1: {result: yes, note: 已成立".encode() + b"\xff}\n"
    errors = errors_of(project_dir({SHEET: body}))
    assert errors[0].startswith(f"{SHEET}:3:31: expected UTF-8 text, got the bytes ff, which are not UTF-8")


def test_a_utf16_file_is_named_as_such(project_dir):
    body = "entity: shuozhou\nscores: {}\n".encode("utf-16")
    assert errors_of(project_dir({SHEET: body}))[0].startswith(
        f"{SHEET}:1:1: expected UTF-8 text, got UTF-16 text (what Notepad and Excel call 'Unicode')")


def test_gbk_bytes_that_happen_to_be_utf8_give_a_warning_naming_the_line(project_dir):
    body = "entity: shuozhou\nscores:\n  1.1: {result: yes, note: 实施水平}\n".encode("gbk")
    body.decode("utf-8")     # valid UTF-8: it would read ʵʩˮƽ
    project = load_project(project_dir({SHEET: body}))
    assert [str(w) for w in project.warnings] == [
        f"{SHEET}:3:1: expected UTF-8 text, got text that may be GBK read as UTF-8: line 3 shows "
        "'1.1: {result: yes, note: ʵʩˮƽ}', which reads '1.1: {result: yes, note: 实施水平}' in GBK\n"
        "    hint: if the Chinese reading is right, the file was saved in GBK; save it as UTF-8: in WPS or Notepad "
        "另存为 → 编码 UTF-8; in Excel 另存为 → CSV UTF-8"]


def test_latin1_signs_are_not_mistaken_for_gbk(project_dir):
    root = project_dir({SHEET: sheet("1.1: {result: yes, note: 'PM2.5 ≤ 35 µg/m³, 25 °C, no-break\u00a0space'}")})
    assert load_project(root).warnings == []


# --- 8. names that cannot travel ---------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({"content/units.yaml": "- {id: con, name: 单位甲}\n- {id: shuozhou, name: 朔州市, kind: city}\n"},
     "content/units.yaml:1:8: expected an id usable as a file name on Windows, got 'con', a name Windows reserves "
     "for a device\n    hint: try 'con-1' or another word"),
    ({"content/assessments/lpt1/assessment.yaml": "title: t\nrubric: mini\nperiod: '2026'\nstatus: published\n"},
     "content/assessments/lpt1:1:1: expected an assessment folder named like an id usable as a file name on Windows"),
    ({"content/pages/nul.md": "---\ntitle: 空\n---\n"}, "content/pages/nul.md:1:1: expected a page file name usable "
                                                      "as a URL usable as a file name on Windows, got 'nul'"),
    ({"content/units.yaml": f"- {{id: {'a' * 65}, name: 单位甲}}\n- {{id: shuozhou, name: 朔州市, kind: city}}\n"},
     "content/units.yaml:1:8: expected an id of at most 64 characters, got 65"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 材料, file: 'aux.pdf'}]}"), "content/evidence/aux.pdf": b"%PDF"},
     "expected a file name usable on every system, got 'aux.pdf': Windows reserves that name for a device"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 材料, file: 'a?.pdf'}]}")},
     "got 'a?.pdf': Windows does not allow"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 材料, file: 'A.pdf'}, {title: 材料, file: 'a.pdf'}]}"),
      "content/evidence/A.pdf": b"%PDF", "content/evidence/a.pdf": b"%PDF"},
     f"{SHEET}:3:3: expected evidence file names that differ in more than case, got 'A.pdf' and 'a.pdf'"),
])
def test_names_must_travel_to_windows(project_dir, files, expected):
    errors = errors_of(project_dir(files))
    assert any(expected in error for error in errors), errors


def test_an_indicator_key_too_long_for_a_folder_name_is_a_check_error(project_dir):
    deep = "".join(f"{'  ' * n}- id: s{'x' * 60}{n}\n{'  ' * n}  title: t\n{'  ' * n}  sections:\n" for n in range(2))
    rubric = ("id: mini\ntitle: t\npoints: 1\nsections:\n" + textwrap.indent(deep, "  ")
              + "      - id: s2\n        title: t\n        indicators:\n          - {id: '1', text: t, points: 1, rule: check}\n")
    errors = errors_of(project_dir({"rubrics/mini.yaml": rubric, SHEET: "entity: shuozhou\nscores: {}\n"}))
    assert any("expected an indicator key of at most 100 characters" in error for error in errors), errors


def test_file_names_with_control_characters_or_other_encodings_are_refused_printably(project_dir):
    root = project_dir()
    (root / "content/pages").mkdir()
    (root / "content/pages/a\x1b[31mred.md").write_text("---\ntitle: x\n---\n")
    os.mkdir(os.path.join(os.fsencode(root / "content/pages"), b"\xff\xfe"))
    errors = errors_of(root)
    assert "content/pages/a\\x1b[31mred.md:1:1: expected a file name of printable UTF-8 text, got one with control " \
           "characters or bytes that are not UTF-8\n    hint: rename it; such names also break on the machines " \
           "that unpack the site" in errors
    assert any(error.startswith("content/pages/\\udcff\\udcfe:1:1: expected a file name of printable") for error in errors)
    assert not any("\x1b" in error for error in errors)


# --- found by a hostile review, kept closed ------------------------------------------------------

COUNTY_DEMO_VETO = "content/assessments/2026-counties/youyu.yaml"


@pytest.mark.parametrize("files, expected", [
    # a veto cannot be set aside as not applicable (it escaped the veto and published 优秀)
    ({SHEET: sheet("1.1: {result: n/a, reason: 不涉及}")}, None),
    ({SHEET: sheet("1.1: {result: N/A, reason: 不涉及}")}, f"{SHEET}:3:17: expected result: n/a (not applicable), got 'N/A'"),
    ({SHEET: sheet("1.1: {result: 不适用, reason: 不涉及}")}, "expected result: n/a (not applicable), got '不适用'"),
    # an evidence item with nothing in url: or file: is an error, never dropped
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 文件, url: }]}")},
     f"{SHEET}:3:50: expected an address in url:, got nothing"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 文件, file: }]}")}, "expected a file path in file:, got nothing"),
    # addresses that read as one host and lead to another
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 文件, url: 'https://evil.example\\\\@www.gov.cn/a'}]}")},
     "expected a web address without a user name or backslash"),
    ({SHEET: sheet("1.1: {result: yes, evidence: [{title: 文件, url: 'https://u:p@evil.example@good.gov.cn/'}]}")},
     "expected a web address without a user name or backslash"),
    ({"content/site.yaml": "title: t\nbase_url: mailto:a@b.c\n"}, "expected a base URL such as https://"),
    ({"content/site.yaml": "title: t\nbase_url: 'https://x/?a=1'\n"}, "expected a base URL such as https://"),
    # numbers that almost read right
    ({SHEET: sheet("1.2: {result: '92.5 %'}")}, "hint: did you mean 92.5%?"),
    ({SHEET: sheet("1.2: {result: '+92.5%'}")}, "hint: did you mean 92.5%?"),
    # invisible characters anywhere in a file, comments included (a diff would not show them)
    ({SHEET: "# \u202e\u2066}03 :tluser{\u2069\u2066\n" + sheet("1.1: {result: yes}")},
     f"{SHEET}:1:3: expected printable text, got the invisible character U+202E"),
    ({SHEET: sheet("1.1: {result: yes}") + "\ufeff# joined\n"}, "got a byte-order mark in the middle of the file"),
    ({SHEET: "entity: shuozhou\nscores: {}\n".encode("utf-32")}, f"{SHEET}:1:1: expected UTF-8 text, got UTF-32 text"),
    # files where scoresite would not look
    ({"rubrics/notes.md": "# x"}, "rubrics/notes.md:1:1: expected a rubric (.yaml) directly in rubrics/, got notes.md\n"
                                  "    hint: keep other files outside"),
    ({"content/pages/x.yaml": "title: x"}, "expected a Markdown page (.md) directly in content/pages/, got x.yaml\n"
                                           "    hint: keep other files outside"),
    # a grade no total can reach, two grades of one name, a level no result can choose
    ({"rubrics/mini.yaml": textwrap.dedent("""\
        id: mini
        title: t
        points: 2
        grades: [{min: 190, label: 优秀}, {min: 1, label: 良好}, {min: 0, label: 良好}]
        sections:
          - id: "1"
            title: s
            indicators:
              - {id: "1", text: t, points: 2, rule: {levels: [{key: full, points: 2, label: 是}, {key: n/a, points: 0, label: 否}]}}
        """), SHEET: "entity: shuozhou\nscores: {}\n"},
     "expected grade '优秀' to be reachable, got min 190 above the highest possible total 2"),
])
def test_review_findings_stay_closed(project_dir, files, expected):
    base = {**dict(__import__("conftest").MINIMAL)}
    if expected is None:          # the n/a veto case: a rubric with a veto on 1.1
        files["rubrics/mini.yaml"] = base["rubrics/mini.yaml"].replace("rule: check", "rule: check\n                veto: true") \
            .replace("points: 10\n", "points: 10\n", 1)
        expected = f"{SHEET}:3:17: expected a result for the veto indicator 1.1, got n/a"
    errors = errors_of(project_dir(files))
    assert any(expected in error for error in errors), errors


def test_more_review_findings(project_dir):
    grades = textwrap.dedent("""\
        id: mini
        title: t
        points: 2
        grades: [{min: 1, label: 良好}, {min: 0, label: 良好}]
        sections:
          - id: "1"
            title: s
            indicators:
              - {id: "1", text: t, points: 2, rule: {levels: [{key: full, points: 2, label: 是}, {key: n/a, points: 0, label: 否}]}}
        """)
    errors = errors_of(project_dir({"rubrics/mini.yaml": grades, SHEET: "entity: shuozhou\nscores: {}\n"}))
    assert any("expected each grade label once, got '良好' twice" in e for e in errors), errors
    assert any("expected a level key other than n/a, got n/a" in e for e in errors), errors


def test_an_override_never_invents_an_uncapped_bonus(project_dir):
    rubric = textwrap.dedent("""\
        id: mini
        title: t
        points: 3
        sections:
          - id: "1"
            title: s
            indicators:
              - {id: "1", text: t, points: 3, rule: {deduct: {per: 1, bonus: {every: 1, points: 1}}}}
        """)
    errors = errors_of(project_dir({"rubrics/mini.yaml": rubric,
                                    SHEET: sheet("1.1: {result: {missed: 1}, override: {points: 999, reason: 复核}}")}))
    assert any("expected override points of at most 3, got 999" in e for e in errors), errors


def test_a_broken_rule_is_reported_once_not_in_every_score_file(project_dir):
    rubric = textwrap.dedent(__import__("conftest").MINIMAL["rubrics/mini.yaml"]).replace("rule: check", "rule: {judged: {step: 0}}")
    errors = errors_of(project_dir({"rubrics/mini.yaml": rubric}))
    assert len(errors) == 1 and "expected a number greater than 0, got '0'" in errors[0], errors


def test_a_folder_named_like_a_score_file_is_an_error(project_dir):
    root = project_dir()
    (root / "content/assessments/2026/empty.yaml").mkdir()
    assert any("content/assessments/2026/empty.yaml:1:1: expected files in content/assessments/2026/, got the folder "
               "empty.yaml/" in e for e in errors_of(root))


def test_pages_saved_with_windows_line_endings_are_read(project_dir):
    root = project_dir({PAGE: b"---\r\ntitle: \xe5\x85\xb3\xe4\xba\x8e\r\n---\r\n\xe6\xad\xa3\xe6\x96\x87\r\n"})
    assert load_project(root).pages["about"].body == "正文\n"


@pytest.mark.parametrize("name, body, expected", [
    ("report.pdf", b"<html><script>alert(1)</script>%PDF-1.4", "expected a PDF document (report.pdf), got a file that starts like a web page"),
    ("notes.txt", b"  <script>alert(1)</script>", "expected a text file (notes.txt), got a file that starts like a web page"),
])
def test_evidence_that_only_pretends(project_dir, name, body, expected):
    root = project_dir({SHEET: sheet(f"1.1: {{result: yes, evidence: [{{title: 材料, file: '{name}'}}]}}"),
                        f"content/evidence/{name}": body})
    assert any(expected in e for e in errors_of(root)), errors_of(root)


def test_project_templates_run_sandboxed_in_check_and_build(project_dir, tmp_path):
    from click.testing import CliRunner
    from generator.cli import cli
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    template = ('{% extends "default:page.html" %}{% block content %}'
                "{{ self.__init__.__globals__.__builtins__.open('" + str(secret) + "').read() }}{% endblock %}")
    root = project_dir({"content/site.yaml": "title: t\ntheme: mine\n", "themes/mine/templates/page.html": template,
                        PAGE: "---\ntitle: 关于\n---\n正文\n"})
    checked = CliRunner().invoke(cli, ["-C", str(root), "check"])
    assert checked.exit_code == 1 and "TOP-SECRET" not in checked.output and "themes/mine/templates/page.html" in checked.output
    built = CliRunner().invoke(cli, ["-C", str(root), "build", "--out", str(tmp_path / "out")])
    assert built.exit_code == 1 and not (tmp_path / "out").exists()


def test_theme_strings_take_plain_placeholders_only(project_dir):
    root = project_dir({"content/site.yaml": "title: t\ntheme: mine\n",
                        "themes/mine/locale/zh-CN.yaml": "entities_count: '{n:>999999999}个'\n"})
    assert any("expected plain placeholders such as {n} in 'entities_count'" in e for e in errors_of(root))


def test_periods_order_with_numbers_as_numbers(project_dir):
    from generator.site.view import newest_first
    from generator.model import Assessment
    periods = ["2026-9", "2026-10", "2025-12", "2026-1"]
    ordered = newest_first([Assessment(p, p, "mini", p, "published") for p in periods])
    assert [a.period for a in ordered] == ["2026-10", "2026-9", "2026-1", "2025-12"]


@pytest.mark.parametrize("name, expected", [
    ("themes/mine/template/page.html", "themes/mine/template/page.html:1:1: expected a theme's files in templates/, "
                                       "static/, locale/, got template/page.html\n    hint: did you mean 'templates'?"),
    ("themes/mine/base.html", "expected a theme's files in templates/, static/, locale/, got base.html"),
])
def test_theme_files_that_would_never_be_read_are_errors(project_dir, name, expected):
    root = project_dir({"content/site.yaml": "title: t\ntheme: mine\n", name: "x"})
    assert any(expected in e for e in errors_of(root)), errors_of(root)


def test_a_misspelt_template_name_is_warned(project_dir):
    root = project_dir({"content/site.yaml": "title: t\ntheme: mine\n", "themes/mine/templates/scorcard.html": "x"})
    [warning] = [str(w) for w in load_project(root).warnings]
    assert warning.startswith("themes/mine/templates/scorcard.html:1:1: expected a template that replaces one of the "
                              "default theme's or is included by another, got scorcard.html, which no page uses\n"
                              "    hint: did you mean 'scorecard.html'")


@pytest.mark.parametrize("text, expected", [
    ("entity: !!str shuozhou\nscores: {}\n", f"{SHEET}:1:9: expected plain data, got the YAML tag !!str"),
    ("entity: ! shuozhou\nscores: {}\n", f"{SHEET}:1:9: expected plain data, got the YAML tag !"),
    ("entity: shuozhou\nscores: {1.1: {result: *nope}}\n", "expected an alias to an anchor above it, got *nope"),
])
def test_every_written_tag_is_refused_even_standard_ones(project_dir, text, expected):
    assert any(expected in e for e in errors_of(project_dir({SHEET: text}))), errors_of(project_dir({SHEET: text}))
