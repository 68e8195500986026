"""What arrives as text: bytes → UTF-8 text, and characters that must not reach a page.

Files are saved by WPS, Excel and Notepad as often in GBK/GB18030 or UTF-16 as in UTF-8.
Such a file is refused with the encoding named, positions counted in characters, and
a way to re-save it. A GBK file whose bytes happen to be valid UTF-8 (实施水平 → ʵʩˮƽ)
cannot be refused for sure, so it is a warning naming the line and what it would read.

Control and invisible formatting characters (NUL, ESC, bidi overrides such as U+202E)
are refused in every value: they are invisible in an editor and can make a page read
other than it is. Digits of other scripts (৪৫ reads 45) are refused; full-width digits
and signs typed with a Chinese input method (９２.５％) are read as their ASCII meaning.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import Invalid, Mark

MAX_BYTES = 20_000_000
SAVE_AS_UTF8 = "save it as UTF-8: in WPS or Notepad 另存为 → 编码 UTF-8; in Excel 另存为 → CSV UTF-8"

# Cc but tab and newline; Cf (invisible formatting: bidi controls, zero-width spaces, BOM, tags);
# line and paragraph separators; surrogates and the non-characters U+FFFE/FFFF
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# invisible in an editor and in a diff: bidi controls, zero-width characters, a byte-order mark inside
HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# what GBK bytes become when read as UTF-8: Latin Extended, IPA, Armenian … Syriac; never in Chinese
# government data (Latin-1 signs such as °, µ and the no-break space, Greek and Cyrillic are left alone)
MOJIBAKE = re.compile("[\u0100-\u036f\u0530-\u07ff]")
FULL_WIDTH = str.maketrans("０１２３４５６７８９％．－＋", "0123456789%.-+")
NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def decode(data: bytes, shown: str) -> str:
    """Bytes as UTF-8 text (a leading byte-order mark allowed), or Invalid naming the
    encoding the file seems to be in and the line and column (in characters) where it fails."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"expected a file under {MAX_BYTES // 1_000_000} MB, got {len(data):,} bytes",
                      "split it into several files", Mark(shown))
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise Invalid("expected UTF-8 text, got UTF-32 text", SAVE_AS_UTF8, Mark(shown))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise Invalid("expected UTF-8 text, got UTF-16 text (what Notepad and Excel call 'Unicode')",
                      SAVE_AS_UTF8, Mark(shown))
    data = data.removeprefix(b"\xef\xbb\xbf")   # a byte-order mark is allowed; positions count after it
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_utf8(data, error, shown) from None
    hidden = HIDDEN.search(text)
    if hidden:                    # anywhere, comments included: a diff reviewer must see what is there
        what = forbidden_character(hidden.group())[1]
        place = "a byte-order mark in the middle of the file (two files joined?)" if hidden.group() == "\ufeff" \
            else f"the invisible character {what}"
        raise Invalid(f"expected printable text, got {place}",
                      "delete it: such characters hide in text copied from web pages or Word, and can make a file "
                      "read other than it is, in a review as on a page", position(text, hidden.start(), Mark(shown)))
    return text


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    head = data[:200]
    return len(head) >= 4 and head.count(0) * 3 >= len(head)


def _not_utf8(data: bytes, error: UnicodeDecodeError, shown: str) -> Invalid:
    before = data[:error.start].decode("utf-8")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    where = Mark(shown, line, column)
    bad = data[error.start:error.end].hex(" ")
    for encoding, name in (("gb18030", "GBK (GB18030)"), ("big5", "Big5")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CJK.search(text):
            reads = text.splitlines()[line - 1].strip() if line <= len(text.splitlines()) else ""
            return Invalid(f"expected UTF-8 text, got text that looks like {name}: line {line} reads "
                           f"{_clip(reads)!r} in {name}", "this file was saved in " + name + "; " + SAVE_AS_UTF8,
                           where)
    return Invalid(f"expected UTF-8 text, got the bytes {bad}, which are not UTF-8",
                   "is it really a text file? If it is, " + SAVE_AS_UTF8, where)


def mojibake(text: str, data: bytes, shown: str) -> Invalid | None:
    """A warning when valid UTF-8 text is really GBK: no Chinese character at all, but
    letters like ʵʩˮƽ whose bytes read as Chinese in GBK (实施水平)."""
    if CJK.search(text) or len(MOJIBAKE.findall(text)) < 2:
        return None
    try:
        as_gbk = data.removeprefix(b"\xef\xbb\xbf").decode("gb18030")
    except UnicodeDecodeError:
        return None
    if len(CJK.findall(as_gbk)) < 2:
        return None
    lines, gbk_lines = text.splitlines(), as_gbk.splitlines()
    number = next((n for n, line in enumerate(lines, 1) if MOJIBAKE.search(line)), 1)
    reads = gbk_lines[number - 1].strip() if number <= len(gbk_lines) else ""
    return Invalid(f"expected UTF-8 text, got text that may be GBK read as UTF-8: line {number} shows "
                   f"{_clip(lines[number - 1].strip())!r}, which reads {_clip(reads)!r} in GBK",
                   "if the Chinese reading is right, the file was saved in GBK; " + SAVE_AS_UTF8,
                   Mark(shown, number, 1), warning=True)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def forbidden_character(text: str) -> tuple[int, str] | None:
    """(offset, description) of the first control or invisible formatting character, or None."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "a control character")
    return found.start(), f"U+{ord(char):04X} ({name})"


def refuse_forbidden(text: str, mark: Mark) -> None:
    """Invalid at the character when `text` holds a control or invisible formatting character."""
    found = forbidden_character(text)
    if found is None:
        return
    offset, what = found
    raise Invalid(f"expected printable text, got the invisible character {what} at character {offset + 1} "
                  f"of this value", "delete it: such characters hide in text copied from web pages or Word, "
                  "and can make a page read other than it is", mark)


def position(text: str, offset: int, start: Mark) -> Mark:
    """The line and column of `offset` in `text`, which begins at `start`."""
    before = text[:offset]
    newlines = before.count("\n")
    column = offset - (before.rfind("\n") + 1) + 1 if newlines else start.column + offset
    return Mark(start.path, start.line + newlines, column)


def ascii_number(written: str) -> str:
    """A number as typed, with full-width digits and signs read as ASCII (９２.５％ → 92.5%);
    Invalid for digits of any other script (৪৫ would read 45 but looks like 88)."""
    written = written.translate(FULL_WIDTH)
    other = [c for c in written if NON_ASCII_DIGIT.match(c) and unicodedata.category(c) == "Nd"]
    if other:
        reading = "".join(str(unicodedata.digit(c)) if c in other else c for c in written)
        script = unicodedata.name(other[0], "").split(" DIGIT")[0].title() or "another script's"
        raise Invalid(f"expected digits 0–9, got {written!r}, written with {script} digits",
                      f"it would read {reading}; write it with the digits 0–9")
    return written
