"""The one pipeline: recorded dependencies, the persistent cache, parallel rendering.

A warm build (after edits, with the cache) must equal a cold build byte for byte; a page
type the pipeline has never heard of must have its dependencies recorded as it reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO

from generator.site import pages
from generator.site.build import BuildOptions, build
from generator.site.preview import Incremental
from generator.site.pages import PagePlan, builder
from generator.site.view import AssessmentOf, ColumnOf, ResultOf, RubricOf, Shared

SHEET = "content/assessments/2026-departments/finance.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_warm_build_equals_a_cold_build_byte_for_byte(example_copy, tmp_path):
    out = tmp_path / "site"
    first = build(example_copy, BuildOptions(out, today=None))
    assert first.rendered == first.pages + sum(1 for _ in (out / "assessments").rglob("print.css"))
    assert (example_copy / ".scoresite-cache/site-v1.pickle").is_file()
    assert (example_copy / ".scoresite-cache/.gitignore").read_text() == "*\n"
    edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
    warm = build(example_copy, BuildOptions(out))
    assert 0 < warm.rendered < warm.pages / 4                   # only what the edit touched
    cold_project = tmp_path / "cold"
    shutil.copytree(example_copy, cold_project, ignore=shutil.ignore_patterns(".scoresite-cache"))
    cold = build(cold_project, BuildOptions(tmp_path / "cold-site", cache=False))
    assert cold.rendered > warm.rendered
    assert tree(out) == tree(tmp_path / "cold-site")


def test_a_warm_build_with_nothing_changed_renders_nothing_and_is_the_same(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    before = tree(out)
    again = build(example_copy, BuildOptions(out))
    assert again.rendered == 0
    assert tree(out) == before


def test_a_deleted_or_foreign_cache_means_a_cold_build(example_copy, tmp_path):
    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    (example_copy / ".scoresite-cache/site-v1.pickle").write_bytes(b"not a pickle")
    again = build(example_copy, BuildOptions(out))
    assert again.rendered > 0 and tree(out)                    # rebuilt from scratch, nothing lost
    other = build(example_copy, BuildOptions(tmp_path / "elsewhere"))
    assert other.rendered > 0                                   # the cache speaks for one output folder


def test_rendering_on_two_processes_gives_the_same_bytes(example_copy, tmp_path, monkeypatch):
    monkeypatch.setattr("generator.site.render.PARALLEL_FROM", 1)
    build(example_copy, BuildOptions(tmp_path / "one", workers=1, cache=False))
    build(example_copy, BuildOptions(tmp_path / "two", workers=2, cache=False))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    preview = Incremental(example_copy, BuildOptions(tmp_path / "preview", workers=2))
    preview.changes()
    first = preview.rebuild(None)                           # the preview's first pass also forks
    assert len(first.rendered) > 1
    html = lambda folder: {url: data for url, data in tree(folder).items() if url.endswith(".html")}
    assert html(tmp_path / "preview") == html(tmp_path / "one")
    edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
    later = preview.rebuild(preview.changes())              # and its later passes know what each page read
    assert 0 < len(later.rendered) < len(first.rendered)


# --- a page type nobody listed dependencies for -----------------------------------------------

@pytest.fixture
def new_page_type(example_copy, monkeypatch):
    """A page type added by a future feature: one entity's total on one indicator, with the rubric's
    title. Its builder lists no dependency; it only reads through the view."""
    @builder("test_total")
    def build_total(view, assessment_id, entity, key):
        assessment = view.assessment(assessment_id)
        result = view.result(assessment, entity)
        column = dict((r.entity, s) for r, s in view.column(assessment, key))
        return {"title": view.rubric_of(assessment).title, "total": result.total, "points": column[entity].points}

    theme = example_copy / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "total.html").write_text("{{ title }} {{ total|num }} {{ points|num }}\n", encoding="utf-8")
    plan = PagePlan("test/total.html", "total.html", "test_total", ("2026-departments", "finance", "5.1"))
    original = pages.plan_site
    monkeypatch.setattr("generator.site.build.plan_site", lambda view: original(view) + [plan])
    yield plan
    pages.BUILDERS.pop("test_total", None)


def test_a_new_page_types_dependencies_are_recorded_without_listing_them(new_page_type, example_copy, tmp_path):
    preview = Incremental(example_copy, BuildOptions(tmp_path / "preview"))
    preview.changes()
    preview.rebuild(None)
    recorded = set(preview.pages[new_page_type.url].fingerprints)
    assert {Shared(), AssessmentOf("2026-departments"), ResultOf("2026-departments", "finance"),
            ColumnOf("2026-departments", "5.1"), RubricOf("shuozhou-department")} <= recorded
    # an edit to what it read re-renders it …
    edit(example_copy, SHEET, "{result: 85.5%}", "{result: 78%}")
    assert new_page_type.url in preview.rebuild(preview.changes()).rendered
    assert (tmp_path / "preview/test/total.html").read_text(encoding="utf-8").endswith(" 89.63 18\n")
    # … an edit to what it did not read does not
    edit(example_copy, "content/assessments/2026-city/shuozhou.yaml", "92.5%", "93%")
    assert new_page_type.url not in preview.rebuild(preview.changes()).rendered


def test_an_edit_that_changes_nothing_shown_re_renders_nothing(example_copy, tmp_path):
    preview = Incremental(example_copy, BuildOptions(tmp_path / "preview"))
    preview.changes()
    preview.rebuild(None)
    path = example_copy / SHEET
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment at the end changes no figure\n",
                    encoding="utf-8")
    assert preview.rebuild(preview.changes()).rendered == []


def test_scores_kept_between_passes_are_exactly_what_scoring_afresh_gives(example_copy, tmp_path):
    """The preview keeps an entity's scores and results while they come out the same, so what
    reads them counts as unchanged; after every edit each result is still, field for field and
    digit for digit, what scoring the files afresh gives."""
    from generator.pipeline import load_project
    from generator.site.build import Pipeline

    pipeline = Pipeline(example_copy, BuildOptions(tmp_path / "out"))
    before = {r.entity: r for r in pipeline.load().results["2026-departments"]}
    for old, new in [("{result: 85.5%}", "{result: 78%}"), ("{result: 78%}", "{result: 78.0%}"),
                     ("{result: 78.0%}", "{result: 85.5%}")]:
        edit(example_copy, SHEET, old, new)
        project = pipeline.load()
        assert repr(project.results) == repr(load_project(example_copy).results)
        now = {r.entity: r for r in project.results["2026-departments"]}
        assert now["finance"] is not before["finance"]
        kept = [e for e in now if e != "finance" and (now[e].rank, now[e].grade) == (before[e].rank, before[e].grade)]
        assert kept and all(now[e] is before[e] for e in kept)
        assert all(now[e].scores[k] is before[e].scores[k] for e in kept for k in now[e].scores)
        before = now


def test_a_score_is_kept_only_when_every_field_is_the_same_object_or_the_same_text():
    import dataclasses
    from decimal import Decimal
    from generator.model import Entry, Indicator, IndicatorScore
    from generator.score.scoring import _kept

    indicator = Indicator(key="1.1", id="1", text="t", points=Decimal(2), method="", units=(), rule=None)
    before = IndicatorScore(indicator, Entry("1.1", None), Decimal("2.0"), Decimal("2.0"), "full", "x")
    assert _kept(before, dataclasses.replace(before, entry=Entry("1.1", None))) is before     # an equal entry
    for change in ({"points": Decimal("2.00")}, {"computed": None}, {"explanation": "y"}, {"excluded": True},
                   {"indicator": dataclasses.replace(indicator)}, {"entry": Entry("1.1", None, note="n")}):
        now = dataclasses.replace(before, **change)
        assert _kept(before, now) is now, change        # 2.0 is not 2.00; an equal indicator is not the same one
    assert _kept(None, before) is before


class _Plant:
    """A pickle that runs code when it is read: it makes a file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_a_cache_this_user_did_not_write_is_never_read(example_copy, tmp_path):
    """A project folder may arrive with a .scoresite-cache/ made to run code when it is read."""
    import hashlib
    import pickle

    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    cache = example_copy / ".scoresite-cache"
    ran = tmp_path / "ran"
    payload = pickle.dumps(_Plant(ran))
    forged = hashlib.blake2b(payload, key=b"k" * 32, digest_size=32).digest() + payload   # another key
    (cache / "load-v1.pickle").write_bytes(payload)                                        # no seal at all
    (cache / "site-v1.pickle").write_bytes(forged)
    for compiled in (cache / "templates").iterdir():
        compiled.write_bytes(forged)
    report = build(example_copy, BuildOptions(out))
    assert not ran.exists()
    assert report.rendered == report.pages + sum(1 for _ in (out / "assessments").rglob("print.css"))  # cold
    build(example_copy, BuildOptions(tmp_path / "cold", cache=False))
    assert tree(out) == tree(tmp_path / "cold")
    assert build(example_copy, BuildOptions(out)).rendered == 0      # and its own cache is used again


def test_cache_files_are_read_only_as_regular_files_under_their_own_names(example_copy, tmp_path):
    import os
    import shutil

    out = tmp_path / "site"
    build(example_copy, BuildOptions(out))
    cache = example_copy / ".scoresite-cache"
    sealed_elsewhere = tmp_path / "load-v1.pickle"
    shutil.copy(cache / "load-v1.pickle", sealed_elsewhere)
    (cache / "load-v1.pickle").unlink()
    shutil.copy(cache / "site-v1.pickle", cache / "load-v1.pickle")        # sealed, but for another name
    (cache / "site-v1.pickle").unlink()
    os.mkfifo(cache / "site-v1.pickle")                                    # would hang a reader
    for compiled in (cache / "templates").iterdir():
        compiled.unlink()
        compiled.symlink_to(sealed_elsewhere)                              # a link to a sealed file
    report = build(example_copy, BuildOptions(out))
    assert report.rendered == report.pages + sum(1 for _ in (out / "assessments").rglob("print.css"))
    build(example_copy, BuildOptions(tmp_path / "cold", cache=False))
    assert tree(out) == tree(tmp_path / "cold")
    assert build(example_copy, BuildOptions(out)).rendered == 0


def test_data_downloads_made_beside_the_pages_are_the_same_and_a_failure_there_loses_nothing(
        example_copy, tmp_path, monkeypatch):
    import os
    from generator.site import files
    build(example_copy, BuildOptions(tmp_path / "here", cache=False))        # a small site: made here
    made_by = []
    original = files.make_meanwhile
    monkeypatch.setattr("generator.site.build.PARALLEL_FROM", 1)
    monkeypatch.setattr("generator.site.build.make_meanwhile",
                        lambda *args: made_by.append(original(*args)) or made_by[-1])
    build(example_copy, BuildOptions(tmp_path / "beside", cache=False))
    assert made_by and set(made_by[0].wait()) >= {"data/2026-departments.json", "data/2026-departments.csv"}
    assert tree(tmp_path / "beside") == tree(tmp_path / "here")
    # the forked copy fails part way: this process makes every file itself, and the site is whole
    parent, export = os.getpid(), files.export_json
    monkeypatch.setattr(files, "export_json", lambda *a: export(*a) if os.getpid() == parent else 1 / 0)
    made_by.clear()
    build(example_copy, BuildOptions(tmp_path / "failed", cache=False))
    assert made_by and made_by[0].wait() == {}
    assert tree(tmp_path / "failed") == tree(tmp_path / "here")


@pytest.mark.parametrize("failure", ["a template", "Ctrl+C while waiting for the downloads"])
def test_a_build_that_fails_while_the_downloads_are_made_stops_that_copy_and_leaves_nothing(
        example_copy, tmp_path, monkeypatch, failure):
    import os
    from generator.site import files
    from generator.site.render import Renderer, TemplateProblem
    monkeypatch.setattr("generator.site.build.PARALLEL_FROM", 1)
    children, original = [], files.make_meanwhile

    def started(*args):
        children.append(original(*args))
        return children[-1]
    monkeypatch.setattr("generator.site.build.make_meanwhile", started)
    if failure == "a template":
        render, expected = Renderer.render, TemplateProblem

        def failing(self, plan):
            if plan.template == "unit.html":
                raise TemplateProblem("unit.html:1: the template raised ZeroDivisionError")
            return render(self, plan)
        monkeypatch.setattr(Renderer, "render", failing)
    else:                       # Ctrl+C while the build waits for the copy (in os.waitpid)
        reap, calls, expected = files.Meanwhile._reap, [], KeyboardInterrupt

        def interrupted(self):
            calls.append(self)
            if len(calls) == 1:
                raise KeyboardInterrupt
            return reap(self)
        monkeypatch.setattr(files.Meanwhile, "_reap", interrupted)
    (tmp_path / "out").mkdir()
    with pytest.raises(expected):
        build(example_copy, BuildOptions(tmp_path / "out/site", workers=1, cache=False))
    monkeypatch.undo()
    assert list((tmp_path / "out").iterdir()) == []                          # no staging folder left
    assert children and children[0].pid is None and children[0].report is None
    pid = children[0].started
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)                                           # the copy was reaped: no zombie


def test_pages_rendered_in_the_main_process_are_collected_even_in_a_build(example_copy, tmp_path, monkeypatch):
    """A build pauses the cycle collector in its main process; where that process renders every
    page itself (one core, no fork, a small site) it runs again, or memory grows page by page."""
    import gc
    from generator.site.render import Renderer
    seen, render = [], Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, plan: seen.append(gc.isenabled()) or render(self, plan))
    build(example_copy, BuildOptions(tmp_path / "site", workers=1, cache=False))
    assert seen and all(seen)
    assert gc.isenabled()


# --- cached blocks ({% cached %}) ----------------------------------------------------------------

def _fragment_setup():
    import datetime as dt
    from generator.pipeline import load_project
    from generator.site.render import Fragments
    from generator.site.templates import FRAGMENTS, linker, make_environment
    from generator.site.view import View
    project = load_project(REPO)
    view = View(project, True, dt.date(2026, 11, 30))
    env = make_environment(project.root, None, "zh-CN")
    env.globals["rubric_title"] = lambda rid: view.rubric(rid).title       # a helper that reads the view
    fragments = Fragments(view)
    compiled = {}

    def render(source: str, url: str, **values) -> tuple[str, set]:
        template = compiled.setdefault(source, env.from_string(source))       # one template, many pages
        token = FRAGMENTS.set(fragments)
        try:
            with view.reading() as reads:
                html = template.render(page_url=url, href=linker(url), **values)
        finally:
            FRAGMENTS.reset(token)
        return html, set(reads)
    return render


def test_a_cached_block_is_rendered_once_and_reused_only_where_its_links_are_the_same():
    render = _fragment_setup()
    block = '{% cached key %}<a href="{{ href("rubrics/index.html") }}">{{ n }}</a>{% endcached %}'
    assert render(block, "assessments/a/x/index.html", key="k", n=1)[0] == '<a href="../../../rubrics/index.html">1</a>'
    # the same key from a page whose links are the same: the block as first rendered (n is not a key)
    assert render(block, "assessments/b/y/index.html", key="k", n=2)[0] == '<a href="../../../rubrics/index.html">1</a>'
    # from a page whose link would differ, the block is rendered for it
    assert render(block, "index.html", key="k", n=3)[0] == '<a href="rubrics/index.html">3</a>'
    assert render(block, "assessments/a/x/index.html", key="other", n=4)[0].endswith(">4</a>")


def test_what_a_cached_block_read_is_recorded_for_every_page_that_shows_it():
    render = _fragment_setup()
    block = "{% cached 'title' %}{{ rubric_title('shuozhou-department') }}{% endcached %}"
    first, first_reads = render(block, "a/index.html")
    again, again_reads = render(block, "b/index.html")
    assert first == again and "朔州" in first
    assert RubricOf("shuozhou-department") in first_reads and RubricOf("shuozhou-department") in again_reads


def test_a_cached_block_with_a_key_that_is_not_a_value_is_a_clear_template_error():
    import jinja2
    render = _fragment_setup()
    with pytest.raises(jinja2.TemplateRuntimeError, match="a cached block's keys must be strings, numbers or tuples of them, got list"):
        render("{% cached units %}x{% endcached %}", "index.html", units=["a"])


def test_cached_blocks_are_told_apart_by_place_and_keys_by_type():
    from decimal import Decimal
    render = _fragment_setup()
    assert render("{% cached 1 %}A{% endcached %}{% cached 1 %}B{% endcached %}", "a.html")[0] == "AB"
    assert render("{% cached 1 %}first{% endcached %}", "a.html")[0] == "first"
    assert render("{% cached 1 %}second{% endcached %}", "a.html")[0] == "second"     # another template
    block = "{% cached x %}{{ x }}{% endcached %}"
    shown = [render(block, "a.html", x=x)[0] for x in (1, True, 1.0, Decimal("1.00"), (1,), (Decimal("1.0"),))]
    assert shown == ["1", "True", "1.0", "1.00", "(1,)", "(Decimal(&#39;1.0&#39;),)"]
    from markupsafe import Markup                  # a string of another type is a key of its own
    assert [render(block, "a.html", x=x)[0] for x in ("<b>", Markup("<b>"))] == ["&lt;b&gt;", "<b>"]


def test_a_cached_block_cannot_show_what_differs_from_call_to_call():
    import jinja2
    render = _fragment_setup()
    for name in ("caller()", "varargs", "kwargs"):
        with pytest.raises(jinja2.TemplateSyntaxError, match=f"a cached block cannot use {name.rstrip('()')}"):
            render("{% macro m() %}{% cached 1 %}{{ " + name + " }}{% endcached %}{% endmacro %}", "a.html")


def test_cached_blocks_change_no_byte_of_the_site(example_copy, tmp_path, monkeypatch):
    from generator.site.render import Fragments
    build(example_copy, BuildOptions(tmp_path / "cached", cache=False))
    monkeypatch.setattr(Fragments, "get", lambda self, key, render, href: render())      # every block rendered
    build(example_copy, BuildOptions(tmp_path / "plain", cache=False))
    assert tree(tmp_path / "cached") == tree(tmp_path / "plain")
