"""Where a project's files come from: the working folder, or a git revision read through
git itself (no checkout, the working tree untouched). The loader sees only this
interface, so `scoresite diff` can load two revisions side by side."""

from __future__ import annotations

import bisect
import errno
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class TreeError(Exception):
    """A revision cannot be read (no git, not a repository, unknown revision)."""


INPUTS = ("content", "rubrics", "themes")    # the only folders a project's files are read from


def inside_inputs(root: Path, path: Path) -> str | None:
    """The input folder (content, rubrics, themes) that `path` is in or is, or None."""
    root, path = Path(root).resolve(), Path(path).resolve()
    return next((top for top in INPUTS if path.is_relative_to(root / top)), None)


def ignored(name: str) -> bool:
    """Files no one means as input: hidden files, editor backups, Office lock files, Windows' own."""
    return name.startswith((".", "~$")) or name.endswith("~") or name.lower() in ("thumbs.db", "desktop.ini")


def unprintable(name: str) -> bool:
    """A name with control characters, or bytes that are not UTF-8 (kept by Python as surrogates)."""
    return any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or 0xd800 <= ord(c) < 0xe000 for c in name)


def printable(name: str) -> str:
    """A name safe to print on a terminal: every unprintable character as an escape."""
    return "".join(c if not unprintable(c) else ascii(c)[1:-1] for c in name)


@dataclass(frozen=True)
class Refused:
    """A path in an input folder that is not read, and why."""

    name: str
    message: str
    hint: str = ""


def below(names: list[str], folder: str) -> list[str]:
    """The names below `folder/` in a sorted list, where they stand next to each other (a
    national project asks this of 30,000 names for each of its 1,000 folders)."""
    start = folder.rstrip("/") + "/"
    return names[bisect.bisect_left(names, start):bisect.bisect_left(names, folder.rstrip("/") + "0")]   # "0" follows "/"


class DiskTree:
    """The project folder on disk, seen through one scan of its input folders.

    Nothing outside content/, rubrics/ and themes/ is ever read: a symbolic link that
    leads out of them, loops, dangles or names a folder is not followed but refused
    (`refused`), and so is anything that is neither a file nor a folder."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.label = "the working tree"
        self.rescan()

    def rescan(self) -> None:
        """Look at the input folders again (a long-running preview calls this on every pass)."""
        self._files: dict[str, str] = {}          # name → where it is on disk (no Path: 30,000 of them)
        self._dirs: set[str] = set()
        self._index: tuple[list[str], list[str]] | None = None     # both sorted, made when first asked
        self.refused: list[Refused] = []
        for top in INPUTS:
            self._scan_top(top)

    def _scan_top(self, top: str) -> None:
        path = self.root / top
        if path.is_symlink():
            self.refused.append(Refused(top, f"expected the folder {top}/, got a symbolic link",
                                        f"keep {top}/ as a real folder inside the project; nothing outside "
                                        "the project is read"))
        elif path.is_dir():
            self._dirs.add(top)
            self._scan(top, path)

    def _scan(self, folder: str, path: Path) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as error:
            self.refused.append(Refused(folder, f"expected a readable folder, got: {error.strerror}",
                                        "check the folder's permissions"))
            return
        for entry in entries:
            if ignored(entry.name):
                continue
            name = f"{folder}/{entry.name}"
            if unprintable(entry.name):
                self.refused.append(Refused(f"{folder}/{printable(entry.name)}", "expected a file name of printable "
                                            "UTF-8 text, got one with control characters or bytes that are not UTF-8",
                                            "rename it; such names also break on the machines that unpack the site"))
                continue
            try:
                if entry.is_symlink():
                    self._link(name, Path(entry.path))
                elif entry.is_dir():
                    self._dirs.add(name)
                    self._scan(name, Path(entry.path))
                elif entry.is_file():
                    self._files[name] = entry.path
                else:
                    self.refused.append(Refused(name, "expected a file or a folder, got a device, socket or pipe",
                                                "remove it from the project"))
            except OSError as error:
                self.refused.append(Refused(name, f"expected a readable file, got: {error.strerror}"))

    def _link(self, name: str, path: Path) -> None:
        """A symbolic link is read only when it leads to a file inside the input folders."""
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            self.refused.append(Refused(name, "expected a file, got a symbolic link that leads back to itself (a loop)",
                                        "remove the link, or replace it with the file itself"))
            return
        except OSError as error:
            loop = error.errno == errno.ELOOP
            self.refused.append(Refused(name, "expected a file, got a symbolic link " + (
                "that leads back to itself (a loop)" if loop else "to a file that does not exist"),
                "remove the link, or replace it with the file itself"))
            return
        if not any(target.is_relative_to(self.root / top) for top in INPUTS):
            self.refused.append(Refused(name, f"expected a file inside the project, got a symbolic link to {target}",
                                        "nothing outside content/, rubrics/ and themes/ is read or published: "
                                        "copy the file into the project"))
        elif target.is_dir():
            self.refused.append(Refused(name, "expected a file, got a symbolic link to a folder",
                                        "links to folders are not followed: move or copy the folder here"))
        else:
            self._files[name] = str(target)

    def path(self, name: str) -> Path:
        return self.root.joinpath(*PurePosixPath(name).parts)

    def files(self, folder: str) -> list[str]:
        """Every file below `folder`, as sorted project-relative paths."""
        return below(self._sorted()[0], folder)

    def folders(self, folder: str) -> list[str]:
        """The names of the folders directly inside `folder`."""
        start = len(folder.rstrip("/")) + 1
        return [name[start:] for name in below(self._sorted()[1], folder) if "/" not in name[start:]]

    def _sorted(self) -> tuple[list[str], list[str]]:
        if self._index is None:
            self._index = (sorted(self._files), sorted(self._dirs))
        return self._index

    def is_file(self, name: str) -> bool:
        return name in self._files

    def is_dir(self, name: str) -> bool:
        return name.rstrip("/") in self._dirs

    def read(self, name: str) -> bytes:
        if name not in self._files:
            raise FileNotFoundError(errno.ENOENT, "No such file in the project's input folders", name)
        with open(self._files[name], "rb") as stream:
            return stream.read()

    def stamp(self, name: str):
        if name not in self._files:
            raise FileNotFoundError(errno.ENOENT, "No such file in the project's input folders", name)
        stat = os.stat(self._files[name])
        return (stat.st_mtime_ns, stat.st_size)

    def inside(self, name: str, folder: str) -> bool:
        """True when `name`, symbolic links followed, stays inside `folder`."""
        return name in self._files and Path(self._files[name]).is_relative_to(self.path(folder).resolve())


class EditedTree(DiskTree):
    """The project folder as it will be once `texts` (project-relative name → new text) are
    written: an import checks the edited project through this before it writes anything."""

    def __init__(self, root: Path, texts: dict[str, str]):
        self.texts = texts
        super().__init__(root)

    def rescan(self) -> None:
        super().rescan()
        for name in self.texts:
            self._files[name] = str(self.root / name)

    def read(self, name: str) -> bytes:
        return self.texts[name].encode("utf-8") if name in self.texts else super().read(name)

    def stamp(self, name: str):
        return ("edited", hash(self.texts[name])) if name in self.texts else super().stamp(name)

    def is_file(self, name: str) -> bool:
        return name in self.texts or super().is_file(name)


class GitTree:
    """One revision of a git repository, read with `git ls-tree` and `git cat-file --batch`."""

    def __init__(self, root: Path, revision: str):
        self.root = Path(root).resolve()
        self.revision = revision
        self.commit = rev_parse(self.root, revision)
        self.label = f"{revision} ({self.commit[:7]})"
        self.prefix = git(self.root, "rev-parse", "--show-prefix").strip()   # the project inside the repository
        listing = git(self.root, "ls-tree", "-r", "-z", "--full-tree", self.commit, "--", self.prefix or ".")
        self.blobs: dict[str, str] = {}
        for entry in filter(None, listing.split("\0")):
            meta, _, name = entry.partition("\t")
            mode, kind, sha = meta.split()
            local = name[len(self.prefix):]
            hidden = any(ignored(part) or unprintable(part) for part in local.split("/"))   # as DiskTree skips them
            if kind == "blob" and mode in ("100644", "100755") and name.startswith(self.prefix) and not hidden:
                self.blobs[local] = sha
        self._reader = None
        self._names: list[str] | None = None
        self.refused: list[Refused] = []

    def rescan(self) -> None:
        """A revision does not change."""

    def files(self, folder: str) -> list[str]:
        return below(self._sorted(), folder)

    def folders(self, folder: str) -> list[str]:
        start = len(folder.rstrip("/")) + 1
        return sorted({name[start:].split("/", 1)[0] for name in below(self._sorted(), folder) if "/" in name[start:]})

    def _sorted(self) -> list[str]:
        if self._names is None:
            self._names = sorted(self.blobs)
        return self._names

    def is_file(self, name: str) -> bool:
        return name in self.blobs

    def is_dir(self, name: str) -> bool:
        return bool(below(self._sorted(), name))

    def read(self, name: str) -> bytes:
        if name not in self.blobs:
            raise FileNotFoundError(2, "No such file in " + self.label, name)
        return self.cat(self.blobs[name])

    def stamp(self, name: str):
        if name not in self.blobs:
            raise FileNotFoundError(2, "No such file in " + self.label, name)
        return self.blobs[name]

    def inside(self, name: str, folder: str) -> bool:
        return True           # symbolic links are not listed: only regular files are

    def cat(self, sha: str) -> bytes:
        """A blob's bytes through one long-running `git cat-file --batch`."""
        if self._reader is None:
            self._reader = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE)
        self._reader.stdin.write(sha.encode() + b"\n")
        self._reader.stdin.flush()
        header = self._reader.stdout.readline().split()
        size = int(header[2])
        data = self._reader.stdout.read(size)
        self._reader.stdout.read(1)          # the newline after each object
        return data

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stdin.close()
            self._reader.wait()
            self._reader = None


def git(root: Path, *args: str) -> str:
    """Run git in `root`; TreeError with git's own words when it fails."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape")      # a GBK file name in a commit must not stop anything
    except FileNotFoundError:
        raise TreeError("git is not installed") from None
    if done.returncode != 0:
        raise TreeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def rev_parse(root: Path, revision: str) -> str:
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except TreeError:
        raise TreeError(f"no commit {revision!r} in this repository (try HEAD, HEAD~1, a branch or a hash)") from None


def in_git(root: Path) -> bool:
    """True when `root` is inside a git work tree with at least one commit."""
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").strip() == "true" and bool(rev_parse(root, "HEAD"))
    except TreeError:
        return False
