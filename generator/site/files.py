"""The site's files besides its pages: theme assets, evidence, the data downloads of each
assessment, robots.txt and sitemap.xml. Each carries a key that digests what it holds, so a build
links an unchanged file from the last build and the preview writes only files that changed."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import urls
from ..data.export import export_csv, export_json
from ..load.project import EVIDENCE_DIR, Project
from .cache import SiteCache, theme_fingerprint
from .pages import PagePlan
from .templates import static_files
from .view import AssessmentOf, RankingOf, ResultOf, RubricOf, Shared, View, digest
from .meanwhile import Meanwhile, finished, meanwhile
from .writer import Writer


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


def write_files(writer: Writer, files: list[SiteFile], view: View, cache: "SiteCache | None", tree,
                made: dict[str, tuple[str, int]] | None = None) -> dict:
    """Write (or link from the last build) every file besides the pages; their cache entries.
    `made`: url → (SHA-256, size) of the files a forked copy wrote already (make_meanwhile)."""
    entries = {}
    for file in files:
        previous = _previous(file, cache)
        if previous:
            writer.link(file.url, cache.out / file.url, previous[1])
            entries[file.url] = previous
            continue
        if made and file.url in made:
            sha, size = made[file.url]
            writer.record(file.url, sha, size)
        elif isinstance(file.source, Path):
            sha = writer.write(file.url, file.source.read_bytes())
        elif file.source:
            sha = writer.write(file.url, tree.read(file.source))      # nothing outside the input folders is read
        else:
            sha = writer.write(file.url, file.make())
        if file.key:
            entries[file.url] = (file.key, sha)
    return entries


def _previous(file: SiteFile, cache: "SiteCache | None") -> tuple | None:
    """The last build's entry for this file, when it holds the same and is still there to link."""
    previous = cache.files.get(file.url) if cache else None
    return previous if file.key and previous and previous[0] == file.key and cache.has(file.url) else None


def make_meanwhile(writer: Writer, files: list[SiteFile], cache: "SiteCache | None") -> Meanwhile:
    """Make and write the data downloads (a national assessment's JSON and CSV take a fifth of a
    second each) in a forked copy of this process while the pages render. `wait()` gives
    url → (SHA-256, size) of what it wrote; if the copy failed it gives nothing, and write_files
    makes every file here as it always did (a failure shows there)."""
    todo = [file for file in files if file.make is not None and file.key and not _previous(file, cache)]
    if not todo:
        return finished({})

    def make() -> dict[str, tuple[str, int]]:
        made = {}
        for file in todo:
            sha = writer.write(file.url, file.make())
            made[file.url] = (sha, writer.written[file.url])
        return made
    return meanwhile(make, otherwise={})


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

