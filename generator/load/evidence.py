"""Local evidence: files under content/evidence/ that score files link to, and are published.

A published evidence file is served from the portal's own address, so only types that
cannot run script there are published: documents, images, text and archives. A file's
first bytes must match its type, because a web server that does not know an extension
may let the browser guess, and a page renamed to .pdf would then run as a page.
Names must travel: most staff unpack the site on Windows."""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import PurePosixPath

from ..errors import Invalid
from .characters import forbidden_character
from .schema import WINDOWS_RESERVED

EVIDENCE_DIR = "content/evidence"

OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)           # Word 97, Excel 97, WPS
ZIP = (b"PK\x03\x04", b"PK\x05\x06")                     # docx, xlsx, ODF, OFD, zip
# extension → (what it is, the first bytes it may start with; () when any text will do)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("a PDF document", (b"%PDF",)),
    ".ofd": ("an OFD document (版式文档)", ZIP),
    ".doc": ("a Word document", OLE + (b"{\\rtf",)),
    ".docx": ("a Word document", ZIP),
    ".xls": ("an Excel workbook", OLE),
    ".xlsx": ("an Excel workbook", ZIP),
    ".ppt": ("a PowerPoint presentation", OLE),
    ".pptx": ("a PowerPoint presentation", ZIP),
    ".wps": ("a WPS document", OLE + ZIP),
    ".et": ("a WPS workbook", OLE + ZIP),
    ".dps": ("a WPS presentation", OLE + ZIP),
    ".odt": ("an OpenDocument text", ZIP),
    ".ods": ("an OpenDocument spreadsheet", ZIP),
    ".odp": ("an OpenDocument presentation", ZIP),
    ".rtf": ("an RTF document", (b"{\\rtf",)),
    ".png": ("a PNG image", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("a JPEG image", (b"\xff\xd8\xff",)),
    ".jpeg": ("a JPEG image", (b"\xff\xd8\xff",)),
    ".gif": ("a GIF image", (b"GIF87a", b"GIF89a")),
    ".webp": ("a WebP image", (b"RIFF",)),
    ".bmp": ("a BMP image", (b"BM",)),
    ".tif": ("a TIFF image", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("a TIFF image", (b"II*\x00", b"MM\x00*")),
    ".txt": ("a text file", ()),
    ".csv": ("a CSV table", ()),
    ".zip": ("a zip archive", ZIP),
    ".7z": ("a 7-Zip archive", (b"7z\xbc\xaf\x27\x1c",)),
    ".rar": ("a RAR archive", (b"Rar!\x1a\x07",)),
    ".gz": ("a gzip archive", (b"\x1f\x8b",)),
    ".tgz": ("a gzip archive", (b"\x1f\x8b",)),
}
WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\\]')
MAX_NAME_BYTES = 200          # a path component; the site's folders come on top of it


class EvidenceFiles:
    """Checks a written evidence path and gives (path under content/evidence, SHA-256), or Invalid."""

    def __init__(self, tree):
        self.tree = tree
        self.hashes: dict[str, str] = {}

    def __call__(self, written: str) -> tuple[str, str]:
        posix = self._inside(written)
        name = f"{EVIDENCE_DIR}/{posix.as_posix()}"
        if not self.tree.is_file(name):
            raise Invalid(f"expected an existing file {name}, got no such file", self._nearby(posix))
        if not self.tree.inside(name, EVIDENCE_DIR):
            raise Invalid(f"expected a path inside {EVIDENCE_DIR}/, got {written!r} which leads outside it",
                          "copy the file into content/evidence/ instead of linking to it")
        key = posix.as_posix()
        if key not in self.hashes:
            data = self.tree.read(name)
            check_type(posix, data)
            self.hashes[key] = hashlib.sha256(data).hexdigest()
        return key, self.hashes[key]

    def _inside(self, written: str) -> PurePosixPath:
        relative = written.removeprefix(EVIDENCE_DIR + "/")
        posix = PurePosixPath(relative.replace("\\", "/"))
        if posix.is_absolute() or ".." in posix.parts or re.match(r"[A-Za-z]:", relative):
            raise Invalid(f"expected a path inside {EVIDENCE_DIR}/, got {written!r}",
                          f"put the file in {EVIDENCE_DIR}/ and write its path from there, e.g. 2026/report.pdf")
        for part in posix.parts:
            problem = portable_name_problem(part)
            if problem:
                raise Invalid(f"expected a file name usable on every system, got {part!r}: {problem}",
                              "rename the file: letters, digits, Chinese characters, '-', '_' and '.' travel well")
        return posix

    def _nearby(self, posix: PurePosixPath) -> str:
        if not self.tree.is_dir(EVIDENCE_DIR):
            return f"create {EVIDENCE_DIR}/ and put the file there"
        known = [name[len(EVIDENCE_DIR) + 1:] for name in self.tree.files(EVIDENCE_DIR)]
        close = difflib.get_close_matches(posix.as_posix(), known, n=1, cutoff=0.6)
        return f"did you mean {close[0]!r}?" if close else f"put the file at {EVIDENCE_DIR}/{posix}"


def portable_name_problem(part: str) -> str:
    """Why a file name would not survive a copy to Windows or a zip file, or ''."""
    if forbidden_character(part):
        return "it holds an invisible control character"
    if WINDOWS_FORBIDDEN.search(part):
        return 'Windows does not allow < > : " | ? * or \\ in names'
    if part.endswith((".", " ")) or part.startswith(" "):
        return "Windows drops a trailing dot or space"
    if part.split(".", 1)[0].lower() in WINDOWS_RESERVED:
        return "Windows reserves that name for a device"
    if len(part.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    return ""


def check_type(posix: PurePosixPath, data: bytes) -> None:
    """Invalid unless the file is of a type that is published, and starts like one."""
    suffix = posix.suffix.lower()
    if suffix not in TYPES:
        shown = suffix or "no extension"
        raise Invalid(f"expected evidence of a published type (PDF, OFD, images, office documents, text, "
                      f"CSV, archives), got {shown}",
                      "web pages, SVG and scripts would run as pages of the portal: publish a PDF of it instead "
                      "(the README lists every published type)" if suffix in _ACTIVE else
                      "convert it to PDF, or put it in a zip archive")
    what, starts = TYPES[suffix]
    head = data[:1024]
    markup = re.match(rb"(\xef\xbb\xbf)?\s*<", head) is not None
    if (starts and not any(head.startswith(start) for start in starts)) or (not starts and markup):
        looks = "like a web page" if markup else "otherwise"
        raise Invalid(f"expected {what} ({posix.name}), got a file that starts {looks}",
                      "save the document again in its real format; a renamed file is not published")


_ACTIVE = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".js", ".mjs", ".swf", ".php",
           ".jsp", ".asp", ".aspx", ".mht", ".mhtml", ".hta", ".css"}


def case_collisions(paths) -> list[tuple[str, str]]:
    """Pairs of paths that differ only in case: one file on Windows and macOS."""
    seen: dict[str, str] = {}
    pairs = []
    for path in sorted(paths):
        other = seen.setdefault(path.lower(), path)
        if other != path:
            pairs.append((other, path))
    return pairs
