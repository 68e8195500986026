"""Loading a project: walks content/ and rubrics/, builds the model, cross-checks every
reference, and reports every problem at once. Nothing is written here."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import Invalid, Mark, Problems, suggest
from ..model import Assessment, EntityResult, Notice, Page, Rubric, Site, Unit, UNIT_KINDS
from .rubrics import read_rubric
from .schema import (ID_RE, Field, boolean, date, ident, integer, list_of, one_of, raw, read_map,
                     text, url)
from ..score.scoring import rank, score_sheet
from .sheets import read_sheet
from .tree import DiskTree
from .yamlio import Seq, decode, describe, load_bytes, load_text, mark_of

SITE_FIELDS = {
    "title": Field(text, required=True, doc="the site's name, shown on every page"),
    "language": Field(one_of("zh-CN", "en"), default="zh-CN"),
    "base_url": Field(url, default=""),
    "theme": Field(ident, default="default"),
    "description": Field(text, default=""),
    "sample_data": Field(boolean, default=False),
    "footer": Field(text, default=""),
    # government portal conventions (国办发〔2017〕47号): shown as text in every page's footer
    "sponsor": Field(text, default="", doc="主办单位"),
    "organizer": Field(text, default="", doc="承办单位"),
    "site_code": Field(text, default="", doc="网站标识码"),
    "icp": Field(text, default="", doc="ICP备案号"),
    "police_record": Field(text, default="", doc="公安机关备案号"),
}
UNIT_FIELDS = {
    "id": Field(ident, required=True),
    "name": Field(text, required=True),
    "short": Field(text, default=""),
    "aliases": Field(list_of(text), default=()),
    "kind": Field(one_of(*UNIT_KINDS), default="department"),
    "members": Field(list_of(ident), default=()),
}
ASSESSMENT_FIELDS = {
    "title": Field(text, required=True),
    "rubric": Field(ident, required=True, doc="the id of a rubric in rubrics/"),
    "period": Field(text, required=True, doc='e.g. period: "2026"'),
    "status": Field(one_of("draft", "published"), required=True),
    "published_on": Field(date),
    "notice": Field(raw),
    "description": Field(text, default=""),
}
NOTICE_FIELDS = {"from": Field(date, required=True), "to": Field(date, required=True), "contact": Field(text, default="")}
PAGE_FIELDS = {
    "title": Field(text, required=True),
    "slug": Field(ident),
    "nav": Field(boolean, default=True),
    "order": Field(integer, default=0),
    "description": Field(text, default=""),
    "draft": Field(boolean, default=False),
}
RESERVED_SLUGS = {"assessments", "rubrics", "units", "data", "assets", "changes", "index", "404", "search"}
EVIDENCE_DIR = "content/evidence"
UNREADABLE = object()   # what Sources.load returns for a file it reported as broken


@dataclass
class Project:
    """Everything a build needs, loaded and checked."""

    root: Path
    site: Site
    units: dict[str, Unit]
    rubrics: dict[str, Rubric]
    assessments: dict[str, Assessment]
    pages: dict[str, Page]
    results: dict[str, list[EntityResult]] = field(default_factory=dict)   # by assessment id, ranked
    sources: list[str] = field(default_factory=list)                        # every file read, project-relative

    def rubric_of(self, assessment: Assessment) -> Rubric:
        return self.rubrics[assessment.rubric]


class Sources:
    """Reads each source file once; keeps parsed values keyed by path and modification stamp,
    so a long-running preview re-parses only the files that changed."""

    def __init__(self, tree):
        self.tree = tree
        self.cache: dict[str, tuple[tuple, object]] = {}
        self.read: list[str] = []
        self.memo: dict[tuple, tuple[tuple, object]] = {}
        self.evidence_version = 0      # bumped by a preview when files under content/evidence/ change

    def stamp(self, shown: str) -> tuple | None:
        """The modification stamp of a file as last loaded."""
        cached = self.cache.get(shown)
        return cached[0] if cached else None

    def remember(self, key: tuple, inputs: tuple, problems: Problems, make):
        """`make()` once for these inputs, reused while they stay the same — unless it
        reported problems, which must be reported again on every load."""
        hit = self.memo.get(key)
        if hit is not None and len(hit[0]) == len(inputs) and all(map(_same, hit[0], inputs)):
            return hit[1]
        before = len(problems.errors)
        value = make()
        if len(problems.errors) == before:
            self.memo[key] = (inputs, value)
        else:
            self.memo.pop(key, None)
        return value

    def load(self, shown: str, problems: Problems):
        """The file's YAML values (None for an empty file), or UNREADABLE after reporting why."""
        self.read.append(shown)
        try:
            stamp = self.tree.stamp(shown)
            cached = self.cache.get(shown)
            if cached and cached[0] == stamp:
                value, errors = cached[1]
            else:
                value, errors = load_bytes(self.tree.read(shown), shown)
        except Invalid as error:
            problems.add_invalid(Mark(shown), error)
            return UNREADABLE
        except OSError as error:
            problems.add(Mark(shown), f"expected a readable file, got: {error.strerror}")
            return UNREADABLE
        self.cache[shown] = (stamp, (value, errors))
        for error in errors:
            problems.add_invalid(Mark(shown), error)
        return value


def _same(a, b) -> bool:
    """Inputs are the same: the very same object, or equal plain values (stamps, names)."""
    return a is b or (isinstance(a, (tuple, int, str, type(None))) and a == b)


def load_project(root: Path | None = None, sources: Sources | None = None, tree=None) -> Project:
    """Load and check the whole project — from a folder, or from any tree (tree.py) such as
    a git revision — and raise ProjectError listing every problem."""
    sources = sources or Sources(tree or DiskTree(Path(root)))
    tree = sources.tree
    sources.read = []
    problems = Problems()
    site = _load_site(tree, sources, problems)
    units = _load_units(tree, sources, problems)
    resolver = UnitResolver(units)
    rubrics = _load_rubrics(tree, sources, resolver, problems)
    evidence = EvidenceFiles(tree)
    assessments = _load_assessments(tree, sources, rubrics, units, evidence, problems)
    pages = _load_pages(tree, sources, problems)
    problems.raise_if_any()
    project = Project(tree.root, site, units, rubrics, assessments, pages, sources=list(sources.read))
    project.results = {aid: rank([_score(sources, rubrics[a.rubric], sheet, site.language, problems)
                                  for sheet in a.sheets.values()]) for aid, a in assessments.items()}
    return project


def _score(sources: Sources, rubric: Rubric, sheet, language: str, problems: Problems) -> EntityResult:
    return sources.remember(("score", sheet.path), (sheet, rubric, language), problems,
                            lambda: score_sheet(rubric, sheet, language))


def _load_site(tree, sources: Sources, problems: Problems) -> Site:
    path = "content/site.yaml"
    if not tree.is_file(path):
        problems.add(Mark("content/site.yaml"), "expected the site settings file content/site.yaml, got no such file",
                     "run scoresite in a project folder (one holding content/ and rubrics/), or pass --project DIR")
        return Site(title="")
    value = sources.load(path, problems)
    fields = read_map(value, SITE_FIELDS, problems, "the site settings",
                      Mark("content/site.yaml")) if value is not UNREADABLE else None
    if not fields or not fields.get("title"):
        return Site(title="")
    theme = fields.get("theme")
    if theme and theme != "default" and not tree.is_dir(f"themes/{theme}"):
        themes = tree.folders("themes")
        problems.add(value.value_mark("theme"), f"expected a theme folder themes/{theme}/, got no such folder",
                     suggest(theme, ["default", *themes], "themes"))
        fields["theme"] = "default"
    return Site(**{k: v for k, v in fields.items() if v is not None})


def _load_units(tree, sources: Sources, problems: Problems) -> dict[str, Unit]:
    path = "content/units.yaml"
    if not tree.is_file(path):
        return {}
    value = sources.load(path, problems)
    if value is UNREADABLE:
        return {}
    return sources.remember(("units",), (sources.stamp("content/units.yaml"),), problems,
                            lambda: _read_units(value, problems))


def _read_units(value, problems: Problems) -> dict[str, Unit]:
    if value is UNREADABLE:
        return {}
    if not isinstance(value, Seq):
        problems.add(mark_of(value, Mark("content/units.yaml")), f"expected a list of units, got {describe(value)}",
                     "each unit starts with '- id: …'")
        return {}
    units: dict[str, Unit] = {}
    for item in value:
        fields = read_map(item, UNIT_FIELDS, problems, "a unit", value.mark)
        if not fields or not fields.get("id") or not fields.get("name"):
            continue
        if fields["id"] in units:
            problems.add(item.value_mark("id"), f"expected each unit id once, got {fields['id']!r} again "
                         f"(first at line {units[fields['id']].mark.line})")
            continue
        units[fields["id"]] = Unit(mark=item.key_mark("id"), **fields)
    _check_unit_names(units, problems)
    return units


def _check_unit_names(units: dict[str, Unit], problems: Problems) -> None:
    owner: dict[str, Unit] = {}
    for unit in units.values():
        for name in dict.fromkeys(unit.names):
            other = owner.setdefault(name, unit)
            if other is not unit:
                problems.add(unit.mark, f"expected each unit name or alias to belong to one unit, got {name!r} "
                             f"for both {other.id!r} and {unit.id!r}", "remove the alias from one of them")
        for member in unit.members:
            if member not in units:
                problems.add(unit.mark, f"expected the members of {unit.id!r} to be unit ids, got {member!r}",
                             suggest(member, units, "unit ids"))
        if unit.members and unit.kind != "group":
            problems.add(unit.mark, f"expected members only on a unit of kind: group, got kind: {unit.kind}")


class UnitResolver:
    """Finds a unit by id, name, short name or alias."""

    def __init__(self, units: dict[str, Unit]):
        self.units = units
        self.by_name = {name: unit.id for unit in units.values() for name in unit.names}

    def __call__(self, name: str) -> str:
        if name in self.by_name:
            return self.by_name[name]
        raise Invalid(f"expected a unit listed in content/units.yaml, got {name!r}",
                      suggest(name, self.by_name, "units") or "add the unit to content/units.yaml")


def _load_rubrics(tree, sources: Sources, resolver: UnitResolver, problems: Problems) -> dict[str, Rubric]:
    rubrics: dict[str, Rubric] = {}
    _reject_yml(tree, "rubrics", problems)
    for shown in _files(tree, "rubrics", ".yaml"):
        value = sources.load(shown, problems)
        stem = _stem(shown)
        rubric = sources.remember(("rubric", shown), (sources.stamp(shown), resolver.units), problems,
                                  lambda: read_rubric(value, shown, resolver, problems)) \
            if value is not UNREADABLE else None
        if rubric is None:
            continue
        if rubric.id != stem:
            problems.add(value.value_mark("id"), f"expected id: {stem} to match the file name, got id: {rubric.id}",
                         f"rename the file to rubrics/{rubric.id}.yaml or change the id")
            continue
        rubrics[rubric.id] = rubric
    return rubrics


def _files(tree, folder: str, suffix: str) -> list[str]:
    """The files directly inside `folder` whose names end with `suffix`."""
    start = folder + "/"
    return [name for name in tree.files(folder) if "/" not in name[len(start):] and name.endswith(suffix)]


def _stem(name: str) -> str:
    return PurePosixPath(name).stem


class EvidenceFiles:
    """Local evidence: paths under content/evidence/ that exist, with their SHA-256."""

    def __init__(self, tree):
        self.tree = tree
        self.hashes: dict[str, str] = {}

    def __call__(self, written: str) -> tuple[str, str]:
        relative = written.removeprefix(EVIDENCE_DIR + "/")
        posix = PurePosixPath(relative.replace("\\", "/"))
        if posix.is_absolute() or ".." in posix.parts or re.match(r"[A-Za-z]:", relative):
            raise Invalid(f"expected a path inside {EVIDENCE_DIR}/, got {written!r}",
                          f"put the file in {EVIDENCE_DIR}/ and write its path from there, e.g. 2026/report.pdf")
        name = f"{EVIDENCE_DIR}/{posix.as_posix()}"
        try:
            exists = self.tree.is_file(name)
            if exists and not self.tree.inside(name, EVIDENCE_DIR):
                raise Invalid(f"expected a path inside {EVIDENCE_DIR}/, got {written!r} which leads outside it")
        except (OSError, ValueError) as error:
            raise Invalid(f"expected a usable file name, got {written!r} ({error})",
                          "use a short name of letters, digits, '-' and '_'") from None
        if not exists:
            raise Invalid(f"expected an existing file {name}, got no such file", self._nearby(posix))
        key = posix.as_posix()
        if key not in self.hashes:
            self.hashes[key] = hashlib.sha256(self.tree.read(name)).hexdigest()
        return key, self.hashes[key]

    def _nearby(self, posix: PurePosixPath) -> str:
        if not self.tree.is_dir(EVIDENCE_DIR):
            return f"create {EVIDENCE_DIR}/ and put the file there"
        known = [name[len(EVIDENCE_DIR) + 1:] for name in self.tree.files(EVIDENCE_DIR)]
        close = difflib.get_close_matches(posix.as_posix(), known, n=1, cutoff=0.6)
        return f"did you mean {close[0]!r}?" if close else f"put the file at {EVIDENCE_DIR}/{posix}"


def _load_assessments(tree, sources, rubrics, units, evidence, problems) -> dict[str, Assessment]:
    assessments: dict[str, Assessment] = {}
    base = "content/assessments"
    for name in tree.folders(base):
        folder = f"{base}/{name}"
        if not ID_RE.match(name):
            problems.add(Mark(folder), f"expected an assessment folder named like an id, got {name!r}",
                         "folder names become URLs: use a-z, 0-9 and '-', e.g. 2026-city")
            continue
        assessment, rubric = _load_assessment(tree, folder, sources, rubrics, problems)
        # score files are checked even when assessment.yaml is broken: every problem at once
        for path in _files(tree, folder, ".yaml"):
            if not path.endswith("/assessment.yaml"):
                _add_sheet(assessment, path, sources, rubric, units, evidence, problems)
        _reject_yml(tree, folder, problems)
        if assessment is not None:
            assessments[assessment.id] = assessment
    return assessments


def _reject_yml(tree, folder: str, problems: Problems) -> None:
    """A .yml file would be skipped without a word; say so instead."""
    for path in _files(tree, folder, ".yml"):
        name = PurePosixPath(path).name
        problems.add(Mark(path), f"expected files ending .yaml, got {name}", f"rename it to {_stem(path)}.yaml")


def _load_assessment(tree, folder: str, sources: Sources, rubrics: dict, problems: Problems):
    """The assessment (None when broken) and its rubric (None when unknown)."""
    shown = f"{folder}/assessment.yaml"
    path = shown
    if not tree.is_file(path):
        problems.add(Mark(shown), "expected assessment.yaml in every assessment folder, got no such file",
                     "it names the rubric, the period and the status (draft or published)")
        return None, None
    value = sources.load(path, problems)
    fields = read_map(value, ASSESSMENT_FIELDS, problems, "an assessment", Mark(shown)) \
        if value is not UNREADABLE else None
    if not fields:
        return None, None
    rubric = rubrics.get(fields.get("rubric"))
    if fields.get("rubric") and rubric is None:
        problems.add(value.value_mark("rubric"), f"expected the id of a rubric in rubrics/, got {fields['rubric']!r}",
                     suggest(fields["rubric"], rubrics, "rubrics"))
    if rubric is None or None in (fields.get(k) for k in ("title", "period", "status")):
        return None, rubric
    notice = None
    if fields.get("notice") is not None:
        spec = read_map(fields["notice"], NOTICE_FIELDS, problems, "a notice", value.value_mark("notice"))
        if spec and spec.get("from") and spec.get("to"):
            if spec["to"] < spec["from"]:
                problems.add(fields["notice"].value_mark("to"), f"expected the notice to end on or after {spec['from']}, "
                             f"got {spec['to']}")
            notice = Notice(spec["from"], spec["to"], spec["contact"])
    fields.update(notice=notice)
    return Assessment(id=PurePosixPath(folder).name, path=shown, **fields), rubric


def _add_sheet(assessment, path: str, sources, rubric, units, evidence, problems) -> None:
    shown = path
    value = sources.load(path, problems)
    if value is UNREADABLE:
        return
    inputs = (sources.stamp(shown), rubric, units, sources.evidence_version)
    sheet = sources.remember(("sheet", shown), inputs, problems,
                             lambda: read_sheet(value, shown, rubric, evidence, problems))
    if sheet is None:
        return
    entity_mark = value.value_mark("entity")
    if sheet.entity != _stem(path):
        problems.add(entity_mark, f"expected entity: {_stem(path)} to match the file name, got entity: {sheet.entity}",
                     f"rename the file to {sheet.entity}.yaml or correct the entity")
    elif sheet.entity not in units:
        problems.add(entity_mark, f"expected a unit id from content/units.yaml, got {sheet.entity!r}",
                     suggest(sheet.entity, units, "unit ids"))
    elif units[sheet.entity].kind == "group":
        problems.add(entity_mark, f"expected an assessed unit, got the group {sheet.entity!r}",
                     "groups stand for several units and cannot be assessed themselves")
    elif assessment is not None:
        assessment.sheets[sheet.entity] = sheet


def _load_pages(tree, sources: Sources, problems: Problems) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for path in _files(tree, "content/pages", ".md"):
        page = _load_page(tree, path, problems)
        if page is None:
            continue
        sources.read.append(page.path)
        if page.slug in pages or page.slug in RESERVED_SLUGS:
            taken = f"used by {pages[page.slug].path}" if page.slug in pages else "reserved for the site's own pages"
            problems.add(page.mark, f"expected a page slug of its own, got {page.slug!r}, {taken}",
                         "set another `slug:` in the front matter")
            continue
        pages[page.slug] = page
    return pages


def _load_page(tree, shown: str, problems: Problems) -> Page | None:
    """A Markdown page with YAML front matter between two '---' lines."""
    try:
        source = decode(tree.read(shown), shown)
    except Invalid as error:
        problems.add_invalid(Mark(shown), error)
        return None
    match = re.match(r"---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|\Z)", source, re.S)
    if not match:
        problems.add(Mark(shown), "expected front matter: a first line '---', then title: …, then '---'",
                     "start the page with\n    ---\n    title: 关于本站\n    ---")
        return None
    try:
        value, errors = load_text("\n" + match.group(1), shown)   # the leading newline keeps line numbers true
    except Invalid as error:
        problems.add_invalid(Mark(shown), error)
        return None
    for error in errors:
        problems.add_invalid(Mark(shown), error)
    fields = read_map(value, PAGE_FIELDS, problems, "a page's front matter", Mark(shown))
    if not fields or not fields.get("title"):
        return None
    mark = value.value_mark("slug") if fields.get("slug") else Mark(shown)
    slug = fields.pop("slug") or _stem(shown)
    if not ID_RE.match(slug):
        problems.add(Mark(shown), f"expected a file name usable as a URL, got {_stem(shown)!r}",
                     "rename the file (a-z, 0-9, '-') or set `slug:` in the front matter")
        return None
    return Page(slug=slug, body=source[match.end():], path=shown, mark=mark, **fields)

