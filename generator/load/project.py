"""Loading a project: walks content/ and rubrics/, builds the model, cross-checks every
reference, and reports every problem at once. Nothing is written here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import Invalid, Mark, Problems, suggest
from ..model import Assessment, EntityResult, Notice, Page, Rubric, Site, Unit, UNIT_KINDS
from .rubrics import read_rubric
from .schema import (Field, base_url, boolean, date, id_problem, ident, integer, list_of, one_of, raw,
                     read_map, text)
from .sheets import read_sheet
from .characters import decode, forbidden_character, mojibake, position
from .evidence import EVIDENCE_DIR, EvidenceFiles, case_collisions
from .theme import Theme, load_theme
from .tree import DiskTree
from .yamlio import Seq, describe, load_bytes, load_text, mark_of

SITE_FIELDS = {
    "title": Field(text, required=True, doc="the site's name, shown on every page"),
    "language": Field(one_of("zh-CN", "en"), default="zh-CN"),
    "base_url": Field(base_url, default=""),
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
RESERVED_SLUGS = {"assessments", "rubrics", "units", "data", "assets", "changes", "index", "404", "search",
                  "evidence"}
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
    theme: Theme | None = None
    tree: object = None                                                     # where the files were read from
    results: dict[str, list[EntityResult]] = field(default_factory=dict)   # by assessment id, ranked (scoring fills it)
    sources: list[str] = field(default_factory=list)                        # every file read, project-relative
    warnings: list = field(default_factory=list)                            # SourceErrors that do not stop a build

    def rubric_of(self, assessment: Assessment) -> Rubric:
        return self.rubrics[assessment.rubric]


class Sources:
    """Reads each source file once. What is made from a file (a rubric, a score sheet, the units)
    is kept by the digest of the file's content: a long-running preview, or a build that restores
    this memo from the project's cache, parses only the files whose content changed. The YAML
    values of other files are kept by modification stamp; a file's values are dropped once what
    was made of them is kept (at national scale they would take more memory than everything else)."""

    def __init__(self, tree):
        self.tree = tree
        self.cache: dict[str, tuple[tuple, object]] = {}
        self.read: list[str] = []
        self.memo: dict[tuple, tuple[tuple, object, list]] = {}
        self.evidence_version = ""     # the evidence files' names and stamps, as of the last load
        self._digests: dict[str, tuple] = {}
        self.changed = False           # something was read anew since the memo was made or restored

    def digest(self, shown: str) -> str | None:
        """A digest of the file's content now (None when it cannot be read: loading says why)."""
        try:
            stamp = self.tree.stamp(shown)
        except OSError:
            return None
        known = self._digests.get(shown)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            found = hashlib.blake2b(self.tree.read(shown), digest_size=16).hexdigest()
        except OSError:
            return None
        self._digests[shown] = (stamp, found)
        return found

    def remember(self, key: tuple, inputs: tuple, problems: Problems, make):
        """`make()` once for these inputs, reused while they stay the same — unless it
        reported problems, which must be reported again on every load. Warnings it gave
        are given again when it is reused."""
        hit = self.memo.get(key)
        if hit is not None and len(hit[0]) == len(inputs) and all(map(_same, hit[0], inputs)):
            problems.warnings.extend(hit[2])
            return hit[1]
        before, warned = len(problems.errors), len(problems.warnings)
        value = make()
        if len(problems.errors) == before and None not in inputs[:1]:
            self.memo[key] = (inputs, value, problems.warnings[warned:])
            self.changed = True
            if len(key) > 1:
                self.cache.pop(key[1], None)   # the file's YAML values: what was made of them is kept instead
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

    def persistent(self) -> dict:
        """What a later process may reuse: the memo (rubrics, sheets, units by content digest)."""
        return {key: entry for key, entry in self.memo.items() if key[0] in ("rubric", "sheet", "units")}


def _same(a, b) -> bool:
    """Inputs are the same: the very same object, or equal plain values (stamps, names)."""
    return a is b or (isinstance(a, (tuple, int, str, type(None))) and a == b)


def read_project(root: Path | None = None, sources: Sources | None = None, tree=None) -> Project:
    """Load and check the whole project — from a folder, or from any tree (tree.py) such as
    a git revision — and raise ProjectError listing every problem."""
    if sources is None:
        sources = Sources(tree or DiskTree(Path(root)))
    else:
        sources.tree.rescan()               # a preview's tree: files may have come and gone
    tree = sources.tree
    sources.read = []
    sources.evidence_version = _evidence_stamp(tree)
    problems = Problems()
    check_layout(tree, problems)
    site = _load_site(tree, sources, problems)
    theme = load_theme(tree, site.theme, site.language, problems)
    units = _load_units(tree, sources, problems)
    resolver = UnitResolver(units)
    rubrics = _load_rubrics(tree, sources, resolver, problems)
    evidence = EvidenceFiles(tree)
    assessments = _load_assessments(tree, sources, rubrics, units, evidence, problems)
    pages = _load_pages(tree, sources, problems)
    _check_evidence_names(assessments, problems)
    _check_compared_values(assessments, {r: v for r, v in rubrics.items() if v}, problems)
    problems.raise_if_any()
    rubrics = {rid: rubric for rid, rubric in rubrics.items() if rubric is not None}
    project = Project(tree.root, site, units, rubrics, assessments, pages, theme=theme, tree=tree,
                      sources=list(sources.read), warnings=sorted(set(problems.warnings)))
    return project


CONTENT_FILES = ("site.yaml", "units.yaml")
CONTENT_FOLDERS = ("assessments", "pages", "evidence")


def check_layout(tree, problems: Problems) -> None:
    """Every file in content/ and rubrics/ is one scoresite reads, and nothing is refused
    silently: a file in the wrong place or with the wrong ending would otherwise be skipped."""
    for refused in tree.refused:
        problems.add(Mark(refused.name), refused.message, refused.hint)
    for name in tree.files("content") + tree.files("rubrics"):
        found = _misplaced(name.split("/"))
        if found:
            problems.add(Mark(name), *found)
    _check_folders(tree, problems)
    for name in tree.folders("content"):
        if name not in CONTENT_FOLDERS:
            problems.add(Mark(f"content/{name}"), f"expected only the folders {', '.join(CONTENT_FOLDERS)} in "
                         f"content/, got {name}/", suggest(name, CONTENT_FOLDERS, "folders"))


def _misplaced(parts: list[str]) -> tuple[str, str] | None:
    """(message, hint) when a file under content/ or rubrics/ is not where scoresite reads it."""
    name, depth = parts[-1], len(parts)
    if parts[0] == "rubrics":
        return None if depth == 2 and name.endswith(".yaml") else \
            _wrong_file(name, depth == 2, "a rubric (.yaml) directly in rubrics/", ".yaml")
    if depth == 2:
        if name in CONTENT_FILES:
            return None
        return (f"expected only {', '.join(CONTENT_FILES)} and folders in content/, got {name}",
                suggest(name, CONTENT_FILES, "files") or "move it out of content/")
    folder = parts[1]
    if folder == "evidence" or folder not in CONTENT_FOLDERS:
        return None                          # any evidence file; an unknown folder is reported once
    if folder == "pages":
        return None if depth == 3 and name.endswith(".md") else \
            _wrong_file(name, depth == 3, "a Markdown page (.md) directly in content/pages/", ".md")
    if depth == 3:
        return (f"expected a folder for each assessment in content/assessments/, got the file {name}",
                "score files go in the assessment's folder, e.g. content/assessments/2026-city/")
    return None if depth == 4 and name.endswith(".yaml") else \
        _wrong_file(name, depth == 4, "score files (.yaml) directly in the assessment's folder", ".yaml")


SPELLINGS = {".yaml": ("yaml", "yml"), ".md": ("md", "markdown")}


def _wrong_file(name: str, right_place: bool, expected: str, ending: str) -> tuple[str, str]:
    if not right_place:
        return (f"expected {expected}, got {name} in a folder below it",
                "scoresite does not look into sub-folders here: move the file up")
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix.lower() in SPELLINGS[ending]:
        return f"expected {expected}, got {name}", f"rename it to {stem}{ending}"
    return (f"expected {expected}, got {name}",
            "keep other files outside content/ and rubrics/ (evidence goes in content/evidence/)")


def _check_folders(tree, problems: Problems) -> None:
    """Folders where files belong (a folder named like a file would be skipped without a word)."""
    for base in ("rubrics", "content/pages", *(f"content/assessments/{a}" for a in tree.folders("content/assessments"))):
        for name in tree.folders(base):
            problems.add(Mark(f"{base}/{name}"), f"expected files in {base}/, got the folder {name}/",
                         "scoresite does not look into sub-folders here: move its files up, or the folder out")


def _check_compared_values(assessments: dict[str, Assessment], rubrics: dict[str, Rubric], problems: Problems) -> None:
    """Values compared across entities (ranked, relative to the best or the mean) are written
    alike: all percentages or all plain numbers, as the first entity's."""
    for assessment in assessments.values():
        rubric = rubrics.get(assessment.rubric)
        for key, indicator in (rubric.indicators.items() if rubric else ()):
            if not indicator.rule.cross:
                continue
            first = None
            for sheet in assessment.sheets.values():
                entry = sheet.entries.get(key)
                if entry is None or entry.not_applicable or entry.result is None:
                    continue
                _, percent = indicator.rule.measure(entry.result)
                if first is None:
                    first = (percent, sheet)
                elif percent != first[0]:
                    what = "a percentage" if first[0] else "a plain number"
                    problems.add(entry.mark, f"expected {what} for {key}, like {first[1].path}, got "
                                 f"{'a percentage' if percent else 'a plain number'}",
                                 "values compared across entities are written alike")


def _check_evidence_names(assessments: dict[str, Assessment], problems: Problems) -> None:
    """Two evidence files whose names differ only in case are one file on Windows and macOS."""
    where: dict[str, tuple] = {}
    for assessment in assessments.values():
        for sheet in assessment.sheets.values():
            for entry in sheet.entries.values():
                for evidence in entry.evidence:
                    if evidence.file:
                        where.setdefault(evidence.file, (sheet.path, entry.mark))
    for first, second in case_collisions(where):
        path, mark = where[second]
        problems.add(mark or Mark(path), f"expected evidence file names that differ in more than case, got "
                     f"{first!r} and {second!r}", "Windows and macOS see one file: rename one of them")


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
        if tree.is_file("content/site.yaml"):
            problems.add(Mark(path), "expected content/units.yaml, the list of units (the assessed entities and the "
                         "responsible units), got no such file", "start it with\n    - id: shuozhou\n      name: 朔州市\n"
                         "      kind: city")
        return {}
    return sources.remember(("units",), (sources.digest(path),), problems,
                            lambda: read_units(sources.load(path, problems), problems))


def read_units(value, problems: Problems) -> dict[str, Unit]:
    """The units of units.yaml's value (problems reported, bad entries left out)."""
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
    for shown in _files(tree, "rubrics", ".yaml"):
        stem = _stem(shown)
        rubric = sources.remember(("rubric", shown), (sources.digest(shown), resolver.units), problems,
                                  lambda: _read_rubric(sources, shown, resolver, problems))
        if rubric is None:
            rubrics[stem] = None            # reported already: an assessment naming it says nothing more
            continue
        if rubric.id != stem:
            problems.add(sources.load(shown, problems).value_mark("id"), f"expected id: {stem} to match the file "
                         f"name, got id: {rubric.id}", f"rename the file to rubrics/{rubric.id}.yaml or change the id")
            continue
        rubrics[rubric.id] = rubric
    return rubrics


def _evidence_stamp(tree) -> str:
    """Every evidence file's name and stamp: score sheets hold their digests, so a changed
    evidence file is read again with the sheets."""
    stamps = []
    for name in tree.files(EVIDENCE_DIR):
        try:
            stamps.append((name, tree.stamp(name)))
        except OSError:
            stamps.append((name, None))
    return hashlib.blake2b(repr(stamps).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _read_rubric(sources: Sources, shown: str, resolver: UnitResolver, problems: Problems) -> Rubric | None:
    value = sources.load(shown, problems)
    return read_rubric(value, shown, resolver, problems) if value is not UNREADABLE else None


def _files(tree, folder: str, suffix: str) -> list[str]:
    """The files directly inside `folder` whose names end with `suffix`."""
    start = folder + "/"
    return [name for name in tree.files(folder) if "/" not in name[len(start):] and name.endswith(suffix)]


def _stem(name: str) -> str:
    return PurePosixPath(name).stem


def _load_assessments(tree, sources, rubrics, units, evidence, problems) -> dict[str, Assessment]:
    assessments: dict[str, Assessment] = {}
    base = "content/assessments"
    for name in tree.folders(base):
        folder = f"{base}/{name}"
        problem = id_problem(name, "an assessment folder named like an id")
        if problem:
            problems.add(Mark(folder), problem.message, problem.hint + " (folder names become URLs, e.g. 2026-city)")
            continue
        assessment, rubric = _load_assessment(tree, folder, sources, rubrics, problems)
        # score files are checked even when assessment.yaml is broken: every problem at once
        for path in _files(tree, folder, ".yaml"):
            if not path.endswith("/assessment.yaml"):
                _add_sheet(assessment, path, sources, rubric, units, evidence, problems)
        if assessment is not None:
            assessments[assessment.id] = assessment
    return assessments


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
    if fields.get("rubric") and fields["rubric"] not in rubrics:
        problems.add(value.value_mark("rubric"), f"expected the id of a rubric in rubrics/, got {fields['rubric']!r}",
                     suggest(fields["rubric"], [r for r in rubrics if rubrics[r]], "rubrics")
                     or (f"put it in rubrics/{fields['rubric']}.yaml" if tree.is_dir("rubrics") else
                         f"there is no rubrics/ folder: put the rubric in rubrics/{fields['rubric']}.yaml"))
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
    inputs = (sources.digest(shown), rubric, units, sources.evidence_version)
    sheet = sources.remember(("sheet", shown), inputs, problems, lambda: _read_sheet(sources, shown, rubric, evidence,
                                                                                   problems))
    if sheet is None:
        return
    fits = sheet.entity == _stem(path) and sheet.entity in units and units[sheet.entity].kind != "group"
    entity_mark = None if fits else sources.load(path, problems).value_mark("entity")
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


def _read_sheet(sources: Sources, shown: str, rubric, evidence, problems: Problems):
    value = sources.load(shown, problems)
    return read_sheet(value, shown, rubric, evidence, problems) if value is not UNREADABLE else None


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
        data = tree.read(shown)
        source = decode(data, shown).replace("\r\n", "\n").replace("\r", "\n")   # saved by Windows Notepad
    except Invalid as error:
        problems.add_invalid(Mark(shown), error)
        return None
    except OSError as error:
        problems.add(Mark(shown), f"expected a readable file, got: {error.strerror}", "check the file's permissions")
        return None
    suspicious = mojibake(source, data, shown)
    if suspicious:
        problems.add_invalid(Mark(shown), suspicious)
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
    problem = id_problem(slug, "a page file name usable as a URL")
    if problem:
        problems.add(Mark(shown), problem.message, problem.hint + " — or set `slug:` in the front matter")
        return None
    body = source[match.end():]
    found = forbidden_character(body)
    if found:
        offset, what = found
        problems.add(position(source, match.end() + offset, Mark(shown)), f"expected printable text, got the "
                     f"invisible character {what}", "delete it: such characters hide in text copied from web pages "
                     "or Word, and can make a page read other than it is")
        return None
    return Page(slug=slug, body=body, path=shown, mark=mark, **fields)

