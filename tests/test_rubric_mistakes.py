"""Every new kind of mistake in a rubric or a score file, as a fixture project with the exact
message a person gets: where, what was expected, what arrived, and a hint."""

from __future__ import annotations

import pytest

from conftest import errors_of

BASE = {'content/site.yaml': 'title: t\n', 'content/units.yaml': '- {id: c1, name: 城市1, kind: city}\n- {id: c2, name: 城市2, kind: city}\n', 'content/assessments/2026/assessment.yaml': "title: t\nrubric: mini\nperiod: '2026'\nstatus: published\n"}

CASES = [
    ('mixed directions', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {thresholds: [{at_least: 80%, points: 5}, {at_most: 90%, points: 10}]}\n",
     None,
     ['rubrics/mini.yaml:14:28: expected every step in one direction, got at_least/above and at_most/below mixed\n    hint: higher is better: at_least/above; lower is better: at_most/below']),
    ('lower bounds rising', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {thresholds: [{at_most: 10%, points: 5}, {at_most: 20%, points: 10}]}\n",
     None,
     ['rubrics/mini.yaml:14:56: expected steps with falling (lower is better) bounds, got 20% after 10%\n    hint: list the easiest step first; at_most X comes before below X']),
    ('target plain bounds', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {thresholds: {relative_to: target, steps: [{at_least: 90, points: 10}]}}\n",
     None,
     ['rubrics/mini.yaml:14:57: expected percentages for a rule relative_to: target (it measures a ratio), got plain numbers\n    hint: write the bounds as percentages, e.g. 100%']),
    ('order without best', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {thresholds: {relative_to: mean, order: lower, steps: [{at_least: 0%, points: 10}]}}\n",
     None,
     ['rubrics/mini.yaml:14:48: expected order: only with relative_to: best, got it without\n    hint: order says which value is the best among the entities']),
    ('linear no full_at', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {linear: {per: 1%, deduct: 1}}\n",
     None,
     ["rubrics/mini.yaml:14:24: expected the key 'full_at' in a linear rule, got no such key\n    hint: e.g. full_at: 80% (满意度达80%以上得满分)"]),
    ('piecewise one anchor', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {piecewise: [{at: 90%, points: 10}]}\n",
     None,
     ['rubrics/mini.yaml:14:27: expected at least two anchors, got 1\n    hint: e.g. [{at: 90%, points: 0}, {at: 100%, points: 15}]']),
    ('piecewise not rising', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {piecewise: [{at: 90%, points: 0}, {at: 80%, points: 10}]}\n",
     None,
     ['rubrics/mini.yaml:14:50: expected anchors with strictly rising at:, got 80% after 90%\n    hint: list the anchors from the lowest value to the highest']),
    ('piecewise short', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {piecewise: [{at: 90%, points: 0}, {at: 100%, points: 8}]}\n",
     None,
     ['rubrics/mini.yaml:14:27: expected an anchor to give the full 10 points, got at most 8\n    hint: points above the maximum are 加分; below it, no entity could earn full marks']),
    ('item no way', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {items: [{key: late, label: 迟报}]}}\n",
     None,
     ["rubrics/mini.yaml:14:33: expected exactly one of per, once, judged in item 'late', got none\n    hint: per: each time; once: if it happened at all; judged: [low, high] amounts decided case by case"]),
    ('item two ways', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {items: [{key: late, label: 迟报, per: 1, once: 2}]}}\n",
     None,
     ["rubrics/mini.yaml:14:33: expected exactly one of per, once, judged in item 'late', got per, once\n    hint: per: each time; once: if it happened at all; judged: [low, high] amounts decided case by case"]),
    ('item dup', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {items: [{key: late, label: 迟报, per: 1}, {key: late, label: 晚报, per: 2}]}}\n",
     None,
     ["rubrics/mini.yaml:14:32: expected each item key once, got 'late' twice\n    hint: give each item its own key"]),
    ('per with items', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {per: 1, items: [{key: late, label: 迟报, per: 1}]}}\n",
     None,
     ['rubrics/mini.yaml:14:25: expected per only without items, got it beside items\n    hint: with items each item says how much it deducts (per, once or judged)']),
    ('judged range', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {items: [{key: fire, label: 火灾, judged: [15, 5]}]}}\n",
     None,
     ['rubrics/mini.yaml:14:64: expected 0 < low ≤ high, got [15, 5]']),
    ('bonus judged', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {items: [{key: a, label: 甲, per: 1}], bonus_items: [{key: b, label: 乙, judged: [1, 2]}]}}\n",
     None,
     ["rubrics/mini.yaml:14:76: expected exactly one of per, once in item 'b', got judged\n    hint: per: each time; once: if it happened at all"]),
    ('ballots over', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {ballots: [{key: 优秀, score: 120}, {key: 较差, score: 0}]}\n",
     None,
     ['rubrics/mini.yaml:14:43: expected a score from 0 to 100, got 120\n    hint: the best level usually scores 100']),
    ('ranked rising', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {ranked: {points: [5, 10]}}\n",
     None,
     ['rubrics/mini.yaml:14:33: expected points that fall (or stay) from one place to the next, got 5, 10\n    hint: place 1 gets the most']),
    ('ranked over', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {ranked: {points: [12, 10]}}\n",
     None,
     ["rubrics/mini.yaml:14:33: expected the first place's points to be at most the indicator's 10, got 12"]),
    ('veto bad', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n        veto: {effect: lowest, grade: 合格}\n",
     None,
     ['rubrics/mini.yaml:15:15: expected a veto with either effect: or grade:, got both\n    hint: effect: not_top (否优), down_one (降一档), lowest; or grade: 合格 (at most that grade)']),
    ('veto grade', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n        veto: {grade: 优秀}\n",
     None,
     ["rubrics/mini.yaml:11:9: expected veto: {grade: …} to name one of the rubric's grades, got '优秀'\n    hint: known grades: 合格, 不合格"]),
    ('veto no grades', "id: mini\ntitle: t\npoints: 10\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n        veto: true\n",
     None,
     ['rubrics/mini.yaml:8:9: expected grades in a rubric with a veto indicator (1.1), got none\n    hint: a veto acts on the grade: add grades, or remove the veto']),
    ('zero points', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 0\n        rule: check\n",
     None,
     ["rubrics/mini.yaml:3:9: expected points: 10 to equal the sum of the rubric's sections, got a sum of 0\n    hint: correct the declared points, or the points of the indicators below it", "rubrics/mini.yaml:13:17: expected the indicator's points to be greater than 0, got 0 (1.1)\n    hint: only a veto condition (veto plus rule: check) carries points: 0"]),
    ('pool no points', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    pool: true\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {deduct: {per: 1}}\n",
     None,
     ['rubrics/mini.yaml:8:5: expected points: on the pool section 1 (its floor and cap are 0 … points), got none']),
    ('adjust zero', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nadjustments:\n  items:\n    - {key: a, per: 0, label: 甲}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     None,
     ['rubrics/mini.yaml:9:21: expected a signed amount per occurrence (−3 or 2), got 0\n    hint: minus for 扣分, plus for 加分']),
    ('quota lowest', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格, quota: 10%}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     None,
     ['rubrics/mini.yaml:6:5: expected no quota on the lowest grade, got one\n    hint: entities that miss every quota fall to the lowest grade, so it cannot be limited']),
    ('quota plain', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格, quota: 0.1}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     None,
     ['rubrics/mini.yaml:5:32: expected a quota as a percentage from 0% to 100%, got 0.1\n    hint: e.g. quota: 15% (优秀不超过参评单位总数的15%)']),
    ('ranking', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nranking: olympic\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     None,
     ["rubrics/mini.yaml:7:10: expected one of competition, dense, got 'olympic'\n    hint: expected one of: competition, dense"]),
    ('adjust undeclared', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     'entity: c1\nscores:\n  1.1: {result: yes}\nadjustments: {a: 1}\n',
     ["content/assessments/2026/c1.yaml:4:14: expected no adjustments: rubric 'mini' declares none, got some\n    hint: declare them in the rubric under adjustments: items: […], or remove them here"]),
    ('adjust unknown', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nadjustments:\n  items:\n    - {key: criticised, per: -3, label: 通报批评}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: check\n",
     'entity: c1\nscores:\n  1.1: {result: yes}\nadjustments: {critcised: 1}\n',
     ["content/assessments/2026/c1.yaml:4:15: expected an adjustment of rubric 'mini', got 'critcised'\n    hint: did you mean 'criticised'?; criticised (通报批评)"]),
    ('values alike', "id: mini\ntitle: t\npoints: 10\ngrades:\n  - {min: 6, label: 合格}\n  - {min: 0, label: 不合格}\nsections:\n  - id: '1'\n    title: s\n    indicators:\n      - id: '1'\n        text: t\n        points: 10\n        rule: {ranked: {points: [10, 5]}}\n",
     'alike',
     ['content/assessments/2026/c2.yaml:3:3: expected a percentage for 1.1, like content/assessments/2026/c1.yaml, got a plain number\n    hint: values compared across entities are written alike']),
]


@pytest.mark.parametrize("name, rubric, sheet, expected", CASES, ids=[case[0] for case in CASES])
def test_each_mistake_says_where_what_and_how_to_fix_it(project_dir, name, rubric, sheet, expected):
    files = {**BASE, "rubrics/mini.yaml": rubric}
    if sheet == "alike":
        files["content/assessments/2026/c1.yaml"] = "entity: c1\nscores:\n  1.1: {result: 90%}\n"
        files["content/assessments/2026/c2.yaml"] = "entity: c2\nscores:\n  1.1: {result: 90}\n"
    else:
        files["content/assessments/2026/c1.yaml"] = sheet or "entity: c1\nscores: {}\n"
    assert errors_of(project_dir(files, base={})) == expected
