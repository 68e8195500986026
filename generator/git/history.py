"""What git knows about the project: the source commit, each file's revisions, and what
each revision of a score file changed, indicator by indicator, old → new points.

Git is read once per build — one `git log` over content/ and rubrics/, one
`git status`, and one `git cat-file --batch` for the blobs — never once per page.
History follows the first parent (the line of the main branch) and renames. Each past
state of an assessment is loaded and scored by the project's own loader and scorer
(through a tree that reads the blobs), each blob parsed once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ProjectError, SettingError
from ..load.project import Sources
from ..load.tree import TreeError, git, in_git, unprintable
from ..model import ScoreSheet
from ..numbers import plain
from ..pipeline import load_project
from ..score.scoring import ScoreMemo

ZERO = "0" * 40


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: dt.datetime          # the author date, in the author's own time zone
    committed: dt.datetime
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class Change:
    """One indicator's change in one revision of a score file."""

    key: str
    before: str | None         # points before, as printed; None when it had no entry
    after: str | None
    result_before: str | None = None
    result_after: str | None = None


@dataclass
class Revision:
    """One commit's change to one score file."""

    commit: Commit
    path: str                  # the file's path in that commit
    status: str                # A added, M modified, R renamed, D deleted
    old_path: str | None = None
    changes: list[Change] = field(default_factory=list)
    invalid: bool = False      # the file (or its rubric) did not load at this revision
    total_before: str | None = None
    total_after: str | None = None


@dataclass
class History:
    head: Commit
    dirty: set[str]                                        # files changed but not committed
    revisions: dict[str, list[Revision]]                   # current path → its revisions, oldest first
    last_change: dict[str, Commit]                         # current path → the commit that last changed it
    commits: list[Commit]
    shallow: bool = False                                  # a shallow clone: the early history is missing

    def of(self, path: str) -> list[Revision]:
        return self.revisions.get(path, [])


def read_history(root: Path, score_files: set[str], current=None) -> History | None:
    """The project's history, or None outside a git repository (or before its first commit).
    `current`, the working tree's project as loaded and scored, spares scoring a revision
    again when it is the working tree's state (a file with one commit, not edited since)."""
    root = Path(root).resolve()
    if not in_git(root):
        return None
    prefix = git(root, "rev-parse", "--show-prefix").strip()   # the project's folder inside the repository
    # pathspecs are relative to the project folder; the paths git prints are relative to the repository
    log = git(root, "log", "--first-parent", "--reverse", "-M", "--raw", "-z", "--no-abbrev",
              "--format=%x01%H%x00%an%x00%aI%x00%cI%x00%s", "--", "content", "rubrics")
    head = _head(root)
    dirty = uncommitted(root)
    with _Blobs(root) as blobs:
        history = _Replay(root, prefix, score_files, blobs, current).run(_parse(log), head, dirty)
    history.shallow = git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    return history


def uncommitted(root: Path) -> set[str]:
    """Project files (content, rubrics, themes) changed but not committed, project-relative."""
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    status = git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "content", "rubrics", "themes")
    entries = status.split("\0")
    dirty, i = set(), 0
    while i < len(entries):
        entry = entries[i]
        if len(entry) > 3:
            dirty.add(entry[3:].removeprefix(prefix))
            if entry[0] in "RC":          # a rename is followed by its old path
                i += 1
        i += 1
    return dirty


def _head(root: Path) -> Commit:
    fields = git(root, "log", "-1", "--format=%H%x00%an%x00%aI%x00%cI%x00%s", "HEAD").rstrip("\n").split("\0")
    return _commit(fields)


def _commit(fields: list[str]) -> Commit:
    sha, author, authored, committed, subject = fields[:5]
    return Commit(sha, author, dt.datetime.fromisoformat(authored), dt.datetime.fromisoformat(committed), subject)


def _parse(log: str):
    """(commit, [(status, old path, new path, old blob, new blob)]) from `git log --raw -z`.

    Fields are NUL-separated; a commit's header is five fields, the first marked with \x01;
    each change is a `:…` field and its path(s). A subject cannot hold NUL, so it cannot
    break this (it may hold \x01 or newlines)."""
    tokens = log.split("\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        if not (token.startswith("\x01") and len(token) == 41 and i + 4 < len(tokens)):
            i += 1
            continue
        commit = _commit([token[1:], *tokens[i + 1:i + 5]])
        i += 5
        changes = []
        while i < len(tokens) and tokens[i].lstrip("\n").startswith(":"):
            _, _, old_blob, new_blob, status = tokens[i].lstrip("\n")[1:].split()
            kind = status[0]
            if kind in "RC":
                changes.append((kind, tokens[i + 1], tokens[i + 2], old_blob, new_blob))
                i += 3
            else:
                changes.append((kind, tokens[i + 1], tokens[i + 1], old_blob, new_blob))
                i += 2
        yield commit, [change for change in changes if not any(unprintable(p) for p in change[1:3])]


class _Blobs:
    """Blob contents through one `git cat-file --batch`, cached by object id."""

    def __init__(self, root: Path):
        import subprocess

        self.process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        self.cache: dict[str, bytes] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.stdin.close()
        self.process.wait()

    def __getitem__(self, sha: str) -> bytes:
        if sha not in self.cache:
            self.process.stdin.write(sha.encode() + b"\n")
            self.process.stdin.flush()
            header = self.process.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                raise KeyError(sha)
            self.cache[sha] = self.process.stdout.read(int(header[2]))
            self.process.stdout.read(1)
        return self.cache[sha]


class _Replay:
    """Walks the history oldest first, keeping each path's blob, scoring each score-file revision."""

    def __init__(self, root: Path, prefix: str, score_files: set[str], blobs: _Blobs, current=None):
        self.prefix = prefix
        self.score_files = score_files
        self.blobs = blobs
        self.current = current                       # the working tree's project, already scored
        self.state: dict[str, str] = {}              # path → blob, as of the commit being replayed
        self.chains: dict[str, list[Revision]] = {}  # path as of now → revisions
        self.last_change: dict[str, Commit] = {}
        self.scored: dict[tuple, dict | None] = {}   # a state of an assessment's files → its results
        self.tree = _StateTree(root, blobs)
        self.sources = Sources(self.tree)
        self.memo = ScoreMemo()

    def run(self, log, head: Commit, dirty: set[str]) -> History:
        commits = []
        for commit, changes in log:
            commits.append(commit)
            changes = [(k, self._local(o), self._local(n), ob, nb) for k, o, n, ob, nb in changes]
            before = dict(self.state)             # a score file and its rubric may change in one commit:
            for kind, old, new, old_blob, new_blob in changes:       # "before" is scored under the old
                self.state.pop(old, None)                            # rubric, "after" under the new
                if kind != "D":
                    self.state[new] = new_blob
            for kind, old, new, old_blob, new_blob in changes:
                self._record(commit, kind, old, new, old_blob, new_blob, before)
        revisions = {path: chain for path, chain in self.chains.items() if path in self.score_files}
        return History(head, dirty, revisions, self.last_change, commits)

    def _local(self, path: str) -> str:
        return path[len(self.prefix):] if path.startswith(self.prefix) else path

    def _record(self, commit, kind, old, new, old_blob, new_blob, previous: dict) -> None:
        chain = self.chains.pop(old, []) if kind in "RD" else self.chains.get(new, [])
        self.last_change.pop(old, None)
        if kind != "D":
            self.last_change[new] = commit
        if not _is_score_file(new):
            if kind != "D":
                self.chains[new] = chain
            return
        revision = Revision(commit, new, kind, old if kind == "R" else None)
        before = self._score(old, old_blob, previous) if kind != "A" else None
        after = self._score(new, new_blob, self.state) if kind != "D" else None
        revision.invalid = kind != "D" and after is None          # this revision itself did not load
        if before or after:
            revision.changes = _compare(before, after)
            revision.total_before = before[0] if before else None
            revision.total_after = after[0] if after else None
        chain.append(revision)
        if kind != "D":
            self.chains[new] = chain

    def _score(self, path: str, blob: str, state: dict):
        """(total, {key: (points, written result, text)}) for one score file at one state of the
        repository: its whole assessment loaded and scored by the project's own loader and
        scorer, under the rubric of its time (rules across entities see the others as they were)."""
        if blob == ZERO:
            return None
        folder = str(PurePosixPath(path).parent)
        subset = {name: sha for name, sha in state.items()
                  if name.startswith((folder + "/", "rubrics/", "themes/", "content/evidence/")) or name in SETTINGS}
        key = tuple(sorted(subset.items()))
        if key not in self.scored:
            self.scored[key] = self._results(subset, key)
        results = self.scored[key]
        return results.get(PurePosixPath(path).stem) if results is not None else None

    def _results(self, subset: dict, key: tuple) -> dict | None:
        """Every entity of the assessment in `subset`, scored; None when it does not load."""
        current = self.current
        if current is not None and key == self._working_key(subset):
            project = current                      # this state is the working tree's: scored already
        else:
            self.tree.state = subset
            try:
                project = load_project(sources=self.sources, memo=self.memo)
            except ProjectError:
                return None
        folder = next((name for name in subset if name.endswith("/assessment.yaml")), None)
        assessment_id = PurePosixPath(folder).parent.name if folder else None
        if assessment_id not in project.assessments:
            return None
        rubric = project.rubric_of(project.assessments[assessment_id])
        return {result.entity: _summary(result, rubric) for result in project.results[assessment_id]}

    def _working_key(self, subset: dict) -> tuple | None:
        """The same files in the working tree, by git blob id (so a state equal to it is known)."""
        tree = self.current.tree
        folder = next((name.rsplit("/", 1)[0] for name in subset if name.endswith("/assessment.yaml")), None)
        if folder is None or tree is None:
            return None
        names = [name for name in tree.files("content") + tree.files("rubrics") + tree.files("themes")
                 if name.startswith((folder + "/", "rubrics/", "themes/", "content/evidence/")) or name in SETTINGS]
        try:
            return tuple(sorted((name, blob_id(tree.read(name))) for name in names))
        except OSError:
            return None


SETTINGS = ("content/site.yaml", "content/units.yaml")


def blob_id(data: bytes) -> str:
    """The id git gives a file's content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _summary(result, rubric) -> tuple:
    return plain(result.total), {key: (plain(score.points), _written_entry(result.sheet, score.indicator),
                                       score.indicator.text) for key, score in result.scores.items()}


class _StateTree:
    """One state of the repository (path → blob) as the loader reads any tree: through git
    itself, one blob at a time, each parsed once for every state it appears in (by blob id)."""

    def __init__(self, root: Path, blobs: "_Blobs"):
        self.root = root
        self.blobs = blobs
        self.state: dict[str, str] = {}
        self.label = "a revision"
        self.refused: list = []

    def rescan(self) -> None:
        """The state is set from outside."""

    def files(self, folder: str) -> list[str]:
        start = folder.rstrip("/") + "/"
        return sorted(name for name in self.state if name.startswith(start))

    def folders(self, folder: str) -> list[str]:
        start = folder.rstrip("/") + "/"
        return sorted({name[len(start):].split("/", 1)[0] for name in self.state
                       if name.startswith(start) and "/" in name[len(start):]})

    def is_file(self, name: str) -> bool:
        return name in self.state

    def is_dir(self, name: str) -> bool:
        start = name.rstrip("/") + "/"
        return any(n.startswith(start) for n in self.state)

    def read(self, name: str) -> bytes:
        if name not in self.state:
            raise FileNotFoundError(2, "No such file in this revision", name)
        return self.blobs[self.state[name]]

    def stamp(self, name: str):
        return self.state.get(name)

    def inside(self, name: str, folder: str) -> bool:
        return True            # git keeps links as links; only regular files are in a state


def _written_entry(sheet: ScoreSheet, indicator) -> str | None:
    entry = sheet.entries.get(indicator.key)
    if entry is None:
        return None
    text = "n/a" if entry.not_applicable else indicator.rule.written(entry.result)
    if entry.override:
        text += f" (override {plain(entry.override.points)})"
    return text


def _is_score_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (len(parts) == 4 and parts[:2] == ("content", "assessments") and parts[3].endswith(".yaml")
            and parts[3] != "assessment.yaml")


def _compare(before, after) -> list[Change]:
    """Indicators whose points or written result differ; nothing for what did not change."""
    old = before[1] if before else {}
    new = after[1] if after else {}
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key), new.get(key)
        if (a and a[:2]) != (b and b[:2]):
            changes.append(Change(key, a[0] if a and a[1] is not None else None,
                                  b[0] if b and b[1] is not None else None,
                                  a[1] if a else None, b[1] if b else None))
    return changes


def source_date(history: History | None) -> dt.date | None:
    """The date a build speaks for: SOURCE_DATE_EPOCH when set, else the source commit's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return epoch_date(epoch)
    return history.head.committed.date() if history else None


def epoch_date(epoch: str) -> dt.date:
    """The UTC date of a SOURCE_DATE_EPOCH value, or SettingError (reproducible-builds.org: a
    malformed value stops the build rather than being ignored)."""
    hint = "set SOURCE_DATE_EPOCH to whole seconds since 1970-01-01 UTC, e.g. $(git log -1 --format=%ct), or unset it"
    if not re.fullmatch(r"[0-9]{1,12}", epoch):
        raise SettingError(f"expected SOURCE_DATE_EPOCH as a whole number of seconds, got {epoch[:40]!r}", hint)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        raise SettingError(f"expected SOURCE_DATE_EPOCH to be a date before the year 10000, got {epoch}", hint) from None


def safe_read_history(root: Path, score_files: set[str], current=None) -> History | None:
    """read_history, treating a git that cannot be read like no repository at all."""
    try:
        return read_history(root, score_files, current)
    except TreeError:
        return None
