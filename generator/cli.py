"""The command line. The only module that imports click; each command calls into the package.

Exit codes: 0 done; 1 the project has problems (every one is listed) or a build failed;
2 the command was used wrongly or a setting cannot be used. Every failure ends as a
message naming where, what and a hint — never a Python traceback."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from .errors import ProjectError, SettingError, suggest
from .load.project import Project
from .pipeline import load_project
from .load.tree import inside_inputs, printable


def _load(project_dir: str) -> Project:
    """Load the project, or print every problem and exit 1."""
    if not Path(project_dir).is_dir():
        _fail(f"no project folder {project_dir}: it does not exist (pass --project DIR, the folder holding content/)", 2)
    try:
        project = load_project(Path(project_dir))
    except ProjectError as error:
        _report(error)
        sys.exit(1)
    _warn(project.warnings)
    return project


def _report(error: ProjectError) -> None:
    _warn(error.warnings)
    for problem in error.errors:
        click.echo(str(problem), err=True)
    files = len({problem.path for problem in error.errors})
    count = len(error.errors)
    click.secho(f"✗ {count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}", fg="red", err=True)


def _warn(warnings) -> None:
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


def _fail(message: str, code: int = 1) -> None:
    click.secho(f"✗ {message}", fg="red", err=True)
    sys.exit(code)


def _selected(project: Project, drafts: bool, only: tuple[str, ...]):
    if only:
        unknown = sorted(set(only) - set(project.assessments))
        if unknown:
            raise click.BadParameter(f"no assessment {', '.join(unknown)}; known: {', '.join(project.assessments)}",
                                     param_hint="--assessment")
        hidden = sorted(a for a in only if project.assessments[a].is_draft and not drafts)
        if hidden:
            raise click.BadParameter(f"{', '.join(hidden)} {'is a draft' if len(hidden) == 1 else 'are drafts'}: "
                                     "add --drafts to include drafts", param_hint="--assessment")
    chosen = [a for a in project.assessments.values() if (drafts or not a.is_draft) and (not only or a.id in only)]
    return sorted(sorted(chosen, key=lambda a: a.id), key=lambda a: a.period_key, reverse=True)


def project_option(command):
    """`-C DIR` / `--project DIR` is taken after the command too: `scoresite check -C DIR`."""
    @click.option("--project", "-C", "project_dir", default=None, type=click.Path(file_okay=False),
                  help="The project folder (holding content/ and rubrics/).")
    @click.pass_context
    @functools.wraps(command)
    def wrapper(ctx: click.Context, project_dir: str | None, **kwargs):
        return ctx.invoke(command, project_dir or ctx.obj or ".", **kwargs)
    return wrapper


@click.group()
@click.option("--project", "-C", "project_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="The project folder (holding content/ and rubrics/).")
@click.version_option(package_name="scoresite")
@click.pass_context
def cli(ctx: click.Context, project_dir: str) -> None:
    """scoresite: publish assessment rubrics and scores (考核评分) as a static website."""
    ctx.obj = project_dir


@cli.command()
@project_option
def check(project_dir: str) -> None:
    """Validate the whole project, themes included, and report every problem at once."""
    from .site.build import check_site

    project = _load(project_dir)
    site_problems = check_site(project)
    if site_problems:
        for problem in site_problems:
            click.echo(problem, err=True)
        _fail(f"{len(site_problems)} problem{'s' * (len(site_problems) != 1)} in the theme")
    sheets = sum(len(a.sheets) for a in project.assessments.values())
    indicators = sum(len(r.indicators) for r in project.rubrics.values())
    click.secho(f"✓ {len(project.rubrics)} rubrics ({indicators} indicators), {len(project.assessments)} assessments, "
                f"{sheets} score files, {len(project.units)} units, {len(project.pages)} pages: no problems", fg="green")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--drafts", is_flag=True, help="Include draft assessments.")
@click.option("--assessment", "-a", "only", multiple=True, help="Only this assessment id (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to a file, not stdout.")
@project_option
def export(project_dir: str, fmt: str, drafts: bool, only: tuple[str, ...], output: str | None) -> None:
    """Print the computed results as JSON or CSV (CSV is UTF-8 with a BOM, for Excel), or write them
    as an xlsx workbook (one worksheet per assessment; needs --output)."""
    from .data.export import export_csv, export_json
    from .data.xlsx_export import export_xlsx

    if fmt == "xlsx" and not output:
        raise click.BadParameter("a workbook is written to a file: add --output FILE.xlsx", param_hint="--format")

    if output and not Path(output).resolve().parent.is_dir():
        raise click.BadParameter(f"the folder {Path(output).parent} does not exist; create it first",
                                 param_hint="--output")
    if output and inside_inputs(Path(project_dir), Path(output)):
        raise click.BadParameter(f"{output} is inside content/, rubrics/ or themes/, which scoresite reads; "
                                 "write the export elsewhere", param_hint="--output")
    project = _load(project_dir)
    chosen = _selected(project, drafts, only)
    if fmt == "xlsx":
        data = export_xlsx(project, chosen)
    else:
        text = export_json(project, chosen) if fmt == "json" else export_csv(project, chosen)
        data = (("\ufeff" if fmt == "csv" else "") + text).encode("utf-8")
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror}", 2)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@cli.command()
@click.option("--drafts", is_flag=True, help="Include draft assessments and pages, marked 草稿 and noindex.")
@click.option("--out", "-o", "out", default="site", show_default=True, type=click.Path(file_okay=False),
              help="The output folder (relative to the project).")
@click.option("--base-url", help="The public address, for sitemap.xml (overrides site.yaml).")
@project_option
def build(project_dir: str, drafts: bool, out: str, base_url: str | None) -> None:
    """Build the static site into site/ (or --out)."""
    from .site.build import BuildOptions, build as build_site
    from .site.render import TemplateProblem
    from .site.pages import PlanError
    from .site.writer import WriteError

    root = Path(project_dir)
    target = Path(out) if Path(out).is_absolute() else root / out
    bar = _ProgressBar()
    try:
        report = build_site(root, BuildOptions(target, drafts, base_url), progress=bar.update)
    except ProjectError as error:
        bar.close()
        _report(error)
        sys.exit(1)
    except (WriteError, PlanError, TemplateProblem) as error:
        bar.close()
        _fail(str(error))
    except SettingError as error:
        bar.close()
        _fail(str(error), 2)
    except OSError as error:
        bar.close()
        _fail(f"cannot write the site: {error.strerror} ({error.filename})")
    bar.close()
    _warn(report.project_warnings)
    for warning in report.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    click.secho(f"built {report.pages:,} pages ({report.files:,} files) in {report.seconds:.1f} s → {report.out}",
                fg="green")


class _ProgressBar:
    """click's progress bar, shown only for builds long enough to need one, and only on a terminal."""

    def __init__(self, threshold: int = 500):
        self.threshold = threshold
        self.bar = None
        self.shown = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None and total >= self.threshold:
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; 0.0.0.0 shares the preview with the network (with a warning).")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--drafts", is_flag=True, help="Include draft assessments and pages.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a web browser.")
@project_option
def serve(project_dir: str, host: str, port: int, drafts: bool, open_browser: bool) -> None:
    """Preview the site, rebuilding what an edit affects and reloading the browser."""
    from .site.serve import serve as run, stderr

    if not host.strip():
        raise click.BadParameter("expected an address such as 127.0.0.1 (or 0.0.0.0 to share the preview), got ''",
                                 param_hint="--host")
    try:
        run(Path(project_dir).resolve(), host, port, drafts, open_browser, stderr)
    except OSError as error:
        _fail(f"cannot serve on {host}:{port}: {error.strerror}")


@cli.command()
@click.argument("rev_a", default="HEAD")
@click.argument("rev_b", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences, 0 when there are none (like git).")
@click.option("--never-fail", is_flag=True,
              help="Report problems but always exit 0 (for the pre-commit hook, which must never block a commit).")
@project_option
def diff(project_dir: str, rev_a: str, rev_b: str | None, fmt: str, exit_code: bool, never_fail: bool) -> None:
    """Show what changed in the results between two revisions (default: HEAD and the working tree).

    Revisions are read through git itself; nothing is checked out. Errors exit 2."""
    from .data.export import to_json
    from .git.diff import as_data, as_text, compare
    from .load.tree import DiskTree, GitTree, TreeError

    failed = 0 if never_fail else 2
    root = Path(project_dir).resolve()
    sides = []
    for revision in (rev_a, rev_b):
        try:
            tree = GitTree(root, revision) if revision else DiskTree(root)
        except TreeError as error:
            _fail(f"cannot read revision {revision!r}: {error}", failed)
        try:
            sides.append((tree, load_project(sources=None, tree=tree)))
        except ProjectError as error:
            click.secho(f"✗ the project does not load at {tree.label}:", fg="red", err=True)
            _report(error)
            sys.exit(failed)
        finally:
            getattr(tree, "close", lambda: None)()
    (tree_a, old), (tree_b, new) = sides
    found = compare(old, new)
    if fmt == "json":
        describe = lambda t: {"revision": getattr(t, "revision", "working tree"), "commit": getattr(t, "commit", None)}
        click.echo(to_json(as_data(found, describe(tree_a), describe(tree_b))))
    else:
        click.echo(as_text(found, tree_a.label, tree_b.label), nl=False)
    if exit_code and found and not never_fail:
        sys.exit(1)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--manifest", type=click.Path(exists=True),
              help="A manifest obtained separately (e.g. from the publisher), instead of the copy's own.")
@project_option
def verify(project_dir: str, folder: str, manifest: str | None) -> None:
    """Check a deployed or downloaded copy of a site against its integrity manifest (FOLDER is taken
    relative to --project when it is relative)."""
    from .site.manifest import ManifestError, verify as check_copy

    copy = Path(folder) if Path(folder).is_absolute() else Path(project_dir) / folder
    if not copy.is_dir():
        raise click.BadParameter(f"no folder {copy}", param_hint="FOLDER")
    try:
        result = check_copy(copy, Path(manifest) if manifest else None)
    except ManifestError as error:
        _fail(str(error), 2)
    for label, names in (("missing", result.missing), ("added", result.added), ("altered", result.altered)):
        for name in names:
            click.echo(f"{label}: {printable(name)}", err=True)     # a file name must not repaint the terminal
    commit = f" (source commit {result.source_commit[:7]})" if result.source_commit else ""
    if result.ok:
        click.secho(f"✓ all {result.checked:,} files match the manifest{commit}", fg="green")
        return
    problems = len(result.missing) + len(result.added) + len(result.altered)
    click.secho(f"✗ {problems} file{'s' * (problems != 1)} differ from the manifest{commit}", fg="red", err=True)
    sys.exit(1)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
def init(folder: str) -> None:
    """Start a new project in FOLDER: site.yaml, units.yaml, a small rubric, one assessment with a
    score file, a page, .gitignore and the JSON Schemas; comments teach the format. It checks
    and builds at once. Nothing is overwritten: when any of its files exists, nothing is written."""
    from .data.starter import existing, init_files, write_files

    root = Path(folder)
    if root.exists() and not root.is_dir():
        _fail(f"{folder} is a file, not a folder", 2)
    files = init_files()
    taken = existing(root, files)
    if taken:
        _fail(f"{folder} has {', '.join(taken[:5])}{' …' if len(taken) > 5 else ''} already: scoresite init never "
              "overwrites a file, so nothing was written\n    hint: start the project in a new or empty folder", 2)
    try:
        write_files(root, files)
    except FileExistsError as error:
        _fail(f"{error.filename} appeared while writing: scoresite init never overwrites a file", 2)
    click.secho(f"✓ a new project in {folder} ({len(files)} files). Next:\n"
                f"    cd {folder} && scoresite check && scoresite build\n"
                "  then edit content/ and rubrics/ (see the comments in each file)", fg="green")


@cli.command()
@click.argument("assessment")
@click.argument("entity")
@project_option
def new(project_dir: str, assessment: str, entity: str) -> None:
    """Write ENTITY's score file for ASSESSMENT: every indicator key with a comment giving its text,
    maximum and what its rule expects; results blank (not assessed). Never overwrites."""
    from .data.starter import schema_files, score_file_path, score_file_text, write_files, existing

    project = _load(project_dir)
    chosen = _assessment(project, assessment)
    unit = project.units.get(entity)
    if unit is None:
        raise click.BadParameter(f"no unit {entity!r} in content/units.yaml; {suggest(entity, project.units, 'units')}",
                                 param_hint="ENTITY")
    if unit.kind == "group":
        raise click.BadParameter(f"{entity!r} is a group, which cannot be assessed itself", param_hint="ENTITY")
    root = Path(project_dir)
    path = score_file_path(chosen.id, entity)
    if existing(root, [path]):
        _fail(f"{path} exists already: scoresite new never overwrites a score file\n    hint: edit it, or move it "
              "away first", 2)
    text = score_file_text(chosen, project.rubric_of(chosen), unit)
    schemas = {name: body for name, body in schema_files().items() if not existing(root, [name])}
    write_files(root, {path: text, **schemas})
    click.secho(f"✓ wrote {path} ({len(project.rubric_of(chosen).indicators)} indicators, all blank: not assessed)",
                fg="green")


def _assessment(project: Project, assessment: str):
    if assessment not in project.assessments:
        raise click.BadParameter(f"no assessment {assessment!r}; {suggest(assessment, project.assessments, 'assessments')}",
                                 param_hint="ASSESSMENT")
    return project.assessments[assessment]


@cli.command()
@click.argument("kind", type=click.Choice(["site", "units", "rubric", "assessment", "scores"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a file kind (site, units, rubric, assessment, scores), for editors."""
    from .data.schemas import schema_text

    click.echo(schema_text(kind), nl=False)


@cli.group("import")
def import_group() -> None:
    """Bring data in: a rubric table (csv, xlsx, docx), or scores from a fill-in workbook."""


@import_group.command("rubric")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "rubric_id", help="The rubric's id (default: from the file name).")
@click.option("--title", help="The rubric's title (default: the file name).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the rubric to this file (never over an existing one), not stdout.")
@project_option
def import_rubric(project_dir: str, file: str, rubric_id: str | None, title: str | None, output: str | None) -> None:
    """Turn a rubric table (考核内容 / 考核项目 / 评估标准 / 分值 / 考评方法 / 责任单位) into rubric YAML.

    Unit names are checked against the project's content/units.yaml; unknown ones are reported
    and kept. Rules are inferred where the method's wording is unambiguous, else left as judged
    with a comment asking for review."""
    from .data.rubric_import import ImportError_, import_rubric as convert, project_units
    from .load.schema import id_problem

    source = _input_file(file)
    rubric_id = rubric_id or _slug(source.stem)
    problem = id_problem(rubric_id, "a rubric id")
    if problem:
        raise click.BadParameter(f"{problem.message}" + (f"; {problem.hint}" if problem.hint else ""),
                                 param_hint="--id")
    target = _new_file(output) if output else None
    units = project_units(Path(project_dir))
    if units is None:
        click.secho(f"warning: no readable content/units.yaml in {project_dir}: unit names are kept as written, "
                    "unchecked (run the import inside the project, or pass -C DIR)", fg="yellow", err=True)
    try:
        imported = convert(source, rubric_id, title or source.stem, units)
    except ImportError_ as error:
        for problem in error.errors:
            click.echo(str(problem), err=True)
        _fail(f"{len(error.errors)} problem{'s' * (len(error.errors) != 1)} in {source.name}: nothing written")
    for note in imported.notes:
        click.secho(f"warning: {note}", fg="yellow", err=True)
    if target is None:
        click.echo(imported.text, nl=False)
        return
    _write_new(target, imported.text)
    click.secho(f"✓ wrote {target}: review each rule and unit, then run scoresite check", fg="green")


@import_group.command("scores")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--assessment", "-a", "assessment", help="The assessment (default: the 考核编号 in each worksheet).")
@project_option
def import_scores(project_dir: str, file: str, assessment: str | None) -> None:
    """Update the score files from a filled workbook (see `scoresite sheet`). Every bad cell is
    listed with its worksheet and cell; nothing is written unless the whole workbook is valid.
    Only what changed is edited: comments, notes and evidence in the files stay."""
    from .data.workbook import SheetProblems, check_changes, plan_import, write_changes

    source = _input_file(file, (".xlsx",))
    project = _load(project_dir)
    if assessment:
        _assessment(project, assessment)
    try:
        changes = plan_import(source, project, assessment)
        check_changes(project, changes)
    except SheetProblems as error:
        for problem in error.errors:
            click.echo(str(problem), err=True)
        _fail(f"{len(error.errors)} problem{'s' * (len(error.errors) != 1)} in {source.name}: nothing written")
    except ProjectError as error:
        _report(error)
        _fail("the score files would not load after this import: nothing written")
    for change in changes:
        for warning in change.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
    write_changes(Path(project_dir), changes)
    for change in changes:
        what = f"{change.results} result{'s' * (change.results != 1)}" + (
            f", {change.notes} note{'s' * (change.notes != 1)}" if change.notes else "")
        click.echo(f"{'created' if change.old is None else 'updated'} {change.path}: {what}")
    click.secho(f"✓ {len(changes)} score file{'s' * (len(changes) != 1)} changed" if changes else
                "✓ nothing changed: the workbook holds the results the score files have", fg="green")


@cli.command()
@click.argument("assessment")
@click.argument("entities", nargs=-1)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The workbook to write (.xlsx; never over an existing file).")
@click.option("--drafts", is_flag=True, help="Allow a draft assessment.")
@project_option
def sheet(project_dir: str, assessment: str, entities: tuple[str, ...], output: str, drafts: bool) -> None:
    """Write a fill-in workbook (评分表) for ASSESSMENT: one worksheet per entity (default: every
    entity with a score file), pre-filled with the current results, for `scoresite import scores`."""
    from .data.workbook import write_workbook

    if not output.lower().endswith(".xlsx"):
        raise click.BadParameter(f"expected a file name ending in .xlsx, got {output}", param_hint="--output")
    if inside_inputs(Path(project_dir), Path(output)):
        raise click.BadParameter(f"{output} is inside content/, rubrics/ or themes/, which scoresite reads; "
                                 "write the workbook elsewhere", param_hint="--output")
    target = _new_file(output)
    project = _load(project_dir)
    chosen = _assessment(project, assessment)
    if chosen.is_draft and not drafts:
        raise click.BadParameter(f"{assessment} is a draft: add --drafts to write its workbook", param_hint="ASSESSMENT")
    for entity in entities:
        unit = project.units.get(entity)
        if unit is None or unit.kind == "group":
            raise click.BadParameter(f"expected an assessed unit, got {entity!r}; "
                                     + suggest(entity, [u for u in project.units if project.units[u].kind != "group"],
                                               "units"), param_hint="ENTITIES")
    chosen_entities = list(dict.fromkeys(entities)) or [u for u in project.units if u in chosen.sheets]
    if not chosen_entities:
        raise click.BadParameter(f"{assessment} has no score files yet: name the units, e.g. "
                                 f"scoresite sheet {assessment} finance hrss -o 评分表.xlsx", param_hint="ENTITIES")
    write_workbook(project, chosen.id, chosen_entities, target)
    click.secho(f"✓ wrote {target}: {len(chosen_entities)} worksheet{'s' * (len(chosen_entities) != 1)}", fg="green")


def _input_file(file: str, endings: tuple[str, ...] = (".csv", ".xlsx", ".docx")) -> Path:
    path = Path(file)
    if not path.is_file():
        raise click.BadParameter(f"no file {file}", param_hint="FILE")
    if path.suffix.lower() not in endings:
        raise click.BadParameter(f"expected a {', '.join(endings)} file, got {path.name}; an old .xls or .doc must "
                                 "be saved again in the new format (另存为 .xlsx / .docx)", param_hint="FILE")
    return path


def _slug(stem: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        raise click.BadParameter(f"cannot make a rubric id from the file name {stem!r}: give one with --id, "
                                 "e.g. --id entrepreneurial-city", param_hint="--id")
    return slug


def _new_file(name: str) -> Path:
    """A file to create: its folder must exist, and it must not (scoresite never overwrites)."""
    path = Path(name)
    if path.exists():
        _fail(f"{name} exists already: scoresite does not overwrite it\n    hint: choose another name, "
              "or move the old file away first", 2)
    if not path.resolve().parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist; create it first", param_hint="--output")
    return path


def _write_new(path: Path, text: str) -> None:
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        _fail(f"{path} exists already: scoresite does not overwrite it", 2)
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror}", 2)


def main() -> None:
    """Entry point: click's own errors exit 2; problems in the project exit 1; never a traceback."""
    try:
        cli(prog_name="scoresite", standalone_mode=False)
        _leave_now()
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except SettingError as error:
        _fail(str(error), 2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:                     # `scoresite export | head`: the reader stopped reading
        sys.stderr.close()
        sys.exit(0)
    except MemoryError:
        _fail("out of memory", 2)
    except OSError as error:                    # the disk or the terminal, not scoresite: a full disk, a closed pipe
        _fail(f"cannot go on: {error.strerror or error}" + (f" ({error.filename})" if error.filename else ""), 2)
    except Exception as error:                  # a bug: say so in one line; SCORESITE_DEBUG=1 shows the traceback
        if os.environ.get("SCORESITE_DEBUG"):
            raise
        _fail(f"internal error: {type(error).__name__}: {error}\n    hint: this is a bug in scoresite; please "
              "report it with the command you ran (SCORESITE_DEBUG=1 shows the details)", 2)


def _leave_now() -> None:
    """End the process at once after a command that succeeded: a national build leaves a few
    hundred megabytes of objects, and freeing them one by one at interpreter shutdown took 0.2 s.
    Every command has closed its files, pools and servers by now; only the streams wait."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":   # pragma: no cover
    main()
