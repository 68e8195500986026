"""Building the site: load → plan → render → write. Nothing is written until the whole
project has loaded, been checked and been planned; the writer swaps the finished
build into place at the end, so a failed build never damages the previous site."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import jinja2

from . import urls
from ..data.export import export_csv, export_json
from ..git.history import History, safe_read_history, source_date, uncommitted
from ..load.tree import TreeError, rev_parse
from .pages import PlanError, Planned, Visible, plan_site, standing_keys
from ..load.project import EVIDENCE_DIR, Project, Sources, load_project
from ..load.schema import check_base_url
from ..load.tree import DiskTree, inside_inputs
from ..errors import Invalid, SettingError
from .render import linker, make_environment, static_files
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


@dataclass
class BuildOptions:
    out: Path
    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None


def build(root: Path, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Load the project and build its site into options.out."""
    started = time.perf_counter()
    refuse_output_inside_inputs(Path(root), options.out)
    project = _load(root, options)
    history = site_history(project, options)
    options = dataclasses.replace(options, today=options.today or source_date(history) or dt.date.today())
    planned = plan_site(project, options.drafts, options.today, history)
    files = site_files(project, planned, options)
    writer = Writer(options.out)
    try:
        _write(writer, render_pages(project, planned, history), files, progress, len(planned) + len(files),
               project.tree)
        writer.commit(provenance(history))
    except BaseException:
        writer.abort()
        raise
    warnings = []
    if history and history.shallow:
        warnings.append("this is a shallow git clone: revision histories and rubric versions miss the early "
                        "commits, so this build differs from one made in a full clone (git fetch --unshallow)")
    pages = sum(p.url.endswith(".html") for p in planned)     # print stylesheets are planned too
    return BuildReport(writer.out, pages, len(writer.written), time.perf_counter() - started, warnings,
                       project.warnings)


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
        planned = plan_site(project, drafts=True, today=dt.date.today())
        if not problems and project.theme and (project.theme.templates or project.theme.strings):
            # a theme of its own is rendered in full, with the git history a build would read
            history = site_history(project, BuildOptions(project.root / "site", drafts=True))
            for _ in render_pages(project, plan_site(project, True, dt.date.today(), history), history):
                pass
    except (TemplateProblem, PlanError) as error:
        problems.append(str(error))
    return problems


def site_history(project: Project, options: BuildOptions) -> History | None:
    """Git history for the score files this build publishes (drafts' only with --drafts)."""
    view = Visible(project, options.drafts, dt.date.today())
    return safe_read_history(project.root, {s.path for a in view.assessments for s in a.sheets.values()})


def provenance(history: History | None) -> dict:
    """What the manifest records about the source: the commit and its date, or that there is none."""
    if history is None:
        return {"source_commit": None, "source_date": None, "uncommitted_changes": None}
    return {"source_commit": history.head.sha, "source_date": history.head.committed.isoformat(),
            "uncommitted_changes": bool(history.dirty)}


def _load(root: Path, options: BuildOptions, sources: Sources | None = None) -> Project:
    project = load_project(root, sources)
    if options.base_url is not None:
        try:
            address = check_base_url(options.base_url.strip())
        except Invalid as error:
            raise SettingError(f"--base-url: {error.message}", error.hint) from None
        project.site = dataclasses.replace(project.site, base_url=address)
    return project


def _write(writer: Writer, pages: Iterable[tuple[str, str]], files: Iterable[SiteFile],
           progress: Progress | None, total: int, tree) -> None:
    for done, (url, body) in enumerate(pages, start=1):
        writer.write(url, body)
        if progress:
            progress(done, total)
    for file in files:
        if isinstance(file.source, Path):
            writer.copy(file.url, file.source)
        elif file.source:
            writer.write(file.url, tree.read(file.source))      # nothing outside the input folders is read
        else:
            writer.write(file.url, file.make())


@dataclass
class PassReport:
    """What one incremental pass did."""

    rendered: list[str]
    removed: list[str]
    files: int
    seconds: float


class Incremental:
    """Builds into a folder of its own, then re-renders only what an edit affects.

    Each planned page lists the source files it depends on (pages.Planned.deps);
    a pass re-renders the pages whose dependencies changed, pages that are new, and
    — when an entity's rank or total moved — the pages that show ranks. A change
    under themes/ re-renders everything. Each file is parsed once and kept while
    it is unchanged (project.Sources)."""

    def __init__(self, root: Path, options: BuildOptions):
        self.root = Path(root).resolve()
        self.options = options
        self.sources = Sources(DiskTree(self.root))
        self.writer = Writer(options.out, in_place=True)
        self.pages: dict[str, frozenset] = {}     # url → deps, as of the last good pass
        self.standing: dict[str, tuple] = {}      # pages.standing_keys of the last good pass
        self.stamps: dict[str, tuple] = {}
        self.unbuilt: set[str] | None = None      # changes since the last good pass; None: all
        self.history: History | None = None       # read on a full pass; a preview does not re-read git
        self.shown: dict[str, tuple] = {}         # url → Planned.shows() as last rendered
        self._pending_shown: dict[str, tuple] = {}
        self.files: set[str] = set()              # other files written by earlier passes

    def _affected(self, page: Planned, keys: set[str]) -> bool:
        """Does this change touch what the page shows?"""
        touched = (page.deps | self.pages.get(page.url, frozenset())) & keys   # what it read now or before
        if not touched:
            return False
        if page.shows is None or touched - page.refined or page.url not in self.shown:
            return True
        figures = page.shows()
        self._pending_shown[page.url] = figures
        return figures != self.shown[page.url]

    def _new_commit(self) -> bool:
        """Has HEAD moved since history was read? Then the history is read again."""
        if self.history is None:
            return False
        try:
            return rev_parse(self.root, "HEAD") != self.history.head.sha
        except TreeError:
            return True

    def _refresh_dirty(self) -> None:
        """Which files are uncommitted, as a fresh build would say (one `git status`)."""
        if self.history is not None:
            self.history.dirty = uncommitted(self.root)

    def changes(self) -> set[str]:
        """Project files added, changed or removed since the last call."""
        now = snapshot(self.root)
        changed = {path for path in now.keys() | self.stamps.keys() if now.get(path) != self.stamps.get(path)}
        self.stamps = now
        return changed

    def rebuild(self, changed: set[str] | None = None) -> PassReport:
        """One pass; `None` renders everything. Raises ProjectError or TemplateProblem,
        leaving the previous output in place."""
        started = time.perf_counter()
        # a failed pass leaves its changes for the next one: fixing file B must not forget edits to A
        if changed is None or self.unbuilt is None:
            self.unbuilt = None
        else:
            self.unbuilt |= changed
        changed = self.unbuilt
        if changed is None or any(path.startswith(EVIDENCE_DIR + "/") for path in changed):
            self.sources.evidence_version += 1      # evidence is checked when score files are read
        project = _load(self.root, self.options, self.sources)
        if changed is None or self._new_commit():
            self.history, changed = site_history(project, self.options), None
        else:
            self._refresh_dirty()
        today = self.options.today or source_date(self.history) or dt.date.today()   # as build() decides
        planned = plan_site(project, self.options.drafts, today, self.history)
        standing = standing_keys(project, self.history)
        everything = changed is None or not self.pages or any(p.startswith("themes/") for p in changed)
        keys = set(changed or ()) | {key for key in standing.keys() | self.standing.keys()
                                     if standing.get(key) != self.standing.get(key)}
        self._pending_shown = {}
        todo = [p for p in planned if everything or p.url not in self.pages or self._affected(p, keys)]
        rendered = list(render_pages(project, todo, self.history))       # render all before writing any
        for page in todo:
            if page.shows is not None and page.url not in self._pending_shown:
                self._pending_shown[page.url] = page.shows()
        keys |= {f"data:{p.data()['assessment'].id}" for p in todo if p.template == "assessment.html"}
        every_file = site_files(project, planned, dataclasses.replace(self.options, today=today))
        files = [f for f in every_file if everything or f.url not in self.files or not f.key or f.key in keys]
        self.writer.new_pass()
        _write(self.writer, rendered, files, None, 0, project.tree)
        expected = {f.url for f in every_file}
        gone = sorted((set(self.pages) - {p.url for p in planned}) | (self.files - expected))
        for url in gone:
            self.writer.remove(url)
        self.files = expected
        self.pages = {p.url: p.deps for p in planned}
        self.shown.update(self._pending_shown)
        self.standing = standing
        self.unbuilt = set()
        return PassReport([url for url, _ in rendered], gone, len(files), time.perf_counter() - started)


WATCHED = ("content", "rubrics", "themes")


def snapshot(root: Path) -> dict[str, tuple]:
    """Every watched file's (modification time, size), by project-relative path."""
    tree, stamps = DiskTree(root), {}
    for name in (name for top in WATCHED for name in tree.files(top)):
        try:
            stamps[name] = tree.stamp(name)
        except OSError:
            continue           # removed while we looked
    return stamps


def render_pages(project: Project, planned: Iterable[Planned],
                 history: History | None = None) -> Iterator[tuple[str, str]]:
    """(path, HTML) for each planned page; rendering never touches the file system."""
    env = make_environment(project.root, project.theme, project.site.language)
    shared = {"site": project.site, "units": project.units, "urls": urls, "nav": navigation(project, env.globals["t"]),
              "source": _source(project, history)}
    for page in planned:
        try:
            template = env.get_template(page.template)
            html = template.render(shared, **page.data(), page_url=page.url, draft=page.draft, href=linker(page.url),
                                   section=section_of(page.url),
                                   template_class=page.template.removesuffix(".html") + "-page")
        except Exception as error:        # a theme's template may fail any way at all: say where, never a traceback
            raise TemplateProblem.from_error(error, page.url, project.root) from None
        yield page.url, html


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
    project file read through the project's tree), or made by `make()`.
    `key` says when a preview must write it again: a changed source path, or the
    assessment whose data it holds ('' for files cheap enough to write every pass)."""

    url: str
    source: Path | str | None = None
    make: Callable[[], str] | None = None
    key: str = ""


def site_files(project: Project, planned: list[Planned], options: BuildOptions) -> list[SiteFile]:
    """Everything besides the pages: assets, evidence, data downloads, robots.txt, sitemap.xml."""
    files = [SiteFile(url, source=path, key=f"theme:{url}") for url, path in static_files(project.theme).items()]
    view = Visible(project, options.drafts, options.today or dt.date.today())
    evidence = sorted({e.file for a in view.assessments for s in a.sheets.values()
                       for entry in s.entries.values() for e in entry.evidence if e.file})
    files += [SiteFile(urls.evidence(path), source=f"{EVIDENCE_DIR}/{path}", key=f"{EVIDENCE_DIR}/{path}")
              for path in evidence]
    for a in view.assessments:
        files.append(SiteFile(urls.data(a.id, "json"), make=functools.partial(export_json, project, [a]),
                              key=f"data:{a.id}"))
        files.append(SiteFile(urls.data(a.id, "csv"), make=functools.partial(_csv, project, a), key=f"data:{a.id}"))
    files.append(SiteFile(urls.ROBOTS, make=functools.partial(robots, project)))
    if project.site.base_url:
        public = [p for p in planned if not p.draft and p.url != urls.NOT_FOUND and p.url.endswith(".html")]
        files.append(SiteFile(urls.SITEMAP, make=functools.partial(sitemap, project.site.base_url, public)))
    return files


def _csv(project: Project, assessment) -> str:
    return "\ufeff" + export_csv(project, [assessment])


def robots(project: Project) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if project.site.base_url:
        lines.append(f"Sitemap: {project.site.base_url.rstrip('/')}/{urls.SITEMAP}")
    return "\n".join(lines) + "\n"


def sitemap(base_url: str, planned: list[Planned]) -> str:
    from xml.sax.saxutils import escape

    base = base_url.rstrip("/") + "/"
    entries = "".join(f"  <url><loc>{escape(base + urls.pretty(p.url))}</loc></url>\n" for p in planned)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")
