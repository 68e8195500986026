"""The site's orchestration: `build` runs the pipeline once — load → score (generator.pipeline),
plan (pages.py), render (render.py), write (writer.py, files.py) — into a staging folder and swaps
it into place at the end, so a failed build never damages the previous site. The preview
(preview.py) keeps the same `Pipeline` running.

With the persistent cache (cache.py) a build parses and scores only files whose content changed,
re-renders only pages whose recorded dependencies changed, and links the others from the previous
site: a warm build is byte-identical to a cold one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import Invalid, SettingError
from ..git.history import History, safe_read_history, source_date
from ..load.project import Project, Sources
from ..load.schema import check_base_url
from ..load.tree import DiskTree, inside_inputs
from ..pipeline import collector_paused, load_project
from ..score.scoring import ScoreMemo
from .cache import CachedPage, SiteCache, keep_load, needs_keeping, restore_load, theme_fingerprint
from .files import make_meanwhile, site_files, write_files
from .meanwhile import Meanwhile, finished, meanwhile
from .pages import PlanError, plan_site
from .render import PARALLEL_FROM, TemplateProblem, render_all, render_pages
from .templates import make_environment
from .view import View
from .writer import WriteError, Writer

Progress = Callable[[int, int], None]   # (done, total)


@dataclass
class BuildReport:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[str] = dataclasses.field(default_factory=list)
    project_warnings: list = dataclasses.field(default_factory=list)   # SourceErrors from loading
    rendered: int = 0                                                   # pages rendered (the rest reused)


@dataclass
class BuildOptions:
    out: Path
    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None
    workers: int | None = None           # processes that render; None: every core for a large site
    cache: bool = True                   # keep and use .scoresite-cache/ in the project


# --- the pipeline -------------------------------------------------------------------------------

class Pipeline:
    """One project folder's way through the stages; `build` runs it once, the preview keeps one."""

    def __init__(self, root: Path, options: BuildOptions, sources: Sources | None = None):
        self.root = Path(root).resolve()
        self.options = options
        self.sources = sources or Sources(DiskTree(self.root))
        self.memo = ScoreMemo()

    def restore(self) -> None:
        """Take the last build's parsed files and scores from the project's cache, so that only
        files whose content changed are parsed and scored again."""
        self.memo = restore_load(self.root, self.sources) or self.memo

    def keep(self) -> None:
        """Save what `restore` takes, for the next build."""
        keep_load(self.root, self.sources, self.memo)

    def keep_meanwhile(self) -> Meanwhile:
        """Start `keep` beside the rest of the build, in a forked copy of this process (pickling
        a national project takes half a second of one core); wait() waits for it. Skipped when
        nothing was read or scored anew."""
        if not needs_keeping(self.root, self.sources, self.memo):
            return finished(None)
        return meanwhile(self.keep)

    def load(self) -> Project:
        """Load and score (stages 1 and 2); every problem at once, or ProjectError."""
        project = load_project(sources=self.sources, memo=self.memo)
        if self.options.base_url is not None:
            try:
                address = check_base_url(self.options.base_url.strip())
            except Invalid as error:
                raise SettingError(f"--base-url: {error.message}", error.hint) from None
            project.site = dataclasses.replace(project.site, base_url=address)
        return project

    def plan(self, view: View) -> list:
        """Plan every page (stage 3): small values, each naming its template and builder."""
        return plan_site(view)

    def view(self, project: Project, history: History | None, carry: dict | None = None,
             canon: dict | None = None) -> View:
        """What the pages may read; `carry`, a previous view's fingerprints, is reused where the
        objects they digest are the very same; `canon` keeps one object per dependency."""
        today = self.options.today or source_date(history) or dt.date.today()
        return View(project, self.options.drafts, today, history, carry, canon)


def site_history(project: Project, options: BuildOptions) -> History | None:
    """Git history for the score files this build publishes (drafts' only with --drafts)."""
    shown = [a for a in project.assessments.values() if options.drafts or not a.is_draft]
    return safe_read_history(project.root, {s.path for a in shown for s in a.sheets.values()}, project)


def provenance(history: History | None) -> dict:
    """What the manifest records about the source: the commit and its date, or that there is none."""
    if history is None:
        return {"source_commit": None, "source_date": None, "uncommitted_changes": None}
    return {"source_commit": history.head.sha, "source_date": history.head.committed.isoformat(),
            "uncommitted_changes": bool(history.dirty)}


# --- render -----------------------------------------------------------------------------------


# --- build -------------------------------------------------------------------------------------

def build(root: Path, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Load the project and build its site into options.out."""
    # One pass over data that lives until the end: the cycle collector would walk a national
    # project's millions of objects again and again (6.8 s of pauses in a 10× build, 2.3 s of them
    # before rendering starts), and they form no cycles. It runs in the render workers, where
    # every page's template context makes some.
    with collector_paused():
        return _build(root, options, progress)


def _build(root: Path, options: BuildOptions, progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    refuse_output_inside_inputs(Path(root), options.out)
    pipeline = Pipeline(root, options)
    if options.cache:
        pipeline.restore()
    project = pipeline.load()
    history = site_history(project, options)
    view = pipeline.view(project, history)
    plans = pipeline.plan(view)
    cache = SiteCache(pipeline.root, Path(options.out).resolve()) if options.cache else None
    fresh = theme_fingerprint(project)
    reused, todo = cache.split(view, plans, fresh) if cache else ({}, plans)
    files = site_files(project, view, plans)
    writer = Writer(options.out)
    total = len(plans) + len(files)
    done = 0
    kept = pipeline.keep_meanwhile() if options.cache else finished(None)      # waited for below, always
    made = make_meanwhile(writer, files, cache) if len(todo) >= PARALLEL_FROM else finished({})   # so is this
    try:
        pages = {}
        for url, entry in reused.items():
            writer.link(url, cache.out / url, entry.sha256)
            pages[url] = entry
            done += 1
        env = make_environment(project.root, project.theme, project.site.language, cache=options.cache)
        for page in render_all(view, todo, options.workers, env=env, writer=writer):
            sha = page.write(writer)
            pages[page.plan.url] = CachedPage(page.plan, view.fingerprints(page.deps), sha)
            done += 1
            if progress:
                progress(done, total)
        file_entries = write_files(writer, files, view, cache, project.tree, made.wait())
        writer.commit(provenance(history))
    except BaseException:
        try:
            made.stop()
        finally:
            writer.abort()
        raise
    finally:
        kept.wait()
    if cache:
        cache.save(fresh, pages, file_entries)
    warnings = []
    if history and history.shallow:
        warnings.append("this is a shallow git clone: revision histories and rubric versions miss the early "
                        "commits, so this build differs from one made in a full clone (git fetch --unshallow)")
    html_pages = sum(p.url.endswith(".html") for p in plans)     # print stylesheets are planned too
    return BuildReport(writer.out, html_pages, len(writer.written), time.perf_counter() - started, warnings,
                       project.warnings, rendered=len(todo))


# --- the persistent cache ----------------------------------------------------------------------


# --- the other files ----------------------------------------------------------------------------

def refuse_output_inside_inputs(root: Path, out: Path) -> None:
    """The site must not be written into what it is built from, nor around it."""
    root, out = Path(root).resolve(), Path(out).resolve()
    folder = inside_inputs(root, out)
    if folder:
        raise WriteError(f"refusing to build into {out}: it is inside {folder}/, which scoresite reads; "
                         "choose an output folder outside content/, rubrics/ and themes/ (the default is site/)")
    if root.is_relative_to(out):
        raise WriteError(f"refusing to build into {out}: the project itself is inside it")


def check_site(project: Project) -> list[str]:
    """What a build would fail on after loading, found without writing anything: a project
    theme's template that does not compile, or that fails while rendering any page."""
    env = make_environment(project.root, project.theme, project.site.language)
    problems = []
    for name in sorted(project.theme.templates if project.theme else ()):
        try:
            env.get_template(name)
        except Exception as error:
            problems.append(str(TemplateProblem.from_error(error, None, project.root)))
    try:
        view = View(project, True, dt.date.today())
        plan_site(view)                           # a plan's problems (PlanError) without rendering
        if not problems and project.theme and (project.theme.templates or project.theme.strings):
            # a theme of its own is rendered in full, with the git history a build would read
            history = site_history(project, BuildOptions(project.root / "site", drafts=True))
            view = View(project, True, dt.date.today(), history)
            for _ in render_pages(project, plan_site(view), history, view):
                pass
    except (TemplateProblem, PlanError) as error:
        problems.append(str(error))
    return problems


# --- the preview ----------------------------------------------------------------------------------


