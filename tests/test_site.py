"""The built site: every permalink, every link, the numbers, safety, drafts and atomic builds."""

from __future__ import annotations

import hashlib
from html import unescape
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.data.export import export_json
from generator.site.build import BuildOptions, build
from generator.site.render import TemplateProblem
from generator.cli import cli
from generator.errors import ProjectError
from generator.pipeline import load_project
from generator.site.writer import MARKER, WriteError

from conftest import REPO, write_project
from sitecheck import broken_links, external_resources, html_files, read_page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build(REPO, BuildOptions(out, base_url="https://www.example.gov.cn/kaohe/"))
    return out


@pytest.fixture(scope="module")
def drafts_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("drafts") / "site"
    build(REPO, BuildOptions(out, drafts=True))
    return out


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def test_every_permalink_exists(site, project):
    expected = ["index.html", "404.html", "robots.txt", "sitemap.xml", "about/index.html"]
    for a in project.assessments.values():
        if a.is_draft:
            continue
        expected += [f"assessments/{a.id}/index.html", f"data/{a.id}.json", f"data/{a.id}.csv"]
        expected += [f"assessments/{a.id}/{entity}/index.html" for entity in a.sheets]
    for r in project.rubrics.values():
        expected += [f"rubrics/{r.id}/index.html"] + [f"rubrics/{r.id}/{k}/index.html" for k in r.indicators]
    expected += [f"units/{u}/index.html" for u in project.units]
    missing = [path for path in expected if not (site / path).is_file()]
    assert not missing
    assert len(expected) > 100


def test_every_internal_link_and_anchor_resolves(site, drafts_site):
    assert broken_links(site, served_root="/kaohe/") == []
    assert broken_links(drafts_site) == []


def test_every_indicator_row_has_its_anchor_and_a_link_to_it(site, project):
    page = read_page(site / "assessments/2026-city/shuozhou/index.html")
    keys = project.rubrics["entrepreneurial-city"].indicators
    assert {f"i-{k}" for k in keys} <= page.ids
    hrefs = {value for tag, name, value in page.links if tag == "a"}
    assert {f"#i-{k}" for k in keys} <= hrefs


def _cells(html: str, key: str) -> list[str]:
    row = re.search(rf'<tr id="i-{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_scorecard_numbers_equal_the_export(site):
    for data_file in (site / "data").glob("*.json"):
        [assessment] = json.loads(data_file.read_text(encoding="utf-8"))["assessments"]
        for result in assessment["results"]:
            html = unescape((site / f"assessments/{assessment['id']}/{result['entity']}/index.html").read_text(encoding="utf-8"))
            total = re.search(r'<span class="big">([\d.]+)</span> / ', html).group(1)
            assert D(total) == D(str(result["total"]))
            for key, indicator in result["indicators"].items():
                cells = _cells(html, key)
                assert D(cells[1]) == D(str(indicator["max"])), key
                assert D(cells[2].split()[0]) == D(str(indicator["points"])), key
                assert indicator["explanation"] in html


def test_ranking_shows_every_entity_in_rank_order(site):
    html = (site / "assessments/2026-departments/index.html").read_text(encoding="utf-8")
    table = html[html.index('<table class="ranking stack">'):]
    ranks = re.findall(r'<tr[^>]*>\s*<td class="num"[^>]*>(\d+)( <span class="tag tag-tie">并列</span>)?</td>', table)
    assert ranks == [("1", ""), ("2", ""), ("3", tie := ' <span class="tag tag-tie">并列</span>'), ("3", tie),
                     ("5", ""), ("6", ""), ("7", "")]
    assert "竞争排名，如1、2、2、4" in html                                 # says which ranking it uses
    assert "<svg" in html and 'role="img"' in html and "aria-labelledby=\"chart-caption chart-desc\"" in html


def test_ties_are_said_wherever_ranks_show(site):
    assert "并列第3名（共7个）" in (site / "assessments/2026-departments/fgw/index.html").read_text(encoding="utf-8")
    assert "第2名（共7个）" in (site / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
    counties = (site / "assessments/2026-counties/index.html").read_text(encoding="utf-8")
    assert counties.count('<tr class="rank-1">') == 2                    # both first places styled alike
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count('<span class="tag tag-tie">并列</span>') == 4       # both 3rd places shown, and both 1st
    unit = (site / "units/fgw/index.html").read_text(encoding="utf-8")
    assert '3 <span class="tag tag-tie">并列</span>' in unit


def test_scorecard_shows_change_override_and_where_points_went(site):
    html = (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    assert "较2025年度" in html and "+22" in html                      # 63 → 85
    assert "复核后认定部分落实" in html and "（计算0）" in html         # override beside computed
    assert "失分在哪里" in html and "按责任单位统计的失分" in html
    assert "未评估" in html                                             # 4.4.1
    assert html.count('class="status ') == 58                          # status in words, not colour alone


def test_an_indicator_not_assessed_is_its_own_category_not_a_loss(site, project):
    # 4.4.1 (2 points, 市创建办公室) has no entry in the 2026 score file
    html = (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    notice = re.search(r'<p class="alert alert-unassessed" role="note">(.*?)</p>', html, re.S).group(1)
    assert "1项指标未评估，按0分计入总分（共2分）" in notice and 'href="#i-4.4.1"' in notice
    assert html.index("alert-unassessed") < html.index('id="lost-heading"')            # at the top
    office = re.search(r'units/chuangjianban/index.html">市创建办公室</a></th><td class="num"[^>]*>(\d+)</td><td[^>]*>(.*?)</td>',
                       html).groups()
    assert office[0] == "3" and "4.4.1" not in office[1]                                # 5 with 4.4.1 before
    assert "未评估的指标不计入本表" in html
    unit = (site / "units/chuangjianban/index.html").read_text(encoding="utf-8")
    assert "<th scope=\"col\" class=\"num\">未评估</th>" in unit


def test_a_total_above_the_maximum_says_so_at_the_headline(site):
    html = (site / "assessments/2026-departments/hrss/index.html").read_text(encoding="utf-8")
    assert '<span class="big">101</span> / 100 <span class="tag tag-bonus">含加分</span>' in html
    assert "总分101分，超过满分100分：加分项共加1分" in html and '<a class="key-link" href="#i-4.3">4.3</a>（+1）' in html
    assert "含加分" not in (site / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")


def test_grade_conditions_say_the_range_each_grade_covers(site):
    html = (site / "rubrics/county-demo/index.html").read_text(encoding="utf-8")
    assert "<td>总分不低于75分、低于90分</td>" in html
    assert "<td>总分低于60分；或一票否决指标未得分（不论总分）</td>" in html
    assert "不低于0分" not in html


def test_the_home_page_does_not_promise_what_it_does_not_do(site):
    assert "复制该项的链接" not in (site / "index.html").read_text(encoding="utf-8")


def test_indicator_and_unit_pages_order_rows_by_points_and_name_entities(site):
    # 2026-departments 5.1 (社会评价, 20 points): fgw 20, hrss 20, … statistics 0 — best first,
    # equal points in the order of content/units.yaml, never by internal id (aic, education, fgw …)
    html = (site / "rubrics/shuozhou-department/5.1/index.html").read_text(encoding="utf-8")
    table = html[html.index("<caption id=\"results-2026-departments\">"):]
    names = re.findall(r'<th scope="row" class="card-title"><a [^>]*>([^<]+)</a>', table)
    # four entities have 20: fgw, hrss, finance, education — as units.yaml lists them
    assert names[:4] == ["朔州市发展和改革委员会", "朔州市人力资源和社会保障局", "朔州市财政局", "朔州市教育局"]
    assert len(names) == 7
    points = [D(p) for p in re.findall(r'<span class="points">([\d.]+)</span>', table)]
    assert points == sorted(points, reverse=True)
    unit = (site / "units/chuangjianban/index.html").read_text(encoding="utf-8")
    counties = unit[unit.index('id="duty-county-demo-2026-counties"'):]
    # 1.1 (30 points): 山阴 28, 朔城 27.5, 平鲁 24 and 应县 24 (in the order of units.yaml), 怀仁 21, 右玉 18.5
    assert re.findall(r'<th scope="row" class="card-title"><a [^>]*>([^<]+)</a>', counties)[:6] == [
        "山阴县", "朔城区", "平鲁区", "应县", "怀仁市", "右玉县"]
    # the indicator columns are headed by their words, not by a number alone
    assert '<span class="key">1.2.1</span> <span class="head-text">成立了市政府领导挂帅' in unit


def test_hashes_are_kept_quietly_at_the_end_not_in_the_headline(site):
    html = (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    head, verification = html[:html.index('id="lost-heading"')], html[html.index('id="verify-heading"'):]
    assert "版本" not in head and "SHA-256" not in html[:html.index('id="revisions-heading"')]
    assert "版本 " in verification                                                       # the rubric's commit
    assert "content/assessments/2026-city/shuozhou.yaml" in verification
    assert re.search(r'<td class="c-wide sha" data-label="SHA-256">[0-9a-f]{64}</td>', verification)


def test_long_pages_have_a_jump_list_and_full_marks_recede(site):
    html = (site / "rubrics/entrepreneurial-city/index.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc" aria-label="本页目录">(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="#([^"]+)"', toc) == ["method-heading", "s-1", "s-2", "s-3", "s-4", "s-5"]
    card = (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc" aria-label="本页目录">(.*?)</nav>', card, re.S).group(1)
    assert "#lost-heading" in toc and "#s-5" in toc and "#verify-heading" in toc
    assert card.count('class="row-full"') > 40 and 'class="row-partial"' in card and 'class="row-zero"' in card


def test_the_objection_phone_number_is_a_tel_link(site):
    html = (site / "assessments/2026-city/index.html").read_text(encoding="utf-8")
    assert '联系方式：市创建办公室 <a href="tel:0349-0000000">0349-0000000</a>' in html


def test_method_page_writes_rules_in_words(site):
    html = (site / "rubrics/entrepreneurial-city/index.html").read_text(encoding="utf-8")
    assert "达到80%得1分，达到85%得2分，达到90%得3分，达到95%得4分，超过95%得5分" in html
    assert "比基线提高超过3个百分点得3分" in html
    dept = (site / "rubrics/shuozhou-department/index.html").read_text(encoding="utf-8")
    assert "满分3分，每缺一次扣0.5分，扣完为止；每超3项加0.5分。" in dept
    assert "达到80%及以上得满分（20分），每低1%扣1分，扣完为止。" in dept


def test_unit_page_lists_what_it_answers_for(site):
    html = (site / "units/hrss/index.html").read_text(encoding="utf-8")
    assert "负责的指标" in html and "1.2.4" in html
    assert "本单位的考核结果" in html and "assessments/2026-departments/hrss/index.html" in html


def test_pages_are_accessible_portal_html(site):
    for path in html_files(site):
        html = path.read_text(encoding="utf-8")
        info = read_page(path)
        assert re.match(r'<!doctype html>\n<html lang="zh-CN">', html), path
        assert '<main id="main"' in html and 'href="#main"' in html, path
        assert not re.search(r"<script|<style|<iframe|<object|<embed", html, re.I), path
        assert not [a for a in info.attributes if a[1].startswith("on") or a[1] == "style"], path
        for table in re.findall(r"<table.*?</table>", html, re.S):
            if "print-sheet" not in table:
                assert "<caption" in table, path
            assert not re.search(r"<th[\s>](?![^>]*scope=)", table), path
        assert "示例数据" in html, path
    assert external_resources(site) == []


def test_every_page_footer_carries_the_portal_record_fields(site):
    for path in html_files(site):
        footer = path.read_text(encoding="utf-8").split('<footer class="site-footer">')[1]
        for shown in ("主办单位：朔州市创建国家级创业型城市工作领导小组办公室（示例）", "承办单位：朔州市人力资源和社会保障局（示例）",
                      "网站标识码：0000000000", "晋ICP备00000000号（示例）", "晋公网安备00000000000000号（示例）"):
            assert shown in footer, (path, shown)


def test_portal_fields_are_optional_and_unknown_keys_stay_errors(project_dir, tmp_path):
    from conftest import errors_of
    out = tmp_path / "out"
    build(project_dir(), BuildOptions(out))
    assert "portal-info" not in (out / "index.html").read_text(encoding="utf-8")
    errors = errors_of(project_dir({"content/site.yaml": "title: t\nicp_record: 晋ICP备1号\n"}))
    assert len(errors) == 1 and "icp_record" in errors[0] and "icp" in errors[0]


def test_404_page_links_from_the_base_urls_path_and_from_disk(site, drafts_site):
    # built with base_url https://www.example.gov.cn/kaohe/: the server's links start at /kaohe/,
    # the same page without one at /; each has its twin relative to the site's root, for disk
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "<base" not in html                                           # the skip link #main stays on the page
    assert '<link rel="stylesheet" href="assets/style.css">\n<link rel="stylesheet" href="/kaohe/assets/not-found.css">' in html
    assert ('<span class="served-only"><a class="more-link" href="/kaohe/index.html">返回首页</a></span>'
            '<span class="local-only"><a class="more-link" href="index.html">返回首页</a></span>') in html
    assert 'href="/assets/not-found.css"' in (drafts_site / "404.html").read_text(encoding="utf-8")
    assert not [p for p in html_files(site) if p.name != "404.html" and 'href="/' in p.read_text(encoding="utf-8")]


def test_each_scorecard_links_its_print_stylesheet(site):
    html = (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="print.css" media="print">' in html
    css = (site / "assessments/2026-city/shuozhou/print.css").read_text(encoding="utf-8")
    assert '@top-left { content: "朔州市　示例数据"; }' in css
    assert '@bottom-center { content: "第" counter(page) "页／共" counter(pages) "页"; }' in css
    assert "print.css" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_sitemap_and_robots(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://www.example.gov.cn/kaohe/assessments/2026-city/shuozhou/</loc>" in sitemap
    assert "2026-city-recheck" not in sitemap
    assert "Sitemap: https://www.example.gov.cn/kaohe/sitemap.xml" in (site / "robots.txt").read_text()


def test_downloads_are_the_export(site):
    data = (site / "data/2026-departments.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    result = CliRunner().invoke(cli, ["-C", str(REPO), "export", "-a", "2026-departments"])
    assert (site / "data/2026-departments.json").read_text(encoding="utf-8") == result.stdout


def test_evidence_files_are_copied_with_their_checksum(site):
    copied = site / "evidence/2026-city/loan-report.pdf"
    digest = hashlib.sha256(copied.read_bytes()).hexdigest()
    assert digest == hashlib.sha256((REPO / "content/evidence/2026-city/loan-report.pdf").read_bytes()).hexdigest()
    assert digest[:12] in (site / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")


# --- drafts -----------------------------------------------------------------------------

def test_drafts_are_left_out_of_a_normal_build(site):
    assert not (site / "assessments/2026-city-recheck").exists()
    assert "2026-city-recheck" not in "".join(p.read_text(encoding="utf-8") for p in html_files(site))


def test_drafts_build_marks_every_page_they_touch(drafts_site):
    touched = ["assessments/2026-city-recheck/index.html", "assessments/2026-city-recheck/shuozhou/index.html",
               "rubrics/entrepreneurial-city/1.1.1/index.html", "units/shuozhou/index.html", "index.html"]
    for name in touched:
        html = (drafts_site / name).read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, name
        assert "banner-draft" in html and "草稿" in html, name
    untouched = (drafts_site / "rubrics/shuozhou-department/index.html").read_text(encoding="utf-8")
    assert "noindex" not in untouched and "banner-draft" not in untouched


# --- safety -----------------------------------------------------------------------------

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'


@pytest.fixture
def hostile_project(tmp_path):
    return write_project(tmp_path / "p", {
        "content/site.yaml": f"title: '{HOSTILE}'\nfooter: '{HOSTILE}'\n",
        "content/units.yaml": f"- {{id: hrss, name: '市人社局{HOSTILE}', short: 市人社局, aliases: [人社局]}}\n"
                              f"- {{id: finance, name: 市财政局}}\n- {{id: shuozhou, name: '朔州市{HOSTILE}'}}\n",
        "content/assessments/2026/assessment.yaml": f"title: '{HOSTILE}'\nrubric: mini\nperiod: '2026'\n"
                                                    f"status: published\ndescription: '{HOSTILE}'\n",
        "content/assessments/2026/shuozhou.yaml": f"""\
            entity: shuozhou
            assessors: ['{HOSTILE}']
            scores:
              1.1:
                result: yes
                note: |
                  {HOSTILE}
                  [click](javascript:alert(1)) [data](data:text/html,x) [ok](https://example.gov.cn/) <a href="javascript:x">a</a>
                  ![pixel](https://tracker.example.com/p.gif)
                evidence:
                  - {{title: '{HOSTILE}', url: "https://example.gov.cn/?a=1&b='x'"}}
              1.2:
                result: 90%
                override: {{points: 1, reason: '{HOSTILE}'}}
            """,
        "content/pages/about.md": f"---\ntitle: '{HOSTILE}'\n---\n{HOSTILE}\n\n[x](javascript:alert(1))\n",
    })


def test_nothing_in_yaml_or_markdown_can_inject_markup(hostile_project, tmp_path):
    out = tmp_path / "out"
    build(hostile_project, BuildOptions(out))
    for path in html_files(out):
        html = path.read_text(encoding="utf-8")
        info = read_page(path)
        assert "<script" not in html.lower(), path
        assert "<img" not in html and "<svg onload" not in html, path
        assert not [a for a in info.attributes if a[1].startswith("on")], path
        for tag, name, value in info.links:
            assert not value.lower().startswith(("javascript:", "data:", "vbscript:")), (path, value)
    assert external_resources(out) == []                                   # the Markdown image is not loaded
    scorecard = (out / "assessments/2026/shuozhou/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in scorecard          # shown as text, inert
    # the printed sheet's running header names the entity inside a CSS string it cannot end
    print_css = (out / "assessments/2026/shuozhou/print.css").read_text(encoding="utf-8")
    assert '@top-left { content: "朔州市\\3c script\\3e alert(1)\\3c /script\\3e \\3c img src=x onerror=alert(1)\\3e \\22 \\3e \\3c svg onload=alert(1)\\3e "; }' in print_css
    assert 'href="https://example.gov.cn/"' in scorecard                    # safe links survive
    assert 'href="https://example.gov.cn/?a=1&amp;b=&#39;x&#39;"' in scorecard


def test_unsafe_evidence_link_is_refused_before_building(hostile_project, tmp_path):
    sheet = hostile_project / "content/assessments/2026/shuozhou.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("https://example.gov.cn/?a=1&b='x'",
                                                               "javascript:alert(1)"), encoding="utf-8")
    with pytest.raises(ProjectError, match="expected an http://, https:// or mailto: address"):
        build(hostile_project, BuildOptions(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


# --- the output folder -------------------------------------------------------------------

def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_the_previous_site_byte_identical(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    before = _tree(out)
    sheet = example_copy / "content/assessments/2026-city/shuozhou.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("92.5%", "92.5"), encoding="utf-8")
    with pytest.raises(ProjectError):
        build(example_copy, BuildOptions(out))
    assert _tree(out) == before
    # a failure while rendering (a broken theme template) leaves it as it was too
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("92.5\n", "92.5%\n").replace("92.5}", "92.5%}"),
                     encoding="utf-8")
    theme = example_copy / "themes/broken/templates"
    theme.mkdir(parents=True)
    (theme / "scorecard.html").write_text("{% extends 'default:scorecard.html' %}{% block content %}{{ nope.x }}{% endblock %}")
    site_yaml = example_copy / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("theme: default", "theme: broken"), encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"themes/broken/templates/scorecard.html:1: 'nope' is undefined"):
        build(example_copy, BuildOptions(out))
    assert _tree(out) == before
    result = CliRunner().invoke(cli, ["-C", str(example_copy), "build", "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "✗ themes/broken/templates/scorecard.html:1: 'nope' is undefined (while rendering" in result.stderr
    assert not list(tmp_path.glob(".site.*"))     # the staging folder was removed


def test_build_refuses_to_clear_a_folder_it_did_not_create(example_copy, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "report.docx").write_text("precious")
    with pytest.raises(WriteError, match="not built by scoresite"):
        build(example_copy, BuildOptions(out))
    assert (out / "report.docx").read_text() == "precious"
    result = CliRunner().invoke(cli, ["-C", str(example_copy), "build", "--out", str(out)])
    assert result.exit_code == 1 and "refusing to replace" in result.stderr


def test_rebuild_replaces_the_previous_build(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    (out / "stale.html").write_text("old")
    build(example_copy, BuildOptions(out))
    assert not (out / "stale.html").exists() and (out / MARKER).is_file()


def test_cli_build_reports_pages_and_time(example_copy):
    result = CliRunner().invoke(cli, ["-C", str(example_copy), "build"])
    assert result.exit_code == 0, result.output
    assert re.match(r"built \d+ pages \(\d+ files\) in \d+\.\d s → ", result.output)
    assert (example_copy / "site/index.html").is_file()


# --- themes and languages ----------------------------------------------------------------

def test_a_project_theme_overrides_one_template_and_extends_the_default(example_copy, tmp_path):
    theme = example_copy / "themes/shuozhou/templates"
    theme.mkdir(parents=True)
    (theme / "page.html").write_text(
        "{% extends 'default:page.html' %}{% block content %}<p class=\"local\">本市定制</p>{{ super() }}{% endblock %}",
        encoding="utf-8")
    (example_copy / "themes/shuozhou/static").mkdir()
    (example_copy / "themes/shuozhou/static/extra.css").write_text("p{}")
    site_yaml = example_copy / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("theme: default", "theme: shuozhou"),
                         encoding="utf-8")
    out = tmp_path / "out"
    build(example_copy, BuildOptions(out))
    about = (out / "about/index.html").read_text(encoding="utf-8")
    assert '<p class="local">本市定制</p>' in about and "数据从哪里来" in about
    assert (out / "assets/extra.css").is_file() and (out / "assets/style.css").is_file()


def _use_theme(project: Path, name: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        (project / f"themes/{name}" / path).parent.mkdir(parents=True, exist_ok=True)
        (project / f"themes/{name}" / path).write_text(text, encoding="utf-8")
    site_yaml = project / "content/site.yaml"
    site_yaml.write_text(re.sub(r"theme: \S+", f"theme: {name}", site_yaml.read_text(encoding="utf-8")),
                         encoding="utf-8")


def test_a_changed_locale_string_reaches_every_page_through_the_template_cache(example_copy, tmp_path):
    """UI strings are compiled into the templates (FoldStrings), so the compiled templates kept in
    the cache must never outlive the strings they were compiled with."""
    out = tmp_path / "out"
    card = "assessments/2026-city/shuozhou/index.html"
    build(example_copy, BuildOptions(out))
    assert '<th scope="col" class="num">分值</th>' in (out / card).read_text(encoding="utf-8")
    _use_theme(example_copy, "local", {"locale/zh-CN.yaml": "max: 满分<值>\n"})
    build(example_copy, BuildOptions(out))
    html = (out / card).read_text(encoding="utf-8")
    assert '<th scope="col" class="num">满分&lt;值&gt;</th>' in html and "分值</th>" not in html   # escaped as ever
    (example_copy / "themes/local/locale/zh-CN.yaml").unlink()
    build(example_copy, BuildOptions(out))
    assert '<th scope="col" class="num">分值</th>' in (out / card).read_text(encoding="utf-8")


@pytest.mark.parametrize("template", [
    "{% set t = '<{}>'.format %}{{ t('home') }}",
    "{% for t in [1] %}{{ t }}{% endfor %}",
    "{% macro m(t) %}{% endmacro %}",
    "{% from 'macros.html' import link as t %}",
    "{{ link(t) }}",
])
def test_t_is_reserved_for_the_interface_strings(example_copy, tmp_path, template):
    """t("key") is compiled to its text (FoldStrings), which is only sound if no template — this
    one, one it extends or one that includes it — can make t mean anything else."""
    _use_theme(example_copy, "local", {"templates/page.html":
        "{% extends 'default:page.html' %}{% block content %}\n" + template + "{% endblock %}"})
    with pytest.raises(TemplateProblem, match=r"themes/local/templates/page.html:2: t is the interface strings "
                                              r"function and can only be called"):
        build(example_copy, BuildOptions(tmp_path / "out"))


def test_a_theme_cannot_reach_the_build_through_its_context(example_copy, tmp_path):
    _use_theme(example_copy, "local", {"templates/page.html":
        "{% extends 'default:page.html' %}{% block content %}{{ _fragments.view.project.tree }}{% endblock %}"})
    with pytest.raises(TemplateProblem, match="'_fragments' is undefined"):
        build(example_copy, BuildOptions(tmp_path / "out"))


def test_a_macro_escapes_as_where_it_is_called_as_in_jinja():
    import jinja2
    from generator.site.templates import make_environment
    source = ("{% macro n() %}<i>{% endmacro %}{% autoescape false %}{{ n() + '<u>' }}{% endautoescape %}"
              "{{ n() + '<u>' }}")
    ours = make_environment(REPO, None, "zh-CN").from_string(source).render()
    assert ours == jinja2.Environment(autoescape=True).from_string(source).render() == "<i><u><i>&lt;u&gt;"


def test_an_unknown_ui_string_still_fails_where_it_is_used(example_copy, tmp_path):
    _use_theme(example_copy, "local", {"templates/page.html":
        "{% extends 'default:page.html' %}{% block content %}\n{{ t('home') }}{{ t('no_such_string') }}{% endblock %}"})
    with pytest.raises(TemplateProblem, match=r"themes/local/templates/page.html:2: no UI string 'no_such_string'"):
        build(example_copy, BuildOptions(tmp_path / "out"))


def test_unknown_theme_is_a_check_error(project_dir):
    from conftest import errors_of
    assert errors_of(project_dir({"content/site.yaml": "title: t\ntheme: shuozhou\n"})) == [
        "content/site.yaml:2:8: expected a theme folder themes/shuozhou/, got no such folder\n"
        "    hint: known themes: default"]


def test_english_site_uses_the_english_catalogue(example_copy, tmp_path):
    site_yaml = example_copy / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"),
                         encoding="utf-8")
    out = tmp_path / "out"
    build(example_copy, BuildOptions(out))
    html = (out / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert "Where the points went" in html and "Skip to content" in html
    assert "1 missed × 0.5 = −0.5 → 2.5/3" in html


def test_catalogues_have_the_same_keys():
    from generator.load.theme import catalogue, placeholders
    zh, en = catalogue("zh-CN"), catalogue("en")
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_evidence_file_names_with_spaces_and_hashes_link_correctly(example_copy, tmp_path):
    evidence = example_copy / "content/evidence/2026-city"
    (evidence / "会议 纪要#2.pdf").write_bytes(b"%PDF-1.4 sample")
    sheet = example_copy / "content/assessments/2026-city/shuozhou.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        "file: 2026-city/loan-report.pdf}", "file: 2026-city/loan-report.pdf}\n      - {title: 纪要, file: '2026-city/会议 纪要#2.pdf'}"),
        encoding="utf-8")
    out = tmp_path / "out"
    build(example_copy, BuildOptions(out))
    assert (out / "evidence/2026-city/会议 纪要#2.pdf").is_file()
    html = (out / "assessments/2026-city/shuozhou/index.html").read_text(encoding="utf-8")
    assert 'href="../../../evidence/2026-city/%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81%232.pdf"' in html
    assert broken_links(out) == []


def test_rescaled_scorecard_shows_applicable_section_maxima(site):
    # 朔城区: 1.3 (20 points) does not apply, so 专项成效 is out of 60, not 80
    html = (site / "assessments/2026-counties/shuocheng/index.html").read_text(encoding="utf-8")
    assert "得分 47.5 / 60" in html and "47.5/60" in html
    assert "得分 47.5 / 80" not in html


# --- rules of real rubrics on the page (the example's 规则演示二) ------------------------------------

def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_scorecard_shows_base_bonus_and_adjustments_adding_up(site):
    html = (site / "assessments/2026-county-services/yingxian/index.html").read_text(encoding="utf-8")
    parts = _text(html[html.index('class="compact total-parts"'):html.index("</table>", html.index("total-parts"))])
    assert "基础得分 97.95 / 100" in parts and "附加分 +3" in parts
    assert "获省级以上表彰（每次）：1次 × +2 +2" in parts and "总分 102.95" in parts
    # 否优: the top grade the total reaches is refused, and the page says why
    assert "否决事项触发（否优），不得评为“优秀”，考核等次由“优秀”调整为“良好”。" in _text(html)


def test_scorecard_shows_a_pool_clamp_and_negative_points(site):
    html = _text((site / "assessments/2026-county-services/shanyin/index.html").read_text(encoding="utf-8"))
    assert "服务规范 得分 0 / 30（合计-6，按0计）" in html
    assert "超期公开（每条）4×5=扣20分；要素未规范录入（每条）3×1=扣3分；未以政府名义出台工作方案：扣0.5分 → -8.5/15" in html
    assert "受到市政府以上通报批评（每次）：1次 × −3 −3" in html


def test_scorecard_says_why_a_quota_moved_a_grade(site):
    html = _text((site / "assessments/2026-county-services/huairen/index.html").read_text(encoding="utf-8"))
    assert "“优秀”名额为参评单位数的20%：⌊20% × 6⌋ = 1个，按名次已满，顺延为“良好”。" in html


def test_method_page_says_every_new_rule_in_words(site):
    html = _text((site / "rubrics/county-features-demo/index.html").read_text(encoding="utf-8"))
    for words in ("满分15分，按下列事项扣分，扣完为止：超期公开（每条）每次扣5分；要素未规范录入（每条）每次扣1分（最多扣4分）",
                  "不超过10%得4分，不超过5%得7分，不超过0%得10分；未达最低档不得分。",
                  "按结果数值排名（高者在前）：第1名得10分，第2名得9分，第3名得8分，其后每降一名扣1分，扣完为止。",
                  "按与最高值的比例计分：10分 × 本单位数值 ÷ 最高值。",
                  "按测评票加权计分：好100、较好80、一般60、差0",
                  "否优：本项结果为“不符合”时（条件项，不计分；未填写不触发），不得评为“优秀”。",
                  "（名额不超过参评单位数的20%，按名次确定，超出的顺延下一等次）",
                  "受到市政府以上通报批评（每次） −3", "减分合计最多6分，加分合计最多4分",
                  "标有“扣分池”的部分"):
        assert words in html, words


def test_the_export_gives_base_bonus_and_adjustments(project):
    data = json.loads(export_json(project, [project.assessments["2026-county-services"]]))
    yingxian = next(r for r in data["assessments"][0]["results"] if r["entity"] == "yingxian")
    assert (yingxian["base"], yingxian["bonus"], yingxian["total"]) == (97.95, 3, 102.95)
    assert yingxian["adjustments"] == [{"key": "award", "label": "获省级以上表彰（每次）", "count": 1, "amount": 2}]
    assert yingxian["grade"] == "良好" and yingxian["grade_by_total"] == "优秀"


def test_pages_about_many_entities_show_a_summary_not_thousands_of_rows(tmp_path):
    units = "".join(f"- {{id: c{n:03d}, name: 城市{n:03d}, kind: city}}\n" for n in range(120))
    units += "- {id: office, name: 办公室}\n"
    files = {"content/site.yaml": "title: 全国\n", "content/units.yaml": units,
             "rubrics/mini.yaml": "id: mini\ntitle: 小\npoints: 2\nsections:\n  - id: '1'\n    title: 甲\n"
                                  "    indicators:\n      - {id: '1', text: 是否成立, points: 2, units: [办公室], rule: check}\n",
             "content/assessments/2026/assessment.yaml": "title: 全国考核\nrubric: mini\nperiod: '2026'\nstatus: published\n"}
    for n in range(120):
        files[f"content/assessments/2026/c{n:03d}.yaml"] = f"entity: c{n:03d}\nscores:\n  1.1: {{result: {'yes' if n % 4 else 'no'}}}\n"
    root = write_project(tmp_path / "national", files, base={})
    build(root, BuildOptions(tmp_path / "out"))
    indicator = (tmp_path / "out/rubrics/mini/1.1/index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", indicator))
    assert "被考核单位数 120" in text and "满分 90" in text and "未得分 30" in text and "平均得分 1.5（0–2）" in text
    assert "城市007" not in indicator                                  # no row per entity
    unit = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (tmp_path / "out/units/office/index.html").read_text(encoding="utf-8")))
    assert "1.1 是否成立 1.5/2 30 / 120 60" in unit and "城市007" not in unit
