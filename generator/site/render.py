"""Stage four, render: plans become HTML through the theme's templates.

A plan is data, so rendering can run anywhere: `render_all` forks worker processes for a large
site and each worker builds its pages' data itself from the view it inherited. Every page is
rendered inside `View.reading()`, which records what it read — the page's dependencies — without
any page type listing them."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import jinja2

from . import urls
from ..git.history import History
from ..load.project import Project
from .pages import PagePlan, build_context
from .templates import FRAGMENTS, linker, make_environment
from .view import View

PARALLEL_FROM = 300                     # pages; below this a second process costs more than it saves


@dataclass(frozen=True)
class Rendered:
    """One page as rendered: its bytes and what it read; or, when a worker process wrote it
    already, no bytes but their SHA-256 and size (`Writer.record` counts it as written)."""

    plan: PagePlan
    data: bytes | None
    deps: frozenset
    sha: str = ""
    size: int = 0

    def write(self, writer) -> str:
        """Write the page (or record what a worker wrote); its SHA-256."""
        if self.data is None:
            writer.record(self.plan.url, self.sha, self.size)
            return self.sha
        return writer.write(self.plan.url, self.data)


class Fragments:
    """The HTML of each `{% cached %}` block rendered in one pass, with what it read and the
    relative links it made (see templates.CachedFragments). Kept per pass: the next one starts
    empty. A page reuses a block only if `href` gives it the very same links."""

    def __init__(self, view: View):
        self.view = view
        self.found: dict[tuple, tuple[str, frozenset, tuple]] = {}

    def get(self, key: tuple, render, href) -> str:
        found = self.found.get(key)
        if found is not None and (not found[2] or all(href(target) == link for target, link in found[2])):
            self.view.read_all(found[1])
            return found[0]
        outer, href.made = href.made, []          # (a block inside another records for both)
        try:
            with self.view.reading_part() as reads:
                html = render()
        finally:
            made, href.made = tuple(href.made), outer
            if outer is not None:
                outer.extend(made)
        self.found[key] = (html, frozenset(reads), made)
        return html


class Renderer:
    """Renders plans through one Jinja environment; records each page's dependencies."""

    def __init__(self, view: View, env=None):
        project = view.project
        self.view = view
        self.root = project.root
        self.env = env or make_environment(project.root, project.theme, project.site.language)
        self.shared = {"site": project.site, "units": project.units, "urls": urls,
                       "nav": navigation(project, self.env.globals["t"]), "source": _source(project, view.history)}
        self.fragments = Fragments(view)          # (not in the templates' context: a sandboxed theme reads that)

    def render(self, plan: PagePlan) -> Rendered:
        fragments = FRAGMENTS.set(self.fragments)
        try:
            with self.view.reading() as reads:
                context = build_context(self.view, plan)
                html = self.env.get_template(plan.template).render(
                    self.shared, **context, page_url=plan.url, draft=plan.draft, href=linker(plan.url),
                    section=section_of(plan.url), template_class=plan.template.removesuffix(".html") + "-page")
        except Exception as error:        # a theme's template may fail any way at all: say where, never a traceback
            raise TemplateProblem.from_error(error, plan.url, self.root) from None
        finally:
            FRAGMENTS.reset(fragments)
        return Rendered(plan, html.encode("utf-8"), frozenset(reads))


_WORKER: dict = {}        # what a forked worker inherits: the renderer (its view, its compiled templates),
                          # the plans and the writer


@contextmanager
def collector_running():
    """The cycle collector on while pages render here (each page's template context makes a few
    cycles), even inside a build that paused it; what exists already is frozen, not walked."""
    if gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.unfreeze()


def _worker_starts() -> None:
    gc.enable()          # (a build pauses the collector in its main process; the pages here make cycles)


def _render_chunk(indices) -> list[Rendered]:
    renderer, writer = _WORKER["renderer"], _WORKER["writer"]
    pages = [renderer.render(_WORKER["plans"][i]) for i in indices]
    if writer is None:
        return pages
    # the worker writes its pages itself: the bytes never cross to the main process, and a
    # national site's 70,000 files are written on every core, not one after the other there
    return [Rendered(page.plan, None, page.deps, writer.write(page.plan.url, page.data), len(page.data))
            for page in pages]


def render_all(view: View, plans: list[PagePlan], workers: int | None = None, env=None,
               writer=None) -> Iterator[Rendered]:
    """Every plan rendered, on several processes (fork) for a large site. `env`, a Jinja
    environment kept from an earlier pass (its templates compiled), is reused. With `writer`,
    workers write their pages themselves (`Rendered.write` then records them); the caller
    still writes what comes with its bytes. The order of the pages is not the plans': with
    workers, the first page of each template comes first."""
    if workers is None:
        workers = os.cpu_count() or 1
    renderer = Renderer(view, env)
    if workers <= 1 or len(plans) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        with collector_running():
            yield from (renderer.render(plan) for plan in plans)
        return
    # One page of each template here first: the workers then inherit every template compiled
    # (none compiles them again), and so does a preview's environment for its next pass.
    firsts = {}
    for index, plan in enumerate(plans):
        firsts.setdefault(plan.template, index)
    for index in firsts.values():
        yield renderer.render(plans[index])
    done = set(firsts.values())
    rest = [plan for index, plan in enumerate(plans) if index not in done]
    _WORKER.clear()
    _WORKER.update(renderer=renderer, plans=rest, writer=writer)
    # Pages of a template with few pages are often the costly ones (at national scale each of
    # the 85 indicator pages lists 31,000 rows: 150 ms, against 1 ms for a scorecard): they go
    # out first, one at a time, so they spread over the workers. The rest follow in runs of
    # neighbouring pages (the same folders), small enough that no worker is left with a long
    # one while the others wait.
    counts = Counter(plan.template for plan in rest)
    rare = max(1, len(rest) // 200)
    singles = [index for index, plan in enumerate(rest) if counts[plan.template] <= rare]
    common = [index for index, plan in enumerate(rest) if counts[plan.template] > rare]
    size = max(8, len(common) // (workers * 32))
    chunks = [range(index, index + 1) for index in singles]
    chunks += [common[start:start + size] for start in range(0, len(common), size)]
    gc.freeze()         # what the workers inherit is never walked by their collectors (nor copied for it)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_starts) as pool:
            for pages in pool.imap(_render_chunk, chunks):
                yield from pages
    finally:
        gc.unfreeze()
        _WORKER.clear()


def render_pages(project: Project, plans: Iterable[PagePlan], history: History | None = None,
                 view: View | None = None) -> Iterator[tuple[str, str]]:
    """(path, HTML) for each plan, in this process (for `check` and tests)."""
    renderer = Renderer(view or View(project, True, dt.date.today(), history))
    for plan in plans:
        yield plan.url, renderer.render(plan).data.decode("utf-8")


class TemplateProblem(Exception):
    """A template failed: which file and line, and for which page."""

    @classmethod
    def from_error(cls, error: Exception, url: str | None, root: Path) -> "TemplateProblem":
        where = getattr(error, "filename", None), getattr(error, "lineno", None)
        if where[0] is None:   # a runtime error: the innermost template frame says where
            tb = error.__traceback__
            while tb is not None:
                name = tb.tb_frame.f_code.co_filename
                if name.endswith(".html"):
                    where = name, tb.tb_lineno
                tb = tb.tb_next
        filename, line = where
        shown = _shown_path(filename, root) if filename else "a template"
        if isinstance(error, jinja2.TemplateError):
            what = error.message or type(error).__name__
        else:
            what = f"the template raised {type(error).__name__}: {error}"
        return cls(f"{shown}:{line or 1}: {what}" + (f" (while rendering {url})" if url else ""))


def _shown_path(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    for base in (root.resolve(), Path(__file__).resolve().parents[2]):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return filename


def _source(project: Project, history: History | None) -> dict:
    """Provenance for every page: the source commit, whether files were uncommitted, and
    each rubric's version (the commit that last changed its file)."""
    if history is None:
        return {"commit": None, "dirty": False, "rubrics": {}}
    return {"commit": history.head, "dirty": bool(history.dirty),
            "rubrics": {rid: history.last_change.get(r.path) for rid, r in project.rubrics.items()}}


def navigation(project: Project, strings) -> list[dict]:
    """The site's navigation: the three indexes, then the pages that ask to be listed."""
    items = [{"label": strings("nav_assessments"), "url": urls.ASSESSMENTS, "section": "assessments"},
             {"label": strings("nav_rubrics"), "url": urls.RUBRICS, "section": "rubrics"},
             {"label": strings("nav_units"), "url": urls.UNITS, "section": "units"}]
    pages = sorted((p for p in project.pages.values() if p.nav and not p.draft), key=lambda p: (p.order, p.slug))
    items += [{"label": p.title, "url": urls.page(p.slug), "section": p.slug} for p in pages]
    return items


def section_of(url: str) -> str:
    """The navigation section a page belongs to: its first path segment."""
    return url.split("/", 1)[0] if "/" in url else "home"

