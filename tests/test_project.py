"""Loading and cross-checking projects: valid ones score as expected, invalid ones say
exactly where and what is wrong — path:line:column, expected, got, hint."""

from decimal import Decimal as D

import pytest

from generator.pipeline import load_project

from conftest import FIXTURES, errors_of


def test_minimal_project_loads_and_scores(project_dir):
    project = load_project(project_dir())
    [result] = project.results["2026"]
    assert [s.points for s in result.scores.values()] == [D(2), D(1), D(1)]
    assert result.total == D(4) and result.grade == "一般" and result.rank == 1
    assert project.rubrics["mini"].indicators["1.2"].units == ("finance", "hrss")


def test_keys_and_results_are_read_as_written(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml": """\
        entity: shuozhou
        scores:
          1.1: {result: yes}
        """})
    sheet = load_project(root).assessments["2026"].sheets["shuozhou"]
    assert list(sheet.entries) == ["1.1"] and sheet.entries["1.1"].result is True


@pytest.mark.parametrize("files, expected", [
    # a key twice in one mapping: PyYAML would silently keep the last
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1: {result: yes}\n  1.1: {result: no}\n"},
     ["content/assessments/2026/shuozhou.yaml:4:3: expected each key once, got '1.1' a second time (first at line 3)\n"
      "    hint: merge the two entries into one; YAML would silently keep only the last"]),
    # a bare number for a percentage threshold
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.2: {result: 92.5}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected a percentage such as 92.5%, got the plain number 92.5\n"
      "    hint: did you mean 92.5%?"]),
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.2: {result: 0.925}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected a percentage such as 92.5%, got the plain number 0.925\n"
      "    hint: did you mean 92.5%?"]),
    # an unknown level, and a level written by its label
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.3: {result: parital}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected one of the levels full, partial, none, got 'parital'\n"
      "    hint: did you mean 'partial'?; levels: full (符合), partial (部分符合), none (不符合)"]),
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.3: {result: 部分符合}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected one of the levels full, partial, none, got '部分符合'\n"
      "    hint: '部分符合' is the label of level 'partial': write result: partial"]),
    # check results are words, not YAML booleans
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1: {result: 是}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected yes or no (rule: check), got '是'\n"
      "    hint: did you mean yes?"]),
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1: {result: on}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:17: expected yes or no (rule: check), got 'on'\n"
      "    hint: write yes when the indicator is met, no when it is not"]),
    # an unknown indicator key, an unknown key in an entry
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.4: {result: yes}\n  1.1: {reslt: yes}\n"},
     ["content/assessments/2026/shuozhou.yaml:3:3: expected an indicator key of rubric 'mini', got '1.4'\n"
      "    hint: did you mean '1.3' or '1.2' or '1.1'?",
      "content/assessments/2026/shuozhou.yaml:4:9: expected a key of the entry for 1.1, got the unknown key 'reslt'\n"
      "    hint: did you mean 'result' or 'reason'?"]),
    # the file name and the entity differ; an unknown entity
    ({"content/assessments/2026/shuozhou.yaml": None,
      "content/assessments/2026/shuozou.yaml": "entity: shuozhou\nscores: {}\n"},
     ["content/assessments/2026/shuozou.yaml:1:9: expected entity: shuozou to match the file name, got entity: shuozhou\n"
      "    hint: rename the file to shuozhou.yaml or correct the entity"]),
    ({"content/assessments/2026/shuozhou.yaml": None,
      "content/assessments/2026/datong.yaml": "entity: datong\nscores: {}\n"},
     ["content/assessments/2026/datong.yaml:1:9: expected a unit id from content/units.yaml, got 'datong'\n"
      "    hint: known unit ids: hrss, finance, shuozhou"]),
    # an unknown unit in a rubric suggests the closest known names
    ({"content/assessments/2026/shuozhou.yaml": None, "rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 2\nsections:\n  - id: '1'\n    title: s\n    indicators:\n"
                           "      - {id: '1', text: t, points: 2, units: [市人社], rule: check}\n"},
     ["rubrics/mini.yaml:8:47: expected a unit listed in content/units.yaml, got '市人社'\n"
      "    hint: did you mean '市人社局' or '人社局'?"]),
    # declared totals that do not add up
    ({"content/assessments/2026/shuozhou.yaml": None, "rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 3\nsections:\n  - id: '1'\n    title: s\n    points: 1\n"
                           "    indicators:\n      - {id: '1', text: t, points: 2, rule: check}\n"},
     ["rubrics/mini.yaml:3:9: expected points: 3 to equal the sum of the rubric's sections, got a sum of 2\n"
      "    hint: correct the declared points, or the points of the indicators below it",
      "rubrics/mini.yaml:7:13: expected points: 1 to equal the sum of the indicators in section 1, got a sum of 2\n"
      "    hint: correct the declared points, or the points of the indicators below it"]),
    # a level worth more than the indicator
    ({"content/assessments/2026/shuozhou.yaml": None, "rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 2\nsections:\n  - id: '1'\n    title: s\n    indicators:\n"
                           "      - id: '1'\n        text: t\n        points: 2\n        rule:\n          levels:\n"
                           "            - {key: full, points: 3, label: a}\n            - {key: none, points: 0, label: b}\n"},
     ["rubrics/mini.yaml:13:35: expected a level's points to be at most the indicator's 2, got 3\n"
      "    hint: raise the indicator's points or lower the level's"]),
    # unsafe evidence links, evidence files outside content/evidence/ or missing
    ({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1:\n    result: yes\n    evidence:\n"
      "      - {title: x, url: 'javascript:alert(1)'}\n      - {title: y, file: ../../rubrics/mini.yaml}\n"
      "      - {title: z, file: missing.pdf}\n"},
     ["content/assessments/2026/shuozhou.yaml:6:25: expected an http://, https:// or mailto: address, got 'javascript:alert(1)'\n"
      "    hint: only http, https and mailto links are published; local files go in `file:`",
      "content/assessments/2026/shuozhou.yaml:7:26: expected a path inside content/evidence/, got '../../rubrics/mini.yaml'\n"
      "    hint: put the file in content/evidence/ and write its path from there, e.g. 2026/report.pdf",
      "content/assessments/2026/shuozhou.yaml:8:26: expected an existing file content/evidence/missing.pdf, got no such file\n"
      "    hint: create content/evidence/ and put the file there"]),
    # an unknown rubric
    ({"content/assessments/2026/assessment.yaml": "title: t\nrubric: minni\nperiod: '2026'\nstatus: published\n",
      "content/assessments/2026/shuozhou.yaml": None},
     ["content/assessments/2026/assessment.yaml:2:9: expected the id of a rubric in rubrics/, got 'minni'\n"
      "    hint: did you mean 'mini'?"]),
    # an unknown key anywhere is an error with the nearest valid key
    ({"content/site.yaml": "title: t\nlanguge: en\n"},
     ["content/site.yaml:2:1: expected a key of the site settings, got the unknown key 'languge'\n"
      "    hint: did you mean 'language'?"]),
])
def test_errors_name_file_line_column(project_dir, files, expected):
    assert errors_of(project_dir(files)) == expected


def test_all_errors_are_reported_at_once(project_dir):
    root = project_dir({
        "content/site.yaml": "title: t\ntheme: Fancy Theme\n",
        "content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1: {result: maybe}\n  1.2: {result: 1.2.3}\n",
    })
    errors = errors_of(root)
    assert [e.split(": expected")[0] for e in errors] == [
        "content/assessments/2026/shuozhou.yaml:3:17", "content/assessments/2026/shuozhou.yaml:4:17",
        "content/site.yaml:2:8"]


@pytest.mark.parametrize("body, message", [
    (b"entity: shuozhou\nscores:\n\t1.1: {result: yes}\n", "3:1: expected valid YAML, got a syntax error"),
    (b"\xff\xfe\x00e\x00n", "1:1: expected UTF-8 text, got UTF-16 text"),
    (b"entity: !!python/object/apply:os.system [ls]\n", "1:9: expected plain data, got the YAML tag !!python/object/apply:os.system"),
    (b"a: &a [*a]\n", "1:8: expected data, got an alias that refers to itself"),
    (b"- &a [x,x,x,x,x,x,x,x,x,x]\n- &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n- &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     b"- &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n- [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
     "expected a data file, got aliases that expand without limit"),
    (b"[" * 5000, "1:1: expected at most 100 nested brackets, got 5000"),
    (b"scores: [1, 2]\n", "1:1: expected the key 'entity' in a score file, got no such key"),
    (b"", "1:1: expected a score file (a mapping of keys), got nothing"),
    (b"entity: shuozhou\nscores:\n  1.1: {result: yes, note: x, points: 99999999999999999999999}\n",
     "3:31: expected a key of the entry for 1.1, got the unknown key 'points'"),
])
def test_hostile_files_give_clean_errors(project_dir, body, message):
    errors = errors_of(project_dir({"content/assessments/2026/shuozhou.yaml": body}))
    assert any(message in error for error in errors), errors
    assert all(error.startswith("content/assessments/2026/shuozhou.yaml:") for error in errors)


def test_broken_fixture_project_reports_exactly_its_expected_errors():
    root = FIXTURES / "broken"
    expected = (root / "expected-errors.txt").read_text(encoding="utf-8").rstrip("\n")
    assert "\n".join(errors_of(root)) == expected


def test_levels_accept_yes_and_no_for_the_highest_and_lowest_level(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.3: {result: no}\n"})
    [result] = load_project(root).results["2026"]
    assert result.scores["1.3"].points == 0 and result.scores["1.3"].explanation == "不符合 → 0/3"


def test_override_is_kept_beside_the_computed_points(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml": """\
        entity: shuozhou
        scores:
          1.1:
            result: no
            override: {points: 1, reason: 复核后认定部分落实}
        """})
    [result] = load_project(root).results["2026"]
    score = result.scores["1.1"]
    assert (score.computed, score.points, score.status) == (D(0), D(1), "partial")
    assert result.total == D(1)


def test_override_above_the_maximum_is_an_error(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml":
                        "entity: shuozhou\nscores:\n  1.1: {result: no, override: {points: 3, reason: x}}\n"})
    assert errors_of(root) == ["content/assessments/2026/shuozhou.yaml:3:40: expected override points of at most 2, got 3\n"
                               "    hint: indicator 1.1 is worth 2"]


def test_not_applicable_needs_a_reason(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  1.1: {result: n/a}\n"})
    assert errors_of(root) == ["content/assessments/2026/shuozhou.yaml:3:17: expected a reason beside result: n/a "
                               "for 1.1, got none\n    hint: add e.g. reason: 本市无此项工作 — readers are told why it does not apply"]


# --- found in review: each of these once slipped through or crashed ------------------

SHEET = "content/assessments/2026/shuozhou.yaml"


@pytest.mark.parametrize("files, expected", [
    # ~ and empty values are nothing (the fast YAML parser marks plain scalars with style '')
    ({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: n/a, reason: ~}\n"},
     "3:17: expected a reason beside result: n/a for 1.1, got none"),
    ({"content/assessments/2026/assessment.yaml": "title:\nrubric: mini\nperiod: '2026'\nstatus: published\n"},
     "assessment.yaml:1:1: expected the key 'title' in an assessment, got nothing"),
    # an override must fit the rubric's precision, and cannot sit beside n/a
    ({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: no, override: {points: 1.555, reason: x}}\n"},
     "3:40: expected override points with at most 2 decimals (the rubric's precision), got 1.555"),
    ({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: n/a, reason: x, override: {points: 1, reason: y}}\n"},
     "3:33: expected no override beside result: n/a, got one"),
    # {count, of} is a percentage; a rule with plain-number bounds wants a number
    ({"rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 5\nsections:\n  - id: '1'\n    title: s\n    indicators:\n"
                           "      - {id: '1', text: t, points: 5, rule: {thresholds: [{at_least: 3, points: 5}]}}\n",
      SHEET: "entity: shuozhou\nscores:\n  1.1: {result: {count: 6, of: 6}}\n"},
     "3:17: expected a plain number (the rule's bounds have no %), got {count, of}"),
    # points finer than the rubric keeps
    ({SHEET: None, "rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 2.005\nprecision: 2\nsections:\n  - id: '1'\n"
                                        "    title: s\n    indicators:\n      - {id: '1', text: t, points: 2.005, rule: check}\n"},
     "rubrics/mini.yaml:9:10: expected points with at most 2 decimals (precision: 2), got 2.005 for the indicator's points"),
    # a .yml file is not silently skipped
    ({"content/assessments/2026/finance.yml": "entity: finance\nscores: {}\n"},
     "content/assessments/2026/finance.yml:1:1: expected score files (.yaml) directly in the assessment's folder, got finance.yml"),
    # the id is reported where it is written
    ({SHEET: None, "rubrics/mini.yaml": "# comment\nid: maxi\ntitle: t\npoints: 2\nsections:\n  - id: '1'\n    title: s\n"
                                        "    indicators:\n      - {id: '1', text: t, points: 2, rule: check}\n"},
     "rubrics/mini.yaml:2:5: expected id: mini to match the file name, got id: maxi"),
    # a byte-order mark does not shift positions
    ({SHEET: b"\xef\xbb\xbf# x\n\xff\n"}, "shuozhou.yaml:2:1: expected UTF-8 text, got the bytes ff, which are not UTF-8"),
    # file names the operating system refuses
    ({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: yes, evidence: [{title: t, file: '" + "长" * 100 + ".pdf'}]}\n"},
     "it is longer than 200 bytes"),
    ({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: yes, evidence: [{title: t, file: \"a\\0b.pdf\"}]}\n"},
     "got the invisible character U+0000"),
    # nesting by indentation
    ({SHEET: "".join(" " * n + "a:\n" for n in range(0, 1000, 2)) + " " * 1000 + "b: 1\n"},
     "shuozhou.yaml:1:1: expected at most 400 spaces of indentation, got 1000"),
])
def test_review_findings_are_errors(project_dir, files, expected):
    errors = errors_of(project_dir(files))
    assert any(expected in error for error in errors), errors


@pytest.mark.parametrize("path, old, new", [
    # an optional key with a bad value once crashed check (KeyError) instead of reporting it
    ("rubrics/mini.yaml", "points: 10\n", "points: 10\nnot_applicable: rescaled\n"),
    ("rubrics/mini.yaml", "title: 小型评分标准", "title: 小型评分标准\nsource: [a, b]"),
    ("rubrics/mini.yaml", "rule: check", "veto: yes\n                rule: check"),
    ("rubrics/mini.yaml", "    points: 10\n    indicators", "    points: 10分\n    indicators"),
    (SHEET, "{result: yes}", "{result: yes, note: [甲, 乙]}"),
    (SHEET, "scores:", "note: [a]\nscores:"),
    ("content/assessments/2026/assessment.yaml", "status: published",
     "status: published\nnotice: {from: 2026-01-01, to: 2026-01-02, contact: [a, b]}"),
    ("content/pages/about.md", "", "---\ntitle: 关于\nslug: About_Us\n---\n正文\n"),
])
def test_bad_optional_values_are_reported_not_crashed_on(project_dir, path, old, new):
    from conftest import MINIMAL
    import textwrap
    body = textwrap.dedent(MINIMAL.get(path, "")).replace(old, new) if old else new
    errors = errors_of(project_dir({path: body}))
    assert errors and all(":" in e.split(" ")[0] for e in errors), errors


def test_veto_indicator_not_assessed_still_vetoes(project_dir):
    root = project_dir({
        "rubrics/mini.yaml": "id: mini\ntitle: t\npoints: 4\ngrades: [{min: 2, label: 好}, {min: 0, label: 差}]\n"
                             "sections:\n  - id: '1'\n    title: s\n    indicators:\n"
                             "      - {id: '1', text: t, points: 2, rule: check}\n"
                             "      - {id: '2', text: v, points: 2, rule: check, veto: true}\n",
        SHEET: "entity: shuozhou\nscores:\n  1.1: {result: yes}\n"})
    [result] = load_project(root).results["2026"]
    assert result.total == 2 and result.vetoed_by == ("1.2",) and result.grade == "差"


def test_not_applicable_counted_as_zero_is_points_lost(project_dir):
    root = project_dir({SHEET: "entity: shuozhou\nscores:\n  1.1: {result: n/a, reason: 不适用}\n"})
    [result] = load_project(root).results["2026"]
    assert result.scores["1.1"].lost == 2 and not result.rescaled


def test_a_blank_result_means_not_assessed(project_dir):
    from generator.pipeline import load_project
    root = project_dir({"content/assessments/2026/shuozhou.yaml": """\
        entity: shuozhou
        scores:
          1.1:
          1.2: {result: }
          1.3: {result: , note: 待核}
        """})
    project = load_project(root)
    [result] = project.results["2026"]
    assert {k: s.status for k, s in result.scores.items()} == {"1.1": "not_assessed", "1.2": "not_assessed",
                                                                 "1.3": "not_assessed"}
    assert [w.message for w in project.warnings] == [
        "expected a result beside note of 1.3, got a blank result (not assessed): the note will not be shown"]


def test_a_blank_entry_still_needs_a_known_key(project_dir):
    root = project_dir({"content/assessments/2026/shuozhou.yaml": "entity: shuozhou\nscores:\n  9.9:\n"})
    assert errors_of(root) == ["content/assessments/2026/shuozhou.yaml:3:3: expected an indicator key of rubric "
                               "'mini', got '9.9'\n    hint: known indicator keys: 1.1, 1.2, 1.3"]


def test_a_folder_lists_exactly_the_names_below_it():
    from generator.load.tree import below
    names = sorted(["content/a-b/x.yaml", "content/a/x.yaml", "content/a/y/z.yaml", "content/ab/x.yaml",
                    "content/a.yaml", "content/b/x.yaml", "contents/a/x.yaml"])
    assert below(names, "content/a") == ["content/a/x.yaml", "content/a/y/z.yaml"]
    assert below(names, "content/a/") == ["content/a/x.yaml", "content/a/y/z.yaml"]
    assert below(names, "content") == [n for n in names if n.startswith("content/")]
    assert below(names, "content/c") == []
    assert below(sorted(names + ["content/a/\U0010ffffx.yaml"]), "content/a")[-1] == "content/a/\U0010ffffx.yaml"
