"""The fill-in workbook (评分表): `scoresite sheet` writes one worksheet per assessed unit, and
`scoresite import scores` brings the filled workbook back into the YAML score files.

A worksheet: a title, the assessment's and the unit's ids (考核编号, 单位编号), a line of
instructions, then a header row with `指标编号` and `评分结果` (these exact words, so any tool can
fill such a sheet) beside the indicator's text, maximum and rule in words, the second numbers
some rules need (总数, 超出数, 基线值, 目标值), 备注 and 佐证材料; one row per indicator, pre-filled
with the current results. Drop-down lists where a rule names its choices, percentage and whole
number formats where it takes numbers.

Importing reads every worksheet with such a header row. Each cell becomes the YAML text a score
file would hold (results.py), which goes through the rule's own `read_result`, so a cell is
refused with the message a score file would get, at its worksheet and cell (财政局!F12). Every
problem is listed; nothing is written unless the whole workbook is valid and the project, with
the edited files, still loads. Only what changed is edited (score_files.py): comments, notes,
evidence and overrides stay; an unchanged workbook changes nothing."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import Invalid, SourceError
from ..load.project import Project, UnitResolver, read_project
from ..load.tree import EditedTree
from ..load.yamlio import Map, Scalar, load_text
from ..rules import describe_rule
from .export import cell as neutral
from .results import (EXTRA_COLUMNS, CellProblem, Shown, cell_text, choices, fill_hint, percent_rule, second,
                      to_cells, yaml_result)
from .score_files import EditError, ScoreFile
from .starter import score_file_path, score_file_text
from .tables import Cell, sheet_rows

KEY, RESULT, NOTE, EVIDENCE = "指标编号", "评分结果", "备注", "佐证材料"
BASE_COLUMNS = [(KEY, 10), ("指标内容", 48), ("分值", 7), ("计分规则", 44), (RESULT, 14)]
TAIL_COLUMNS = [(NOTE, 30), (EVIDENCE, 30)]
ASSESSMENT_LABEL, ENTITY_LABEL = "考核编号", "单位编号"
INSTRUCTIONS_SHEET = "填写说明"
INSTRUCTIONS = [
    "填写说明",
    "1. 每个被考核单位一个工作表。只在“评分结果”列（及需要时的“总数”“超出数”“基线值”“目标值”列）和“备注”列填写；"
    "灰色单元格无需填写。",
    "2. 不要修改“指标编号”“考核编号”“单位编号”，也不要增删行、改动表头：导入时按这些编号找到对应的指标和单位。",
    "3. “评分结果”留空表示未评估（计0分，网页上显示“未评估”）。",
    "4. 按“计分规则”列最后一行的提示填写：符合与否选“是/否”；分档选下拉列表中的一项；比例填百分比（如 92.5%）；"
    "扣分类填次数；按完成项数计分的填完成数和总数。",
    "5. 指标不适用时，评分结果填 n/a，并在“备注”写明原因。",
    "6. “备注”写评分说明，会随分数公示。“佐证材料”列仅供查看，修改请在评分文件中进行。",
    "7. 填好后交回，由管理员运行 scoresite import scores 导入：有错误的单元格会逐一列出（如 市财政局!E12），"
    "全部无误才会写入。",
]


# --- writing ------------------------------------------------------------------------------

def write_workbook(project: Project, assessment_id: str, entities: list[str], path: Path) -> None:
    """The fill-in workbook for these entities, pre-filled with their current results."""
    import openpyxl

    assessment = project.assessments[assessment_id]
    rubric = project.rubric_of(assessment)
    book = openpyxl.Workbook()
    _instructions(book.active, assessment)
    titles: set[str] = {INSTRUCTIONS_SHEET}
    for entity in entities:
        unit = project.units[entity]
        sheet = book.create_sheet(_sheet_title(unit.short or unit.name, titles))
        _entity_sheet(sheet, project, assessment, rubric, entity)
    book.save(path)


def _instructions(sheet, assessment) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = INSTRUCTIONS_SHEET
    sheet.column_dimensions["A"].width = 110
    sheet.append([neutral(assessment.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in INSTRUCTIONS:
        sheet.append([neutral(line)])
    sheet["A2"].font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "", name)[:28] or "单位"
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:26]}{n}", n + 1
    taken.add(title)
    return title


def _entity_sheet(sheet, project: Project, assessment, rubric, entity: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    unit = project.units[entity]
    extras = [k for k in EXTRA_COLUMNS if any(second(i.rule) == k for i in rubric.indicators.values())]
    columns = BASE_COLUMNS + [(EXTRA_COLUMNS[k], 10) for k in extras] + TAIL_COLUMNS
    position = {name: n for n, (name, _) in enumerate(columns, 1)}
    sheet.append([neutral(f"{assessment.title}　评分表：{unit.name}")])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([ASSESSMENT_LABEL, assessment.id, ENTITY_LABEL, entity, "单位名称", neutral(unit.name)])
    sheet.append([neutral("说明：在“评分结果”列填写，留空表示未评估；灰色单元格无需填写；指标不适用填 n/a 并在备注写原因。"
                          "详见“填写说明”工作表。")])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(columns))
    sheet.append([name for name, _ in columns])
    header = sheet.max_row
    grey = PatternFill("solid", fgColor="DDDDDD")
    head = PatternFill("solid", fgColor="D9E2F3")
    thin = Side(style="thin", color="999999")
    for n, (name, width) in enumerate(columns, 1):
        cell = sheet.cell(header, n)
        cell.font, cell.fill = Font(bold=True), head
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet_entries = assessment.sheets.get(entity)
    validations: dict[tuple, DataValidation] = {}
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="请填写整数", error="请填写不小于0的整数（次数、项数）")
    sheet.add_data_validation(counts)
    for key, indicator in rubric.indicators.items():
        rule = indicator.rule
        entry = sheet_entries.entries.get(key) if sheet_entries else None
        shown = Shown()
        if entry is not None and entry.not_applicable:
            shown = Shown("n/a")
        elif entry is not None and entry.result is not None:
            shown = to_cells(rule, entry.result)
        note = entry.reason if entry is not None and entry.not_applicable else (entry.note if entry else "")
        evidence = "\n".join(_evidence_line(e) for e in entry.evidence) if entry else ""
        sheet.append([key, neutral(indicator.text), _number(indicator.points),
                      neutral(describe_rule(rule, indicator.points) + "\n" + fill_hint(rule))])
        row = sheet.max_row
        result_cell = sheet.cell(row, position[RESULT])
        _put(result_cell, shown.main, percent_rule(rule))
        own = second(rule)
        for extra in extras:
            cell = sheet.cell(row, position[EXTRA_COLUMNS[extra]])
            if extra == own:
                _put(cell, shown.extra, percent_rule(rule) and extra in ("baseline",))
                if extra in ("of", "extra"):
                    counts.add(cell)
            else:
                cell.fill = grey
        if note:
            sheet.cell(row, position[NOTE]).value = neutral(note)
        if evidence:
            sheet.cell(row, position[EVIDENCE]).value = neutral(evidence)
            sheet.cell(row, position[EVIDENCE]).fill = grey
        offered = choices(rule)
        if offered:
            listed = '"' + ",".join(offered) + '"'
            if listed not in validations:
                validations[listed] = DataValidation(type="list", formula1=listed, allow_blank=True,
                                                     showErrorMessage=True, errorStyle="warning",
                                                     errorTitle="请从列表中选择", error="请从下拉列表中选择一项")
                sheet.add_data_validation(validations[listed])
            validations[listed].add(result_cell)
        elif rule.name in ("deduct", "share") and not getattr(rule, "items", ()):
            counts.add(result_cell)
        for n in range(1, len(columns) + 1):
            cell = sheet.cell(row, n)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row, 1).number_format = "@"
    sheet.freeze_panes = sheet.cell(header + 1, 2)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _put(cell, value, percent: bool) -> None:
    """A pre-filled value: a number as a number (a percentage formatted as one), text as text."""
    if isinstance(value, tuple):
        number, is_percent = value
        if is_percent:
            cell.value = float(number)
            decimals = max(0, -(number * 100).normalize().as_tuple().exponent)
            cell.number_format = "0%" if not decimals else "0." + "0" * decimals + "%"
        else:
            cell.value = _number(Decimal(number))
            cell.number_format = "General"
    elif value is not None:
        cell.value = neutral(str(value))
        cell.number_format = "@"
    elif percent:
        cell.number_format = "0.0%"


def _evidence_line(evidence) -> str:
    return f"{evidence.title}：{evidence.url or evidence.file}"


# --- reading ------------------------------------------------------------------------------

@dataclass
class Row:
    key: str
    result: Cell
    extras: dict[str, Cell]           # by EXTRA_COLUMNS key
    note: Cell | None
    evidence: Cell | None
    numeric_key: bool = False          # typed as a number: 3.10 would read 3.1


@dataclass
class Filled:
    """One worksheet: whose it is, and its rows."""

    sheet: str
    entity: str
    assessment: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Change:
    """One score file's new text, and what changed in it."""

    path: str
    old: str | None
    new: str
    results: int = 0
    notes: int = 0
    warnings: list[str] = field(default_factory=list)


def _error(where: str, message: str, hint: str = "") -> SourceError:
    return SourceError(where, 0, 0, message, hint)


def read_workbook(path: Path, project: Project, assessment_id: str | None, problems: list) -> list[Filled]:
    """The filled worksheets: every worksheet whose header row has 指标编号 and 评分结果."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:          # openpyxl raises many kinds for a file that is no workbook
        problems.append(_error(path.name, f"expected an .xlsx workbook, got a file that cannot be opened "
                               f"({type(error).__name__})", "open it in Excel or WPS and save it as .xlsx"))
        return []
    resolver = UnitResolver(project.units)
    filled = []
    for sheet in book.worksheets:
        rows = sheet_rows(sheet)
        header = next((n for n, row in enumerate(rows[:30]) if {KEY, RESULT} <= {c.text for c in row}), None)
        if header is None:
            continue
        found = _sheet(sheet.title, rows, header, project, resolver, assessment_id, problems)
        if found:
            filled.append(found)
    if not filled and not problems:
        problems.append(_error(path.name, f"expected a worksheet with a header row holding {KEY} and {RESULT}, "
                               "got none", "write the workbook with scoresite sheet, or name the columns so"))
    return filled


def _sheet(title, rows, header, project, resolver, assessment_id, problems) -> Filled | None:
    labels = {}
    for row in rows[:header]:
        for cell, beside in zip(row, row[1:]):
            if cell.text in (ASSESSMENT_LABEL, ENTITY_LABEL):
                labels[cell.text] = beside
    assessment = assessment_id or (labels[ASSESSMENT_LABEL].text if ASSESSMENT_LABEL in labels else "")
    first = f"{title}!A1"
    if not assessment:
        problems.append(_error(first, f"expected the assessment's id beside {ASSESSMENT_LABEL}, got none",
                               "pass --assessment ID"))
        return None
    if assessment not in project.assessments:
        where = labels[ASSESSMENT_LABEL].where if not assessment_id else first
        problems.append(_error(where, f"expected an assessment of the project, got {assessment!r}",
                               "known: " + ", ".join(project.assessments)))
        return None
    if ENTITY_LABEL in labels:
        entity, where = labels[ENTITY_LABEL].text, labels[ENTITY_LABEL].where
    else:
        try:
            entity, where = resolver(title), first
        except Invalid as error:
            problems.append(_error(first, f"expected the unit's id beside {ENTITY_LABEL}, or a worksheet named after "
                                   f"a unit, got {title!r}", error.hint))
            return None
    unit = project.units.get(entity)
    if unit is None or unit.kind == "group":
        problems.append(_error(where, f"expected the id of an assessed unit, got {entity!r}",
                               "it is the file name of the unit's score file, e.g. finance"))
        return None
    names = [c.text for c in rows[header]]
    column = {name: names.index(name) for name in names if name}
    filled = Filled(title, entity, assessment)
    for row in rows[header + 1:]:
        def at(name):
            return row[column[name]] if name in column and column[name] < len(row) else None
        key = at(KEY)
        if key is None or not key.text:
            continue
        extras = {k: at(name) for k, name in EXTRA_COLUMNS.items() if at(name) is not None}
        filled.rows.append(Row(key.text, at(RESULT), extras, at(NOTE), at(EVIDENCE),
                               isinstance(key.value, (int, float)) and not isinstance(key.value, bool)))
    return filled


def plan_import(path: Path, project: Project, assessment_id: str | None) -> list[Change]:
    """Read the workbook and work out every score file's new text; SheetProblems lists every
    problem, and then nothing should be written."""
    problems: list[SourceError] = []
    filled = read_workbook(path, project, assessment_id, problems)
    seen: dict[tuple, str] = {}
    changes = []
    for sheet in filled:
        if (sheet.assessment, sheet.entity) in seen:
            problems.append(_error(f"{sheet.sheet}!A1", f"expected one worksheet per unit, got {sheet.entity!r} "
                                   f"again (first in {seen[(sheet.assessment, sheet.entity)]})"))
            continue
        seen[(sheet.assessment, sheet.entity)] = sheet.sheet
        change = _apply(sheet, project, problems)
        if change is not None:
            changes.append(change)
    if problems:
        raise SheetProblems(problems)
    return [c for c in changes if c.old != c.new]


class SheetProblems(Exception):
    def __init__(self, errors: list[SourceError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def _apply(filled: Filled, project: Project, problems: list) -> Change | None:
    """The edits one worksheet makes to its unit's score file."""
    assessment = project.assessments[filled.assessment]
    rubric = project.rubric_of(assessment)
    shown = score_file_path(assessment.id, filled.entity)
    file_path = project.root / shown
    old = file_path.read_text(encoding="utf-8") if file_path.is_file() else None
    start = old if old is not None else score_file_text(assessment, rubric, project.units[filled.entity])
    bom = start.startswith("\ufeff")
    try:
        file = ScoreFile(start.removeprefix("\ufeff"), shown, list(rubric.indicators))
    except EditError as error:
        problems.append(_error(shown, str(error)))
        return None
    change = Change(shown, old, start)
    keys: dict[str, str] = {}
    before = len(problems)
    for row in filled.rows:
        where = row.result.where if row.result else f"{filled.sheet}!A1"
        indicator = rubric.indicators.get(row.key)
        same = [k for k in rubric.indicators if _as_number(k) == _as_number(row.key)] if row.numeric_key else []
        if row.numeric_key and len(same) > 1:
            problems.append(_error(_cell_a(where), f"expected the 指标编号 as text, got the number {row.key} (it could "
                                   f"be {' or '.join(same)})", "format the 指标编号 column as text (文本) and type the "
                                   "keys as the rubric writes them"))
            continue
        if indicator is None:
            problems.append(_error(_cell_a(where), f"expected an indicator key of "
                                   f"rubric {rubric.id!r}, got {row.key!r}", "do not change the 指标编号 column"))
            continue
        if row.key in keys:
            problems.append(_error(where, f"expected each indicator once, got {row.key} again (first at {keys[row.key]})"))
            continue
        keys[row.key] = where
        try:
            _apply_row(file, row, indicator, change)
            _check_evidence(row, assessment.sheets.get(filled.entity), indicator.key, change)
        except _RowProblem as problem:
            problems.append(_error(problem.where, problem.message, problem.hint))
        except EditError as error:
            problems.append(_error(where, f"cannot edit {shown} here: {error}", "edit this entry in the YAML file by hand"))
    if len(problems) > before:
        return None
    if old is None and not change.results and not change.notes:
        return None                     # nothing filled in for a unit without a score file: no file
    change.new = ("\ufeff" if bom else "") + file.text
    return change


def _check_evidence(row: Row, sheet, key: str, change: Change) -> None:
    """The 佐证材料 column is shown, not imported: say so when it was edited."""
    if row.evidence is None:
        return
    entry = sheet.entries.get(key) if sheet else None
    current = "\n".join(_evidence_line(e) for e in entry.evidence) if entry else ""
    if _note(row.evidence) != current:
        change.warnings.append(f"{row.evidence.where}: the {EVIDENCE} column is not imported; add evidence to "
                               f"{change.path} (url: or file: under content/evidence/)")


def _cell_a(where: str) -> str:
    """The 指标编号 cell of the row `where` is in (column A)."""
    sheet, _, cell = where.rpartition("!")
    return f"{sheet}!A{re.sub(r'^[A-Z]+', '', cell)}"


def _as_number(key: str):
    try:
        return float(key)
    except ValueError:
        return None


def _workbook_hint(rule, hint: str) -> str:
    """The rule's own hint, then the words the sheet's 计分规则 column asks for (是 / 否, a level's label)."""
    asked = fill_hint(rule)
    return f"{hint}; {asked}" if hint else asked


class _RowProblem(Exception):
    def __init__(self, where: str, message: str, hint: str = ""):
        super().__init__(message)
        self.where, self.message, self.hint = where, message, hint


def _apply_row(file: ScoreFile, row: Row, indicator, change: Change) -> None:
    rule = indicator.rule
    main = cell_text(row.result.value, row.result.number_format) if row.result else ""
    own = second(rule)
    for name, cell in row.extras.items():
        if name != own and cell.text:
            raise _RowProblem(cell.where, f"expected nothing in {EXTRA_COLUMNS[name]} for {indicator.key} (a grey "
                              f"cell), got {cell.text!r}", "its rule takes no such number; clear the cell")
    extra_cell = row.extras.get(own) if own else None
    extra = cell_text(extra_cell.value, extra_cell.number_format) if extra_cell else ""
    try:
        written = yaml_result(rule, main, extra)
    except CellProblem as problem:
        where = extra_cell.where if problem.second and extra_cell else row.result.where
        raise _RowProblem(where, problem.message, problem.hint) from None
    entry = file.entry(indicator.key)
    current = entry.get("result") if isinstance(entry, Map) else None
    current_blank = current is None or (isinstance(current, Scalar) and current.is_null)
    note = _note(row.note)
    if written is None:
        if not current_blank:
            file.set_field(indicator.key, "result", "")
            file.remove_field(indicator.key, "reason")
            change.results += 1
        return
    if written == "n/a":
        reason = note or (str(entry.get("reason", "")).strip() if isinstance(entry, Map) else "")
        if not reason:
            raise _RowProblem(row.note.where if row.note else row.result.where,
                              f"expected the reason in {NOTE} beside n/a, got nothing",
                              "say why the indicator does not apply; readers are told")
        if indicator.veto is not None:
            raise _RowProblem(row.result.where, f"expected a result for the veto indicator {indicator.key}, got n/a",
                              "a veto cannot be set aside as not applicable")
        if current_blank or str(current).strip() != "n/a":
            file.set_field(indicator.key, "result", "n/a")
            change.results += 1
        if str(file.entry(indicator.key).get("reason", "")).strip() != reason:
            file.set_text(indicator.key, "reason", reason)
        return
    try:
        value, errors = load_text(written, row.result.where)
        if errors:
            raise errors[0]
        result = rule.read_result(value, indicator.points)
    except Invalid as error:
        raise _RowProblem(row.result.where, error.message if "got" in error.message else
                          f"expected a result for this rule, got {main!r}", _workbook_hint(rule, error.hint)) from None
    if current_blank or _is_na(current) or not _same(rule, current, indicator, result):
        file.set_field(indicator.key, "result", written)
        if _is_na(current):
            file.remove_field(indicator.key, "reason")
        change.results += 1
    entry = file.entry(indicator.key)
    if note and str(entry.get("note", "")).strip() != note:
        file.set_text(indicator.key, "note", note)
        change.notes += 1


def _is_na(value) -> bool:
    return isinstance(value, Scalar) and str(value).strip() == "n/a"


def _same(rule, current, indicator, result) -> bool:
    """The file's result means what the cell means (92.5% and 92.50%, 符合 and full)."""
    try:
        return _key(rule.read_result(current, indicator.points)) == _key(result)
    except Invalid:
        return False


def _key(value):
    from dataclasses import fields, is_dataclass
    from ..model import Quantity

    if isinstance(value, Quantity):
        return ("q", value.value, value.percent)
    if is_dataclass(value):
        return (type(value).__name__, *(_key(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, tuple):
        return tuple(_key(v) for v in value)
    return value


def _note(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    text = str(cell.value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


# --- checking and writing -----------------------------------------------------------------

def check_changes(project: Project, changes: list[Change]) -> None:
    """The project with the new texts must load as it does now: ProjectError otherwise."""
    if changes:
        read_project(tree=EditedTree(project.root, {c.path: c.new for c in changes}))


def write_changes(root: Path, changes: list[Change]) -> None:
    """Each file replaced at once (a temporary file beside it, then renamed over it)."""
    for change in changes:
        target = root / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".scoresite-", suffix=".yaml", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(change.new)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
