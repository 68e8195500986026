"""Building the site: load → plan → render → write. Nothing is written until the whole
project has loaded, been checked and been planned; the writer swaps the finished
build into place at the end, so a failed build never damages the previous site."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import jinja2

from . import urls
from .export import export_csv, export_json
from .pages import Planned, Visible, plan_site
from .project import EVIDENCE_DIR, Project, load_project
from .render import make_environment, static_files
from .writer import Writer

Progress = Callable[[int, int], None]   # (done, total)


@dataclass
class BuildReport:
    out: Path
    pages: int
    files: int
    seconds: float


@dataclass
class BuildOptions:
    out: Path
    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None


def build(root: Path, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Load the project and build its site into options.out."""
    started = time.perf_counter()
    project = load_project(root)
    if options.base_url is not None:
        project.site = dataclasses.replace(project.site, base_url=options.base_url)
    planned = plan_site(project, options.drafts, options.today)
    files = list(site_files(project, planned, options))
    writer = Writer(options.out)
    try:
        total = len(planned) + len(files)
        for done, (url, body) in enumerate(render_pages(project, planned), start=1):
            writer.write(url, body)
            if progress:
                progress(done, total)
        for url, source in files:
            writer.copy(url, source) if isinstance(source, Path) else writer.write(url, source)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildReport(writer.out, len(planned), len(writer.written), time.perf_counter() - started)


def render_pages(project: Project, planned: Iterable[Planned]) -> Iterator[tuple[str, str]]:
    """(path, HTML) for each planned page; rendering never touches the file system."""
    env = make_environment(project.root, project.site.theme, project.site.language)
    shared = {"site": project.site, "units": project.units, "urls": urls, "nav": navigation(project)}
    for page in planned:
        try:
            template = env.get_template(page.template)
            html = template.render(shared, **page.context, page_url=page.url, draft=page.draft,
                                   section=section_of(page.url),
                                   template_class=page.template.removesuffix(".html") + "-page")
        except jinja2.TemplateError as error:
            raise TemplateProblem.from_error(error, page.url, project.root) from None
        yield page.url, html


class TemplateProblem(Exception):
    """A template failed: which file and line, and for which page."""

    @classmethod
    def from_error(cls, error: jinja2.TemplateError, url: str, root: Path) -> "TemplateProblem":
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
        return cls(f"{shown}:{line or 1}: {error.message or type(error).__name__} (while rendering {url})")


def _shown_path(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    for base in (root.resolve(), Path(__file__).resolve().parent.parent):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return filename


def navigation(project: Project) -> list[dict]:
    strings = make_environment(project.root, project.site.theme, project.site.language).globals["t"]
    items = [{"label": strings("nav_assessments"), "url": urls.ASSESSMENTS, "section": "assessments"},
             {"label": strings("nav_rubrics"), "url": urls.RUBRICS, "section": "rubrics"},
             {"label": strings("nav_units"), "url": urls.UNITS, "section": "units"}]
    pages = sorted((p for p in project.pages.values() if p.nav and not p.draft), key=lambda p: (p.order, p.slug))
    items += [{"label": p.title, "url": urls.page(p.slug), "section": p.slug} for p in pages]
    return items


def section_of(url: str) -> str:
    """The navigation section a page belongs to: its first path segment."""
    return url.split("/", 1)[0] if "/" in url else "home"


def site_files(project: Project, planned: list[Planned], options: BuildOptions) -> Iterator[tuple[str, Path | str]]:
    """Everything besides the pages: assets, evidence, data downloads, robots.txt, sitemap.xml."""
    yield from static_files(project.root, project.site.theme).items()
    view = Visible(project, options.drafts, options.today or dt.date.today())
    evidence = sorted({e.file for a in view.assessments for s in a.sheets.values()
                       for entry in s.entries.values() for e in entry.evidence if e.file})
    for path in evidence:
        yield urls.evidence(path), project.root / EVIDENCE_DIR / path
    for assessment in view.assessments:
        yield urls.data(assessment.id, "json"), export_json(project, [assessment])
        yield urls.data(assessment.id, "csv"), "\ufeff" + export_csv(project, [assessment])
    yield urls.ROBOTS, robots(project)
    if project.site.base_url:
        yield urls.SITEMAP, sitemap(project.site.base_url, [p for p in planned if not p.draft and p.url != urls.NOT_FOUND])


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
