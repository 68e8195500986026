"""The only code that writes into the output folder.

A build is written beside the output folder and swapped in at the end, so a failed
build leaves the previous site exactly as it was. The writer refuses paths that
escape the folder, refuses to write one path twice, and refuses to replace a
folder that scoresite did not create."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from .manifest import manifest_files

MARKER = ".scoresite"   # present in every folder scoresite built; nothing else is ever replaced


class WriteError(Exception):
    """The output folder cannot be used as asked."""


class Writer:
    """Writes one build into a staging folder; `commit()` swaps it into place.

    With in_place=True (the preview server's own temporary folder) files are written
    straight into the output folder and may be rewritten by later passes."""

    def __init__(self, out: Path, in_place: bool = False):
        self.out = Path(out).resolve()
        self._check_replaceable()
        self.in_place = in_place
        self.written: dict[str, int] = {}
        if in_place:
            self.stage = self.out
            self.stage.mkdir(parents=True, exist_ok=True)
            (self.stage / MARKER).write_text("built by scoresite serve; a temporary preview\n")
            return
        self.stage = self.out.with_name(f".{self.out.name}.building-{os.getpid()}")
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)

    def _check_replaceable(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise WriteError(f"{self.out} is a file, not a folder")
        if self.out.is_dir() and any(self.out.iterdir()) and not (self.out / MARKER).exists():
            raise WriteError(f"refusing to replace {self.out}: it is not empty and was not built by scoresite "
                             f"(no {MARKER} file in it); choose another --out or empty it yourself")

    def target(self, url: str) -> Path:
        """The staging path for a site-relative path, refusing anything that would escape."""
        posix = PurePosixPath(url)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or "\\" in url:
            raise WriteError(f"refusing to write {url!r}: not a path inside the site")
        path = self.stage.joinpath(*posix.parts)
        if not path.resolve().is_relative_to(self.stage.resolve()):
            raise WriteError(f"refusing to write {url!r}: it leads outside the site")
        if url in self.written:
            raise WriteError(f"two pages want the same path {url!r}")
        return path

    def new_pass(self) -> None:
        """An in-place writer starts another pass: paths may be written again."""
        self.written = {}

    def remove(self, url: str) -> None:
        """Delete a file an earlier pass wrote (a page that no longer exists)."""
        path = self.target(url)
        if path.is_file():
            path.unlink()

    def write(self, url: str, data: bytes | str) -> None:
        """Write one file of the site."""
        path = self.target(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = data.encode("utf-8") if isinstance(data, str) else data
        path.write_bytes(body)
        self.written[url] = len(body)

    def copy(self, url: str, source: Path) -> None:
        """Copy a file (an asset or a piece of evidence) into the site."""
        path = self.target(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        self.written[url] = path.stat().st_size

    def commit(self, provenance: dict | None = None) -> None:
        """Swap the finished build into place; the old one is removed only after the swap.
        With `provenance`, the integrity manifest is written last, over every other file."""
        if self.in_place:
            return
        (self.stage / MARKER).write_text("built by scoresite; this folder is replaced on every build\n")
        if provenance is not None:
            for name, text in manifest_files(self.stage, provenance).items():
                self.write(name, text)
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            self.out.rename(old)
        self.stage.rename(self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Throw the unfinished build away; the output folder was never touched."""
        if not self.in_place:
            shutil.rmtree(self.stage, ignore_errors=True)
