"""The source document's 附件2 laid out as the table it is in the Word attachment, written as
CSV, as an xlsx workbook with merged cells and as a docx document with merged cells — built
at run time from the seed's text (no binary fixtures to review), for the import tests."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import REPO

SEED = REPO.parent / "shared" / "seeds" / "000_22d3752e9ecc93c2.txt"
HEADERS = ["考核内容", "考核项目", "评估标准", "分值", "考评方法", "责任单位"]


def appendix2_rows() -> list[list[str]]:
    """The data rows of 附件2, six cells each, as the seed has them: a section's cell is written on
    the first row of the section (and again where the document's page break repeated it), blank below."""
    text = SEED.read_text(encoding="utf-8")
    body = text[text.index("责任单位") + len("责任单位"):text.index("附件3")]
    cells, current = [], None
    for line in body.split("\n"):
        if line.startswith("\t"):
            if current is not None:
                cells.append(current)
            current = line[1:]
        elif current is not None:
            current += "\n" + line
    cells.append(current)
    cells = [cell.strip("\n") for cell in cells]
    rows = [cells[i:i + 6] for i in range(0, len(cells) - len(cells) % 6, 6)]
    return rows


def spans(rows: list[list[str]], column: int) -> list[tuple[int, int]]:
    """(first, last) row indexes of each run of a section column: a filled cell and the blank ones below it."""
    runs, start = [], None
    for index, row in enumerate(rows):
        if row[column].strip():
            if start is not None:
                runs.append((start, index - 1))
            start = index
    runs.append((start, len(rows) - 1))
    return runs


def write_csv(path: Path, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(appendix2_rows())
    return path


def write_xlsx(path: Path) -> Path:
    """A title row, the header, then the rows; each section's cells merged down its rows."""
    import openpyxl

    rows = appendix2_rows()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "附件2"
    sheet.append(["国家级创建创业型城市工作绩效考核内容分解表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([int(row[3]) if row[3].strip().isdigit() else row[3]] and
                     [row[0], row[1], row[2], int(row[3]) if row[3].strip().isdigit() else row[3], row[4], row[5]])
    for column in (0, 1):
        for first, last in spans(rows, column):
            if last > first:
                sheet.merge_cells(start_row=first + 3, start_column=column + 1, end_row=last + 3, end_column=column + 1)
    book.save(path)
    return path


def write_docx(path: Path) -> Path:
    """A heading, then the table, each section's cells merged vertically as in Word."""
    import docx

    rows = appendix2_rows()
    document = docx.Document()
    document.add_paragraph("附件2")
    document.add_paragraph("国家级创建创业型城市工作绩效考核内容分解表")
    table = document.add_table(rows=len(rows) + 1, cols=6)
    for column, header in enumerate(HEADERS):
        table.cell(0, column).text = header
    for r, row in enumerate(rows, 1):
        for column, value in enumerate(row):
            if column > 1 or value.strip():
                table.cell(r, column).text = value
    for column in (0, 1):
        for first, last in spans(rows, column):
            if last > first:
                text = table.cell(first + 1, column).text
                merged = table.cell(first + 1, column).merge(table.cell(last + 1, column))
                merged.text = text
    document.save(str(path))
    return path
