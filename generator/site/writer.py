"""The only code that writes into the output folder.

A build is written beside the output folder (`.site.building-<pid>`) and swapped in at
the end, so a failed build leaves the previous site exactly as it was. On Linux the
swap is one atomic exchange of the two folders; elsewhere it is two renames, and a
crash between them leaves the previous site as `.site.old-<pid>`, which the next build
puts back before anything else. Folders left by a killed build are removed by the
next one. The writer refuses paths that escape the folder, refuses to write one path
twice, and refuses to replace a folder that scoresite did not create.

The site the swap replaces is kept as `.site.spare`, and the next build is written into it
rather than into a new folder: making a national site's 1,500 folders and linking 2,500
unchanged files again took longer than everything else a warm build does. Nothing in the
spare is trusted: symbolic links and anything not a file or folder are removed first; a file
taken unchanged from the live site is kept only when it is the very same file (device and
inode) as the live one, else linked again; a file written is always a new file (the spare
shares files with the live site, which must never change); and whatever the build did not
write is removed before the swap."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
import sys
from pathlib import Path, PurePosixPath

from .manifest import manifest_files

MARKER = ".scoresite"          # present in every folder scoresite built; nothing else is ever replaced
STAGING = ".scoresite-staging"  # present in a build being written, until it is swapped into place


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
        self.hashes: dict[str, str] = {}          # url → SHA-256 of what is there, for the manifest
        self._folders: set[Path] = set()
        self.adopted = False                      # writing into the last build's spare (see above)
        if in_place:
            self.stage = self.out
            self.stage.mkdir(parents=True, exist_ok=True)
            (self.stage / MARKER).write_text("built by scoresite serve; a temporary preview\n")
            return
        recover_leftovers(self.out)
        self.stage = self.out.with_name(f".{self.out.name}.building-{os.getpid()}")
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.adopted = self._take_spare() and self._adopt()
        if not self.adopted:
            self.stage.mkdir(parents=True)
        _new_file(self.stage / STAGING, "a build in progress; removed by the next build if left behind\n")

    def _take_spare(self) -> bool:
        """Make the spare the staging folder (True), or remove whatever is at its name (False).
        Another build may take it at the same moment: then this one starts from nothing."""
        spare = spare_of(self.out)
        try:
            if spare.is_dir() and not spare.is_symlink() and (spare / MARKER).is_file():
                spare.rename(self.stage)
                return True
        except OSError:
            pass
        return False                   # (anything else at that name is not scoresite's: left alone)

    def _adopt(self) -> bool:
        """Make the spare fit to write into: links and anything that is not a file or a folder
        removed, folders given the mode a new one would have. False (and the spare gone) when it
        cannot be read through."""
        mode = 0o777 & ~_umask()

        def unreadable(error: OSError) -> None:
            raise error
        try:
            for folder, dirs, files in os.walk(self.stage, onerror=unreadable):
                os.chmod(folder, mode)
                for name in list(dirs):
                    if os.path.islink(os.path.join(folder, name)):
                        os.unlink(os.path.join(folder, name))
                        dirs.remove(name)
                for name in files:
                    path = os.path.join(folder, name)
                    if os.path.islink(path) or not os.path.isfile(path):
                        os.unlink(path)
            return True
        except OSError:
            shutil.rmtree(self.stage, ignore_errors=True)
            if self.stage.exists():
                raise WriteError(f"cannot use {spare_of(self.out)} (taken to {self.stage}): parts of it cannot be "
                                 "read or removed; delete it yourself") from None
            return False

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
        # a fresh staging folder holds only what this writer made; a long-lived folder (the
        # preview's) might have gained a link from elsewhere, so there the real path is checked
        if self.in_place and not path.resolve().is_relative_to(self.stage.resolve()):
            raise WriteError(f"refusing to write {url!r}: it leads outside the site")
        if url in self.written:
            raise WriteError(f"two pages want the same path {url!r}")
        return path

    def new_pass(self) -> None:
        """An in-place writer starts another pass: paths may be written again."""
        self.written = {}
        self._folders = set()

    def remove(self, url: str) -> None:
        """Delete a file an earlier pass wrote (a page that no longer exists)."""
        path = self.target(url)
        if path.is_file():
            path.unlink()
        self.hashes.pop(url, None)

    def write(self, url: str, data: bytes | str) -> str:
        """Write one file of the site; its SHA-256. In place (the preview), a file whose bytes
        did not change is not rewritten. Into a spare, always as a new file (see above)."""
        path = self.target(url)
        body = data.encode("utf-8") if isinstance(data, str) else data
        sha = hashlib.sha256(body).hexdigest()
        if not (self.in_place and self.hashes.get(url) == sha and path.is_file()):
            self._mkdir(path.parent)
            if self.adopted and os.path.lexists(path):     # the spare's file may be the live site's too
                _remove(path)
            path.write_bytes(body)
        self.written[url] = len(body)
        self.hashes[url] = sha
        return sha

    def record(self, url: str, sha: str, size: int) -> None:
        """Count as written a file that a worker process forked from this writer wrote."""
        if url in self.written:
            raise WriteError(f"two pages want the same path {url!r}")
        self.written[url] = size
        self.hashes[url] = sha

    def link(self, url: str, source: Path, sha: str) -> None:
        """Take a file unchanged from the previous build (a hard link, or a copy where links fail)."""
        path = self.target(url)
        self._mkdir(path.parent)
        if self.adopted and _same_file(path, source):      # the spare's file is the live one: nothing to do
            self.written[url] = -1
            self.hashes[url] = sha
            return
        if self.adopted and os.path.lexists(path):
            _remove(path)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
        self.written[url] = -1              # its size is the previous build's
        self.hashes[url] = sha

    def _mkdir(self, folder: Path) -> None:
        if folder not in self._folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):      # a spare's file where a folder goes now
                for parent in reversed([folder, *folder.parents]):
                    if parent.is_relative_to(self.stage) and not parent.is_dir():
                        try:
                            parent.unlink()                    # a file only: never a folder (a worker's, maybe)
                        except (FileNotFoundError, IsADirectoryError):
                            pass
                folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _drop_leftovers(self) -> None:
        """Remove from an adopted spare every file this build did not write (whatever worker
        processes did), then the folders left empty: the site is exactly what was written."""
        if not self.adopted:
            return
        keep = self.written.keys() | {STAGING}
        for folder, dirs, files in os.walk(self.stage, topdown=False):
            relative = os.path.relpath(folder, self.stage)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            for name in files:
                if prefix + name not in keep:
                    os.unlink(os.path.join(folder, name))
            for name in dirs:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    os.unlink(path)
                else:
                    try:
                        os.rmdir(path)                         # only when empty
                    except OSError:
                        pass

    def commit(self, provenance: dict | None = None) -> None:
        """Swap the finished build into place; the old one is removed only after the swap.
        With `provenance`, the integrity manifest is written last, over every other file."""
        if self.in_place:
            return
        self._drop_leftovers()
        _new_file(self.stage / MARKER, "built by scoresite; this folder is replaced on every build\n")
        (self.stage / STAGING).unlink()            # the marker says the folder is ours from here on
        if provenance is not None:
            for name, text in manifest_files(self.stage, provenance, self.hashes).items():
                self.write(name, text)
        if not self.out.exists():
            self.stage.rename(self.out)
            return
        if exchange(self.stage, self.out):        # the new site in place, the old one at the staging name
            self._keep_spare(self.stage)
            return
        old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
        self.out.rename(old)                      # a crash here leaves the old site at `old`: see recover_leftovers
        self.stage.rename(self.out)
        self._keep_spare(old)

    def _keep_spare(self, old: Path) -> None:
        """The replaced site becomes the spare the next build is written into."""
        spare = spare_of(self.out)
        try:
            if spare.exists() or spare.is_symlink():
                if spare.is_symlink() or not (spare / MARKER).is_file():
                    raise FileExistsError(spare)              # not scoresite's: left alone
                shutil.rmtree(spare)
            old.rename(spare)
            _new_file(spare / ".gitignore", "*\n")         # never in `git status`; dropped when adopted
        except OSError:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Throw the unfinished build away; the output folder was never touched."""
        if not self.in_place:
            shutil.rmtree(self.stage, ignore_errors=True)


def spare_of(out: Path) -> Path:
    return out.with_name(f".{out.name}.spare")


def _same_file(a: Path, b: Path) -> bool:
    try:
        first, second = os.lstat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino) and os.path.isfile(a)


def _new_file(path: Path, text: str) -> None:
    """A new file with this text: whatever was at the name is removed first, and nothing there
    is followed or written through."""
    if os.path.lexists(path):
        _remove(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: Path) -> None:
    """A file, a link or a whole folder (never following a link)."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def recover_leftovers(out: Path) -> None:
    """Clean up after a build that was killed: put a previous site back if the swap was cut
    between its two renames, and remove staging folders whose build is no longer running."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"(building|old)-(\d+)\Z")
    if not out.parent.is_dir():
        return
    for path in sorted(out.parent.iterdir()):
        found = pattern.match(path.name)
        if not found or not path.is_dir() or path.is_symlink() or process_running(int(found.group(2))):
            continue
        kind = found.group(1)
        ours = (path / (STAGING if kind == "building" else MARKER)).is_file() or (path / MARKER).is_file()
        if not ours:
            continue                               # not a folder scoresite made: never touched
        if kind == "old" and not out.exists():
            path.rename(out)                       # the previous site, back in place
        else:
            shutil.rmtree(path, ignore_errors=True)


def process_running(pid: int) -> bool:
    """Is a process with this id alive (another build writing beside us, a preview still serving)?"""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0
