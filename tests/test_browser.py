"""Every page type in a real browser (Debian's Chromium, driven by Playwright): no console
errors or failed requests under a strict CSP, no serious WCAG 2.1 AA violation (axe-core),
keyboard navigation in order with a visible focus, usable at 360 px, working from file://
and without JavaScript, a clean A4 print, and HTML that a current validator accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser_support import ARTIFACTS, PAGE_TYPES, PHONE, Watched, unavailable
from conftest import REPO

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_cleanly_under_a_strict_csp(watched, site_server, kind):
    page = watched.open(site_server + PAGE_TYPES[kind])
    assert page.title()
    assert watched.problems == []
    # the stylesheet was applied (a CSP or path problem would leave the page unstyled)
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"


def test_missing_page_gets_the_404_page(watched, site_server):
    # at the top level; deeper down, see test_404_page_works_at_any_depth_on_a_real_server
    page = watched.open(site_server + "no-such-page.html")
    assert "页面不存在" in page.inner_text("h1")
    assert set(watched.problems) == {
        "HTTP 404: " + site_server + "no-such-page.html",
        "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"}
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"


@pytest.mark.parametrize("base_url, mount", [
    (None, "/"),                                              # no base URL: the site at a host's root
    ("https://www.example.gov.cn/", "/"),                     # a base URL at the root
    ("https://www.example.gov.cn/kaohe/", "/kaohe/"),         # a base URL under a sub-path
])
def test_404_page_works_at_any_depth_on_a_real_server(context_factory, tmp_path, base_url, mount):
    """A web server answers a missing address, however deep, with 404.html: the page loads its
    stylesheet, and every link it shows leads to a page that exists."""
    import urllib.request

    from browser_support import serve
    from generator.site.build import BuildOptions, build

    build(REPO, BuildOptions(tmp_path / "site", base_url=base_url))
    httpd, address = serve(tmp_path / "site", mount)
    try:
        watched = Watched(context_factory(viewport={"width": 1280, "height": 900}).new_page())
        missing = address + "assessments/2026-city/no-such-entity/deeper/index.html"
        response = watched.page.goto(missing)
        page = watched.page
        assert response.status == 404 and "页面不存在" in page.inner_text("h1")
        assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"
        assert page.evaluate("""() => { const rules = s => [...s.cssRules].reduce((n, r) => n + (r.styleSheet ? rules(r.styleSheet) : 1), 0);
                                        return Math.max(...[...document.styleSheets].map(rules)); }""") > 100
        # the one expected failure: the relative stylesheet, meant for disk, is itself missing here
        relative = missing.rsplit("/", 1)[0] + "/assets/style.css"
        assert {p.split(" net::")[0] for p in watched.problems if not p.startswith("console error")} == {
            f"HTTP 404: {missing}", f"HTTP 404: {relative}", f"failed: {relative}"}
        links = page.eval_on_selector_all("a[href]", "as => as.filter(a => a.getClientRects().length).map(a => a.href)")
        assert len(links) >= 9
        assert page.eval_on_selector(".skip-link", "a => a.href") == missing + "#main"
        for link in links:
            if link.startswith(address) and "#" not in link:
                with urllib.request.urlopen(link) as answer:                      # raises on a 404
                    assert answer.status == 200 and b"<h1>" in answer.read(), link
        assert all(link.startswith(address) for link in links if "#" not in link and link.startswith("http"))
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_serious_accessibility_violation(watched, site_server, kind):
    from axe_playwright_python.sync_playwright import Axe

    page = watched.open(site_server + PAGE_TYPES[kind])
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


# numbers every focusable element, and records what each focus looks like as it happens
FOCUSABLE = """() => {
  const all = Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])'));
  window.focusLog = [];
  document.addEventListener('focusin', () => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    window.focusLog.push({kb: e.dataset.kb === undefined ? null : Number(e.dataset.kb),
      outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      shadow: style.boxShadow !== 'none',
      onscreen: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth});
  });
  return all.filter(e => e.getClientRects().length > 0).map((e, i) => { e.dataset.kb = i; return i; }).length;
}"""


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_keyboard_reaches_every_link_in_order_with_visible_focus(watched, site_server, kind):
    page = watched.open(site_server + PAGE_TYPES[kind])
    count = page.evaluate(FOCUSABLE)
    assert count > 3
    for _ in range(count):
        page.keyboard.press("Tab")
    log = page.evaluate("() => window.focusLog")
    assert [state["kb"] for state in log] == list(range(count))
    for state in log:
        assert state["outline"] or state["shadow"], f"no visible focus on element {state['kb']}"
        assert state["onscreen"], f"focused element {state['kb']} is off screen"


# every visible element of <main> whose box reaches past the viewport's edges (content inside
# a sideways-scrolling box counts: a reader on a phone does not find it)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : '');
  return [...document.querySelectorAll('main *')].filter(e => !e.closest('.visually-hidden'))
    .map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width > 0 && r.height > 0)
    .filter(([e, r]) => r.left < -0.5 || r.right > width + 0.5)
    .map(([e, r]) => `${name(e)} ${Math.round(r.left)}…${Math.round(r.right)}`).slice(0, 10);
}"""

# links and controls a finger must hit, smaller than 44 × 44 CSS px (links inside running text,
# e.g. in a note written in Markdown, are exempt, as WCAG 2.5.5 exempts inline targets)
SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], label, button, summary, input:not(label input)')]
  .filter(e => !e.closest('.prose, .visually-hidden') && !e.matches('.skip-link'))
  .map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width > 0 && r.height > 0)
  .filter(([e, r]) => r.height < 43.5 || r.width < 43.5)
  .map(([e, r]) => `${e.textContent.trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`).slice(0, 10)"""

# text with a figure in it that renders smaller than 16 px (SVG text at its scaled size)
SMALL_FIGURES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (!/\\d/.test(node.data) || !e.getClientRects().length || e.closest('.visually-hidden')) continue;
    let size = parseFloat(getComputedStyle(e).fontSize);
    if (e.closest('svg')) size *= e.closest('svg').getScreenCTM().a;
    if (size < 15.95) small.push(`${node.data.trim().slice(0, 20)} ${size.toFixed(1)}px`);
  }
  return small.slice(0, 10);
}"""


@pytest.mark.parametrize("kind", PAGE_TYPES)
@pytest.mark.parametrize("width", [360, 390, 414])
def test_phone_shows_everything_without_sideways_scrolling(context_factory, site_server, kind, width):
    page = context_factory(**{**PHONE, "viewport": {"width": width, "height": 844}}).new_page()
    page.goto(site_server + PAGE_TYPES[kind])
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOW) == []
    if width == 390:
        _screenshot(page, f"{kind}-390")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_phone_tap_targets_and_figures_are_large_enough(context_factory, site_server, kind):
    page = context_factory(**PHONE).new_page()
    page.goto(site_server + PAGE_TYPES[kind])
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(SMALL_FIGURES) == []


@pytest.mark.parametrize("path", [PAGE_TYPES["scorecard"], "assessments/2026-departments/hrss/index.html",
                                  PAGE_TYPES["method"], PAGE_TYPES["indicator"]])
def test_phone_shows_every_indicators_explanation(context_factory, site_server, path):
    """Each indicator row is a card: its explanation lies inside the screen, with its number and points."""
    page = context_factory(**PHONE).new_page()
    page.goto(site_server + path)
    rows = page.evaluate("""() => [...document.querySelectorAll('tr[id^="i-"], .indicator-page table.stack tbody tr')].map(row => {
        const text = row.querySelector('.explanation, .rule-text');
        const r = (text || row).getBoundingClientRect();
        return [row.id, !!text && r.width > 0 && r.left >= 0 && r.right <= innerWidth,
                getComputedStyle(row.closest('table').querySelector('thead') || row).display];
      })""")
    assert rows and all(visible for _, visible, _ in rows), [r for r in rows if not r[1]][:5]
    assert {thead for _, _, thead in rows} <= {"none"}          # the table became cards


def test_a_jump_to_a_lost_indicator_on_a_phone_shows_its_card(context_factory, site_server):
    page = context_factory(**PHONE).new_page()
    page.goto(site_server + PAGE_TYPES["scorecard"])
    page.click("#lost-heading ~ .two-col a[href='#i-2.3.2'] >> nth=0")
    card = page.evaluate("""() => { const r = document.getElementById('i-2.3.2').getBoundingClientRect();
        return [r.left >= 0, r.right <= innerWidth, r.top >= 0, r.top < innerHeight,
                document.getElementById('i-2.3.2').querySelector('.explanation').innerText]; }""")
    assert card == [True, True, True, True, "92.5% ≥ 90% → 3/5"]


@pytest.mark.parametrize("javascript", [True, False])
def test_large_text_mode_works_without_javascript(context_factory, site_server, javascript):
    page = context_factory(**PHONE, java_script_enabled=javascript).new_page()
    page.goto(site_server + PAGE_TYPES["scorecard"])
    size = "() => getComputedStyle(document.querySelector('.explanation')).fontSize"
    assert page.evaluate(size) == "16px"
    page.click("label.large-text-toggle")
    assert page.is_checked("#large-text")
    assert page.evaluate(size) == "20px"
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    if javascript:
        _screenshot(page, "scorecard-390-large-text")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_desktop_screenshot(context_factory, site_server, kind):
    page = context_factory(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(site_server + PAGE_TYPES[kind])
    assert page.evaluate(SMALL_FIGURES) == []
    _screenshot(page, f"{kind}-1366")


def _screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_works_from_file_urls(watched, built_site, kind):
    page = watched.open((built_site / PAGE_TYPES[kind]).as_uri())
    if kind == "404":      # its stylesheet for a web server, from the host's root, is not on disk
        assert {p.split(" net::")[0] for p in watched.problems} <= {
            "failed: file:///assets/not-found.css", "console error: Failed to load resource:"}
        assert page.evaluate("() => [...document.querySelectorAll('.served-only a')].every(a => !a.getClientRects().length)")
    else:
        assert watched.problems == []
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"
    links = page.eval_on_selector_all("a[href]", "as => as.filter(a => a.getClientRects().length).map(a => a.href)")
    local = [link for link in links if link.startswith("file://")]
    assert local, "no relative links found"
    missing = [link for link in local if not Path(unquote(urlsplit(link).path)).is_file()]
    assert missing == []


def test_following_links_from_file_urls(watched, built_site):
    page = watched.open((built_site / "index.html").as_uri())
    page.click("text=考核结果 >> nth=0")
    page.click("text=2026年度朔州市创建国家级创业型城市部门工作考核")
    page.click("text=朔州市财政局")
    assert page.inner_text("h1") == "朔州市财政局"
    assert page.url.endswith("/assessments/2026-departments/finance/index.html")
    assert watched.problems == []


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_shows_all_its_content_without_javascript(context_factory, site_server, kind):
    with_js = context_factory().new_page()
    with_js.goto(site_server + PAGE_TYPES[kind])
    without_js = context_factory(java_script_enabled=False).new_page()
    without_js.goto(site_server + PAGE_TYPES[kind])
    text = without_js.inner_text("main")
    assert text == with_js.inner_text("main")
    assert len(text) > 20


def test_scorecard_without_javascript_shows_every_indicator(context_factory, site_server):
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(site_server + PAGE_TYPES["scorecard"])
    rows = page.locator("table.indicators tr[id^='i-']")
    assert rows.count() == 58
    assert all(rows.nth(i).is_visible() for i in range(0, 58, 7))


def test_scorecard_prints_as_an_a4_score_sheet(context_factory, site_server):
    """Printed, the scorecard is the paper 评分表: the title block first; the entity's name, the
    sheet's title and 第N页／共M页 on every page; each 一级指标 heading repeats on the pages its
    section runs onto; the assessors' notes; no site chrome and no git detail but one source line."""
    from pypdf import PdfReader

    page = context_factory().new_page()
    page.goto(site_server + PAGE_TYPES["scorecard"])
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(['.site-header', '.breadcrumbs', '.site-footer', '.scorecard',
        '.revisions', '.verify', '.print-sheet', '.p-table thead'].map(s => [s, getComputedStyle(document.querySelector(s)).display]))""")
    assert shown == {".site-header": "none", ".breadcrumbs": "none", ".site-footer": "none", ".scorecard": "none",
                     ".revisions": "none", ".verify": "none", ".print-sheet": "block", ".p-table thead": "table-header-group"}
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "scorecard-2026-city-shuozhou.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    raw = [p.extract_text() for p in PdfReader(pdf).pages]
    pages = ["".join(text.split()) for text in raw]         # CJK text, without the line breaks
    assert len(pages) >= 3
    title = "2026年度朔州市创建国家级创业型城市工作绩效考核评分表"
    for n, text in enumerate(pages, start=1):
        assert text.startswith("朔州市示例数据" + title + f"第{n}页／共{len(pages)}页"), text[:80]   # the margin boxes
        assert "一级指标：" in text
        for column in ("二级指标", "考核内容", "分值", "得分", "扣分说明", "责任单位"):
            assert column in text
        assert "跳到正文" not in text and "主导航" not in text and "大字" not in text
    body = pages[0][pages[0].index(f"第1页／共{len(pages)}页") + len(f"第1页／共{len(pages)}页"):]
    assert body.startswith(title + "（示例数据）被考核单位：朔州市总分：85/100等次：良好名次：第1名（共1个）")
    assert all("分值" in text and "得分" in text for text in raw)                # header cells never wrap (分\n值)
    everything = "".join(pages)
    assert "领导小组已成立，但成员单位未覆盖全部相关部门。" in everything                  # the assessors' notes
    assert "未见民间创业金融服务实体参与的材料。" in everything
    assert "未评估" in pages[0] and "4.4.1" in pages[0]                              # the notice, on the sheet
    assert "修订记录" not in everything and "content/assessments" not in everything and "SHA-256" not in everything
    assert [("数据版本" in text) for text in pages] == [False] * (len(pages) - 1) + [True]   # one source line, last
    assert "总分10085" in pages[-1]


def test_the_ranking_prints_without_an_orphan_downloads_heading(context_factory, site_server):
    page = context_factory().new_page()
    page.goto(site_server + PAGE_TYPES["ranking"])
    page.emulate_media(media="print")
    assert page.evaluate("() => document.getElementById('downloads-heading').getClientRects().length") == 0
    assert page.evaluate("() => getComputedStyle(document.querySelector('table.ranking')).display") == "table"


def _vnu_jar() -> Path | None:
    candidates = [os.environ.get("VNU_JAR"), REPO / "node_modules/vnu-jar/build/dist/vnu.jar"]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def test_html_is_valid_for_a_current_validator(built_site):
    jar = _vnu_jar()
    if jar is None or shutil.which("java") is None:
        unavailable("the Nu Html Checker: npm install vnu-jar (and Java), or set VNU_JAR")
    pages = sorted(str(p) for p in built_site.rglob("*.html"))
    result = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--stdout", *pages],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[:4000]
