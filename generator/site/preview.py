"""The pipeline kept running for `scoresite serve`: each pass after a save loads (parsing
only changed files), plans, re-renders the pages whose recorded dependencies changed, and writes
only files whose content changed. The server and its watching live in serve.py."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..git.history import History, uncommitted
from ..load.project import Project, Sources
from ..load.tree import DiskTree, TreeError, rev_parse
from .build import BuildOptions, Pipeline, site_history
from .cache import CachedPage, theme_fingerprint
from .files import SiteFile, site_files, write_files
from .pages import PagePlan
from .render import Renderer, render_all
from .templates import make_environment
from .view import View
from .writer import Writer


@dataclass
class PassReport:
    """What one incremental pass did."""

    rendered: list[str]
    removed: list[str]
    files: int
    seconds: float
    later: int = 0              # pages and files left for finish() (a deferred pass)


WATCHED = ("content", "rubrics", "themes")


class Incremental:
    """The pipeline kept running for the preview: it builds into a folder of its own, then each
    pass re-renders only the pages whose recorded dependencies changed (by fingerprint) and
    writes only the other files whose content changed. Each file is parsed once and kept while
    it is unchanged (project.Sources), each entity's own scores while its file and rubric are
    (ScoreMemo).

    A deferred pass (the server's) renders first the pages the reader has open, so the browser
    can reload at once, and leaves the rest for `finish`, which the server runs in small steps
    between requests; a request for a page still left renders it then (`render_now`). What is
    on disk is always what `pages` and `files` describe, so a pass that starts before the last
    one finished simply finds the pages it left still stale."""

    def __init__(self, root: Path, options: BuildOptions):
        self.pipeline = Pipeline(root, options)
        self.root = self.pipeline.root
        self.options = options
        self.writer = Writer(options.out, in_place=True)
        self.pages: dict[str, CachedPage] = {}    # url → what the page on disk read, with fingerprints
        self.files: dict[str, str] = {}           # url → the key of the file on disk
        self.theme: str | None = None
        self.stamps: dict[str, tuple] = {}
        self.history: History | None = None       # read on the first pass and when HEAD moves
        self.history_read = False
        self.env = None                           # the Jinja environment, kept while the theme is the same
        self.carry: dict = {}                     # the last good pass's fingerprints (View.carry)
        self.canon: dict = {}                     # one object per dependency, for every pass (View.fingerprints)
        self.later: dict[str, PagePlan] = {}      # pages a deferred pass left for finish()
        self.later_files: dict[str, SiteFile] = {}
        self._later: tuple | None = None          # (view, renderer, tree) they are made with

    @property
    def sources(self) -> Sources:
        return self.pipeline.sources

    def changes(self) -> set[str]:
        """Project files added, changed or removed since the last call."""
        now = snapshot(self.root)
        changed = {path for path in now.keys() | self.stamps.keys() if now.get(path) != self.stamps.get(path)}
        self.stamps = now
        return changed

    def rebuild(self, changed: set[str] | None = None, defer: bool = False, first: Iterable[str] = ()) -> PassReport:
        """One pass; `None` renders everything. Raises ProjectError or TemplateProblem, leaving the
        previous output in place (a failed pass changes nothing, so its edits are seen next time).
        With `defer`, only the stale pages among `first` (the pages the reader has open) are
        rendered now; the rest, and the data downloads, wait for finish()."""
        started = time.perf_counter()
        self.later, self.later_files, self._later = {}, {}, None    # still stale on disk: found again below
        project = self.pipeline.load()
        self._update_history(project, changed is None)
        if changed is None:
            self.canon = {}                      # (it only grows between full passes)
        view = self.pipeline.view(project, self.history, self.carry, self.canon)
        plans = self.pipeline.plan(view)
        theme = theme_fingerprint(project)
        everything = changed is None or theme != self.theme
        if everything or self.env is None:
            self.env = make_environment(project.root, project.theme, project.site.language, cache=self.options.cache)
        todo = plans if everything else self._stale(view, plans)
        self.writer.new_pass()
        if everything:
            # the first pass, or a new theme: on every core, each page written as it comes (a
            # failure part way leaves self.theme as it was, so the next pass renders everything again)
            for page in render_all(view, todo, self.options.workers, env=self.env, writer=self.writer):
                self._keep(view, page)
            now, later = todo, []
        else:
            wanted = set(first)
            now = [plan for plan in todo if not defer or plan.url in wanted]
            later = [plan for plan in todo if defer and plan.url not in wanted]
            for page in list(render_all(view, now, workers=1, env=self.env)):    # all rendered before any is written
                self._keep(view, page)
        files = site_files(project, view, plans)
        stale = [file for file in files if everything or not file.key or self.files.get(file.url) != file.key]
        written = 0
        for file in stale:
            if defer and file.make and file.key:            # a data download: after the reload
                self.later_files[file.url] = file
            else:
                self._write_file(file, view, project.tree)
                written += 1
        expected = {plan.url for plan in plans} | {file.url for file in files}
        gone = sorted((set(self.pages) | set(self.files)) - expected)
        for url in gone:
            self.writer.remove(url)
        self.pages = {url: entry for url, entry in self.pages.items() if url in expected}
        self.files = {url: key for url, key in self.files.items() if url in expected}
        self.theme = theme
        self.carry = view.carry
        self.later = {plan.url: plan for plan in later}
        self._later = (view, None, project.tree)
        return PassReport([plan.url for plan in now], gone, written, time.perf_counter() - started,
                          len(self.later) + len(self.later_files))

    def finish(self, budget: float | None = None, files: bool = True) -> bool:
        """Render and write what a deferred pass left, the pages first: everything, or as much
        as fits in `budget` seconds (at least one); the other files only with `files`. True
        when nothing is left."""
        started = time.perf_counter()
        while self.later or (files and self.later_files):
            self.render_now(next(iter(self.later or self.later_files)))
            if budget is not None and time.perf_counter() - started >= budget:
                break
        return not (self.later or self.later_files)

    def render_now(self, url: str) -> bool:
        """Render and write one page or file a deferred pass left (a request for it came in)."""
        if url not in self.later and url not in self.later_files:
            return False
        view, renderer, tree = self._later
        if url in self.later:
            if renderer is None:
                renderer = Renderer(view, self.env)
                self._later = (view, renderer, tree)
            plan = self.later[url]
            self._keep(view, renderer.render(plan))
            del self.later[url]
        else:
            self._write_file(self.later_files.pop(url), view, tree)
        return True

    def _keep(self, view: View, page) -> None:
        """Write one rendered page and remember what it read (not its bytes)."""
        page.write(self.writer)
        self.pages[page.plan.url] = CachedPage(page.plan, view.fingerprints(page.deps), "")

    def _write_file(self, file: SiteFile, view: View, tree) -> None:
        write_files(self.writer, [file], view, None, tree)
        self.files[file.url] = file.key

    def _stale(self, view: View, plans: list[PagePlan]) -> list[PagePlan]:
        """The plans whose page on disk read something that changed since (by fingerprint; the
        view computes each dependency's once, however many pages read it)."""
        todo, pages, fingerprint = [], self.pages, view.fingerprint
        for plan in plans:
            entry = pages.get(plan.url)
            if entry is None or entry.plan != plan:
                todo.append(plan)
                continue
            for dep, before in entry.fingerprints.items():
                if fingerprint(dep) != before:
                    todo.append(plan)
                    break
        return todo

    def _update_history(self, project: Project, first: bool) -> None:
        """Git is read on the first pass and when HEAD moves; otherwise only `git status`."""
        moved = False
        if self.history is not None:
            try:
                moved = rev_parse(self.root, "HEAD") != self.history.head.sha
            except TreeError:
                moved = True
        if first or moved or not self.history_read:
            self.history = site_history(project, self.options)
            self.history_read = True
        elif self.history is not None:
            self.history.dirty = uncommitted(self.root)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every watched file's (modification time, size), by project-relative path."""
    tree, stamps = DiskTree(root), {}
    for name in (name for top in WATCHED for name in tree.files(top)):
        try:
            stamps[name] = tree.stamp(name)
        except OSError:
            continue           # removed while we looked
    return stamps

