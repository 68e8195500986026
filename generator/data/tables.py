"""Tables as clerks hand them over: readers by format, each yielding the same rows.

A rubric arrives as a table in a Word or WPS attachment, or as a spreadsheet; a CSV saved by
Excel or WPS is as often GBK as UTF-8. Each reader turns its format into `Table`s of `Cell`s
— text as the cell shows it, and where the cell is, in the words a clerk can find it again
(`rubric.csv:12:3`, `Sheet1!C12`, `rubric.docx 表1 第12行第3列`). A merged cell gives its text
to every position it covers, so a converter sees the table as the eye does.

    .csv    UTF-8 (with or without a byte-order mark), GBK/GB18030
    .xlsx   openpyxl; merged ranges filled from their top-left cell
    .docx   python-docx; horizontal and vertical merges (gridSpan, vMerge) repeated
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..errors import Invalid, Mark
from ..load.characters import CJK, MAX_BYTES, decode


@dataclass(frozen=True)
class Cell:
    """One cell's text as shown, and where it is (for messages)."""

    text: str
    where: str
    value: object = None        # the spreadsheet's own value (a number, a date), when there is one
    number_format: str = ""
    raw: str = ""               # the text with its line breaks, where they separate (names of units)


@dataclass(frozen=True)
class Table:
    name: str
    rows: list[list[Cell]]


def read_tables(path: Path, shown: str | None = None) -> list[Table]:
    """Every table in the file, by its extension; Invalid when the file cannot be read as one."""
    shown = shown or path.name
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise Invalid(f"expected a .csv, .xlsx or .docx file, got {path.name}",
                      "save the table as .xlsx (Excel, WPS 表格) or .docx (Word, WPS 文字); an old .xls or .doc "
                      "must be saved again in the new format (另存为)", Mark(shown))
    try:
        return reader(path, shown)
    except Invalid:
        raise
    except OSError as error:
        raise Invalid(f"cannot read the file: {error.strerror}", mark=Mark(shown)) from None
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise Invalid(f"expected a {path.suffix.lower()} file, got one that cannot be opened ({error})",
                      "is it really this format? Open it in Excel, WPS or Word and save it again", Mark(shown)) from None


# --- csv ----------------------------------------------------------------------------------

def read_csv(path: Path, shown: str) -> list[Table]:
    """A CSV file: UTF-8 (a byte-order mark allowed) or GBK/GB18030, as Excel and WPS save it."""
    text = csv_text(path.read_bytes(), shown)
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        rows.append([Cell(clean(value), f"{shown}:{number}:{column}", raw=value) for column, value in enumerate(row, 1)])
    return [Table(shown, rows)]


def csv_text(data: bytes, shown: str) -> str:
    """The text of a CSV: UTF-8 when it is, else GBK (GB18030) when that reads as Chinese."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"expected a file under {MAX_BYTES // 1_000_000} MB, got {len(data):,} bytes", mark=Mark(shown))
    try:
        data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if CJK.search(text):
            return decode(text.encode("utf-8"), shown)     # the same checks for invisible characters
    return decode(data, shown)


# --- xlsx ---------------------------------------------------------------------------------

def read_xlsx(path: Path, shown: str) -> list[Table]:
    """Every visible worksheet; a merged range gives its value to every cell it covers."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    tables = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        tables.append(Table(sheet.title, sheet_rows(sheet)))
    return tables


def sheet_rows(sheet) -> list[list[Cell]]:
    """A worksheet's rows as Cells, merged ranges filled from their top-left cell."""
    from openpyxl.utils import get_column_letter

    filled = {}
    for merged in sheet.merged_cells.ranges:
        top = sheet.cell(merged.min_row, merged.min_col)
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                filled[(row, column)] = top
    rows = []
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column):
        cells = []
        for cell in row:
            source = filled.get((cell.row, cell.column), cell)
            where = f"{_sheet_ref(sheet.title)}!{get_column_letter(cell.column)}{cell.row}"
            cells.append(Cell(cell_text(source.value), where, source.value, source.number_format or "",
                              source.value if isinstance(source.value, str) else ""))
        rows.append(cells)
    return rows


def _sheet_ref(title: str) -> str:
    return title if re.fullmatch(r"[\w\u3400-\u9fff]+", title) else "'" + title.replace("'", "''") + "'"


def cell_text(value) -> str:
    """A spreadsheet value as text: numbers as written (2, 0.5, never 2.0), dates as 2026-11-20."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value))


def number_text(value: float | int | Decimal) -> str:
    """A number as people write it: 2, 0.5, 92.5 (the shortest text that is the same float)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- docx ---------------------------------------------------------------------------------

def read_docx(path: Path, shown: str) -> list[Table]:
    """Every table of the document (tables inside tables too); merged cells repeat their text."""
    import docx

    document = docx.Document(str(path))
    tables = []
    for table in _all_tables(document.tables):
        number = len(tables) + 1
        rows = []
        for r, row in enumerate(table.rows, 1):
            rows.append([Cell(clean(cell.text), f"{shown} 表{number} 第{r}行第{c}列", raw=cell.text)
                         for c, cell in enumerate(row.cells, 1)])
        tables.append(Table(f"表{number}", rows))
    return tables


def _all_tables(tables):
    for table in tables:
        yield table
        for row in table.rows:
            for cell in row.cells:
                yield from _all_tables(cell.tables)


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".docx": read_docx}


# --- text ---------------------------------------------------------------------------------

def clean(text: str) -> str:
    """A cell's text on one line: lines broken inside Chinese text are joined without a space
    (组\\n织 → 组织), other line breaks become a space; full-width spaces around it go."""
    lines = [line.strip(" \t\u3000\xa0") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    joined = ""
    for line in (line for line in lines if line):
        if joined and (joined[-1].isascii() and line[0].isascii()):
            joined += " "
        joined += line
    return joined
