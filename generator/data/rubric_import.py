"""A rubric table (考核内容 / 考核项目 / 评估标准 / 分值 / 考评方法 / 责任单位) → rubric YAML text.

Rubrics arrive as the table of a Word or WPS attachment. Whatever the format (tables.py reads
csv, xlsx and docx alike), the rows come here: section cells left blank or merged are continued
downward, the numbering of each cell gives the ids (一、→ 1, 2. → 2, 2.1 → 1), and each
indicator's rule is inferred from the wording of its method where the wording is unambiguous
(see `infer_rule`). Everything else becomes `judged` with a comment asking for review. The YAML
is written by hand, in the style of rubrics/, for a person to review; it is checked by the same
reader as every rubric before it is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import Invalid, Problems, SourceError
from ..load.characters import ascii_number
from ..load.rubrics import read_rubric
from ..load.yamlio import load_file, load_text
from ..numbers import plain
from .tables import Cell, Table, read_tables
from .yamltext import scalar

TEXT_HEADERS = ("评估标准", "考核标准", "评分标准", "考核指标", "指标内容", "三级指标", "考核要点", "考核细则")
POINTS_HEADERS = ("分值", "标准分", "分数", "权重分")
METHOD_HEADERS = ("考评方法", "考核方法", "考核办法", "评分方法", "评分办法", "计分方法", "评分细则", "考评办法")
UNIT_HEADERS = ("责任单位", "牵头单位", "责任部门", "承办单位")
SECTION_HEADERS = ("考核内容", "考核项目", "一级指标", "二级指标", "考核类别", "指标类别", "考核类型")
CHINESE_NUMBERS = {c: n for n, c in enumerate("一二三四五六七八九十", 1)}


@dataclass
class Columns:
    sections: list[int]
    text: int
    points: int
    method: int | None
    units: int | None


@dataclass
class Indicator:
    id: str
    text: str
    points: Decimal
    method: str
    units: list[str]
    cell: Cell
    units_cell: Cell | None = None


@dataclass
class Section:
    id: str
    title: str
    declared: Decimal | None = None
    sections: list["Section"] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Imported:
    """The rubric's YAML text, and what a person should look at (unknown units, rules to review)."""

    text: str
    notes: list[str]


class ImportError_(Exception):
    """The table cannot become a rubric; `errors` says where and why (every one)."""

    def __init__(self, errors: list[SourceError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def project_units(root: Path):
    """The project's unit resolver from content/units.yaml, or None when there is none (or it does
    not read: `check` says why); unit names are then kept as written, unchecked."""
    from ..load.project import UnitResolver, read_units

    path = root / "content" / "units.yaml"
    if not path.is_file():
        return None
    try:
        value, errors = load_file(path, "content/units.yaml")
    except Invalid:
        return None
    problems = Problems()
    units = read_units(value, problems)
    return UnitResolver(units) if units and not errors and not problems.errors else None


def import_rubric(path: Path, rubric_id: str, title: str, resolve_unit=None, shown: str | None = None) -> Imported:
    """Read the first table with the expected headers and turn it into a rubric's YAML text."""
    shown = shown or path.name
    try:
        tables = read_tables(path, shown)
    except Invalid as error:
        raise ImportError_([_error(error.mark.path if error.mark else shown, error.message, error.hint)]) from None
    found = _find_table(tables)
    if found is None:
        raise ImportError_([_error(shown, "expected a table whose header row has 评估标准 (or 考核标准) and 分值, "
                                  f"got none among {len(tables)} table{'s' * (len(tables) != 1)}",
                                  "the header row names the columns: 考核内容 / 考核项目 / 评估标准 / 分值 / 考评方法 / "
                                  "责任单位")])
    table, header_index, columns = found
    problems: list[SourceError] = []
    sections = _sections(table.rows[header_index + 1:], columns, problems)
    if not problems and not sections:
        problems.append(_error(table.name, "expected rows below the header row, got none"))
    if problems:
        raise ImportError_(problems)
    notes: list[str] = []
    text = _rubric_yaml(rubric_id, title, shown, sections, notes)
    for name, error in _check(text, rubric_id, resolve_unit).items():
        where = next((i.units_cell.where for i in _walk(sections) if name in i.units), shown)
        notes.append(f"{where}: unknown unit {name!r}, kept as written: add it to content/units.yaml or correct "
                     "it in the rubric" + (f" ({error.hint})" if error.hint else ""))
    return Imported(text, notes)


def _walk(sections: list[Section]):
    for section in sections:
        yield from section.indicators
        yield from _walk(section.sections)


def _error(where: str, message: str, hint: str = "") -> SourceError:
    return SourceError(where, 0, 0, message, hint)


# --- the table ----------------------------------------------------------------------------

def _find_table(tables: list[Table]):
    for table in tables:
        for index, row in enumerate(table.rows[:20]):
            columns = _columns([cell.text.replace(" ", "") for cell in row])
            if columns:
                return table, index, columns
    return None


def _columns(headers: list[str]) -> Columns | None:
    def first(names) -> int | None:
        return next((i for i, h in enumerate(headers) if h in names), None)
    text, points = first(TEXT_HEADERS), first(POINTS_HEADERS)
    if text is None or points is None:
        return None
    sections = [i for i, h in enumerate(headers[:text]) if h in SECTION_HEADERS]
    return Columns(sections, text, points, first(METHOD_HEADERS), first(UNIT_HEADERS))


def _sections(rows: list[list[Cell]], columns: Columns, problems: list[SourceError]) -> list[Section]:
    """Walk the rows: a section cell starts a section when it names a new one, and a blank or
    repeated cell (merged, or repeated after a page break) continues the one above."""
    top: list[Section] = []
    current: list[Section | None] = [None] * len(columns.sections)
    loose = Section("1", "")                   # indicators of a table without section columns
    for row in rows:
        cells = row + [Cell("", row[-1].where if row else "")] * (max(columns.text, columns.points) + 1 - len(row))
        if not any(cell.text for cell in cells) or _is_total(cells):
            continue
        for level, column in enumerate(columns.sections):
            cell = cells[column]
            parent = current[level - 1] if level else None
            siblings = parent.sections if parent else top
            if cell.text and (current[level] is None or not _same_section(cell.text, current[level])):
                current[level] = _section(cell, siblings, problems)
                siblings.append(current[level])
                current[level + 1:] = [None] * (len(current) - level - 1)
            elif current[level] is None:
                problems.append(_error(cell.where, "expected the section's name in the first row, got an empty cell",
                                       "write the 考核内容 / 考核项目 in the first row of each section"))
                return top
        owner = current[-1] if current else loose
        indicator = _indicator(cells, columns, owner, problems)
        if indicator:
            owner.indicators.append(indicator)
    if not columns.sections and loose.indicators:
        top.append(Section("1", "考核指标", sections=[], indicators=loose.indicators))
    return top


def _is_total(cells: list[Cell]) -> bool:
    first = next((cell.text for cell in cells if cell.text), "")
    return first.replace(" ", "").startswith(("合计", "总计", "总分", "注："))


def _section(cell: Cell, siblings: list[Section], problems) -> Section:
    number, title = split_number(cell.text)
    declared = None
    found = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*$", title)
    if found:
        declared, title = Decimal(found.group(1)), title[:found.start()].strip()
    section_id = number or str(len(siblings) + 1)
    if any(s.id == section_id for s in siblings):
        problems.append(_error(cell.where, f"expected each section once, got number {section_id} again "
                               f"({cell.text!r})", "a section's rows belong together; number the sections in order"))
    return Section(section_id, title or cell.text, declared)


def _same_section(text: str, section: Section) -> bool:
    number, title = split_number(text)
    title = re.sub(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]\s*$", "", title).strip()
    return (number or None) == section.id and title == section.title or (not number and title == section.title)


def split_number(text: str) -> tuple[str, str]:
    """'一、组织领导体系' → ('1', '组织领导体系'); '2.创建工作领导' → ('2', …); no number → ('', text)."""
    text = text.strip()
    found = re.match(r"[（(]?([一二三四五六七八九十]{1,3})[)）、.．]\s*", text)
    if found:
        return str(_chinese_number(found.group(1))), text[found.end():].strip()
    found = re.match(r"[（(]?(\d{1,3})[)）、.．](?!\d)\s*", text)
    if found:
        return str(int(found.group(1))), text[found.end():].strip()
    return "", text


def _chinese_number(written: str) -> int:
    if written == "十":
        return 10
    if written.startswith("十"):
        return 10 + CHINESE_NUMBERS[written[1]]
    if "十" in written:
        tens, _, ones = written.partition("十")
        return CHINESE_NUMBERS[tens] * 10 + (CHINESE_NUMBERS[ones] if ones else 0)
    return CHINESE_NUMBERS[written]


def _indicator(cells: list[Cell], columns: Columns, section: Section, problems) -> Indicator | None:
    text_cell, points_cell = cells[columns.text], cells[columns.points]
    if not text_cell.text:
        problems.append(_error(text_cell.where, "expected the indicator's text (评估标准), got an empty cell",
                               "every row below the header is one indicator"))
        return None
    found = re.match(r"(\d{1,3})[.．](\d{1,3})(?![\d.．])\s*", text_cell.text) or \
        re.match(r"(\d{1,3})[、.．](?!\d)\s*", text_cell.text)
    indicator_id = str(int(found.group(found.lastindex))) if found else str(len(section.indicators) + 1)
    text = text_cell.text[found.end():].strip() if found else text_cell.text
    if any(i.id == indicator_id for i in section.indicators):
        indicator_id = str(len(section.indicators) + 1)
    points = _points(points_cell, problems)
    method = cells[columns.method].text if columns.method is not None and columns.method < len(cells) else ""
    units_cell = cells[columns.units] if columns.units is not None and columns.units < len(cells) else None
    if points is None:
        return None
    return Indicator(indicator_id, text, points, method, _unit_names(units_cell.raw or units_cell.text) if units_cell else [],
                     text_cell, units_cell)


def _points(cell: Cell, problems) -> Decimal | None:
    written = ascii_number(cell.text.replace(" ", "")).removesuffix("分")
    try:
        points = Decimal(written)
        if points.is_finite() and points > 0 and re.fullmatch(r"\d+(\.\d+)?", written):
            return points
    except InvalidOperation:
        pass
    problems.append(_error(cell.where, f"expected the indicator's points (分值) such as 2 or 0.5, got {cell.text!r}",
                           "write the number of points alone, e.g. 2 or 10分"))
    return None


def _unit_names(text: str) -> list[str]:
    return [name for name in re.split(r"[、，,；;/\s]+", text) if name]


# --- rules from the method's words ---------------------------------------------------------

NUMBER = r"(\d+(?:\.\d+)?)"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


@dataclass
class Inferred:
    """A rule as YAML lines (under `rule:`), and a comment when a person should review it."""

    lines: list[str]
    review: str = ""


def infer_rule(text: str, method: str, maximum: Decimal) -> Inferred:
    """The rule the wording states, where it is unambiguous; otherwise judged, to be reviewed.

    得分/不得分 → check; 得满分/得1分/不得分 → levels; 达到80%得1分…超过95%得5分 → thresholds;
    缺一次扣0.5分，扣完为止 (每超3条加0.5分) → deduct; 每下降一个百分点扣1分 → linear;
    ≦100%…每超过一个百分点扣0.5分 → linear lower; 按…平均分值 → share;
    ①…每条扣5分②…每条扣1分 → itemised deduct."""
    for infer in (_itemised, _deduct, _linear, _thresholds, _share, _levels_or_check):
        found = infer(text, method, maximum)
        if found is not None:
            return found
    step = Decimal("0.5") if (maximum / Decimal("0.5")) % 1 == 0 else maximum
    why = "the method states points that scoresite cannot read unambiguously" if _scores(text + method) else \
        "the method does not say how points are given"
    return Inferred([f"judged: {{step: {plain(step)}}}"], f"请核对：{_zh(why)}，暂按评定（judged）处理，可改为 "
                    "check、levels、thresholds 等规则")


def _zh(why: str) -> str:
    return "考评方法中的计分办法无法准确识别" if "cannot read" in why else "考评方法未写明计分办法"


def _scores(text: str) -> bool:
    return bool(re.search(r"[得加扣]\s*\d+(?:\.\d+)?\s*分", text))


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，,。；;]", text) if c.strip()]


def _itemised(text, method, maximum):
    if not any(c in method for c in CIRCLED):
        return None
    parts = [p for p in re.split(f"[{CIRCLED}]", method)[1:] if p.strip()]
    items = []
    for n, part in enumerate(parts, 1):
        per = re.search(r"每[次条项个处件起]\S*?扣\s*" + NUMBER + r"\s*分", part)
        once = re.search(r"扣\s*" + NUMBER + r"\s*分", part)
        found = per or once
        if found is None:
            return None
        label = re.split(r"[，,；;。]", part[:found.start()].strip())[0].strip(" ，,；;。") or f"第{n}项"
        kind = "per" if per else "once"
        items.append(f"- {{key: item-{n}, {kind}: {found.group(1)}, label: {scalar(label, flow=True)}}}")
    most = re.search(r"(?:最高|最多)扣\s*" + NUMBER + r"\s*分", method)
    lines = ["deduct:", "  items:", *("    " + item for item in items)]
    if most:
        lines.append(f"  most: {most.group(1)}")
    return Inferred(lines)


def _deduct(text, method, maximum):
    found = re.search(r"缺[一1](?:次|条|项|个|期)扣\s*" + NUMBER + r"\s*分", method)
    if not found:
        return None
    bonus = re.search(r"每超(?:过)?\s*(\d+)\s*(?:次|条|项|个|期)加\s*" + NUMBER + r"\s*分", method)
    if bonus:
        return Inferred([f"deduct: {{per: {found.group(1)}, bonus: {{every: {bonus.group(1)}, "
                         f"points: {bonus.group(2)}}}}}"])
    return Inferred([f"deduct: {{per: {found.group(1)}}}"])


def _linear(text, method, maximum):
    deduct = re.search(r"每(下降|降低|低|减少|超过|超出|高出)(?:一个|1个)百分点扣\s*" + NUMBER + r"\s*分", method)
    if not deduct:
        return None
    if deduct.group(1) in ("超过", "超出", "高出"):
        full = re.search(r"[≦≤]\s*" + NUMBER + "%", method) or re.search(NUMBER + r"%\s*(?:以内|以下|及以下)", method)
        lower = ", direction: lower"
    else:
        full = re.search(r"(?:达到?|不低于)\s*" + NUMBER + r"%\s*(?:以上|及以上)?[^，,。；;]*?得满分", method)
        lower = ""
    if not full:
        return None
    return Inferred([f"linear: {{full_at: {full.group(1)}%, per: 1%, deduct: {deduct.group(2)}{lower}}}"])


def _thresholds(text, method, maximum):
    """Steps from the clauses that name a percentage and the points it earns, in the indicator's
    text (评估标准) or else its method; every scoring clause must be one of them."""
    for source in (text, method):
        steps = []
        for clause in _clauses(source):
            if not re.search(r"得\s*(?:\d+(?:\.\d+)?\s*)?分|得满分", clause) or "不得分" in clause:
                continue
            percent = re.search(NUMBER + "%", clause)
            if not percent:
                steps = None
                break
            before = clause[:percent.start()]
            after = clause[percent.end():]
            points = re.search(r"得\s*" + NUMBER + r"\s*分", after)
            earned = Decimal(points.group(1)) if points else maximum
            if "超过" in before or "高于" in before:
                bound = "above"
            elif re.search(r"达到?|不低于", before) or after.startswith(("以上", "及以上")):
                bound = "at_least"
            else:
                steps = None
                break
            steps.append((Decimal(percent.group(1)), bound == "above", bound, earned))
        if steps:
            steps.sort(key=lambda s: (s[0], s[1]))
            if any(b[3] < a[3] or (b[0], b[1]) == (a[0], a[1]) for a, b in zip(steps, steps[1:])) \
                    or steps[-1][3] != maximum:
                return None
            return Inferred(["thresholds:", *(f"  - {{{bound}: {plain(p)}%, points: {plain(earned)}}}"
                                              for p, _, bound, earned in steps)])
        if steps is None or _scores(source):
            return None
    return None


def _share(text, method, maximum):
    if re.search(r"平均分值|得一个均分|平均分配", method):
        return Inferred(["share: {}"])
    return None


def _levels_or_check(text, method, maximum):
    if _scores(text):
        return None                  # the points are stated in the text, in words this cannot read
    full, middle, zero = None, [], None
    for clause in _clauses(method):
        if re.search(r"[得的]满分$", clause):
            full = re.sub(r"[得的]满分$", "", clause).strip()
        elif re.search(r"不得分$", clause):
            zero = re.sub(r"不得分$", "", clause).strip()
        elif re.search(r"得\s*" + NUMBER + r"\s*分$", clause):
            found = re.search(r"得\s*" + NUMBER + r"\s*分$", clause)
            middle.append((clause[:found.start()].strip(), Decimal(found.group(1))))
        elif re.search(r"得分$", clause) and not re.search(r"\d", clause):
            full = clause[:-2].strip() or full or ""
    if full is None:
        return None
    if not middle:
        return Inferred(["check"])
    if zero is None or any(not 0 < points < maximum for _, points in middle) or not full:
        return None
    keys = ["partial"] + [f"partial-{n}" for n in range(2, len(middle) + 1)]
    levels = [("full", maximum, full)] + [(key, points, label) for key, (label, points) in zip(keys, middle)]
    levels.append(("none", Decimal(0), zero if zero not in ("", "否则") else "其他情况"))
    return Inferred(["levels:", *(f"  - {{key: {key}, points: {plain(points)}, label: {scalar(label, flow=True)}}}"
                                  for key, points, label in levels)])


# --- the YAML -----------------------------------------------------------------------------

def _rubric_yaml(rubric_id: str, title: str, shown: str, sections: list[Section], notes: list[str]) -> str:
    total = sum((_total(s) for s in sections), Decimal(0))
    lines = [f"# 由 scoresite import rubric 从 {shown} 导入：请逐条核对 rule（计分规则）与 units（责任单位）",
             f"id: {rubric_id}", f"title: {scalar(title)}", f"source: {scalar(shown)}",
             f"points: {plain(total)}", "precision: 2", "sections:"]
    for section in sections:
        lines.append("")
        _section_yaml(section, 1, lines, notes)
    return "\n".join(lines) + "\n"


def _total(section: Section) -> Decimal:
    return sum((_total(s) for s in section.sections), Decimal(0)) + sum((i.points for i in section.indicators),
                                                                          Decimal(0))


def _section_yaml(section: Section, depth: int, lines: list[str], notes: list[str]) -> None:
    pad = "  " * (2 * depth - 1)
    lines += [f"{pad}- id: \"{section.id}\"", f"{pad}  title: {scalar(section.title)}"]
    if section.declared is not None:
        lines.append(f"{pad}  points: {plain(section.declared)}")
    if section.sections:
        lines.append(f"{pad}  sections:")
        for child in section.sections:
            _section_yaml(child, depth + 1, lines, notes)
    if section.indicators:
        lines.append(f"{pad}  indicators:")
        for indicator in section.indicators:
            _indicator_yaml(indicator, pad + "    ", lines, notes)


def _indicator_yaml(indicator: Indicator, pad: str, lines: list[str], notes: list[str]) -> None:
    rule = infer_rule(indicator.text, indicator.method, indicator.points)
    lines += [f"{pad}- id: \"{indicator.id}\"", f"{pad}  text: {scalar(indicator.text)}",
              f"{pad}  points: {plain(indicator.points)}"]
    if indicator.method:
        lines.append(f"{pad}  method: {scalar(indicator.method)}")
    if indicator.units:
        lines.append(f"{pad}  units: [{', '.join(scalar(u, flow=True) for u in indicator.units)}]")
    if rule.review:
        lines.append(f"{pad}  # {rule.review}")
        notes.append(f"{indicator.cell.where}: rule left as judged for review: {indicator.text[:30]}")
    if len(rule.lines) == 1 and rule.lines[0] == "check":
        lines.append(f"{pad}  rule: check")
    else:
        lines.append(f"{pad}  rule:")
        lines += [f"{pad}    {line}" for line in rule.lines]


def _check(text: str, rubric_id: str, resolve_unit) -> dict[str, Invalid]:
    """Read the text back as any rubric is read: the import must give a valid rubric; unknown
    units are reported (and kept in the text, for a person to correct), never dropped."""
    unknown: dict[str, Invalid] = {}

    def resolve(name: str) -> str:
        if resolve_unit is None:
            return name
        try:
            return resolve_unit(name)
        except Invalid as error:
            unknown.setdefault(name, error)
            return name
    problems = Problems()
    value, errors = load_text(text, f"rubrics/{rubric_id}.yaml")
    read_rubric(value, f"rubrics/{rubric_id}.yaml", resolve, problems)
    if errors or problems.errors:       # a bug in this module, never the clerk's table
        raise AssertionError("the imported rubric does not read back: " +
                             "; ".join(map(str, list(problems.errors) + [e.message for e in errors])))
    return unknown
