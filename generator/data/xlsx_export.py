"""The results as a workbook officials can open and print: one worksheet per assessment, its
title on top, then the export's columns (the CSV's, titled in the site's language) with the
header row frozen, filtered and repeated on every printed page; numbers stay numbers. Every
text cell goes through the same neutralising function as the CSV."""

from __future__ import annotations

import io
from decimal import Decimal

from ..load.project import Project
from ..model import Assessment
from .export import CSV_COLUMNS, cell, result_rows, strings

# the columns the worksheet's title already says (one worksheet per assessment)
SAID_ABOVE = ("assessment", "title", "period")
WIDTHS = {"name": 22, "section": 24, "text": 40, "explanation": 36, "override_reason": 20, "units": 20,
          "grade": 8, "indicator": 9, "status": 10}


def export_xlsx(project: Project, assessments: list[Assessment]) -> bytes:
    """The workbook's bytes."""
    import openpyxl

    words = strings(project)
    book = openpyxl.Workbook()
    book.remove(book.active)
    titles: set[str] = set()
    kept = [n for n, column in enumerate(CSV_COLUMNS) if column not in SAID_ABOVE]
    for assessment in assessments:
        sheet = book.create_sheet(_title(assessment, titles))
        _fill(sheet, project, assessment, words, kept)
    if not assessments:
        book.create_sheet("results")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _title(assessment: Assessment, taken: set[str]) -> str:
    base = "".join(c for c in assessment.id if c not in "[]:*?/\\'")[:28]
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:26]}{n}", n + 1
    taken.add(title)
    return title


def _fill(sheet, project: Project, assessment: Assessment, words: dict, kept: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = [CSV_COLUMNS[n] for n in kept]
    sheet.append([cell(f"{assessment.title}（{assessment.period}）")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([cell(words[f"csv_{column}"]) for column in columns])
    for n, column in enumerate(columns, 1):
        header = sheet.cell(2, n)
        header.font, header.fill = Font(bold=True), PatternFill("solid", fgColor="D9E2F3")
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(n)].width = WIDTHS.get(column, 8)
    for row in result_rows(project, assessment, words):
        sheet.append([_value(row[n]) for n in kept])
    for row in sheet.iter_rows(min_row=3):
        for value in row:
            value.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _value(value):
    """Numbers as numbers (exact decimals); text neutralised as in the CSV."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return cell(str(value))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, int):
        return value
    return cell(str(value))
