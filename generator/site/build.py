"""The site stages of the pipeline — plan → render → write — after load → score.

`build` runs them once into a staging folder and swaps it into place at the end, so a
failed build never damages the previous site. `Incremental` keeps them running for the
preview. Both go the same way: load and score the project (parsing only the files that
changed), plan every page (plans are small values), then render only the pages whose
recorded dependencies changed — compared by fingerprints of what they show — and write
only files whose bytes changed.

A build keeps what it rendered in `.scoresite-cache/` inside the project (git-ignored):
each page's dependencies with their fingerprints and the digest of its bytes. The next
build re-renders only the pages whose fingerprints moved and links the others from the
previous site, so a warm build is byte-identical to a cold one. Rendering runs on every
core for a large site: a plan is data, and each worker builds its pages' data itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import multiprocessing
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import jinja2

from . import urls
from ..data.export import export_csv, export_json
from ..errors import Invalid, SettingError
from ..git.history import History, safe_read_history, source_date, uncommitted
from ..load.project import EVIDENCE_DIR, Project, Sources
from ..load.schema import check_base_url
from ..load.tree import DiskTree, TreeError, inside_inputs, rev_parse
from ..pipeline import load_project
from ..score.scoring import ScoreMemo
from .pages import PagePlan, PlanError, build_context, plan_site
from .render import PACKAGE, linker, make_environment, static_files
from .view import AssessmentOf, RankingOf, ResultOf, RubricOf, Shared, View, digest
from .writer import WriteError, Writer

Progress = Callable[[int, int], None]   # (done, total)
CACHE_DIR = ".scoresite-cache"
CACHE_FILE = "site-v1.pickle"
LOAD_CACHE = "load-v1.pickle"
PARALLEL_FROM = 300                     # pages; below this a second process costs more than it saves


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


@dataclass(frozen=True)
class Rendered:
    """One page as rendered: its bytes and what it read."""

    plan: PagePlan
    data: bytes
    deps: frozenset


# --- the pipeline -------------------------------------------------------------------------------

class Pipeline:
    """One project folder's way through the stages; `build` runs it once, the preview keeps one."""

    def __init__(self, root: Path, options: BuildOptions, sources: Sources | None = None):
        self.root = Path(root).resolve()
        self.options = options
        self.sources = sources or Sources(DiskTree(self.root))
        self.memo = ScoreMemo()

    def restore(self) -> None:
        """Take the last build's parsed rubrics, sheets and scores from the project's cache, so
        that only files whose content changed are parsed and scored again."""
        try:
            with open(self.root / CACHE_DIR / LOAD_CACHE, "rb") as stream:
                saved = pickle.load(stream)
            if saved.get("code") == _package_fingerprint():
                self.sources.memo.update(saved["memo"])
                self.memo = saved["scores"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
                ValueError, RecursionError):
            pass                                     # a cold start

    def keep(self) -> None:
        """Save what `restore` takes, for the next build (when anything was read or scored anew)."""
        folder = self.root / CACHE_DIR
        if (folder / LOAD_CACHE).is_file() and not (self.sources.changed or self.memo.changed):
            return
        folder.mkdir(exist_ok=True)
        (folder / ".gitignore").write_text("*\n")
        temporary = folder / f"{LOAD_CACHE}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as stream:
                pickle.dump({"code": _package_fingerprint(), "memo": self.sources.persistent(), "scores": self.memo},
                            stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / LOAD_CACHE)
        except (OSError, pickle.PicklingError, RecursionError):
            temporary.unlink(missing_ok=True)        # a cache is a convenience: never a failed build

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

    def view(self, project: Project, history: History | None) -> View:
        today = self.options.today or source_date(history) or dt.date.today()
        return View(project, self.options.drafts, today, history)


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

class Renderer:
    """Renders plans through one Jinja environment; records each page's dependencies."""

    def __init__(self, view: View, env=None):
        project = view.project
        self.view = view
        self.root = project.root
        self.env = env or make_environment(project.root, project.theme, project.site.language)
        self.shared = {"site": project.site, "units": project.units, "urls": urls,
                       "nav": navigation(project, self.env.globals["t"]), "source": _source(project, view.history)}

    def render(self, plan: PagePlan) -> Rendered:
        try:
            with self.view.reading() as reads:
                context = build_context(self.view, plan)
                html = self.env.get_template(plan.template).render(
                    self.shared, **context, page_url=plan.url, draft=plan.draft, href=linker(plan.url),
                    section=section_of(plan.url), template_class=plan.template.removesuffix(".html") + "-page")
        except Exception as error:        # a theme's template may fail any way at all: say where, never a traceback
            raise TemplateProblem.from_error(error, plan.url, self.root) from None
        return Rendered(plan, html.encode("utf-8"), frozenset(reads))


_WORKER: dict = {}        # what a forked worker inherits: the view and its plans


def _render_chunk(indices: range) -> list[Rendered]:
    renderer = _WORKER.get("renderer") or _WORKER.setdefault("renderer", Renderer(_WORKER["view"]))
    return [renderer.render(_WORKER["plans"][i]) for i in indices]


def render_all(view: View, plans: list[PagePlan], workers: int | None = None, env=None) -> Iterator[Rendered]:
    """Every plan rendered, in order; on several processes (fork) for a large site. `env`, a
    Jinja environment kept from an earlier pass (its templates compiled), is reused."""
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 1 or len(plans) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        renderer = Renderer(view, env)
        yield from (renderer.render(plan) for plan in plans)
        return
    _WORKER.clear()
    _WORKER.update(view=view, plans=plans)
    size = max(8, len(plans) // (workers * 8))
    chunks = [range(start, min(start + size, len(plans))) for start in range(0, len(plans), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for pages in pool.imap(_render_chunk, chunks):
                yield from pages
    finally:
        _WORKER.clear()


def render_pages(project: Project, plans: Iterable[PagePlan], history: History | None = None,
                 view: View | None = None) -> Iterator[tuple[str, str]]:
    """(path, HTML) for each plan, in this process (for `check` and tests)."""
    renderer = Renderer(view or View(project, True, dt.date.today(), history))
    for plan in plans:
        yield plan.url, renderer.render(plan).data.decode("utf-8")


# --- build -------------------------------------------------------------------------------------

def build(root: Path, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Load the project and build its site into options.out."""
    started = time.perf_counter()
    refuse_output_inside_inputs(Path(root), options.out)
    pipeline = Pipeline(root, options)
    if options.cache:
        pipeline.restore()
    project = pipeline.load()
    history = site_history(project, options)
    view = pipeline.view(project, history)
    plans = plan_site(view)
    cache = SiteCache(pipeline.root, Path(options.out).resolve()) if options.cache else None
    fresh = theme_fingerprint(project)
    reused, todo = cache.split(view, plans, fresh) if cache else ({}, plans)
    files = site_files(project, view, plans)
    writer = Writer(options.out)
    total = len(plans) + len(files)
    done = 0
    try:
        pages = {}
        for url, entry in reused.items():
            writer.link(url, cache.out / url, entry.sha256)
            pages[url] = entry
            done += 1
        for page in render_all(view, todo, options.workers):
            sha = writer.write(page.plan.url, page.data)
            pages[page.plan.url] = CachedPage(page.plan, {dep: view.fingerprint(dep) for dep in page.deps}, sha)
            done += 1
            if progress:
                progress(done, total)
        file_entries = write_files(writer, files, view, cache, project.tree)
        writer.commit(provenance(history))
    except BaseException:
        writer.abort()
        raise
    if cache:
        cache.save(fresh, pages, file_entries)
        pipeline.keep()
    warnings = []
    if history and history.shallow:
        warnings.append("this is a shallow git clone: revision histories and rubric versions miss the early "
                        "commits, so this build differs from one made in a full clone (git fetch --unshallow)")
    html_pages = sum(p.url.endswith(".html") for p in plans)     # print stylesheets are planned too
    return BuildReport(writer.out, html_pages, len(writer.written), time.perf_counter() - started, warnings,
                       project.warnings, rendered=len(todo))


# --- the persistent cache ----------------------------------------------------------------------

@dataclass
class CachedPage:
    plan: PagePlan
    fingerprints: dict          # dependency → fingerprint, when it was rendered
    sha256: str


class SiteCache:
    """What the last build into one folder rendered, kept in the project's .scoresite-cache/."""

    def __init__(self, root: Path, out: Path):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.out = out
        self.pages: dict[str, CachedPage] = {}
        self.files: dict[str, tuple] = {}
        self.theme = None
        try:
            with open(self.path, "rb") as stream:
                saved = pickle.load(stream)
            if saved.get("out") == str(out) and (out / ".scoresite").is_file():
                self.theme, self.pages, self.files = saved["theme"], saved["pages"], saved["files"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
                ValueError):
            pass                                     # no cache, or one from another version: a cold build

    def split(self, view: View, plans: list[PagePlan], theme: str) -> tuple[dict, list[PagePlan]]:
        """(pages to link from the previous build, plans to render)."""
        reuse, todo = {}, []
        for plan in plans:
            entry = self.pages.get(plan.url)
            if (entry is not None and theme == self.theme and entry.plan == plan
                    and all(view.fingerprint(dep) == fp for dep, fp in entry.fingerprints.items())
                    and (self.out / plan.url).is_file()):
                reuse[plan.url] = entry
            else:
                todo.append(plan)
        return reuse, todo

    def save(self, theme: str, pages: dict, files: dict) -> None:
        self.path.parent.mkdir(exist_ok=True)
        (self.path.parent / ".gitignore").write_text("*\n")
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as stream:
            pickle.dump({"out": str(self.out), "theme": theme, "pages": pages, "files": files}, stream,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)


def theme_fingerprint(project: Project) -> str:
    """What every page's bytes depend on besides its data: scoresite's own code and theme,
    the project's theme, the language."""
    theme = project.theme
    return digest(_package_fingerprint(), project.site.language,
                  sorted(theme.templates.items()) if theme else None, sorted(theme.strings.items()) if theme else None)


@functools.lru_cache(maxsize=1)
def _package_fingerprint() -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".yaml", ".svg"):
            hasher.update(path.relative_to(PACKAGE).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


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
        plans = plan_site(view)
        if not problems and project.theme and (project.theme.templates or project.theme.strings):
            # a theme of its own is rendered in full, with the git history a build would read
            history = site_history(project, BuildOptions(project.root / "site", drafts=True))
            view = View(project, True, dt.date.today(), history)
            for _ in render_pages(project, plan_site(view), history, view):
                pass
    except (TemplateProblem, PlanError) as error:
        problems.append(str(error))
    return problems


def _source(project: Project, history: History | None) -> dict:
    """Provenance for every page: the source commit, whether files were uncommitted, and
    each rubric's version (the commit that last changed its file)."""
    if history is None:
        return {"commit": None, "dirty": False, "rubrics": {}}
    return {"commit": history.head, "dirty": bool(history.dirty),
            "rubrics": {rid: history.last_change.get(r.path) for rid, r in project.rubrics.items()}}


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


@dataclass(frozen=True)
class SiteFile:
    """A file of the site besides the pages: copied from `source` (a file of scoresite's own, or a
    project file read through the project's tree), or made by `make()`. `key` digests what it
    holds: when it is the key the last build wrote, the file is linked from there."""

    url: str
    source: Path | str | None = None
    make: Callable[[], str] | None = None
    key: str = ""


def site_files(project: Project, view: View, plans: list[PagePlan]) -> list[SiteFile]:
    """Everything besides the pages: assets, evidence, data downloads, robots.txt, sitemap.xml."""
    files = [SiteFile(url, source=path, key=_file_key(project, path)) for url, path in static_files(project.theme).items()]
    evidence = sorted({(e.file, e.sha256) for a in view.shown for s in a.sheets.values()
                       for entry in s.entries.values() for e in entry.evidence if e.file})
    files += [SiteFile(urls.evidence(path), source=f"{EVIDENCE_DIR}/{path}", key=sha) for path, sha in evidence]
    strings = theme_fingerprint(project)
    for a in view.shown:
        data = digest(strings, view.fingerprint(AssessmentOf(a.id)), view.fingerprint(RankingOf(a.id)),
                      view.fingerprint(RubricOf(a.rubric)), view.fingerprint(Shared()),
                      [view.fingerprint(ResultOf(a.id, r.entity)) for r in project.results[a.id]])
        files.append(SiteFile(urls.data(a.id, "json"), make=functools.partial(export_json, project, [a]), key=data))
        files.append(SiteFile(urls.data(a.id, "csv"), make=functools.partial(_csv, project, a), key=data))
    files.append(SiteFile(urls.ROBOTS, make=functools.partial(robots, project)))
    if project.site.base_url:
        public = [p for p in plans if not p.draft and p.url != urls.NOT_FOUND and p.url.endswith(".html")]
        files.append(SiteFile(urls.SITEMAP, make=functools.partial(sitemap, project.site.base_url, public)))
    return files


def _file_key(project: Project, source) -> str:
    data = source.read_bytes() if isinstance(source, Path) else project.tree.read(source)
    return hashlib.sha256(data).hexdigest()


def write_files(writer: Writer, files: list[SiteFile], view: View, cache: "SiteCache | None", tree) -> dict:
    """Write (or link from the last build) every file besides the pages; their cache entries."""
    entries = {}
    for file in files:
        previous = cache.files.get(file.url) if cache else None
        if file.key and previous and previous[0] == file.key and (cache.out / file.url).is_file():
            writer.link(file.url, cache.out / file.url, previous[1])
            entries[file.url] = previous
            continue
        if isinstance(file.source, Path):
            sha = writer.write(file.url, file.source.read_bytes())
        elif file.source:
            sha = writer.write(file.url, tree.read(file.source))      # nothing outside the input folders is read
        else:
            sha = writer.write(file.url, file.make())
        if file.key:
            entries[file.url] = (file.key, sha)
    return entries


def _csv(project: Project, assessment) -> str:
    return "\ufeff" + export_csv(project, [assessment])


def robots(project: Project) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if project.site.base_url:
        lines.append(f"Sitemap: {project.site.base_url.rstrip('/')}/{urls.SITEMAP}")
    return "\n".join(lines) + "\n"


def sitemap(base_url: str, planned: list[PagePlan]) -> str:
    from xml.sax.saxutils import escape

    base = base_url.rstrip("/") + "/"
    entries = "".join(f"  <url><loc>{escape(base + urls.pretty(p.url))}</loc></url>\n" for p in planned)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


# --- the preview ----------------------------------------------------------------------------------

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
        plans = plan_site(view)
        theme = theme_fingerprint(project)
        everything = changed is None or theme != self.theme
        if everything or self.env is None:
            self.env = make_environment(project.root, project.theme, project.site.language)
        todo = [plan for plan in plans if everything or self._stale(view, plan)]
        rendered = list(render_all(view, todo, workers=1, env=self.env))     # render all before writing any
        files = site_files(project, view, plans)
        self.writer.new_pass()
        for page in rendered:
            self.writer.write(page.plan.url, page.data)
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
        self.pages.update({page.plan.url: CachedPage(page.plan, {d: view.fingerprint(d) for d in page.deps}, "")
                           for page in rendered})
        self.files = {file.url: file.key for file in files}
        self.theme = theme
        return PassReport([page.plan.url for page in rendered], gone, written, time.perf_counter() - started)

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
