"""Where a project's files come from: the working folder, or a git revision read through
git itself (no checkout, the working tree untouched). The loader sees only this
interface, so `scoresite diff` can load two revisions side by side."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath


class TreeError(Exception):
    """A revision cannot be read (no git, not a repository, unknown revision)."""


class DiskTree:
    """The project folder on disk."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.label = "the working tree"

    def path(self, name: str) -> Path:
        return self.root.joinpath(*PurePosixPath(name).parts)

    def files(self, folder: str) -> list[str]:
        """Every regular file below `folder`, as sorted project-relative paths."""
        found = []
        for current, dirs, names in os.walk(self.path(folder)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            base = Path(current).relative_to(self.root).as_posix()
            found.extend(f"{base}/{name}" for name in names if not name.startswith("."))
        return sorted(found)

    def folders(self, folder: str) -> list[str]:
        """The names of the folders directly inside `folder`."""
        base = self.path(folder)
        return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if base.is_dir() else []

    def is_file(self, name: str) -> bool:
        return self.path(name).is_file()

    def is_dir(self, name: str) -> bool:
        return self.path(name).is_dir()

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def stamp(self, name: str):
        stat = self.path(name).stat()
        return (stat.st_mtime_ns, stat.st_size)

    def inside(self, name: str, folder: str) -> bool:
        """True when `name`, symbolic links followed, stays inside `folder`."""
        return self.path(name).resolve().is_relative_to(self.path(folder).resolve())


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
            hidden = any(part.startswith(".") for part in local.split("/"))     # as DiskTree skips them
            if kind == "blob" and mode in ("100644", "100755") and name.startswith(self.prefix) and not hidden:
                self.blobs[local] = sha
        self._reader = None

    def files(self, folder: str) -> list[str]:
        start = folder.rstrip("/") + "/"
        return sorted(name for name in self.blobs if name.startswith(start))

    def folders(self, folder: str) -> list[str]:
        start = folder.rstrip("/") + "/"
        return sorted({name[len(start):].split("/", 1)[0] for name in self.blobs
                       if name.startswith(start) and "/" in name[len(start):]})

    def is_file(self, name: str) -> bool:
        return name in self.blobs

    def is_dir(self, name: str) -> bool:
        start = name.rstrip("/") + "/"
        return any(n.startswith(start) for n in self.blobs)

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
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8")
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
