"""The pipeline kept running for `scoresite serve`: each pass after a save loads (parsing
only changed files), plans, re-renders the pages whose recorded dependencies changed, and writes
only files whose content changed. The server and its watching live in serve.py."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..git.history import History, uncommitted
from ..load.project import Project, Sources
from ..load.tree import DiskTree, TreeError, rev_parse
from .build import BuildOptions, Pipeline, site_history
from .cache import CachedPage, theme_fingerprint
from .files import SiteFile, site_files, write_files
from .pages import PagePlan
from .render import render_all
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


WATCHED = ("content", "rubrics", "themes")


class Incremental:
    """The pipeline kept running for the preview: it builds into a folder of its own, then each
    pass re-renders only the pages whose recorded dependencies changed (by fingerprint) and
    writes only the other files whose content changed. Each file is parsed once and kept while
    it is unchanged (project.Sources), each entity's own scores while its file and rubric are
    (ScoreMemo)."""

    def __init__(self, root: Path, options: BuildOptions):
        self.pipeline = Pipeline(root, options)
        self.root = self.pipeline.root
        self.options = options
        self.writer = Writer(options.out, in_place=True)
        self.pages: dict[str, CachedPage] = {}    # url → what it read, as of the last good pass
        self.files: dict[str, str] = {}           # url → the key of what the last good pass wrote
        self.theme: str | None = None
        self.stamps: dict[str, tuple] = {}
        self.history: History | None = None       # read on the first pass and when HEAD moves
        self.history_read = False
        self.env = None                           # the Jinja environment, kept while the theme is the same
        self.pending: list[SiteFile] = []         # data downloads a deferred pass has yet to write
        self._pending_view: View | None = None

    @property
    def sources(self) -> Sources:
        return self.pipeline.sources

    def finish(self) -> int:
        """Write the data downloads a pass left for later; how many."""
        pending, self.pending = self.pending, []
        for file in pending:
            write_files(self.writer, [file], self._pending_view, None, None)
        return len(pending)

    def changes(self) -> set[str]:
        """Project files added, changed or removed since the last call."""
        now = snapshot(self.root)
        changed = {path for path in now.keys() | self.stamps.keys() if now.get(path) != self.stamps.get(path)}
        self.stamps = now
        return changed

    def rebuild(self, changed: set[str] | None = None, defer: bool = False) -> PassReport:
        """One pass; `None` renders everything. Raises ProjectError or TemplateProblem, leaving the
        previous output in place (a failed pass changes nothing, so its edits are seen next time).
        With `defer`, the data downloads wait for finish(): the preview reloads the page first."""
        started = time.perf_counter()
        self.finish()                               # what the last pass left for later comes first
        project = self.pipeline.load()
        self._update_history(project, changed is None)
        view = self.pipeline.view(project, self.history)
        plans = self.pipeline.plan(view)
        theme = theme_fingerprint(project)
        everything = changed is None or theme != self.theme
        if everything or self.env is None:
            self.env = make_environment(project.root, project.theme, project.site.language)
        todo = [plan for plan in plans if everything or self._stale(view, plan)]
        self.writer.new_pass()
        if everything:
            # the first pass, or a new theme: on every core, each page written as it comes (a
            # failure part way leaves self.pages and self.theme as they were, so the next pass
            # renders everything again)
            rendered = [self._written(page) for page in render_all(view, todo, self.options.workers, env=self.env)]
        else:
            # a few pages: render all before writing any, so a failed pass writes nothing
            rendered = [self._written(page) for page in list(render_all(view, todo, workers=1, env=self.env))]
        files = site_files(project, view, plans)
        stale = [file for file in files if everything or not file.key or self.files.get(file.url) != file.key]
        self.pending = [file for file in stale if file.make and file.key]      # data downloads: see finish()
        written = 0
        for file in stale:
            if file not in self.pending:
                write_files(self.writer, [file], view, None, project.tree)
                written += 1
        self._pending_view = view
        if not defer:
            written += self.finish()
        expected = {plan.url for plan in plans} | {file.url for file in files}
        gone = sorted((set(self.pages) | set(self.files)) - expected)
        for url in gone:
            self.writer.remove(url)
        self.pages = {url: entry for url, entry in self.pages.items() if url in expected}
        self.pages.update({plan.url: CachedPage(plan, {d: view.fingerprint(d) for d in deps}, "")
                           for plan, deps in rendered})
        self.files = {file.url: file.key for file in files}
        self.theme = theme
        return PassReport([plan.url for plan, _ in rendered], gone, written, time.perf_counter() - started)

    def _written(self, page) -> tuple:
        """Write one rendered page; keep only its plan and what it read (not its bytes)."""
        self.writer.write(page.plan.url, page.data)
        return page.plan, page.deps

    def _stale(self, view: View, plan: PagePlan) -> bool:
        entry = self.pages.get(plan.url)
        return entry is None or entry.plan != plan or any(view.fingerprint(dep) != fp
                                                          for dep, fp in entry.fingerprints.items())

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

