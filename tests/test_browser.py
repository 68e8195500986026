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

from browser_support import ARTIFACTS, PAGE_TYPES, unavailable
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
    # at the top level its relative links work as they are; deeper down, a base_url (which
    # the 404 page uses as <base href>) makes them work — see test_site.py
    page = watched.open(site_server + "no-such-page.html")
    assert "页面不存在" in page.inner_text("h1")
    assert set(watched.problems) == {
        "HTTP 404: " + site_server + "no-such-page.html",
        "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"}
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"


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


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_usable_at_phone_width_without_horizontal_scrolling(context_factory, site_server, kind):
    page = context_factory(viewport={"width": 360, "height": 740}).new_page()
    page.goto(site_server + PAGE_TYPES[kind])
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide at {width[1]} px"
    # wide tables scroll inside their own box, which the keyboard can reach (tabindex=0)
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent)
        .map(t => [t.scrollWidth <= innerWidth || !!t.closest('.table-scroll[tabindex="0"]'), t.id || t.className])""")
    assert all(ok for ok, _ in boxes), boxes
    _screenshot(page, f"{kind}-360")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_desktop_screenshot(watched, site_server, kind):
    page = watched.open(site_server + PAGE_TYPES[kind])
    _screenshot(page, f"{kind}-1280")
    assert watched.problems == []


def _screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_works_from_file_urls(watched, built_site, kind):
    page = watched.open((built_site / PAGE_TYPES[kind]).as_uri())
    assert watched.problems == []
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(11, 79, 138)"
    links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
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
    from pypdf import PdfReader

    page = context_factory().new_page()
    page.goto(site_server + PAGE_TYPES["scorecard"])
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(['.site-header', '.breadcrumbs', '.site-footer', '.scorecard',
        '.print-sheet', '.print-sheet thead'].map(s => [s, getComputedStyle(document.querySelector(s)).display]))""")
    assert shown == {".site-header": "none", ".breadcrumbs": "none", ".site-footer": "none", ".scorecard": "none",
                     ".print-sheet": "block", ".print-sheet thead": "table-header-group"}
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "scorecard-2026-city-shuozhou.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = ["".join(p.extract_text().split()) for p in PdfReader(pdf).pages]   # CJK text, no line breaks
    assert len(pages) >= 2
    for text in pages:                                  # the header row repeats on every page
        for column in ("一级指标", "二级指标", "分值", "得分", "扣分说明", "责任单位"):
            assert column in text
        assert "跳到正文" not in text and "主导航" not in text
    assert "2026年度朔州市创建国家级创业型城市工作绩效考核评分表" in pages[0]
    assert "总分" in pages[-1] and "85" in pages[-1]


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
